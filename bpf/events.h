/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop events: while a reader listens, each packet the data plane drops,
 * or in monitor mode would drop, goes to user space as a struct
 * edgefw_event through that reader's ring buffer: `edgefw monitor`'s
 * events ring, and the daemon's samples ring for the top sources of its
 * drop summary. Each CPU spends its own token bucket per reader (a
 * per-CPU GCRA: no atomics on the packet path), so that a flood cannot
 * swamp a ring or its reader, and neither reader's limit starves the
 * other; what a bucket or a full ring refuses is counted. While nobody
 * listens a drop costs one look at the two leases (one map value), and a
 * pass nothing at all.
 */
#ifndef EDGEFW_BPF_EVENTS_H
#define EDGEFW_BPF_EVENTS_H

#include "maps.h"
#include "parse.h"

/* Whether someone listens: all a drop pays while nobody does. */
static __always_inline bool events_listening(void)
{
	__u32 zero = 0;
	struct edgefw_events_ctl *ctl = bpf_map_lookup_elem(&events_ctl, &zero);

	return ctl && (ctl->listen_until_ns | ctl->sample_until_ns);
}

/* Whether a reader's lease runs; one that ran out is cleared. */
static __always_inline bool lease_runs(__u64 *lease, __u64 now)
{
	__u64 until = *lease;

	if (now < until)
		return true;
	/* the reader's lease ran out: it is gone without a word */
	if (until)
		__sync_val_compare_and_swap(lease, until, 0);
	return false;
}

/*
 * The event to one reader's ring, when this CPU's bucket for it has a
 * token and the ring has room; else counted as suppressed.
 */
static __always_inline int emit_to(void *ring, __u32 reader, __u64 now,
				   __u64 interval_ns, __u64 burst_ns,
				   const struct packet *p, __u32 dir,
				   __u32 reason, __u32 rule, __u32 len)
{
	struct edgefw_events_cpu *b;
	struct edgefw_event *ev;
	__u64 tat;

	b = bpf_map_lookup_elem(&events_cpu, &reader);
	if (!b)
		return 0;
	tat = b->tat_ns > now ? b->tat_ns : now;
	if (tat - now > burst_ns) {
		b->limited++;
		return 0;
	}
	ev = bpf_ringbuf_reserve(ring, sizeof(*ev), 0);
	if (!ev) {
		b->ring_full++;
		return 0;
	}
	b->tat_ns = tat + interval_ns;
	b->emitted++;

	ev->time_ns = bpf_ktime_get_ns();
	__builtin_memcpy(&ev->src, &p->src, sizeof(ev->src));
	__builtin_memcpy(&ev->dst, &p->dst, sizeof(ev->dst));
	ev->ifindex = cfg.ifindex;
	ev->config_tag = cfg.config_tag;
	ev->len = len;
	ev->slot = cfg.slot;
	ev->rule = rule;
	ev->sport = p->sport;
	ev->dport = p->dport;
	ev->vlan_tci[0] = p->vlan_tci[0];
	ev->vlan_tci[1] = p->vlan_tci[1];
	ev->dir = dir;
	ev->reason = reason;
	ev->flags = cfg.mode == EDGEFW_MODE_MONITOR ? EDGEFW_EVENT_MONITOR : 0;
	ev->family = p->family;
	ev->proto = p->proto;
	ev->tcp_flags = p->tcp_flags;
	ev->icmp_type = p->icmp_type;
	ev->icmp_code = p->icmp_code;
	ev->nr_vlans = p->nr_vlans;
	ev->frag = p->frag;
	__builtin_memset(ev->pad, 0, sizeof(ev->pad));
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/*
 * The event of a dropped packet, to each reader whose lease runs. rule:
 * the rule whose limit was spent (a ratelimit drop), else
 * EDGEFW_EVENT_NO_RULE. A global function: the verifier checks it once,
 * on its own, rather than on every path through judge() that drops.
 * Returns how many readers it sent the event to.
 */
__noinline int events_emit(const struct packet *p, __u32 dir, __u32 reason,
			   __u32 rule, __u32 len)
{
	struct edgefw_events_ctl *ctl;
	__u32 zero = 0;
	__u64 now;
	int sent = 0;

	ctl = bpf_map_lookup_elem(&events_ctl, &zero);
	if (!p || !ctl)
		return 0;
	now = bpf_ktime_get_coarse_ns();
	if (cfg.events_interval_ns && lease_runs(&ctl->listen_until_ns, now))
		sent += emit_to(&events, EDGEFW_READER_MONITOR, now,
				cfg.events_interval_ns, cfg.events_burst_ns, p,
				dir, reason, rule, len);
	if (cfg.sample_interval_ns && lease_runs(&ctl->sample_until_ns, now))
		sent += emit_to(&samples, EDGEFW_READER_SAMPLER, now,
				cfg.sample_interval_ns, cfg.sample_burst_ns, p,
				dir, reason, rule, len);
	return sent;
}

#endif
