/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header parsing: Ethernet, up to two VLAN tags, IPv4 with options, IPv6
 * with a bounded walk of extension headers, then TCP, UDP, ICMP or ICMPv6.
 * Every read is bounds-checked against data_end; every length the packet
 * declares is checked against the packet's real length.
 */
#ifndef EDGEFW_BPF_PARSE_H
#define EDGEFW_BPF_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "edgefw.h"

#define IPV4_MF 0x2000
#define IPV4_OFFSET 0x1fff
#define IPV6_FRAG_OFFSET 0xfff8
#define IPV6_FRAG_MF 0x0001

enum parse_result {
	PARSE_IP,
	PARSE_ARP,
	PARSE_OTHER_L2, /* an ethertype that is neither IP nor ARP */
	PARSE_MALFORMED, /* inconsistent header */
	PARSE_TRUNCATED, /* a header runs past data_end */
};

enum frag_kind {
	FRAG_NONE,
	FRAG_FIRST, /* offset 0, more fragments follow: L4 header present */
	FRAG_LATER, /* no L4 header */
};

struct packet {
	union edgefw_addr src;
	union edgefw_addr dst;
	__u16 sport; /* network byte order, 0 without ports */
	__u16 dport;
	__u8 family;
	__u8 proto;
	__u8 tcp_flags;
	__u8 frag;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 hop_limit;
	__u16 l4_off; /* ICMP: where its header starts, from data */
	__u16 ip_end; /* ICMP: where the datagram ends, from data */
	__u16 vlan_tci[2]; /* network byte order, outer first: for events */
	__u8 nr_vlans;
};

/* ICMP message types that edgefw singles out (RFC 792, RFC 4443). */
#define ICMP_ECHO_REPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_FRAG_NEEDED 4 /* a code of ICMP_DEST_UNREACH */
#define ICMP_ECHO_REQUEST 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PKT_TOOBIG 2
#define ICMPV6_TIME_EXCEEDED 3
#define ICMPV6_PARAM_PROBLEM 4
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

/* L4 headers start below this offset, or the packet is malformed. */
#define L4_OFF_MAX 0x3fff

static __always_inline bool icmp_is_echo(const struct packet *p, bool reply)
{
	if (p->proto == IPPROTO_ICMP && p->family == EDGEFW_FAMILY_IPV4)
		return p->icmp_type ==
		       (reply ? ICMP_ECHO_REPLY : ICMP_ECHO_REQUEST);
	if (p->proto == IPPROTO_ICMPV6 && p->family == EDGEFW_FAMILY_IPV6)
		return p->icmp_type ==
		       (reply ? ICMPV6_ECHO_REPLY : ICMPV6_ECHO_REQUEST);
	return false;
}

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct ipv6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

/*
 * ip_end: where the IP datagram ends by its own length fields, as an offset
 * from data; an L4 header must fit inside it, and a UDP length too.
 */
static __always_inline int parse_l4(void *pos, void *data, void *data_end,
				    __u32 ip_end, struct packet *p)
{
	__u32 off = pos - data;

	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = pos;

		if (off + sizeof(*th) > ip_end)
			return PARSE_MALFORMED;
		if ((void *)(th + 1) > data_end)
			return PARSE_TRUNCATED;
		if (th->doff < 5 || off + th->doff * 4 > ip_end)
			return PARSE_MALFORMED;
		p->sport = th->source;
		p->dport = th->dest;
		p->tcp_flags = ((__u8 *)th)[13];
		return PARSE_IP;
	}
	if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = pos;
		__u32 len;

		if (off + sizeof(*uh) > ip_end)
			return PARSE_MALFORMED;
		if ((void *)(uh + 1) > data_end)
			return PARSE_TRUNCATED;
		len = bpf_ntohs(uh->len);
		/*
		 * A first fragment's UDP length counts the whole datagram: it
		 * is held to no end. Branch-free (0 or 64k of slack): a branch
		 * would have the verifier walk every later step twice.
		 */
		if (len < sizeof(*uh) ||
		    off + len > ip_end + ((__u32)(p->frag + 3) / 4 << 16))
			return PARSE_MALFORMED;
		p->sport = uh->source;
		p->dport = uh->dest;
		return PARSE_IP;
	}
	if ((p->proto == IPPROTO_ICMP && p->family == EDGEFW_FAMILY_IPV4) ||
	    (p->proto == IPPROTO_ICMPV6 && p->family == EDGEFW_FAMILY_IPV6)) {
		/* type, code, checksum and the 4 bytes every message has */
		__u8 *icmp = pos;

		if (off + 8 > ip_end)
			return PARSE_MALFORMED;
		if ((void *)(icmp + 8) > data_end)
			return PARSE_TRUNCATED;
		p->icmp_type = icmp[0];
		p->icmp_code = icmp[1];
		p->l4_off = off & L4_OFF_MAX;
		p->ip_end = ip_end & L4_OFF_MAX;
		/* an echo's identifier stands for both ports of its flow */
		if (icmp_is_echo(p, false) || icmp_is_echo(p, true))
			p->sport = p->dport = *(__u16 *)(icmp + 4);
	}
	return PARSE_IP;
}

static __always_inline int parse_ipv4(void *pos, void *data, void *data_end,
				      __u32 pkt_len, struct packet *p)
{
	struct iphdr *iph = pos;
	__u32 hdr_len, tot_len, ip_end;
	__u16 frag_off;

	if ((void *)(iph + 1) > data_end)
		return PARSE_TRUNCATED;
	if (iph->version != 4 || iph->ihl < 5)
		return PARSE_MALFORMED;
	hdr_len = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	ip_end = pos - data + tot_len;
	if (tot_len < hdr_len || ip_end > pkt_len)
		return PARSE_MALFORMED;
	if (pos + hdr_len > data_end)
		return PARSE_TRUNCATED;

	p->family = EDGEFW_FAMILY_IPV4;
	p->proto = iph->protocol;
	p->hop_limit = iph->ttl;
	p->src.w[0] = iph->saddr;
	p->dst.w[0] = iph->daddr;

	frag_off = bpf_ntohs(iph->frag_off);
	if (frag_off & IPV4_OFFSET) {
		p->frag = FRAG_LATER;
		return PARSE_IP;
	}
	if (frag_off & IPV4_MF)
		p->frag = FRAG_FIRST;
	return parse_l4(pos + hdr_len, data, data_end, ip_end, p);
}

static __always_inline bool ipv6_is_ext_hdr(__u8 nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_MH:
	case 139: /* HIP */
	case 140: /* Shim6 */
	case 253: /* experimentation, RFC 3692 */
	case 254:
		return true;
	}
	return false;
}

/* Extension headers start below this offset, or the packet is malformed. */
#define IPV6_EXT_OFF_MAX 0x3fff

static __always_inline int parse_ipv6(void *pos, void *data, void *data_end,
				      __u32 pkt_len, struct packet *p)
{
	struct ipv6hdr *ip6 = pos;
	__u32 off, ip_end;
	__u8 nexthdr;
	int i;

	if ((void *)(ip6 + 1) > data_end)
		return PARSE_TRUNCATED;
	ip_end = pos - data + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (ip6->version != 6 || ip_end > pkt_len)
		return PARSE_MALFORMED;

	p->family = EDGEFW_FAMILY_IPV6;
	p->hop_limit = ip6->hop_limit;
	__builtin_memcpy(&p->src, &ip6->saddr, sizeof(p->src));
	__builtin_memcpy(&p->dst, &ip6->daddr, sizeof(p->dst));
	nexthdr = ip6->nexthdr;
	off = pos - data + sizeof(*ip6);

	/*
	 * The walk keeps a scalar offset, range-checked and masked at the top
	 * of every round: the paths through the headers then reach the loop
	 * head in a few shapes, and the verifier prunes instead of exploring
	 * every combination of header kinds.
	 */
	for (i = 0; i < EDGEFW_IPV6_MAX_EXT_HDRS; i++) {
		__u8 *h;

		if (!ipv6_is_ext_hdr(nexthdr))
			break;
		/* 8 bytes: every extension header is at least that long */
		if (off > IPV6_EXT_OFF_MAX || off + 8 > ip_end)
			return PARSE_MALFORMED;
		/*
		 * The check above lets clang drop the mask, and then the
		 * verifier may meet the offset in a register the check did
		 * not bound: hide its range from clang so the mask stays.
		 */
		asm volatile("" : "+r"(off));
		off &= IPV6_EXT_OFF_MAX;
		h = data + off;
		if ((void *)(h + 8) > data_end)
			return PARSE_TRUNCATED;
		if (nexthdr == IPPROTO_FRAGMENT) {
			struct ipv6_frag *fh = (void *)h;
			__u16 frag_off = bpf_ntohs(fh->frag_off);

			if (frag_off & IPV6_FRAG_OFFSET) {
				p->proto = fh->nexthdr;
				p->frag = FRAG_LATER;
				return PARSE_IP;
			}
			/* an atomic fragment (RFC 6946) is a whole packet */
			if (frag_off & IPV6_FRAG_MF)
				p->frag = FRAG_FIRST;
			off += sizeof(*fh);
		} else if (nexthdr == IPPROTO_AH) {
			off += (h[1] + 2) * 4;
		} else {
			off += (h[1] + 1) * 8;
		}
		nexthdr = h[0];
	}
	if (ipv6_is_ext_hdr(nexthdr))
		return PARSE_MALFORMED; /* a longer chain than we walk */
	if (off > IPV6_EXT_OFF_MAX || off > ip_end)
		return PARSE_MALFORMED;
	p->proto = nexthdr;
	return parse_l4(data + (off & IPV6_EXT_OFF_MAX), data, data_end, ip_end,
			p);
}

/*
 * pkt_len is the whole packet's length, which for a TC skb may exceed the
 * linear part that data_end bounds.
 */
static __always_inline int parse_packet(void *data, void *data_end,
					__u32 pkt_len, struct packet *p)
{
	struct ethhdr *eth = data;
	void *pos = eth + 1;
	__u16 proto;
	int i;

	if (pos > data_end)
		return PARSE_TRUNCATED;
	proto = eth->h_proto;

	for (i = 0; i < 2; i++) {
		struct vlan_hdr *vh = pos;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return PARSE_TRUNCATED;
		p->vlan_tci[i] = vh->tci;
		p->nr_vlans = i + 1;
		proto = vh->proto;
		pos = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(pos, data, data_end, pkt_len, p);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(pos, data, data_end, pkt_len, p);
	if (proto == bpf_htons(ETH_P_ARP))
		return PARSE_ARP;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		return PARSE_MALFORMED; /* a third tag */
	return PARSE_OTHER_L2;
}

#endif
