/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule engine. The loader compiles the rules of each (role, direction)
 * into port classes: one array lookup by protocol and destination port
 * yields the few rules that can match, in config order, so the cost does
 * not grow with the number of rules. A candidate then checks its peers,
 * the self address compares before any set lookup. A set with an index
 * slot answers from its index alone (see edgefw.h), IPv6 addresses after
 * the set filter, which stops most misses for one array read; other sets
 * answer from the filter and then the LPM trie, which holds only them.
 */
#ifndef EDGEFW_BPF_RULES_H
#define EDGEFW_BPF_RULES_H

#include "keyword.h"
#include "maps.h"
#include "parse.h"
#include "set4index.h"
#include "set6index.h"

#define NO_RULE -1

/* One branch per address keeps the verifier's paths through the rules few. */
static __always_inline bool is_self(const union edgefw_addr *a, __u8 family)
{
	int i;

	if (family == EDGEFW_FAMILY_IPV4) {
		for (i = 0; i < EDGEFW_MAX_SELF_ADDRS; i++) {
			if (i >= cfg.nr_self4)
				break;
			if (cfg.self4[i] == a->w[0])
				return true;
		}
		return false;
	}
	for (i = 0; i < EDGEFW_MAX_SELF_ADDRS; i++) {
		const volatile union edgefw_addr *s = &cfg.self6[i];

		if (i >= cfg.nr_self6)
			break;
		if (!((s->w[0] ^ a->w[0]) | (s->w[1] ^ a->w[1]) |
		      (s->w[2] ^ a->w[2]) | (s->w[3] ^ a->w[3])))
			return true;
	}
	return false;
}

/* Whether the filter f of the set lets a through (see edgefw.h). */
static __always_inline bool filter_passes(const struct edgefw_set_filter *f,
					  const union edgefw_addr *a,
					  __u8 family)
{
	return edgefw_filter_passes(f, family, bpf_ntohl(a->w[0]));
}

/* The trie: sets without an index, and what an IPv6 index leaves to it. */
static __always_inline bool in_set_trie(__u16 set, const union edgefw_addr *a,
					__u8 family)
{
	struct edgefw_set_key key;

	set_key_of(&key, set, family, a);
	return bpf_map_lookup_elem(&sets, &key) != NULL;
}

static __always_inline struct edgefw_set_filter *filter_of(__u16 set,
							   __u8 family)
{
	__u32 key = EDGEFW_FILTER_KEY(set, family);

	return bpf_map_lookup_elem(&set_filter, &key);
}

/*
 * What rule_may_match learnt of the source's set filter, for the set's
 * lookup not to read it again: FILTER_PASSED, with the filter's
 * short6_lens in the low bits; 0 where it did not look.
 */
#define FILTER_PASSED (1ULL << 32)

/*
 * filtered: FILTER_PASSED with the set's short6_lens, or 0 to read the
 * filter here. 0 where the filter keeps a out of the set, else the
 * filter's short6_lens, FILTER_PASSED set.
 */
static __always_inline __u64 filter_check(__u16 set, const union edgefw_addr *a,
					  __u8 family, __u64 filtered)
{
	struct edgefw_set_filter *f;

	if (filtered & FILTER_PASSED)
		return filtered;
	f = filter_of(set, family);
	if (f && !filter_passes(f, a, family))
		return 0;
	return FILTER_PASSED | (f ? f->short6_lens : 0);
}

/*
 * IPv6 membership, a global function: one call for an IPv6 address, and
 * the verifier checks the index's branches once, not for every path
 * through both peers of every rule.
 */
__noinline int in_set6(__u32 set, __u32 slot, const union edgefw_addr *a,
		       __u64 filtered)
{
	if (!a)
		return 0;
	filtered = filter_check(set, a, EDGEFW_FAMILY_IPV6, filtered);
	if (!filtered)
		return 0;
	if (slot != EDGEFW_NO_INDEX_SLOT)
		return in_set6_index(slot, a, (__u32)filtered);
	return in_set_trie(set, a, EDGEFW_FAMILY_IPV6);
}

static __always_inline bool in_set(__u16 set, __u8 slot,
				   const union edgefw_addr *a, __u8 family,
				   __u64 filtered)
{
	if (family == EDGEFW_FAMILY_IPV6)
		return in_set6(set, slot, a, filtered);
	if (slot != EDGEFW_NO_INDEX_SLOT)
		return in_set4_index(slot, a->w[0]);
	if (!filter_check(set, a, family, filtered))
		return false;
	return in_set_trie(set, a, family);
}

/*
 * A global function: the verifier checks it once, on its own, instead of
 * once per candidate and path through the caller's loop. The cost is one
 * call per candidate rule. src_filtered: what rule_may_match learnt of
 * the source's set filter.
 */
__noinline int rule_matches(__u32 id, const struct packet *p,
			    __u64 src_filtered)
{
	__u16 from, to;

	if (!p)
		return 0;
	id &= EDGEFW_MAX_RULES - 1;
	from = rules[id].from;
	to = rules[id].to;
	if (from == EDGEFW_PEER_SELF && !is_self(&p->src, p->family))
		return 0;
	if (to == EDGEFW_PEER_SELF && !is_self(&p->dst, p->family))
		return 0;
	if (from < EDGEFW_PEER_SELF &&
	    !in_set(from, rules[id].from_slot, &p->src, p->family,
		    src_filtered))
		return 0;
	if (to < EDGEFW_PEER_SELF &&
	    !in_set(to, rules[id].to_slot, &p->dst, p->family, 0))
		return 0;
	return 1;
}

static __always_inline __u16 class_of(const struct packet *p, const int dir)
{
	struct edgefw_port_classes *pc;
	__u32 key;

	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		key = EDGEFW_PORT_KEY(p->proto == IPPROTO_TCP ? EDGEFW_PORT_TCP
							      : EDGEFW_PORT_UDP,
				      bpf_ntohs(p->dport));
		pc = bpf_map_lookup_elem(&port_classes, &key);
		return pc ? pc->class_id[EDGEFW_ROLEDIR(cfg.role, dir)] : 0;
	}
	if (p->proto == IPPROTO_ICMP && p->family == EDGEFW_FAMILY_IPV4)
		return cfg.icmp_class[dir][0];
	if (p->proto == IPPROTO_ICMPV6 && p->family == EDGEFW_FAMILY_IPV6)
		return cfg.icmp_class[dir][1];
	return 0;
}

/*
 * Whether the candidate id can admit the packet at all, as far as the
 * first look at its source set tells: its IPv4 index's /24 or its filter.
 * Inline, one array read: the candidates a flood meets end here, without
 * a call of rule_matches each (issue 15: 15 candidates on one port).
 * any4: false where set4_any, asked once for all the candidates
 * (EDGEFW_CLASS_ASK_ANY4), says no indexed set holds the source.
 * *src_filtered: what the filter said (filter_check), for rule_matches.
 */
static __always_inline bool rule_may_match(__u32 id, const struct packet *p,
					   bool any4, __u64 *src_filtered)
{
	__u16 from;
	__u8 slot;

	*src_filtered = 0;
	id &= EDGEFW_MAX_RULES - 1;
	from = rules[id].from;
	slot = rules[id].from_slot;
	if (from >= EDGEFW_PEER_SELF)
		return true;
	if (p->family == EDGEFW_FAMILY_IPV4 && slot != EDGEFW_NO_INDEX_SLOT)
		return any4 &&
		       set4_index_state(slot, p->src.w[0]) != EDGEFW_SET4_NONE;
	*src_filtered = filter_check(from, &p->src, p->family, 0);
	return *src_filtered != 0;
}

/*
 * The id of the first rule of class class_id that admits the packet, or
 * NO_RULE. A global function: the verifier checks the candidates' loop
 * once, not again on every path of the packet's parse that reaches it.
 */
__noinline int match_class(__u32 class_id, const struct packet *p)
{
	const volatile struct edgefw_class *c;
	bool any4 = true;
	int i;

	if (!p || class_id == 0)
		return NO_RULE;
	/* The loader writes no larger id; the mask shows the verifier so. */
	c = &classes[class_id & (EDGEFW_MAX_CLASSES - 1)];
	if ((c->flags & EDGEFW_CLASS_ASK_ANY4) &&
	    p->family == EDGEFW_FAMILY_IPV4) {
		any4 = set4_any_may_hold(p->src.w[0]);
		if (!any4 && (c->flags & EDGEFW_CLASS_ALL_INDEXED))
			return NO_RULE;
	}
	for (i = 0; i < EDGEFW_MAX_CANDIDATES; i++) {
		__u64 filtered;
		__u8 id;

		if (i >= c->nr_rules)
			break;
		id = c->rule[i];
		if (rule_may_match(id, p, any4, &filtered) &&
		    rule_matches(id, p, filtered))
			return id;
	}
	return NO_RULE;
}

/* The id of the first rule that admits the packet, or NO_RULE. */
static __always_inline int match_rules(const struct packet *p, const int dir)
{
	__u16 class_id = class_of(p, dir);

	/* a port no rule names costs no call */
	return class_id ? match_class(class_id, p) : NO_RULE;
}

#endif
