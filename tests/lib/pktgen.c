// SPDX-License-Identifier: GPL-2.0
/*
 * The packet generator of pktgen.h. Addresses and ports come from pools
 * built from the config: the first and last address of every prefix it
 * names and the addresses just outside them, the interfaces' own
 * addresses and their neighbours, the edges of every port range, and a
 * few special ones; or are drawn at random, inside a prefix or anywhere.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include "pktgen.h"
#include "tap.h"

#define HISTORY 32 /* recent packets that answers and repeats draw from */
#define MAX_POOL 1024
#define MAX_BLOCKS 8

#define FAMILIES 2 /* IPv4, IPv6 */

/* A spec that owns its address strings, and where it goes. */
struct gspec {
	struct pkt_spec s;
	enum where at;
	char src[INET6_ADDRSTRLEN];
	char dst[INET6_ADDRSTRLEN];
};

struct pktgen {
	const struct config *c;
	uint64_t rng;
	union edgefw_addr pool[FAMILIES][MAX_POOL];
	size_t nr_pool[FAMILIES];
	struct prefix prefixes[MAX_POOL]; /* random addresses inside */
	size_t nr_prefixes;
	uint16_t ports[MAX_POOL];
	size_t nr_ports;
	struct gspec history[HISTORY];
	unsigned long nr_history;
	struct gspec burst;
	unsigned int burst_left;
	struct gspec quoted; /* what the last ICMP error quotes */
	struct prefix blocks[MAX_BLOCKS];
	size_t nr_blocks;
	unsigned long steps;
};

/* splitmix64: small, fast, and every seed gives a full-quality stream */
static uint64_t next64(struct pktgen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned int below(struct pktgen *g, unsigned int n)
{
	return next64(g) % n;
}

static bool chance(struct pktgen *g, unsigned int percent)
{
	return below(g, 100) < percent;
}

static int fam_index(uint8_t family)
{
	return family == EDGEFW_FAMILY_IPV6;
}

static unsigned int addr_bytes(uint8_t family)
{
	return family == EDGEFW_FAMILY_IPV4 ? 4 : 16;
}

/* The next or previous address, as a big-endian number that wraps. */
static void addr_step(union edgefw_addr *a, uint8_t family, bool up)
{
	for (int i = addr_bytes(family) - 1; i >= 0; i--) {
		if (up ? ++a->b[i] != 0 : a->b[i]-- != 0)
			break;
	}
}

/* The prefix's address with the bits past its length drawn or set. */
static union edgefw_addr host_bits(struct pktgen *g, const struct prefix *p,
				   bool random)
{
	union edgefw_addr a = p->addr;

	for (unsigned int bit = p->len; bit < family_bits(p->family); bit++) {
		if (!random || below(g, 2))
			a.b[bit / 8] |= 0x80 >> (bit % 8);
	}
	return a;
}

static void pool_add(struct pktgen *g, uint8_t family,
		     const union edgefw_addr *a)
{
	int f = fam_index(family);

	if (g->nr_pool[f] < MAX_POOL)
		g->pool[f][g->nr_pool[f]++] = *a;
}

/* A prefix's edges, inside and out. */
static void pool_add_prefix(struct pktgen *g, const struct prefix *p)
{
	union edgefw_addr first = p->addr, last = host_bits(g, p, false);

	if (g->nr_prefixes < MAX_POOL)
		g->prefixes[g->nr_prefixes++] = *p;
	pool_add(g, p->family, &first);
	pool_add(g, p->family, &last);
	addr_step(&first, p->family, false);
	addr_step(&last, p->family, true);
	pool_add(g, p->family, &first);
	pool_add(g, p->family, &last);
}

static void pool_add_text(struct pktgen *g, const char *text)
{
	union edgefw_addr a = {};

	if (inet_pton(AF_INET, text, &a) == 1)
		pool_add(g, EDGEFW_FAMILY_IPV4, &a);
	else if (inet_pton(AF_INET6, text, &a) == 1)
		pool_add(g, EDGEFW_FAMILY_IPV6, &a);
	else
		tap_bail("pktgen: bad address %s", text);
}

static void port_add(struct pktgen *g, long port)
{
	if (port >= 0 && port <= 65535 && g->nr_ports < MAX_POOL)
		g->ports[g->nr_ports++] = port;
}

static void pool_add_peer(struct pktgen *g, const struct peer *peer)
{
	const struct cfg_set *set;

	if (peer->kind == PEER_PREFIX)
		pool_add_prefix(g, &peer->prefix);
	if (peer->kind != PEER_SET)
		return;
	set = &g->c->sets[peer->set];
	for (size_t i = 0; i < set->nr_prefixes; i++)
		pool_add_prefix(g, &set->prefixes[i]);
}

struct pktgen *pktgen_new(const struct config *c)
{
	/* limited broadcast, loopback, multicast, documentation, mapped */
	static const char *const specials[] = {
		"0.0.0.0",   "255.255.255.255", "127.0.0.1",
		"224.0.0.1", "192.0.2.66",	"::",
		"::1",	     "fe80::1",		"ff02::1",
		"ff02::16",  "2001:db8:99::66", "::ffff:203.0.113.5",
	};
	static const long ports[] = { 0, 1, 53, 80, 443, 5269, 65535 };
	struct pktgen *g = calloc(1, sizeof(*g));

	if (!g)
		tap_bail("out of memory");
	g->c = c;
	for (size_t i = 0; i < c->nr_ifaces; i++) {
		for (size_t j = 0; j < c->ifaces[i].nr_addrs; j++) {
			const struct prefix *self = &c->ifaces[i].addrs[j];
			union edgefw_addr a = self->addr;

			pool_add(g, self->family, &a);
			addr_step(&a, self->family, true);
			pool_add(g, self->family, &a);
			a = self->addr;
			addr_step(&a, self->family, false);
			pool_add(g, self->family, &a);
		}
	}
	for (size_t i = 0; i < c->nr_rules; i++) {
		const struct cfg_rule *r = &c->rules[i];

		pool_add_peer(g, &r->from);
		pool_add_peer(g, &r->to);
		for (size_t j = 0; j < r->nr_ports; j++) {
			port_add(g, r->ports[j].lo - 1);
			port_add(g, r->ports[j].lo);
			port_add(g, r->ports[j].hi);
			port_add(g, r->ports[j].hi + 1);
		}
	}
	for (size_t i = 0; i < c->nr_sets; i++) {
		for (size_t j = 0; j < c->sets[i].nr_prefixes; j++)
			pool_add_prefix(g, &c->sets[i].prefixes[j]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(specials); i++)
		pool_add_text(g, specials[i]);
	for (size_t i = 0; i < ARRAY_SIZE(ports); i++)
		port_add(g, ports[i]);
	return g;
}

void pktgen_free(struct pktgen *g)
{
	free(g);
}

void pktgen_start(struct pktgen *g, uint64_t seed)
{
	g->rng = seed;
	g->nr_history = 0;
	g->burst_left = 0;
	g->nr_blocks = 0;
	g->steps = 0;
}

/* An address of the family: from the pool, inside a prefix, or anywhere. */
static union edgefw_addr pick_addr(struct pktgen *g, uint8_t family)
{
	int f = fam_index(family);
	union edgefw_addr a = {};
	unsigned int roll = below(g, 10);

	if (roll < 5 && g->nr_pool[f])
		return g->pool[f][below(g, g->nr_pool[f])];
	if (roll < 8) {
		for (int tries = 0; tries < 8; tries++) {
			const struct prefix *p =
				&g->prefixes[below(g, g->nr_prefixes)];

			if (p->family == family)
				return host_bits(g, p, true);
		}
	}
	for (unsigned int i = 0; i < addr_bytes(family); i += 4) {
		uint32_t w = next64(g);

		memcpy(&a.b[i], &w, 4);
	}
	return a;
}

/* One of the interface's own addresses of the family, or a neighbour. */
static union edgefw_addr pick_self(struct pktgen *g, size_t iface,
				   uint8_t family)
{
	const struct cfg_iface *ifc = &g->c->ifaces[iface];
	size_t start = below(g, ifc->nr_addrs ? ifc->nr_addrs : 1);

	for (size_t i = 0; i < ifc->nr_addrs; i++) {
		const struct prefix *p =
			&ifc->addrs[(start + i) % ifc->nr_addrs];
		union edgefw_addr a = p->addr;

		if (p->family != family)
			continue;
		if (chance(g, 10))
			addr_step(&a, family, below(g, 2));
		return a;
	}
	return pick_addr(g, family);
}

/*
 * A source or destination that the peer of a rule names, mostly. Our own
 * end (the destination of what comes in, the source of what goes out) is
 * one of our addresses mostly, even where the rule says any.
 */
static union edgefw_addr pick_peer(struct pktgen *g, const struct peer *peer,
				   size_t iface, uint8_t family, bool ours)
{
	const struct cfg_set *set;

	switch (peer->kind) {
	case PEER_SELF:
		return pick_self(g, iface, family);
	case PEER_PREFIX:
		if (peer->prefix.family == family && chance(g, 80))
			return host_bits(g, &peer->prefix, true);
		break;
	case PEER_SET:
		set = &g->c->sets[peer->set];
		for (int tries = 0; set->nr_prefixes && tries < 8; tries++) {
			const struct prefix *p =
				&set->prefixes[below(g, set->nr_prefixes)];

			if (p->family == family && chance(g, 80))
				return host_bits(g, p, true);
		}
		break;
	case PEER_ANY:
		if (ours && chance(g, 70))
			return pick_self(g, iface, family);
		break;
	}
	return pick_addr(g, family);
}

static uint16_t pick_port(struct pktgen *g)
{
	if (chance(g, 60))
		return g->ports[below(g, g->nr_ports)];
	return below(g, 65536);
}

static uint8_t pick_tcp_flags(struct pktgen *g)
{
	static const uint8_t usual[] = {
		PKT_SYN,
		PKT_SYN,
		PKT_SYN | PKT_ACK,
		PKT_ACK,
		PKT_ACK | PKT_PSH,
		PKT_FIN | PKT_ACK,
		PKT_RST,
		PKT_RST | PKT_ACK,
		PKT_FIN,
		PKT_SYN | PKT_FIN,
		0,
	};

	/* every one of the 256, CWR, ECE and URG too */
	if (chance(g, 20))
		return below(g, 256);
	return usual[below(g, ARRAY_SIZE(usual))];
}

/* ICMP types the decision singles out, then any. */
static void pick_icmp(struct pktgen *g, struct pkt_spec *s)
{
	static const uint8_t v4[] = { 3, 3, 0, 8, 11, 5 };
	static const uint8_t v6[] = { 2,   133, 134, 135, 136, 137, 130,
				      131, 132, 143, 128, 129, 1,   3 };
	bool six = s->proto == IPPROTO_ICMPV6;

	if (chance(g, 75))
		s->icmp_type = six ? v6[below(g, ARRAY_SIZE(v6))]
				   : v4[below(g, ARRAY_SIZE(v4))];
	else
		s->icmp_type = below(g, 256);
	s->icmp_code = chance(g, 50) ? (six ? 0 : 4) : below(g, 16);
	s->payload = 8 + below(g, 40);
	/* an echo's identifier: few, so that requests and replies meet */
	s->sport = s->dport = below(g, 4);
}

/* The protocol of a fresh packet: mostly what the rules know. */
static uint8_t pick_proto(struct pktgen *g, uint8_t family)
{
	static const uint8_t others[] = { 47, 50, 59, 132, 0, 4, 41 };
	bool v4 = family == EDGEFW_FAMILY_IPV4;
	unsigned int roll = below(g, 100);

	if (roll < 40)
		return IPPROTO_TCP;
	if (roll < 65)
		return IPPROTO_UDP;
	if (roll < 85)
		return v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (roll < 90) /* the other family's ICMP */
		return v4 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	if (roll < 96)
		return others[below(g, ARRAY_SIZE(others))];
	return below(g, 256);
}

static void set_addrs(struct gspec *gs, uint8_t family,
		      const union edgefw_addr *src,
		      const union edgefw_addr *dst)
{
	int af = family == EDGEFW_FAMILY_IPV4 ? AF_INET : AF_INET6;

	inet_ntop(af, src, gs->src, sizeof(gs->src));
	inet_ntop(af, dst, gs->dst, sizeof(gs->dst));
}

/* Tags, options, extension headers, fragments, hop limits, lengths. */
static void shape(struct pktgen *g, struct pkt_spec *s, uint8_t family)
{
	static const uint8_t exts[] = {
		IPPROTO_HOPOPTS,
		IPPROTO_DSTOPTS,
		IPPROTO_ROUTING,
		IPPROTO_AH,
		IPPROTO_FRAGMENT,
		IPPROTO_MH,
		139,
		140,
		253,
		254,
	};
	static const uint8_t ttls[] = { 1, 255, 2, 254 };
	unsigned int roll = below(g, 100);
	int tags = roll < 75 ? 0 : roll < 87 ? 1 : roll < 96 ? 2 : 3;

	for (int i = 0; i < tags; i++)
		s->vlan[i] = (struct pkt_vlan){
			chance(g, 50) ? ETH_P_8021Q : ETH_P_8021AD,
			below(g, 4096),
		};
	if (family == EDGEFW_FAMILY_IPV4 && chance(g, 15))
		s->ipv4_opt_words = 1 + below(g, 10);
	if (family == EDGEFW_FAMILY_IPV6 && chance(g, 25)) {
		/* the chain the data plane walks, and one more at times */
		s->nr_ext = chance(g, 10) ? EDGEFW_IPV6_MAX_EXT_HDRS + 1
					  : 1 + below(g, 3);
		for (size_t i = 0; i < s->nr_ext; i++)
			s->ext[i] = exts[below(g, ARRAY_SIZE(exts))];
	}
	if (chance(g, 8))
		s->frag = chance(g, 50) ? PKT_FRAG_FIRST : PKT_FRAG_LATER;
	if (chance(g, 15))
		s->ttl = chance(g, 80) ? ttls[below(g, ARRAY_SIZE(ttls))]
				       : below(g, 256);
	if (chance(g, 40))
		s->payload += below(g, 65);
	if (chance(g, 10))
		s->pad_to = 60;
}

static void fill_l4(struct pktgen *g, struct pkt_spec *s)
{
	if (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP) {
		s->sport = chance(g, 50) ? 32768 + below(g, 32768)
					 : pick_port(g);
		s->dport = pick_port(g);
	}
	if (s->proto == IPPROTO_TCP)
		s->tcp_flags = pick_tcp_flags(g);
	if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)
		pick_icmp(g, s);
}

/* Anything at all, at any place: ours on the near side, mostly. */
static void gen_fresh(struct pktgen *g, struct gspec *gs)
{
	static const uint16_t not_ip[] = { 0x88cc, 0x9100, 0x8906, 0x0842,
					   0x22f0 };
	const struct place *pl;
	union edgefw_addr ours, theirs;
	uint8_t family;

	gs->at = below(g, 4);
	pl = &places[gs->at];
	family = chance(g, 60) ? EDGEFW_FAMILY_IPV4 : EDGEFW_FAMILY_IPV6;
	if (chance(g, 4)) {
		family = EDGEFW_FAMILY_IPV4;
		gs->s.arp = true;
	} else if (chance(g, 3)) {
		gs->s.ethertype = not_ip[below(g, ARRAY_SIZE(not_ip))];
	}
	ours = chance(g, 60) ? pick_self(g, pl->iface, family)
			     : pick_addr(g, family);
	theirs = pick_addr(g, family);
	if (pl->dir == EDGEFW_DIR_IN)
		set_addrs(gs, family, &theirs, &ours);
	else
		set_addrs(gs, family, &ours, &theirs);
	gs->s.proto = pick_proto(g, family);
	fill_l4(g, &gs->s);
	shape(g, &gs->s, family);
}

/* The place where a rule applies: the first interface of its role. */
static int rule_place(const struct config *c, const struct cfg_rule *r)
{
	for (int at = 0; at < 4; at++) {
		if (c->ifaces[places[at].iface].role == r->role &&
		    places[at].dir == r->dir)
			return at;
	}
	return -1;
}

/* What a rule admits, near enough that its edges get crossed. */
static void gen_rule(struct pktgen *g, struct gspec *gs)
{
	const struct cfg_rule *r = &g->c->rules[below(g, g->c->nr_rules)];
	static const unsigned int bits[] = { PROTO_TCP, PROTO_UDP, PROTO_ICMP,
					     PROTO_ICMPV6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP,
					  IPPROTO_ICMP, IPPROTO_ICMPV6 };
	union edgefw_addr src, dst;
	uint8_t family;
	int at = rule_place(g->c, r);
	size_t i;

	if (at < 0)
		return gen_fresh(g, gs);
	gs->at = at;
	do
		i = below(g, ARRAY_SIZE(bits));
	while (!(r->protos & bits[i]));
	gs->s.proto = protos[i];
	if (gs->s.proto == IPPROTO_ICMP)
		family = EDGEFW_FAMILY_IPV4;
	else if (gs->s.proto == IPPROTO_ICMPV6)
		family = EDGEFW_FAMILY_IPV6;
	else if (r->from.kind == PEER_PREFIX)
		family = r->from.prefix.family;
	else if (r->to.kind == PEER_PREFIX)
		family = r->to.prefix.family;
	else
		family = chance(g, 55) ? EDGEFW_FAMILY_IPV4
				       : EDGEFW_FAMILY_IPV6;
	src = pick_peer(g, &r->from, places[at].iface, family,
			r->dir == EDGEFW_DIR_OUT);
	dst = pick_peer(g, &r->to, places[at].iface, family,
			r->dir == EDGEFW_DIR_IN);
	set_addrs(gs, family, &src, &dst);
	fill_l4(g, &gs->s);
	if (r->nr_ports && chance(g, 80)) {
		const struct port_range *pr = &r->ports[below(g, r->nr_ports)];

		gs->s.dport = pr->lo + below(g, pr->hi - pr->lo + 1);
	}
	if (gs->s.proto == IPPROTO_TCP && chance(g, 70))
		gs->s.tcp_flags = PKT_SYN;
	if (chance(g, 30))
		shape(g, &gs->s, family);
}

static void copy_gspec(struct gspec *to, const struct gspec *from)
{
	*to = *from;
	to->s.src = to->src;
	to->s.dst = to->dst;
}

/* A recent packet, the most recent most often. */
static const struct gspec *recent(struct pktgen *g)
{
	unsigned long n = g->nr_history < HISTORY ? g->nr_history : HISTORY;
	unsigned long back = 0;

	while (back + 1 < n && chance(g, 45))
		back++;
	return &g->history[(g->nr_history - 1 - back) % HISTORY];
}

/* The other side's answer, on the same interface, or now and then not. */
static void gen_reply(struct pktgen *g, struct gspec *gs)
{
	static const uint8_t answers[] = {
		PKT_SYN | PKT_ACK, PKT_SYN | PKT_ACK, PKT_ACK,
		PKT_ACK,	   PKT_ACK | PKT_PSH, PKT_FIN | PKT_ACK,
		PKT_RST,	   PKT_RST | PKT_ACK,
	};
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;

	copy_gspec(gs, recent(g));
	memcpy(addr, gs->src, sizeof(addr));
	memcpy(gs->src, gs->dst, sizeof(addr));
	memcpy(gs->dst, addr, sizeof(addr));
	port = gs->s.sport;
	gs->s.sport = gs->s.dport;
	gs->s.dport = port;
	gs->at ^= 1; /* XDP <-> TC of one interface */
	if (chance(g, 5))
		gs->at ^= 2; /* the other interface */
	if (gs->s.proto == IPPROTO_TCP)
		gs->s.tcp_flags =
			chance(g, 10) ? below(g, 256)
				      : answers[below(g, ARRAY_SIZE(answers))];
	if (gs->s.icmp_type == 8 || gs->s.icmp_type == 128)
		gs->s.icmp_type++; /* echo reply, of ICMP or ICMPv6 */
	if (chance(g, 80))
		gs->s.frag = PKT_NOT_FRAGMENT;
}

/* More of the same: retransmits, data, the end of a connection. */
static void gen_again(struct pktgen *g, struct gspec *gs)
{
	static const uint8_t later[] = { PKT_ACK, PKT_ACK | PKT_PSH,
					 PKT_FIN | PKT_ACK, PKT_RST, PKT_SYN };

	copy_gspec(gs, recent(g));
	if (chance(g, 5))
		gs->at ^= 2;
	if (gs->s.proto == IPPROTO_TCP && chance(g, 60))
		gs->s.tcp_flags = chance(g, 15)
					  ? below(g, 256)
					  : later[below(g, ARRAY_SIZE(later))];
	if (chance(g, 15)) {
		/* a burst, for the rate limits */
		copy_gspec(&g->burst, gs);
		g->burst_left = 2 + below(g, 10);
	}
}

/*
 * An ICMP error about a recent packet, from its destination or a router
 * on the way back to its source: the quote whole, cut to its header and
 * the 8 bytes after, or cut shorter.
 */
static void gen_error(struct pktgen *g, struct gspec *gs)
{
	static const uint8_t v4[] = { 3, 3, 11, 12 };
	static const uint8_t v6[] = { 1, 2, 3, 4 };
	bool six;

	copy_gspec(&g->quoted, recent(g));
	g->quoted.s.quote =
		NULL; /* an error about an error quotes no further */
	copy_gspec(gs, &g->quoted);
	six = strchr(gs->dst, ':') != NULL;
	memcpy(gs->dst, g->quoted.src, sizeof(gs->dst));
	if (chance(g, 30))
		memcpy(gs->src, g->quoted.dst, sizeof(gs->src));
	gs->s = (struct pkt_spec){
		.src = gs->src,
		.dst = gs->dst,
		.proto = six ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
		.icmp_type = six ? v6[below(g, ARRAY_SIZE(v6))]
				 : v4[below(g, ARRAY_SIZE(v4))],
		.icmp_code = chance(g, 50) ? (six ? 0 : 4) : below(g, 16),
		.quote = &g->quoted.s,
	};
	if (chance(g, 40))
		gs->s.quote_len = (six ? 40 : 20) + 8;
	else if (chance(g, 10))
		gs->s.quote_len = below(g, 48);
	gs->at ^= 1; /* back the way it came, or now and then not */
	if (chance(g, 5))
		gs->at ^= 2;
}

/* Lengths and fields that a bad sender gets wrong, before building. */
static const char *mutate_spec(struct pktgen *g, struct pkt_spec *s)
{
	switch (below(g, 5)) {
	case 0:
		s->ihl = PKT_SET(below(g, 16));
		return "IHL set";
	case 1:
		s->tcp_doff = PKT_SET(below(g, 16));
		return "TCP data offset set";
	case 2:
		s->ip_version = PKT_SET(below(g, 16));
		return "IP version set";
	case 3:
		s->ip_len_adjust = (int)below(g, 57) - 48;
		return "IP length off";
	}
	/* a first fragment's UDP length counts the whole datagram */
	s->udp_len_adjust = (int)below(g, 40) - 8 + (chance(g, 30) ? 1400 : 0);
	return "UDP length off";
}

static bool is_ext_hdr(const struct pkt *p, size_t h)
{
	static const char *const upper[] = { "TCP", "UDP", "ICMP", "ICMPv6",
					     "data" };

	if (p->family != 6 || p->hdrs[h].off <= p->l3_off)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(upper); i++) {
		if (!strcmp(p->hdrs[h].name, upper[i]))
			return false;
	}
	return true;
}

/* An IPv6 next header field: the IPv6 header's or an extension's. */
static void mutate_next_header(struct pktgen *g, struct pkt *p)
{
	static const uint8_t values[] = { 0,  6,  17, 58,  1,	43,  44,  50,
					  51, 59, 60, 135, 139, 140, 253, 254 };
	size_t offs[PKT_MAX_HDRS], n = 0;

	offs[n++] = p->l3_off + 6;
	for (size_t h = 0; h < p->nr_hdrs; h++) {
		if (is_ext_hdr(p, h))
			offs[n++] = p->hdrs[h].off;
	}
	p->data[offs[below(g, n)]] =
		chance(g, 80) ? values[below(g, ARRAY_SIZE(values))]
			      : below(g, 256);
}

/* Bytes broken after building: cuts, flips, chains, fragment fields. */
static const char *mutate_bytes(struct pktgen *g, struct pkt *p)
{
	const struct pkt_hdr *h = &p->hdrs[below(g, p->nr_hdrs)];
	size_t at;

	switch (below(g, 6)) {
	case 0:
		/* near a header boundary, or anywhere past Ethernet */
		at = chance(g, 70) ? h->off + below(g, h->len + 1)
				   : 14 + below(g, p->len - 13);
		pkt_truncate(p, at < 14 ? 14 : at, chance(g, 50));
		return "truncated";
	case 1:
		at = h->off + below(g, h->len);
		p->data[at] ^= chance(g, 50) ? 1U << below(g, 8)
					     : 1 + below(g, 255);
		return "byte flipped";
	case 2:
		if (p->family != 6)
			break;
		mutate_next_header(g, p);
		return "next header set";
	case 3:
		if (!is_ext_hdr(p, h - p->hdrs))
			break;
		p->data[h->off + 1] = below(g, 6);
		return "extension header length set";
	case 4:
		if (p->family != 4)
			break;
		/* reserved, DF, MF and the offset */
		p->data[p->l3_off + 6] = below(g, 256);
		p->data[p->l3_off + 7] = chance(g, 50) ? 0 : below(g, 256);
		return "IPv4 fragment field set";
	}
	/* an ethertype or tag protocol, where one is read */
	at = h->off + h->len - 2;
	if (strcmp(h->name, "Ethernet") && strncmp(h->name, "VLAN", 4))
		at = 12;
	p->data[at] = chance(g, 50) ? 0x81 : 0x88;
	p->data[at + 1] = chance(g, 50) ? 0x00 : 0xa8;
	return "ethertype set";
}

/* No packet lands within PKTGEN_MARGIN_NS of a flow's deadline. */
#define OFF_GRID(t)                                     \
	((t) % PKTGEN_QUANTUM_NS >= PKTGEN_MARGIN_NS && \
	 PKTGEN_QUANTUM_NS - (t) % PKTGEN_QUANTUM_NS >= PKTGEN_MARGIN_NS)
_Static_assert(OFF_GRID(EDGEFW_FLOW_REFRESH_NS) &&
		       OFF_GRID(EDGEFW_FLOW_TIMEOUT_NEW) &&
		       OFF_GRID(EDGEFW_FLOW_TIMEOUT_ESTABLISHED) &&
		       OFF_GRID(EDGEFW_FLOW_TIMEOUT_CLOSING) &&
		       OFF_GRID(EDGEFW_FLOW_TIMEOUT_RESET) &&
		       OFF_GRID(EDGEFW_FLOW_TIMEOUT_UDP),
	       "a flow deadline is too close to the clock's quantum grid");

static const uint64_t deadlines_ns[] = {
	EDGEFW_FLOW_REFRESH_NS,		 EDGEFW_FLOW_TIMEOUT_RESET,
	EDGEFW_FLOW_TIMEOUT_UDP,	 EDGEFW_FLOW_TIMEOUT_NEW,
	EDGEFW_FLOW_TIMEOUT_ESTABLISHED, EDGEFW_FLOW_TIMEOUT_CLOSING,
};

/* Refills, deadlines either side, long idles: whole quanta. */
static uint64_t pick_advance(struct pktgen *g)
{
	unsigned int roll = below(g, 20);
	uint64_t quanta;

	if (roll < 7) {
		quanta = 1 + below(g, 3);
	} else if (roll < 12) {
		uint64_t t = deadlines_ns[below(g, ARRAY_SIZE(deadlines_ns))];

		quanta = t / PKTGEN_QUANTUM_NS + below(g, 2);
	} else if (roll < 17) {
		quanta = 1 + below(g, 100);
	} else {
		quanta = 1 + below(g, 15000);
	}
	return quanta * PKTGEN_QUANTUM_NS;
}

/* A block on the addresses packets come from, for a while or for good. */
static void pick_block(struct pktgen *g, struct pktgen_step *s)
{
	static const uint8_t lens4[] = { 32, 32, 32, 31, 28, 24, 16, 8 };
	static const uint8_t lens6[] = { 128, 128, 127, 64, 48, 32, 16 };
	uint8_t family = chance(g, 60) ? EDGEFW_FAMILY_IPV4
				       : EDGEFW_FAMILY_IPV6;
	struct prefix *p = &s->block;

	if (g->nr_blocks && (chance(g, 30) || g->nr_blocks == MAX_BLOCKS)) {
		size_t i = below(g, g->nr_blocks);

		s->block_op = PKTGEN_UNBLOCK;
		*p = g->blocks[i];
		g->blocks[i] = g->blocks[--g->nr_blocks];
		return;
	}
	s->block_op = PKTGEN_BLOCK;
	if (g->nr_blocks && chance(g, 40)) {
		/* inside or around another block, with an expiry of its own */
		*p = g->blocks[below(g, g->nr_blocks)];
		family = p->family;
		p->addr = host_bits(g, p, true);
	} else {
		p->family = family;
		p->addr = pick_addr(g, family);
	}
	p->len = family == EDGEFW_FAMILY_IPV4
			 ? lens4[below(g, ARRAY_SIZE(lens4))]
			 : lens6[below(g, ARRAY_SIZE(lens6))];
	for (unsigned int bit = p->len; bit < family_bits(family); bit++)
		p->addr.b[bit / 8] &= ~(0x80 >> (bit % 8));
	/* off the quantum grid by half a quantum: never met on the dot */
	if (chance(g, 60))
		s->block_ttl_ns =
			(below(g, 40) * 2 + 1) * PKTGEN_QUANTUM_NS / 2;
	for (size_t i = 0; i < g->nr_blocks; i++) {
		if (!memcmp(&g->blocks[i], p, sizeof(*p)))
			return; /* replaced */
	}
	g->blocks[g->nr_blocks++] = *p;
}

void pktgen_next(struct pktgen *g, struct pktgen_step *s)
{
	struct gspec gs = {}, built;
	unsigned int roll = below(g, 100);

	memset(s, 0, sizeof(*s));
	if (chance(g, 8))
		s->advance_ns = pick_advance(g);
	if (g->steps++ < 3 ? chance(g, 40) : below(g, 1000) < 4)
		pick_block(g, s);

	gs.s.src = gs.src;
	gs.s.dst = gs.dst;
	if (g->burst_left) {
		g->burst_left--;
		copy_gspec(&gs, &g->burst);
		s->kind = "burst";
	} else if (!g->nr_history || roll < 25) {
		gen_fresh(g, &gs);
		s->kind = "fresh";
	} else if (roll < 60) {
		gen_rule(g, &gs);
		s->kind = "rule";
	} else if (roll < 80) {
		gen_reply(g, &gs);
		s->kind = "reply";
	} else if (roll < 85) {
		gen_error(g, &gs);
		s->kind = "icmp error";
	} else {
		gen_again(g, &gs);
		s->kind = "again";
	}
	copy_gspec(&g->history[g->nr_history++ % HISTORY], &gs);

	copy_gspec(&built, &gs);
	if (chance(g, 6))
		s->mutation = mutate_spec(g, &built.s);
	if (pkt_build(&built.s, &s->pkt))
		tap_bail("pktgen: a %s packet does not build", s->kind);
	if (!s->mutation && chance(g, 8))
		s->mutation = mutate_bytes(g, &s->pkt);
	s->at = gs.at;
}
