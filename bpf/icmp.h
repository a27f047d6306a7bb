/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors as conntrack's RELATED: an error (unreachable, time
 * exceeded, parameter problem, packet too big) passes when the packet it
 * quotes belongs to a tracked flow of this interface. The quoted packet
 * travelled the other way: an error arriving quotes a packet we sent.
 * (Echo requests are flows of their own, in flows.h.)
 */
#ifndef EDGEFW_BPF_ICMP_H
#define EDGEFW_BPF_ICMP_H

#include "flows.h"
#include "parse.h"

static __always_inline bool icmp_is_error(const struct packet *p)
{
	if (p->proto == IPPROTO_ICMP && p->family == EDGEFW_FAMILY_IPV4)
		return p->icmp_type == ICMP_DEST_UNREACH ||
		       p->icmp_type == ICMP_TIME_EXCEEDED ||
		       p->icmp_type == ICMP_PARAM_PROBLEM;
	if (p->proto == IPPROTO_ICMPV6 && p->family == EDGEFW_FAMILY_IPV6)
		return p->icmp_type >= ICMPV6_DEST_UNREACH &&
		       p->icmp_type <= ICMPV6_PARAM_PROBLEM;
	return false;
}

/* The quoted IP header, into q; where its L4 header starts, or NULL. */
static __always_inline __u8 *quoted_ip(void *pos, void *data_end, __u8 family,
				       struct packet *q)
{
	if (family == EDGEFW_FAMILY_IPV4) {
		struct iphdr *iph = pos;

		if ((void *)(iph + 1) > data_end || iph->version != 4 ||
		    iph->ihl < 5)
			return NULL;
		q->proto = iph->protocol;
		q->src.w[0] = iph->saddr;
		q->dst.w[0] = iph->daddr;
		return (__u8 *)pos + iph->ihl * 4;
	}
	{
		struct ipv6hdr *ip6 = pos;

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return NULL;
		q->proto = ip6->nexthdr;
		__builtin_memcpy(&q->src, &ip6->saddr, sizeof(q->src));
		__builtin_memcpy(&q->dst, &ip6->daddr, sizeof(q->dst));
		return (__u8 *)(ip6 + 1);
	}
}

/*
 * Whether the quoted packet q, which went the other way than dir, is of a
 * live flow: a global function, verified once on its own rather than on
 * every path through the caller.
 */
__noinline int quoted_flow_live(const struct packet *q, __u32 dir)
{
	union flow_key key;
	struct edgefw_flow *f;

	if (!q)
		return 0;
	if (dir == EDGEFW_DIR_IN)
		flow_key(&key, q, EDGEFW_DIR_OUT);
	else
		flow_key(&key, q, EDGEFW_DIR_IN);
	f = flow_lookup(&key, q->family);
	return f && flow_live(f, coarse_clock());
}

/*
 * Whether the error p quotes a packet of a live flow. The quote holds the
 * IP header and at least 8 bytes after it (RFC 792, RFC 4443): the ports,
 * or an echo's identifier.
 */
static __always_inline bool icmp_related(void *data, void *data_end,
					 const struct packet *p, const int dir)
{
	struct packet q = { .family = p->family };
	__u8 *l4;

	l4 = quoted_ip(data + (p->l4_off & L4_OFF_MAX) + 8, data_end, p->family,
		       &q);
	/* the quote is the datagram's: bytes past its end are none of it */
	if (!l4 || (void *)(l4 + 8) > data_end ||
	    (void *)(l4 + 8) > data + p->ip_end)
		return false;
	if (q.proto == IPPROTO_TCP || q.proto == IPPROTO_UDP) {
		q.sport = *(__u16 *)l4;
		q.dport = *(__u16 *)(l4 + 2);
	} else {
		q.icmp_type = l4[0];
		if (!icmp_is_echo(&q, false))
			return false;
		q.sport = q.dport = *(__u16 *)(l4 + 4);
	}
	return quoted_flow_live(&q, dir);
}

#endif
