/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The order of decisions, the same for both directions: parse, blocklist
 * (ingress), essentials, packets of tracked flows, rules and their rate
 * limits, policy. Cheap rejections come first and no lookup is made that
 * cannot match.
 */
#ifndef EDGEFW_BPF_VERDICT_H
#define EDGEFW_BPF_VERDICT_H

#include "blocklist.h"
#include "events.h"
#include "flows.h"
#include "icmp.h"
#include "maps.h"
#include "parse.h"
#include "ratelimit.h"
#include "rules.h"

/*
 * What a host needs to keep its links working: neighbour discovery, MLD;
 * and, where ICMP errors are not tracked (icmp errors any), the errors of
 * path-MTU discovery.
 */
static __always_inline bool is_essential(const struct packet *p)
{
	if (p->family == EDGEFW_FAMILY_IPV4)
		return p->proto == IPPROTO_ICMP &&
		       cfg.icmp_errors == EDGEFW_ICMP_ERRORS_ANY &&
		       p->icmp_type == ICMP_DEST_UNREACH &&
		       p->icmp_code == ICMP_FRAG_NEEDED;
	if (p->proto != IPPROTO_ICMPV6)
		return false;
	switch (p->icmp_type) {
	case ICMPV6_PKT_TOOBIG:
		return cfg.icmp_errors == EDGEFW_ICMP_ERRORS_ANY;
	case 133 ... 137: /* neighbour discovery: never forwarded, RFC 4861 */
		return p->hop_limit == 255;
	case 130 ... 132: /* MLD, which switches snoop to deliver ND */
	case 143:
		return p->hop_limit == 1;
	}
	return false;
}

static __always_inline __u32 policy_verdict(const int dir)
{
	return cfg.policy[dir] == EDGEFW_ACT_PASS ? EDGEFW_PASS_POLICY
						  : EDGEFW_DROP_POLICY;
}

/* Swap the packet's ends: a SYN-ACK becomes the SYN it answers. */
static __always_inline void packet_mirror(struct packet *p)
{
	union edgefw_addr addr = p->src;
	__u16 port = p->sport;

	p->src = p->dst;
	p->dst = addr;
	p->sport = p->dport;
	p->dport = port;
}

/*
 * Whether the inbound rules or policy admit the SYN that the host's
 * SYN-ACK or RST p answers; that SYN took its token when it came in. p is
 * mirrored in place and back: a copy would take stack, which the
 * verifier limits to 512 bytes over the calls that the rules make.
 */
static __always_inline bool admits_answered_syn(struct packet *p)
{
	int rule;

	if (cfg.policy[EDGEFW_DIR_IN] == EDGEFW_ACT_PASS)
		return true;
	packet_mirror(p);
	rule = match_rules(p, EDGEFW_DIR_IN);
	packet_mirror(p);
	return rule != NO_RULE;
}

/* Record what a rule or the policy admitted: a new flow, or its own. */
static __always_inline void admit(struct edgefw_flow *f, const struct packet *p,
				  const int dir, __u64 now)
{
	if (f)
		flow_touch(f, p, dir, now);
	else
		flow_open(p, dir);
}

/* A rate limit's drop, counted for its rule as well as for its reason. */
static __always_inline void count_limited(const int dir, int rule, __u32 bytes)
{
	__u32 idx = EDGEFW_LIMITED_INDEX(cfg.slot, dir, rule & 0xff);
	struct edgefw_counter *c = bpf_map_lookup_elem(&limited, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * The verdict for a parsed packet: a reason or EDGEFW_VERDICT_RULE(id).
 * data, data_end: the packet, for what only some packets read again (the
 * packet an ICMP error quotes). *spent: a ratelimit drop's rule, for its
 * counter and its event.
 */
static __always_inline __u32 decide(void *data, void *data_end, int parsed,
				    struct packet *p, const int dir,
				    __u32 *spent)
{
	struct edgefw_flow *f = NULL;
	__u64 now = 0;
	int rule;

	if (parsed == PARSE_MALFORMED || parsed == PARSE_TRUNCATED)
		return EDGEFW_DROP_MALFORMED;
	if (parsed == PARSE_ARP)
		return EDGEFW_PASS_ESSENTIAL;
	if (parsed == PARSE_OTHER_L2)
		return policy_verdict(dir);
	if (dir == EDGEFW_DIR_IN && blocked(p))
		return EDGEFW_DROP_BLOCKED;

	if (p->frag != FRAG_NONE) {
		if (cfg.fragments != EDGEFW_ACT_PASS)
			return EDGEFW_DROP_FRAGMENT;
		if (p->frag == FRAG_LATER)
			return EDGEFW_PASS_FRAGMENT;
	}
	if (is_essential(p))
		return EDGEFW_PASS_ESSENTIAL;
	if (cfg.icmp_errors == EDGEFW_ICMP_ERRORS_RELATED && icmp_is_error(p) &&
	    icmp_related(data, data_end, p, dir))
		return EDGEFW_PASS_RELATED;
	/*
	 * Our SYN-ACK to an admitted SYN makes its flow before any lookup:
	 * it almost always finds none, and flow_answer's insert finds one
	 * that is there (a retransmission, a reused tuple) and renews it.
	 */
	if (dir == EDGEFW_DIR_OUT && tcp_syn_ack(p) && admits_answered_syn(p)) {
		flow_answer(p);
		return EDGEFW_PASS_REPLY;
	}
	if (flow_tracked(p) && !flow_opener(p)) {
		f = flow_find(p, dir, &now);
		if (f && flow_passes(f, p, dir)) {
			flow_touch(f, p, dir, now);
			return EDGEFW_PASS_REPLY;
		}
		/* a SYN-ACK got here only if the rules refused its SYN */
		if (!f && dir == EDGEFW_DIR_OUT && tcp_rst_ack(p) &&
		    admits_answered_syn(p))
			return EDGEFW_PASS_REPLY; /* and opens no flow */
	}

	rule = match_rules(p, dir);
	if (rule != NO_RULE) {
		if (!rate_admits(rule, p)) {
			*spent = rule;
			return EDGEFW_DROP_RATELIMIT;
		}
		admit(f, p, dir, now);
		return EDGEFW_VERDICT_RULE(rule);
	}
	if (cfg.policy[dir] == EDGEFW_ACT_PASS) {
		admit(f, p, dir, now);
		return EDGEFW_PASS_POLICY;
	}
	return EDGEFW_DROP_POLICY;
}

/* Per-CPU counters: no shared write on the packet path. */
static __always_inline void count(const int dir, __u32 verdict, __u32 bytes)
{
	__u32 idx;
	struct edgefw_counter *c;

	if (verdict >= EDGEFW_SLOTS_PER_DIR)
		return;
	idx = EDGEFW_COUNTER_INDEX(cfg.slot, dir, verdict);
	c = bpf_map_lookup_elem(&counters, &idx);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * Whether to let the packet through, after counting it, and for a drop
 * its event if someone listens: a pass pays nothing for events, a drop
 * one look at the leases while nobody listens.
 */
static __always_inline bool judge(void *data, void *data_end, int parsed,
				  struct packet *p, const int dir, __u32 bytes)
{
	__u32 spent = EDGEFW_EVENT_NO_RULE;
	__u32 verdict = decide(data, data_end, parsed, p, dir, &spent);

	count(dir, verdict, bytes);
	if (!edgefw_verdict_drops(verdict))
		return true;
	if (verdict == EDGEFW_DROP_RATELIMIT)
		count_limited(dir, spent, bytes);
	if ((cfg.events_interval_ns || cfg.sample_interval_ns) &&
	    events_listening())
		events_emit(p, dir, verdict, spent, bytes);
	return cfg.mode == EDGEFW_MODE_MONITOR;
}

#endif
