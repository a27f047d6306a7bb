// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic generator of the live bench (bench/gen.c): run through
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES, it sends every frame
 * out of a veth with bpf_redirect(), as xdp-trafficgen does. The veth's
 * peer, in the edge namespace, receives the frames through its own NAPI,
 * where the receiver under test runs.
 *
 * For the spoofed SYN flood it gives each frame another source address
 * from ranges that are no partner of examples/lync-xmpp.conf (partners:
 * 203.0.113.0/24 and 2001:db8:77::/48): 198.18.0.0/15, the benchmarking
 * range of RFC 2544, and 192.0.2.0/24, TEST-NET-1 of RFC 5737.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "gen.h"

/* Set by gen.c before loading: constants to the verifier. */
const volatile struct gen_config cfg = {};

/* The next source's number; per CPU, so no atomic add on the fast path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} next_source SEC(".maps");

#define BENCH_NET (198U << 24 | 18U << 16) /* 198.18.0.0/15 */
#define BENCH_NET_SIZE (1U << 17)
#define TEST_NET_1 (192U << 24 | 0U << 16 | 2U << 8) /* 192.0.2.0/24 */
#define TEST_NET_1_SIZE 256U

/* Seven in eight sources from the /15, one in eight from the /24. */
static __always_inline __u32 nth_source(__u32 n)
{
	if ((n & 7) == 7)
		return TEST_NET_1 + (n >> 3) % TEST_NET_1_SIZE;
	return BENCH_NET + n % BENCH_NET_SIZE;
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * Update a checksum for a 32-bit word that changed from one value to
 * another (RFC 1624: HC' = ~(~HC + ~m + m')). One's-complement sums do
 * not care about byte order, so the words are added as they lie in the
 * packet.
 */
static __always_inline void csum_replace4(__sum16 *sum, __u32 from, __u32 to)
{
	__u32 s = (__u16) ~*sum;

	s += (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
	*sum = csum_fold(s);
}

/*
 * Every receiver but the XDP programs checks the checksums: the IP layer
 * drops a bad IPv4 header checksum before netfilter's PREROUTING hook,
 * and TCP drops a bad segment checksum (it covers the source address)
 * before it would answer. So both are kept right. The frame's page is
 * recycled with whatever the last run left in it, so the old address is
 * read from the frame rather than assumed.
 */
static __always_inline void spoof_ipv4_tcp_source(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__u32 key = 0, *n, from, to;

	/* gen.c builds Ethernet, IPv4 without options, TCP: anything else
	 * goes out as it is. */
	if ((void *)(tcp + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return;
	n = bpf_map_lookup_elem(&next_source, &key);
	if (!n)
		return;
	from = ip->saddr;
	to = bpf_htonl(nth_source((*n)++));
	ip->saddr = to;
	csum_replace4(&ip->check, from, to);
	csum_replace4(&tcp->check, from, to);
}

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	if (cfg.spoof_source)
		spoof_ipv4_tcp_source(ctx);
	return bpf_redirect(cfg.out_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
