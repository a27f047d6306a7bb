// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "compile.h"
#include "log.h"

#define NR_PORTS 65536

/* EDGEFW_CLASS_* of candidates ids[0..n), whose index slots are known. */
static __u8 class_flags(const struct compiled *cc, const __u8 *ids, size_t n)
{
	size_t indexed = 0;

	/* any and self have no slot (assign_index_slots) */
	for (size_t i = 0; i < n; i++)
		indexed += cc->rules[ids[i]].from_slot != EDGEFW_NO_INDEX_SLOT;
	if (!indexed)
		return 0;
	return EDGEFW_CLASS_ASK_ANY4 |
	       (indexed == n ? EDGEFW_CLASS_ALL_INDEXED : 0);
}

/* The class with exactly these candidates, added if new; -1 when full. */
static int class_for(struct compiled *cc, const __u8 *ids, size_t n)
{
	struct edgefw_class want = { .nr_rules = n };

	if (n == 0)
		return 0;
	memcpy(want.rule, ids, n);
	want.flags = class_flags(cc, ids, n);
	for (size_t i = 1; i < cc->nr_classes; i++) {
		if (!memcmp(&cc->classes[i], &want, sizeof(want)))
			return (int)i;
	}
	if (cc->nr_classes == EDGEFW_MAX_CLASSES)
		return -1;
	cc->classes[cc->nr_classes] = want;
	return (int)cc->nr_classes++;
}

static bool rule_has_port(const struct cfg_rule *r, unsigned int port)
{
	if (r->nr_ports == 0)
		return true;
	for (size_t i = 0; i < r->nr_ports; i++) {
		if (port >= r->ports[i].lo && port <= r->ports[i].hi)
			return true;
	}
	return false;
}

static bool rule_applies(const struct cfg_rule *r, unsigned int role,
			 unsigned int dir, unsigned int proto_bit)
{
	return r->role == role && r->dir == dir && (r->protos & proto_bit);
}

static const char *proto_label(unsigned int proto_bit)
{
	switch (proto_bit) {
	case PROTO_TCP:
		return "tcp";
	case PROTO_UDP:
		return "udp";
	case PROTO_ICMP:
		return "icmp";
	}
	return "icmpv6";
}

/*
 * The candidates for one port (ignored for ICMP): the rules of (role, dir,
 * protocol) that list it, in config order. -1 after reporting more than
 * fit a class.
 */
static int candidates(const struct config *c, unsigned int role,
		      unsigned int dir, unsigned int proto_bit,
		      unsigned int port, __u8 *ids, FILE *diag)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nr_rules; i++) {
		const struct cfg_rule *r = &c->rules[i];

		if (!rule_applies(r, role, dir, proto_bit) ||
		    !rule_has_port(r, port))
			continue;
		if (n == EDGEFW_MAX_CANDIDATES) {
			char what[32];

			if (proto_bit & (PROTO_TCP | PROTO_UDP))
				snprintf(what, sizeof(what), "%s port %u",
					 proto_label(proto_bit), port);
			else
				snprintf(what, sizeof(what), "%s",
					 proto_label(proto_bit));
			config_diag(
				c, diag, r->loc,
				"rule %s: more than %d rules of %s %s apply to the same packets (%s); merge some of them",
				r->name, EDGEFW_MAX_CANDIDATES, role_name(role),
				dir_name(dir), what);
			return -1;
		}
		ids[n++] = (__u8)i;
	}
	return (int)n;
}

static int class_error(const struct config *c, FILE *diag)
{
	struct src_loc loc = { 1, 1 };

	config_diag(
		c, diag, loc,
		"the rules need more than %d distinct port classes; use fewer distinct port lists",
		EDGEFW_MAX_CLASSES);
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Fill the port classes of one (role, dir, protocol). Candidates only
 * change where a port range of one of its rules starts or ends, so the
 * ports are swept interval by interval between those boundaries.
 */
static int compile_ports(const struct config *c, struct compiled *cc,
			 unsigned int role, unsigned int dir,
			 unsigned int proto, FILE *diag)
{
	unsigned int bit = proto == EDGEFW_PORT_TCP ? PROTO_TCP : PROTO_UDP;
	size_t nr_bounds = 0, cap = 2;
	__u32 *bounds;
	int err = 0;

	for (size_t i = 0; i < c->nr_rules; i++)
		cap += 2 * c->rules[i].nr_ports;
	bounds = xcalloc(cap, sizeof(*bounds));
	bounds[nr_bounds++] = 0;
	bounds[nr_bounds++] = NR_PORTS;
	for (size_t i = 0; i < c->nr_rules; i++) {
		const struct cfg_rule *r = &c->rules[i];

		if (!rule_applies(r, role, dir, bit))
			continue;
		for (size_t j = 0; j < r->nr_ports; j++) {
			bounds[nr_bounds++] = r->ports[j].lo;
			bounds[nr_bounds++] = r->ports[j].hi + 1u;
		}
	}
	qsort(bounds, nr_bounds, sizeof(*bounds), cmp_u32);

	for (size_t b = 0; b + 1 < nr_bounds && !err; b++) {
		__u8 ids[EDGEFW_MAX_CANDIDATES];
		int n, id;

		if (bounds[b] == bounds[b + 1])
			continue;
		n = candidates(c, role, dir, bit, bounds[b], ids, diag);
		if (n < 0) {
			err = 1;
			break;
		}
		id = class_for(cc, ids, n);
		if (id < 0) {
			err = class_error(c, diag);
			break;
		}
		for (__u32 port = bounds[b]; port < bounds[b + 1]; port++)
			cc->ports[EDGEFW_PORT_KEY(proto, port)]
				.class_id[EDGEFW_ROLEDIR(role, dir)] = id;
	}
	free(bounds);
	return err;
}

static int compile_icmp(const struct config *c, struct compiled *cc,
			unsigned int role, unsigned int dir, FILE *diag)
{
	static const unsigned int bits[2] = { PROTO_ICMP, PROTO_ICMPV6 };

	for (int v6 = 0; v6 < 2; v6++) {
		__u8 ids[EDGEFW_MAX_CANDIDATES];
		int n = candidates(c, role, dir, bits[v6], 0, ids, diag);
		int id;

		if (n < 0)
			return 1;
		id = class_for(cc, ids, n);
		if (id < 0)
			return class_error(c, diag);
		cc->icmp_class[role][dir][v6] = id;
	}
	return 0;
}

static void add_set_key(struct compiled *cc, size_t *cap,
			const struct prefix *p, size_t set)
{
	GROW(cc->set_keys, *cap, cc->nr_set_keys + 1);
	prefix_set_key(p, set, &cc->set_keys[cc->nr_set_keys++]);
}

static int cmp_set_key(const void *a, const void *b)
{
	const struct edgefw_set_key *x = a, *y = b;
	int d;

	if (x->set != y->set)
		return x->set < y->set ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	d = memcmp(&x->addr, &y->addr, sizeof(x->addr));
	if (d)
		return d;
	return (x->prefixlen > y->prefixlen) - (x->prefixlen < y->prefixlen);
}

/*
 * Sort the set keys and drop duplicates, warning about each on diag when
 * given; count the prefixes of every set.
 */
static void sort_set_keys(const struct config *c, struct compiled *cc,
			  FILE *diag)
{
	size_t out = 0;

	if (cc->nr_set_keys)
		qsort(cc->set_keys, cc->nr_set_keys, sizeof(*cc->set_keys),
		      cmp_set_key);
	free(cc->set_sizes);
	free(cc->set_sizes6);
	cc->set_sizes = xcalloc(cc->nr_sets, sizeof(*cc->set_sizes));
	cc->set_sizes6 = xcalloc(cc->nr_sets, sizeof(*cc->set_sizes6));
	for (size_t i = 0; i < cc->nr_set_keys; i++) {
		struct edgefw_set_key *k = &cc->set_keys[i];

		if (out && !cmp_set_key(&cc->set_keys[out - 1], k)) {
			struct prefix p;
			char buf[PREFIX_STRLEN];

			if (!diag)
				continue;
			prefix_from_set_key(k, &p);
			prefix_format(&p, buf, sizeof(buf));
			config_diag(c, diag, c->sets[k->set].loc,
				    "warning: set %s lists %s more than once",
				    c->sets[k->set].name, buf);
			continue;
		}
		cc->set_sizes[k->set]++;
		cc->set_sizes6[k->set] += k->family == EDGEFW_FAMILY_IPV6;
		cc->set_keys[out++] = *k;
	}
	cc->nr_set_keys = out;
}

/* Rule peers to set ids; inline prefixes become sets of their own. */
static __u16 peer_id(const struct peer *p, struct compiled *cc, size_t *cap)
{
	switch (p->kind) {
	case PEER_ANY:
		return EDGEFW_PEER_ANY;
	case PEER_SELF:
		return EDGEFW_PEER_SELF;
	case PEER_SET:
		return p->set;
	case PEER_PREFIX:
		break;
	}
	add_set_key(cc, cap, &p->prefix, cc->nr_sets);
	return cc->nr_sets++;
}

static void compile_limit(const struct rate_limit *l, struct edgefw_rule *r)
{
	r->limit = l->kind;
	if (l->kind == EDGEFW_LIMIT_NONE)
		return;
	r->interval_ns = (__u64)l->unit * EDGEFW_NSEC_PER_SEC / l->rate;
	r->burst_ns = (__u64)(l->burst - 1) * r->interval_ns;
	r->coarse_clock = r->interval_ns >= EDGEFW_COARSE_CLOCK_NS;
}

static bool rule_names_set(const struct cfg_rule *r, size_t set)
{
	return (r->from.kind == PEER_SET && r->from.set == set) ||
	       (r->to.kind == PEER_SET && r->to.set == set);
}

size_t compile_index_slots(const struct config *c,
			   __u16 slots[EDGEFW_INDEX_SLOTS])
{
	size_t n = 0;

	for (size_t set = 0; set < c->nr_sets && n < EDGEFW_INDEX_SLOTS;
	     set++) {
		for (size_t r = 0; r < c->nr_rules; r++) {
			if (rule_names_set(&c->rules[r], set)) {
				slots[n++] = set;
				break;
			}
		}
	}
	return n;
}

static void assign_index_slots(const struct config *c, struct compiled *cc)
{
	cc->nr_indexed = compile_index_slots(c, cc->indexed_sets);
	for (size_t r = 0; r < cc->nr_rules; r++) {
		struct edgefw_rule *rule = &cc->rules[r];

		rule->from_slot = compiled_index_slot(cc, rule->from);
		rule->to_slot = compiled_index_slot(cc, rule->to);
	}
}

/*
 * Where the set of id EDGEFW_MAX_SETS, the first beyond the limit, is
 * written, if there is one: the named sets have the first ids, then each
 * inline prefix of a rule, in order. (The parser refuses such configs
 * already, at the set or prefix that crosses the limit in the file.)
 */
static bool set_limit_crossed(const struct config *c, struct src_loc *loc)
{
	size_t id = c->nr_sets;

	if (id > EDGEFW_MAX_SETS) {
		*loc = c->sets[EDGEFW_MAX_SETS].loc;
		return true;
	}
	for (size_t i = 0; i < c->nr_rules; i++) {
		const struct peer *peers[] = { &c->rules[i].from,
					       &c->rules[i].to };

		for (size_t j = 0; j < ARRAY_SIZE(peers); j++) {
			if (peers[j]->kind == PEER_PREFIX &&
			    id++ == EDGEFW_MAX_SETS) {
				*loc = peers[j]->loc;
				return true;
			}
		}
	}
	return false;
}

static int compile_sets(const struct config *c, struct compiled *cc, FILE *diag)
{
	struct src_loc loc;
	size_t cap = 0;

	if (set_limit_crossed(c, &loc)) {
		config_diag(
			c, diag, loc,
			"more than %d sets (inline prefixes count as one each)",
			EDGEFW_MAX_SETS);
		return 1;
	}
	cc->nr_sets = c->nr_sets;
	for (size_t i = 0; i < c->nr_sets; i++) {
		for (size_t j = 0; j < c->sets[i].nr_prefixes; j++)
			add_set_key(cc, &cap, &c->sets[i].prefixes[j], i);
	}
	for (size_t i = 0; i < c->nr_rules; i++) {
		cc->rules[i].from = peer_id(&c->rules[i].from, cc, &cap);
		cc->rules[i].to = peer_id(&c->rules[i].to, cc, &cap);
		compile_limit(&c->rules[i].limit, &cc->rules[i]);
	}
	cc->nr_rules = c->nr_rules;
	assign_index_slots(c, cc);

	sort_set_keys(c, cc, diag);
	return 0;
}

void compiled_set_prefixes(const struct compiled *cc, unsigned int set,
			   struct prefix_list *out)
{
	for (size_t i = 0; i < cc->nr_set_keys; i++) {
		struct prefix p;

		if (cc->set_keys[i].set != set)
			continue;
		prefix_from_set_key(&cc->set_keys[i], &p);
		plist_add(out, &p);
	}
	plist_sort_unique(out);
}

unsigned int compiled_index_slot(const struct compiled *cc, unsigned int set)
{
	for (unsigned int slot = 0; slot < cc->nr_indexed; slot++) {
		if (cc->indexed_sets[slot] == set)
			return slot;
	}
	return EDGEFW_NO_INDEX_SLOT;
}

static void filter_set_bit(struct edgefw_set_filter *f, __u32 bit)
{
	f->bits[bit / 64] |= 1ULL << (bit % 64);
}

void set_filter_add(struct edgefw_set_filter *f, const struct prefix *p)
{
	__u32 first = ntohl(p->addr.w[0]);

	if (p->family == EDGEFW_FAMILY_IPV4 && p->len < 10) {
		/* a short prefix covers many digests: all its top 10 bits */
		__u32 start = first >> 22, n = 1U << (10 - p->len);

		for (__u32 b = start; b < start + n; b++)
			filter_set_bit(f, b);
	} else if (p->family == EDGEFW_FAMILY_IPV6 && p->len < 32) {
		memset(f, 0xff, sizeof(*f));
	} else {
		filter_set_bit(f, edgefw_filter_bit(p->family, first));
	}
}

static void compute_filters(struct compiled *cc)
{
	free(cc->filters);
	cc->filters = xcalloc(2 * EDGEFW_MAX_SETS, sizeof(*cc->filters));
	for (size_t i = 0; i < cc->nr_set_keys; i++) {
		const struct edgefw_set_key *k = &cc->set_keys[i];
		struct prefix p;

		prefix_from_set_key(k, &p);
		set_filter_add(
			&cc->filters[EDGEFW_FILTER_KEY(k->set, k->family)], &p);
	}
}

int compile(const struct config *c, struct compiled *cc, FILE *diag)
{
	int errors;

	memset(cc, 0, sizeof(*cc));
	cc->nr_classes = 1; /* class 0: no candidates */
	cc->ports = xcalloc(EDGEFW_PORT_KEYS, sizeof(*cc->ports));
	/* the first error is reported: later ones would repeat it */
	errors = compile_sets(c, cc, diag);
	for (unsigned int role = 0; role < EDGEFW_NR_ROLES && !errors; role++) {
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS && !errors;
		     dir++) {
			errors = compile_ports(c, cc, role, dir,
					       EDGEFW_PORT_TCP, diag) ||
				 compile_ports(c, cc, role, dir,
					       EDGEFW_PORT_UDP, diag) ||
				 compile_icmp(c, cc, role, dir, diag);
		}
	}
	if (errors)
		compiled_free(cc);
	else
		compute_filters(cc);
	return errors;
}

void compiled_free(struct compiled *cc)
{
	free(cc->ports);
	free(cc->set_sizes);
	free(cc->set_sizes6);
	free(cc->set_keys);
	free(cc->filters);
	memset(cc, 0, sizeof(*cc));
}

__u32 config_tag(const char *hash_hex)
{
	__u32 tag = 0;

	for (int i = 0; i < 8 && isxdigit((unsigned char)hash_hex[i]); i++)
		tag = tag << 4 | (isdigit((unsigned char)hash_hex[i])
					  ? hash_hex[i] - '0'
					  : (tolower(hash_hex[i]) - 'a' + 10));
	return tag;
}

/* A GCRA bucket of rate per unit seconds, shared out among nr_cpus. */
static void compile_bucket(__u32 rate, __u32 unit, __u32 burst,
			   unsigned int nr_cpus, __u64 *interval_ns,
			   __u64 *burst_ns)
{
	__u64 tokens;

	*interval_ns = *burst_ns = 0;
	if (!rate || !nr_cpus)
		return;
	*interval_ns = (__u64)unit * EDGEFW_NSEC_PER_SEC * nr_cpus / rate;
	if (!*interval_ns)
		*interval_ns = 1;
	tokens = burst / nr_cpus;
	*burst_ns = tokens > 1 ? (tokens - 1) * *interval_ns : 0;
}

void compile_events(const struct config *c, unsigned int nr_cpus,
		    struct edgefw_iface_config *out)
{
	out->events_interval_ns = out->events_burst_ns = 0;
	out->sample_interval_ns = out->sample_burst_ns = 0;
	if (c->events.off)
		return;
	compile_bucket(c->events.rate, c->events.unit, c->events.burst, nr_cpus,
		       &out->events_interval_ns, &out->events_burst_ns);
	if (!c->events.sample_off)
		compile_bucket(c->events.sample_rate, c->events.sample_unit,
			       c->events.sample_burst, nr_cpus,
			       &out->sample_interval_ns, &out->sample_burst_ns);
}

void compile_iface(const struct config *c, const struct compiled *cc,
		   size_t iface, __u32 ifindex, const struct prefix *self,
		   size_t nr_self, struct edgefw_iface_config *out)
{
	unsigned int role = c->ifaces[iface].role;
	int nr_cpus = libbpf_num_possible_cpus();

	memset(out, 0, sizeof(*out));
	out->ifindex = ifindex;
	out->slot = iface;
	out->role = role;
	out->mode = c->mode;
	out->fragments = c->fragments[role];
	out->icmp_errors = c->icmp_errors;
	for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++) {
		out->policy[dir] = c->policy[role][dir];
		out->icmp_class[dir][0] = cc->icmp_class[role][dir][0];
		out->icmp_class[dir][1] = cc->icmp_class[role][dir][1];
	}
	for (size_t i = 0; i < nr_self && i < EDGEFW_MAX_SELF_ADDRS; i++) {
		if (self[i].family == EDGEFW_FAMILY_IPV4)
			out->self4[out->nr_self4++] = self[i].addr.w[0];
		else
			out->self6[out->nr_self6++] = self[i].addr;
	}
	out->config_tag = config_tag(c->hash);
	compile_events(c, nr_cpus > 0 ? nr_cpus : 1, out);
}
