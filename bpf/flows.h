/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Flow tracking: a flow admitted in one direction has its packets in both
 * directions passed until it times out. The key is seen from this host
 * (local, remote), so ingress and egress find the same entry with one
 * lookup, whichever side opened the flow.
 */
#ifndef EDGEFW_BPF_FLOWS_H
#define EDGEFW_BPF_FLOWS_H

#include "clock.h"
#include "flowfilter.h"
#include "keyword.h"
#include "maps.h"
#include "parse.h"

/*
 * Flow times are seconds-scale: the coarse clock is enough (clock.h), and
 * much cheaper to read than bpf_ktime_get_ns() where the clock is
 * paravirtual. As one CPU's copy of it may be a tick behind another's, a
 * flow's time may be a tick ahead of a CPU's clock: flow_live allows
 * FLOW_CLOCK_AHEAD_NS for it.
 */
#define FLOW_CLOCK_AHEAD_NS (EDGEFW_NSEC_PER_SEC / 10) /* ten ticks at HZ=100 */

/* TCP, UDP and ICMP echo have flows; an echo is keyed by its identifier. */
static __always_inline bool flow_tracked(const struct packet *p)
{
	return p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	       icmp_is_echo(p, false) || icmp_is_echo(p, true);
}

/* A SYN without ACK opens a connection; it cannot belong to one of ours. */
static __always_inline bool tcp_opening(const struct packet *p)
{
	return (p->tcp_flags & (EDGEFW_TCP_SYN | EDGEFW_TCP_ACK)) ==
	       EDGEFW_TCP_SYN;
}

/* A SYN-ACK: a SYN accepted. */
static __always_inline bool tcp_syn_ack(const struct packet *p)
{
	return p->proto == IPPROTO_TCP &&
	       (p->tcp_flags &
		(EDGEFW_TCP_SYN | EDGEFW_TCP_ACK | EDGEFW_TCP_RST)) ==
		       (EDGEFW_TCP_SYN | EDGEFW_TCP_ACK);
}

/* A RST-ACK: a SYN refused, as by a port without a listener. */
static __always_inline bool tcp_rst_ack(const struct packet *p)
{
	return p->proto == IPPROTO_TCP &&
	       (p->tcp_flags &
		(EDGEFW_TCP_SYN | EDGEFW_TCP_ACK | EDGEFW_TCP_RST)) ==
		       (EDGEFW_TCP_RST | EDGEFW_TCP_ACK);
}

/* What only opens a flow, never belongs to one: a SYN, an echo request. */
static __always_inline bool flow_opener(const struct packet *p)
{
	return p->proto == IPPROTO_TCP ? tcp_opening(p)
				       : icmp_is_echo(p, false);
}

/* The key of either table; the packet's family says which. */
union flow_key {
	struct edgefw_flow_key4 v4;
	struct edgefw_flow_key6 v6;
};

/* The key's ports and its protocol, a word each (keyword.h). */
static __always_inline void flow_key_tail(__u32 *ports_word, __u32 *proto_word,
					  __u16 local_port, __u16 remote_port,
					  __u8 proto)
{
	struct {
		__u16 local, remote;
	} ports = { local_port, remote_port };

	key_word_store(ports_word, &ports);
	key_byte_store(proto_word, proto);
}

static __always_inline void flow_key(union flow_key *k, const struct packet *p,
				     const int dir)
{
	const union edgefw_addr *local = dir == EDGEFW_DIR_IN ? &p->dst
							      : &p->src;
	const union edgefw_addr *remote = dir == EDGEFW_DIR_IN ? &p->src
							       : &p->dst;
	__u16 local_port = dir == EDGEFW_DIR_IN ? p->dport : p->sport;
	__u16 remote_port = dir == EDGEFW_DIR_IN ? p->sport : p->dport;

	if (p->family == EDGEFW_FAMILY_IPV4) {
		k->v4.local = local->w[0];
		k->v4.remote = remote->w[0];
		k->v4.ifindex = cfg.ifindex;
		flow_key_tail((__u32 *)&k->v4.local_port, (__u32 *)&k->v4.proto,
			      local_port, remote_port, p->proto);
	} else {
		k->v6.local = *local;
		k->v6.remote = *remote;
		k->v6.ifindex = cfg.ifindex;
		flow_key_tail((__u32 *)&k->v6.local_port, (__u32 *)&k->v6.proto,
			      local_port, remote_port, p->proto);
	}
}

/*
 * One call site per map: were clang to merge the two calls, the verifier
 * would see two maps at one site and could not inline the lookup. The
 * empty asm keeps the IPv6 call apart.
 */
static __always_inline struct edgefw_flow *flow_lookup(const union flow_key *k,
						       __u8 family)
{
	struct edgefw_flow *f;

	if (family == EDGEFW_FAMILY_IPV4)
		return bpf_map_lookup_elem(&flows4, &k->v4);
	f = bpf_map_lookup_elem(&flows6, &k->v6);
	asm volatile("" ::: "memory");
	return f;
}

/* 0, or an error: the table has the key (or had no element to give) */
static __always_inline long flow_insert(const union flow_key *k, __u8 family,
					const struct edgefw_flow *f)
{
	long err;

	if (family == EDGEFW_FAMILY_IPV4)
		return bpf_map_update_elem(&flows4, &k->v4, f, BPF_NOEXIST);
	err = bpf_map_update_elem(&flows6, &k->v6, f, BPF_NOEXIST);
	asm volatile("" ::: "memory"); /* its own call site, as above */
	return err;
}

static __always_inline __u64 flow_timeout(__u8 state)
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
	case EDGEFW_FLOW_ICMP:
		return EDGEFW_FLOW_TIMEOUT_ICMP;
	}
	return EDGEFW_FLOW_TIMEOUT_UDP;
}

/*
 * Whether the flow f is within its timeout at now: seen_ns up to
 * FLOW_CLOCK_AHEAD_NS after now is a time another CPU's clock gave; any
 * later is no time of this boot's (a foreign state), and the flow is gone.
 */
static __always_inline bool flow_live(const struct edgefw_flow *f, __u64 now)
{
	return now + FLOW_CLOCK_AHEAD_NS - f->seen_ns <=
	       flow_timeout(f->state) + FLOW_CLOCK_AHEAD_NS;
}

static __always_inline __u8 flow_next_state(const struct edgefw_flow *f,
					    const struct packet *p,
					    const int dir)
{
	if (p->proto != IPPROTO_TCP)
		return f->state;
	/*
	 * A reset connection keeps its flow for EDGEFW_FLOW_TIMEOUT_RESET, as
	 * conntrack does: packets in flight still pass. Were the RST spoofed,
	 * the live connection's flow lapses after that long idle and its
	 * rule picks the connection up again.
	 */
	if (p->tcp_flags & EDGEFW_TCP_RST)
		return EDGEFW_FLOW_RESET;
	if (p->tcp_flags & EDGEFW_TCP_FIN)
		return f->state == EDGEFW_FLOW_RESET ? f->state
						     : EDGEFW_FLOW_CLOSING;
	if (f->state == EDGEFW_FLOW_NEW && dir != f->opened_dir)
		return EDGEFW_FLOW_ESTABLISHED;
	/*
	 * The host's SYN-ACK accepts a connection on this tuple, also one
	 * that reuses the tuple of a closing connection.
	 */
	if (dir == EDGEFW_DIR_OUT && tcp_syn_ack(p))
		return EDGEFW_FLOW_ESTABLISHED;
	return f->state;
}

/* The live flow the packet belongs to, or NULL; *now is read once here. */
static __always_inline struct edgefw_flow *flow_find(const struct packet *p,
						     const int dir, __u64 *now)
{
	union flow_key key;
	struct edgefw_flow *f;

	flow_key(&key, p, dir);
	if (!flow_filter_may_hold(&key, p->family))
		return NULL;
	f = flow_lookup(&key, p->family);
	if (!f)
		return NULL;
	*now = coarse_clock();
	if (!flow_live(f, *now))
		return NULL;
	return f;
}

/*
 * What a flow passes without asking the rules: every TCP segment after the
 * opening SYN, and the replies of a UDP flow or an echo request. UDP from
 * the opener's side meets its rule and rate limit each time, as packets
 * are what UDP limits count; echo requests never look a flow up.
 */
static __always_inline bool flow_passes(const struct edgefw_flow *f,
					const struct packet *p, const int dir)
{
	return p->proto == IPPROTO_TCP || dir != f->opened_dir;
}

/*
 * Note a packet on its flow. It writes only when the state changes or the
 * timestamp is older than EDGEFW_FLOW_REFRESH_NS, so the packets of a busy
 * flow do not all write one shared cache line.
 */
static __always_inline void flow_touch(struct edgefw_flow *f,
				       const struct packet *p, const int dir,
				       __u64 now)
{
	__u8 state = flow_next_state(f, p, dir);

	/* signed: a time another CPU gave may be ahead of now (clock.h) */
	if (state != f->state ||
	    (__s64)(now - f->seen_ns) > (__s64)EDGEFW_FLOW_REFRESH_NS) {
		f->state = state;
		f->seen_ns = now;
	}
}

/*
 * Store the flow f under the key, taking over the element of an old or
 * expired flow in place. Insert first: a new flow is the common case, and
 * a lookup before the insert costs it a second hash walk (issue 15). A
 * retransmission, a reused port or an expired flow finds its key there
 * and takes the element over in place: an LRU update would replace it
 * with a new element, freeing the old one only after an RCU grace
 * period. Whatever refused the insert, the lookup decides: on 6.1 a
 * refusal of a key the table has did not compare equal to -EEXIST
 * (pkt/test_packets' pickups failed there), while 0 means the insert
 * took on every kernel. The price: the refused insert took an element
 * from the free list before it found the key, so in a full table a
 * retransmission evicts the least recently used flow, as a new
 * connection does.
 */
static __always_inline void flow_put(const union flow_key *key, __u8 family,
				     const struct edgefw_flow *f)
{
	struct edgefw_flow *old;

	/*
	 * Only a new element sets its bits: a flow the table holds has them
	 * already (its insert set them, a rebuild's walk keeps them), so a
	 * renewal makes no shared write.
	 */
	if (flow_insert(key, family, f) == 0) {
		flow_filter_add(key, family);
		return;
	}
	old = flow_lookup(key, family);
	if (old) {
		old->state = f->state;
		old->opened_dir = f->opened_dir;
		old->seen_ns = f->seen_ns;
	}
}

/*
 * Record a flow that a rule or the policy admitted. An inbound SYN makes
 * none: its flow is made when the host answers it (flow_answer), so the
 * ingress path of a new connection takes no flow table insert, and a SYN
 * the host never answers leaves nothing behind.
 */
static __always_inline void flow_open(const struct packet *p, const int dir)
{
	union flow_key key;
	struct edgefw_flow f = {
		.opened_dir = dir,
		.state = EDGEFW_FLOW_UDP,
	};

	if (!flow_tracked(p) || icmp_is_echo(p, true))
		return;
	if (p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP)
		f.state = EDGEFW_FLOW_ICMP;
	if (p->proto == IPPROTO_TCP) {
		if (p->tcp_flags & EDGEFW_TCP_RST)
			return;
		if (dir == EDGEFW_DIR_IN && tcp_opening(p))
			return;
		/*
		 * A segment other than a SYN picks a connection up mid-stream
		 * (its flow went, e.g. evicted by the LRU). Until the other
		 * side answers it is no more than an unanswered SYN: anyone
		 * who can spoof a peer's address could otherwise plant flows
		 * that live two hours.
		 */
		f.state = p->tcp_flags & EDGEFW_TCP_FIN ? EDGEFW_FLOW_CLOSING
							: EDGEFW_FLOW_NEW;
	}
	flow_key(&key, p, dir);
	f.seen_ns = coarse_clock();
	flow_put(&key, p->family, &f);
}

/*
 * The host's SYN-ACK on egress to a SYN that the inbound rules admit:
 * the connection's flow, opened by the other side and answered.
 */
static __always_inline void flow_answer(const struct packet *p)
{
	union flow_key key;
	struct edgefw_flow f = {
		.opened_dir = EDGEFW_DIR_IN,
		.state = EDGEFW_FLOW_ESTABLISHED,
	};

	flow_key(&key, p, EDGEFW_DIR_OUT);
	f.seen_ns = coarse_clock();
	flow_put(&key, p->family, &f);
}

#endif
