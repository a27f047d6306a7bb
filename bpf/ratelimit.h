/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rate limits of rules, as GCRA buckets (see struct edgefw_rule). A bucket
 * is one 64-bit time, moved with compare-and-swap: CPUs racing for the
 * last token never both get it, and a refill is the passing of time, so
 * none is lost. TCP counts the segments that open a flow, other protocols
 * packets.
 */
#ifndef EDGEFW_BPF_RATELIMIT_H
#define EDGEFW_BPF_RATELIMIT_H

#include "clock.h"
#include "flows.h"
#include "keyword.h"
#include "maps.h"
#include "parse.h"

/* A CPU that loses this many races in a row finds the bucket contended
 * away by the others' packets, which took the tokens: it drops. */
#define GCRA_TRIES 4

static __always_inline bool gcra_take(__u64 *tat_p, __u64 now, __u64 interval,
				      __u64 burst)
{
	int i;

	for (i = 0; i < GCRA_TRIES; i++) {
		__u64 old = *(volatile __u64 *)tat_p;
		__u64 tat = old > now ? old : now;

		if (tat - now > burst)
			return false;
		if (__sync_val_compare_and_swap(tat_p, old, tat + interval) ==
		    old)
			return true;
	}
	return false;
}

_Static_assert(sizeof(struct edgefw_rate_key) ==
		       2 * sizeof(__u32) + sizeof(union edgefw_addr),
	       "source_take writes every byte of the key");

static __always_inline bool source_take(__u32 id, const struct packet *p,
					__u64 now, __u64 interval, __u64 burst)
{
	struct edgefw_rate_key key;
	__u64 *tat;

	key.rule = id;
	key_byte_store((__u32 *)&key.family, p->family);
	key.addr = p->src;
	tat = bpf_map_lookup_elem(&rate_src, &key);

	if (!tat) {
		/* a new source: its first packet takes the first token */
		__u64 first = now + interval;

		if (bpf_map_update_elem(&rate_src, &key, &first, BPF_NOEXIST) ==
		    0)
			return true;
		tat = bpf_map_lookup_elem(&rate_src,
					  &key); /* another CPU won */
		if (!tat)
			return false;
	}
	return gcra_take(tat, now, interval, burst);
}

/* Whether the rule's limit lets the packet through. */
static __always_inline bool rate_admits(__u32 id, const struct packet *p)
{
	const volatile struct edgefw_rule *r;
	__u64 *tat;
	__u64 now;

	id &= EDGEFW_MAX_RULES - 1;
	r = &rules[id];
	if (r->limit == EDGEFW_LIMIT_NONE)
		return true;
	/*
	 * TCP counts what opens state: a SYN, or a segment with no live
	 * flow that a rule admits (it picks the connection up). A packet
	 * of a live flow never gets here; a RST opens nothing.
	 */
	if (p->proto == IPPROTO_TCP && (p->tcp_flags & EDGEFW_TCP_RST))
		return true;
	now = r->coarse_clock ? coarse_clock() : bpf_ktime_get_ns();
	if (r->limit == EDGEFW_LIMIT_PER_SOURCE)
		return source_take(id, p, now, r->interval_ns, r->burst_ns);
	tat = bpf_map_lookup_elem(&rate_total, &id);
	return tat && gcra_take(tat, now, r->interval_ns, r->burst_ns);
}

#endif
