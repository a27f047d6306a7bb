// SPDX-License-Identifier: GPL-2.0
/*
 * The reference model (refmodel.h). Each step of README.md's "How a packet
 * is judged" is one function here, in the README's order. Where the
 * README does not decide a case, the model does what the data plane does
 * today and says so in a comment starting "README silent:", so that those
 * spots are easy to find and change when the behaviour is settled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "refmodel.h"
#include "tap.h"

/* Table sizes: a test resets the model long before these fill. */
#define FLOW_SLOTS (1U << 15)
#define BUCKET_SLOTS (1U << 13)
#define MAX_FILL(slots) ((slots) / 4 * 3)

#define TCP 6
#define UDP 17
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* Model time starts far from 0, so that no difference ever wraps. */
#define START_NS (1000000ULL * EDGEFW_NSEC_PER_SEC)

void refmodel_init(struct ref_model *m, const struct config *c)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < c->nr_ifaces; i++) {
		if (!c->ifaces[i].addrs_given)
			tap_bail(
				"the model needs the addresses of %s in the config",
				c->ifaces[i].name);
	}
	m->c = c;
	m->now_ns = START_NS;
	m->flows = calloc(FLOW_SLOTS, sizeof(*m->flows));
	m->buckets = calloc(BUCKET_SLOTS, sizeof(*m->buckets));
	if (!m->flows || !m->buckets)
		tap_bail("out of memory");
}

void refmodel_free(struct ref_model *m)
{
	free(m->flows);
	free(m->buckets);
}

void refmodel_reset(struct ref_model *m)
{
	memset(m->flows, 0, FLOW_SLOTS * sizeof(*m->flows));
	memset(m->buckets, 0, BUCKET_SLOTS * sizeof(*m->buckets));
	m->nr_flows = m->nr_buckets = m->nr_blocks = 0;
}

void refmodel_advance(struct ref_model *m, uint64_t ns)
{
	m->now_ns += ns;
}

/* FNV-1a: keys are small structs whose padding is always zero. */
static size_t hash(const void *key, size_t len)
{
	const uint8_t *b = key;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

/* The slot of key in an open-addressing table: its entry or a free one. */
#define FIND_SLOT(table, slots, k)                                \
	({                                                        \
		size_t i_ = hash(k, sizeof(*(k))) & ((slots)-1);  \
		while ((table)[i_].used &&                        \
		       memcmp(&(table)[i_].key, k, sizeof(*(k)))) \
			i_ = (i_ + 1) & ((slots)-1);              \
		&(table)[i_];                                     \
	})

/* Set membership, brute force: the first len bits of two addresses. */
static bool prefix_has(const struct prefix *pfx, uint8_t family,
		       const union edgefw_addr *a)
{
	if (pfx->family != family)
		return false;
	for (unsigned int bit = 0; bit < pfx->len; bit++) {
		uint8_t mask = 0x80 >> (bit % 8);

		if ((pfx->addr.b[bit / 8] ^ a->b[bit / 8]) & mask)
			return false;
	}
	return true;
}

/* Blocklist: an unexpired block covers the source. */
static bool blocked(const struct ref_model *m, const struct ref_pkt *p)
{
	for (size_t i = 0; i < m->nr_blocks; i++) {
		const struct ref_block *b = &m->blocks[i];

		if (prefix_has(&b->prefix, p->family, &p->src) &&
		    (!b->expires_ns || m->now_ns < b->expires_ns))
			return true;
	}
	return false;
}

void refmodel_block(struct ref_model *m, const struct prefix *p,
		    uint64_t ttl_ns)
{
	size_t i;

	for (i = 0; i < m->nr_blocks; i++) {
		if (!memcmp(&m->blocks[i].prefix, p, sizeof(*p)))
			break;
	}
	if (i == REF_MAX_BLOCKS)
		tap_bail("the model holds %d blocks at most", REF_MAX_BLOCKS);
	if (i == m->nr_blocks)
		m->nr_blocks++;
	m->blocks[i].prefix = *p;
	m->blocks[i].expires_ns = ttl_ns ? m->now_ns + ttl_ns : 0;
}

void refmodel_unblock(struct ref_model *m, const struct prefix *p)
{
	for (size_t i = 0; i < m->nr_blocks; i++) {
		if (!memcmp(&m->blocks[i].prefix, p, sizeof(*p))) {
			m->blocks[i] = m->blocks[--m->nr_blocks];
			return;
		}
	}
}

/*
 * Essentials: ARP (see refmodel_judge), neighbour discovery (ICMPv6
 * 133-137, RFC 4861) with hop limit 255, MLD (130-132, RFC 2710, and the
 * MLDv2 report 143, RFC 3810) with hop limit 1; and with "icmp errors
 * any", ICMP fragmentation needed (type 3 code 4) and ICMPv6 packet too
 * big (type 2), from anyone.
 */
static bool essential(const struct ref_model *m, const struct ref_pkt *p)
{
	bool any = m->c->icmp_errors == EDGEFW_ICMP_ERRORS_ANY;

	if (!p->has_icmp)
		return false;
	if (p->family == EDGEFW_FAMILY_IPV4)
		return any && p->icmp_type == 3 && p->icmp_code == 4;
	switch (p->icmp_type) {
	case 2:
		return any;
	case 133:
	case 134:
	case 135:
	case 136:
	case 137:
		return p->hop_limit == 255;
	case 130:
	case 131:
	case 132:
	case 143:
		return p->hop_limit == 1;
	}
	return false;
}

/*
 * "An ICMP error — destination unreachable (3), time exceeded (11),
 * parameter problem (12); ICMPv6 destination unreachable (1), packet too
 * big (2), time exceeded (3), parameter problem (4)"
 */
static bool icmp_error(const struct ref_pkt *p)
{
	if (!p->has_icmp)
		return false;
	if (p->family == EDGEFW_FAMILY_IPV4)
		return p->icmp_type == 3 || p->icmp_type == 11 ||
		       p->icmp_type == 12;
	return p->icmp_type >= 1 && p->icmp_type <= 4;
}

/* TCP, UDP and echoes have flows; an echo's identifier is its ports. */
static bool tracked(const struct ref_pkt *p)
{
	return p->has_ports || p->has_echo;
}

/* "A SYN without ACK never belongs to a flow" */
static bool tcp_opening(const struct ref_pkt *p)
{
	return p->proto == TCP &&
	       (p->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
}

/* The TCP flags of an answer to a SYN: SYN-ACK or RST-ACK */
static uint8_t answer_flags(const struct ref_pkt *p)
{
	return p->proto == TCP ? p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)
			       : 0;
}

/* A SYN-ACK (README silent: with RST too, a RST). */
static bool syn_ack(const struct ref_pkt *p)
{
	return answer_flags(p) == (TCP_SYN | TCP_ACK);
}

/* Neither does an echo request: only its replies do. */
static bool opener(const struct ref_pkt *p)
{
	return tcp_opening(p) || ref_is_echo(p, false);
}

/*
 * README silent: how a packet's addresses map onto a connection's ends.
 * As the flow key of include/edgefw.h: seen from this host, ingress
 * packets come to us (the destination is ours) and egress packets from us,
 * so one flow holds both directions on its interface.
 */
static struct ref_flow_key flow_key(size_t iface, int dir,
				    const struct ref_pkt *p)
{
	bool in = dir == EDGEFW_DIR_IN;
	uint16_t sport = p->has_echo ? p->echo_id : p->sport;
	uint16_t dport = p->has_echo ? p->echo_id : p->dport;

	return (struct ref_flow_key){
		.iface = iface,
		.family = p->family,
		.proto = p->proto,
		.local_port = in ? dport : sport,
		.remote_port = in ? sport : dport,
		.local = in ? p->dst : p->src,
		.remote = in ? p->src : p->dst,
	};
}

/*
 * "passes as related when the packet it quotes ... belongs to a live flow
 * of the interface": the quoted packet went the other way.
 */
static bool related(const struct ref_model *m, size_t iface, int dir,
		    const struct ref_pkt *p);

/*
 * "Flows time out: TCP 120 s until the other side answers and after FIN,
 * 10 s after RST, 7440 s established, UDP 60 s."
 */
static uint64_t flow_timeout(uint8_t state)
{
	switch (state) {
	case EDGEFW_FLOW_NEW:
		return EDGEFW_FLOW_TIMEOUT_NEW;
	case EDGEFW_FLOW_ESTABLISHED:
		return EDGEFW_FLOW_TIMEOUT_ESTABLISHED;
	case EDGEFW_FLOW_CLOSING:
		return EDGEFW_FLOW_TIMEOUT_CLOSING;
	case EDGEFW_FLOW_RESET:
		return EDGEFW_FLOW_TIMEOUT_RESET;
	case EDGEFW_FLOW_ICMP: /* "the echo replies ... pass ... for 30 s" */
		return EDGEFW_FLOW_TIMEOUT_ICMP;
	}
	return EDGEFW_FLOW_TIMEOUT_UDP;
}

static bool flow_live(const struct ref_model *m, const struct ref_flow *f)
{
	return f->used && m->now_ns - f->seen_ns <= flow_timeout(f->state);
}

static bool related(const struct ref_model *m, size_t iface, int dir,
		    const struct ref_pkt *p)
{
	struct ref_pkt q = {
		.family = p->family,
		.proto = p->quote.proto,
		.src = p->quote.src,
		.dst = p->quote.dst,
		.sport = p->quote.sport,
		.dport = p->quote.dport,
	};
	struct ref_flow_key key;

	if (!p->quote.valid)
		return false;
	key = flow_key(iface,
		       dir == EDGEFW_DIR_IN ? EDGEFW_DIR_OUT : EDGEFW_DIR_IN,
		       &q);
	return flow_live(m, FIND_SLOT(m->flows, FLOW_SLOTS, &key));
}

/* What a packet of the flow makes of it (TCP; UDP flows have one state). */
static uint8_t flow_next_state(const struct ref_flow *f,
			       const struct ref_pkt *p, int dir)
{
	if (p->proto != TCP)
		return f->state;
	/* README silent: RST and FIN together. RST's 10 s wins, as today. */
	if (p->tcp_flags & TCP_RST)
		return EDGEFW_FLOW_RESET;
	/* README silent: a FIN after a RST. The RST's 10 s stay, as today. */
	if (p->tcp_flags & TCP_FIN)
		return f->state == EDGEFW_FLOW_RESET ? f->state
						     : EDGEFW_FLOW_CLOSING;
	if (f->state == EDGEFW_FLOW_NEW && dir != f->opened_dir)
		return EDGEFW_FLOW_ESTABLISHED; /* the other side answered */
	/* "A SYN-ACK that leaves on a live flow makes it established" */
	if (dir == EDGEFW_DIR_OUT && syn_ack(p))
		return EDGEFW_FLOW_ESTABLISHED;
	return f->state;
}

/*
 * README silent: what a timeout runs from. "UDP 60 s" reads as 60 s after
 * the flow's last packet; include/edgefw.h has a live flow's timestamp
 * "rewritten at most this often" (EDGEFW_FLOW_REFRESH_NS) unless its state
 * changes, so a flow may lapse up to that much sooner. The model follows
 * edgefw.h; 0 here is the strict reading of the README, which the data
 * plane does not meet.
 */
#define FLOW_REFRESH_NS EDGEFW_FLOW_REFRESH_NS

/* A packet of a live flow. */
static void flow_touch(struct ref_model *m, struct ref_flow *f,
		       const struct ref_pkt *p, int dir)
{
	uint8_t state = flow_next_state(f, p, dir);

	if (state != f->state || m->now_ns - f->seen_ns > FLOW_REFRESH_NS)
		f->seen_ns = m->now_ns;
	f->state = state;
}

/* A new flow under key k, in place of what the key had. */
static void flow_put(struct ref_model *m, const struct ref_flow_key *k,
		     uint8_t state, int opened_dir)
{
	struct ref_flow *f = FIND_SLOT(m->flows, FLOW_SLOTS, k);

	if (!f->used && ++m->nr_flows > MAX_FILL(FLOW_SLOTS))
		tap_bail("the model's flow table is full: reset it more often");
	*f = (struct ref_flow){
		.used = true,
		.key = *k,
		.state = state,
		.opened_dir = opened_dir,
		.seen_ns = m->now_ns,
	};
}

/* "A flow is tracked when a rule or a pass policy admitted its first packet" */
static void flow_open(struct ref_model *m, const struct ref_flow_key *k,
		      const struct ref_pkt *p, int dir)
{
	uint8_t state = EDGEFW_FLOW_UDP;

	/* "an echo request ... opens a flow keyed by its identifier" */
	if (p->has_echo) {
		if (ref_is_echo(p, true))
			return;
		state = EDGEFW_FLOW_ICMP;
	}
	if (p->proto == TCP) {
		/* "a RST is admitted and opens no flow" */
		if (p->tcp_flags & TCP_RST)
			return;
		/* "one that comes in opens none: our SYN-ACK opens its flow" */
		if (dir == EDGEFW_DIR_IN && tcp_opening(p))
			return;
		/*
		 * "any other TCP segment ... picks up a connection whose flow
		 * went: it opens a flow that lives as an unanswered SYN's
		 * does, 120 s (a FIN's: 120 s, closing), until the other side
		 * answers"
		 */
		state = p->tcp_flags & TCP_FIN ? EDGEFW_FLOW_CLOSING
					       : EDGEFW_FLOW_NEW;
	}
	flow_put(m, k, state, dir);
}

static bool proto_matches(const struct cfg_rule *r, const struct ref_pkt *p)
{
	if (p->has_ports)
		return r->protos & (p->proto == TCP ? PROTO_TCP : PROTO_UDP);
	if (p->has_icmp)
		return r->protos &
		       (p->family == EDGEFW_FAMILY_IPV4 ? PROTO_ICMP
							: PROTO_ICMPV6);
	return false;
}

/* PORTS: the destination port, tcp and udp only; none means every port. */
static bool port_matches(const struct cfg_rule *r, const struct ref_pkt *p)
{
	if (!p->has_ports || !r->nr_ports)
		return true;
	for (size_t i = 0; i < r->nr_ports; i++) {
		if (p->dport >= r->ports[i].lo && p->dport <= r->ports[i].hi)
			return true;
	}
	return false;
}

static bool peer_matches(const struct ref_model *m, const struct peer *peer,
			 size_t iface, const struct ref_pkt *p,
			 const union edgefw_addr *a)
{
	const struct cfg_iface *ifc = &m->c->ifaces[iface];
	const struct cfg_set *set;

	switch (peer->kind) {
	case PEER_ANY:
		return true;
	case PEER_SELF: /* the interface's own addresses */
		for (size_t i = 0; i < ifc->nr_addrs; i++) {
			if (prefix_has(&ifc->addrs[i], p->family, a))
				return true;
		}
		return false;
	case PEER_PREFIX:
		return prefix_has(&peer->prefix, p->family, a);
	case PEER_SET:
		set = &m->c->sets[peer->set];
		for (size_t i = 0; i < set->nr_prefixes; i++) {
			if (prefix_has(&set->prefixes[i], p->family, a))
				return true;
		}
		return false;
	}
	return false;
}

/*
 * "the first rule, in config order, whose role, direction, protocol,
 * destination port and peers match"; -1 for none.
 */
static int first_rule(const struct ref_model *m, size_t iface, int dir,
		      const struct ref_pkt *p)
{
	for (size_t i = 0; i < m->c->nr_rules; i++) {
		const struct cfg_rule *r = &m->c->rules[i];

		if (r->role == m->c->ifaces[iface].role && r->dir == dir &&
		    proto_matches(r, p) && port_matches(r, p) &&
		    peer_matches(m, &r->from, iface, p, &p->src) &&
		    peer_matches(m, &r->to, iface, p, &p->dst))
			return i;
	}
	return -1;
}

/*
 * Rate limits: a bucket holds the moment it would be full again. It
 * refills at R per second (or minute) up to B tokens; a packet may go
 * while at least one token is left, and takes it; which packets count is
 * below.
 */
static bool rate_admits(struct ref_model *m, int rule, const struct ref_pkt *p)
{
	const struct rate_limit *l = &m->c->rules[rule].limit;
	struct ref_bucket_key k = { .rule = rule };
	uint64_t interval, burst, full;
	struct ref_bucket *b;

	if (l->kind == EDGEFW_LIMIT_NONE)
		return true;
	/*
	 * "TCP counts what opens a connection: a SYN, and a segment that picks up
	 * a connection without a flow ... a RST takes no token": a TCP
	 * packet that reaches the rules has no live flow.
	 */
	if (p->proto == TCP && (p->tcp_flags & TCP_RST))
		return true;
	if (l->kind == EDGEFW_LIMIT_PER_SOURCE) {
		k.family = p->family;
		k.src = p->src;
	}
	interval = (uint64_t)l->unit * EDGEFW_NSEC_PER_SEC / l->rate;
	burst = l->burst ? l->burst : l->rate; /* "burst defaults to R" */
	b = FIND_SLOT(m->buckets, BUCKET_SLOTS, &k);
	if (!b->used) {
		if (++m->nr_buckets > MAX_FILL(BUCKET_SLOTS))
			tap_bail("the model's bucket table is full");
		*b = (struct ref_bucket){ .used = true,
					  .key = k,
					  .full_ns = m->now_ns };
	}
	m->met_bucket = *b;
	full = b->full_ns > m->now_ns ? b->full_ns : m->now_ns;
	/* tokens left: burst - (full - now) / interval; one is needed */
	if (full - m->now_ns > (burst - 1) * interval)
		return false;
	b->full_ns = full + interval;
	return true;
}

static uint32_t policy(const struct ref_model *m, size_t iface, int dir)
{
	return m->c->policy[m->c->ifaces[iface].role][dir] == EDGEFW_ACT_PASS
		       ? EDGEFW_PASS_POLICY
		       : EDGEFW_DROP_POLICY;
}

/* "its peer, our address and our port": the SYN, mirrored. */
static bool answers_admitted_syn(const struct ref_model *m, size_t iface,
				 const struct ref_pkt *p)
{
	struct ref_pkt syn = *p;

	syn.src = p->dst;
	syn.dst = p->src;
	syn.sport = p->dport;
	syn.dport = p->sport;
	syn.tcp_flags = TCP_SYN;
	return first_rule(m, iface, EDGEFW_DIR_IN, &syn) >= 0 ||
	       policy(m, iface, EDGEFW_DIR_IN) == EDGEFW_PASS_POLICY;
}

static uint32_t decide(struct ref_model *m, size_t iface, int dir,
		       const struct ref_pkt *p)
{
	uint8_t role = m->c->ifaces[iface].role;
	struct ref_flow_key key = {};
	struct ref_flow *f = NULL;
	int rule;

	/* 1. Parse */
	if (p->kind == REF_MALFORMED)
		return EDGEFW_DROP_MALFORMED;
	/*
	 * README silent: whether the blocklist ("everything from an
	 * address") holds ARP, whose sender address is no IP source. It
	 * does not, as today: ARP is an essential before anything else.
	 */
	if (p->kind == REF_ARP)
		return EDGEFW_PASS_ESSENTIAL;
	/* no rule names a protocol that is not IP, and no flow holds one */
	if (p->kind == REF_OTHER_L2)
		return policy(m, iface, dir);
	/* 2. Blocklist (ingress only) */
	if (dir == EDGEFW_DIR_IN && blocked(m, p))
		return EDGEFW_DROP_BLOCKED;
	/* 3. Fragments */
	if (p->frag != REF_WHOLE) {
		if (m->c->fragments[role] != EDGEFW_ACT_PASS)
			return EDGEFW_DROP_FRAGMENT;
		if (p->frag == REF_LATER_FRAG)
			return EDGEFW_PASS_FRAGMENT;
	}
	/* 4. Essentials */
	if (essential(m, p))
		return EDGEFW_PASS_ESSENTIAL;
	/* ICMP errors about a tracked flow */
	if (m->c->icmp_errors == EDGEFW_ICMP_ERRORS_RELATED && icmp_error(p) &&
	    related(m, iface, dir, p))
		return EDGEFW_PASS_RELATED;
	/* 5. Flows: every TCP segment but an opening SYN, other replies */
	if (tracked(p)) {
		key = flow_key(iface, dir, p);
		f = FIND_SLOT(m->flows, FLOW_SLOTS, &key);
		m->met_flow = *f;
		/*
		 * "A SYN-ACK that leaves passes as reply when the inbound
		 * rules or a pass policy admit the SYN it answers ... and
		 * makes its connection's flow, established, in place of any
		 * flow its ports had"
		 */
		if (dir == EDGEFW_DIR_OUT && syn_ack(p) &&
		    answers_admitted_syn(m, iface, p)) {
			flow_put(m, &key, EDGEFW_FLOW_ESTABLISHED,
				 EDGEFW_DIR_IN);
			return EDGEFW_PASS_REPLY;
		}
		if (opener(p) || !flow_live(m, f))
			f = NULL;
		if (f && (p->proto == TCP || dir != f->opened_dir)) {
			flow_touch(m, f, p, dir);
			return EDGEFW_PASS_REPLY;
		}
		/*
		 * "A RST with ACK that leaves without a flow ... passes on the
		 * same terms and opens no flow"
		 */
		if (dir == EDGEFW_DIR_OUT &&
		    answer_flags(p) == (TCP_RST | TCP_ACK) &&
		    answers_admitted_syn(m, iface, p))
			return EDGEFW_PASS_REPLY;
	}
	/* 6. Rules; 7. Policy. What either admits is tracked. */
	rule = first_rule(m, iface, dir, p);
	if (rule < 0 && policy(m, iface, dir) == EDGEFW_DROP_POLICY)
		return EDGEFW_DROP_POLICY;
	if (rule >= 0 && !rate_admits(m, rule, p))
		return EDGEFW_DROP_RATELIMIT;
	/* UDP from the opener's side of a live flow is one of its packets */
	if (f)
		flow_touch(m, f, p, dir);
	else if (tracked(p))
		flow_open(m, &key, p, dir);
	return rule >= 0 ? EDGEFW_VERDICT_RULE(rule) : EDGEFW_PASS_POLICY;
}

struct ref_verdict refmodel_judge(struct ref_model *m, size_t iface, int dir,
				  const uint8_t *frame, size_t len,
				  struct ref_pkt *parsed)
{
	struct ref_pkt p;
	uint32_t slot;

	ref_parse(frame, len, &p);
	m->met_flow.used = m->met_bucket.used = false;
	slot = decide(m, iface, dir, &p);
	if (parsed)
		*parsed = p;
	/* "monitor counts would-be drops and drops nothing" */
	return (struct ref_verdict){
		.pass = slot < EDGEFW_FIRST_DROP || slot >= EDGEFW_NR_REASONS ||
			m->c->mode == EDGEFW_MODE_MONITOR,
		.slot = slot,
	};
}

void refmodel_explain(const struct ref_model *m, char *buf, size_t len)
{
	static const char *const states[] = {
		[EDGEFW_FLOW_NEW] = "new",
		[EDGEFW_FLOW_ESTABLISHED] = "established",
		[EDGEFW_FLOW_CLOSING] = "closing",
		[EDGEFW_FLOW_UDP] = "udp",
		[EDGEFW_FLOW_RESET] = "reset",
		[EDGEFW_FLOW_ICMP] = "icmp",
	};
	const struct ref_flow *f = &m->met_flow;
	const struct ref_bucket *b = &m->met_bucket;
	int n = 0;

	if (f->used)
		n = snprintf(
			buf, len,
			"model's flow: %s, opened %s, timestamp %.3f s before, times out after %llu s",
			states[f->state],
			f->opened_dir == EDGEFW_DIR_IN ? "in" : "out",
			(m->now_ns - f->seen_ns) / 1e9,
			(unsigned long long)(flow_timeout(f->state) /
					     EDGEFW_NSEC_PER_SEC));
	else
		n = snprintf(buf, len, "model's flow: none");
	if (n >= 0 && (size_t)n < len && b->used)
		snprintf(buf + n, len - n,
			 "; bucket of rule %u: full again %.3f s after now",
			 b->key.rule,
			 b->full_ns > m->now_ns ? (b->full_ns - m->now_ns) / 1e9
						: 0.0);
}
