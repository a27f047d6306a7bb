// SPDX-License-Identifier: GPL-2.0
/*
 * The wrapper of the classes that vary from run to run (bench/vary.h):
 * another remote address, or another remote port, each run (the source of
 * an ingress packet, the destination of an egress one), then a tail call
 * into the program measured. The floor of those classes is this wrapper in
 * front of the trivial program, so its cost falls out of the difference.
 * xdp_vary goes in front of XDP programs, tc_vary in front of TC ones: a
 * tail call stays within one program type, and a program array takes the
 * type of the first program that calls through it, hence one array each.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "vary.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vary_config);
} vary SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target_tc SEC(".maps");

static __always_inline void put32(void *data, void *data_end, __u32 off,
				  __u32 v)
{
	void *at;

	off &= VARY_MAX_OFF - 1;
	at = data + off;
	if (at + 4 <= data_end)
		*(__u32 *)at = bpf_htonl(v);
}

static __always_inline void put16(void *data, void *data_end, __u32 off,
				  __u16 v)
{
	void *at;

	off &= VARY_MAX_OFF - 1;
	at = data + off;
	if (at + 2 <= data_end)
		*(__u16 *)at = bpf_htons(v);
}

/* Make this run's packet: 0 if the harness set nothing up. */
static __always_inline int vary_packet(void *data, void *data_end)
{
	__u32 zero = 0, run, pass, src;
	struct vary_config *c = bpf_map_lookup_elem(&vary, &zero);

	if (!c)
		return 0;
	run = c->runs++;
	pass = run;
	if (c->sources) {
		src = run % c->sources;
		pass = run / c->sources;
		put32(data, data_end, c->addr_off,
		      c->scatter ? c->base | (src * VARY_SCATTER & c->mask)
				 : c->base + src);
	}
	if (c->ports)
		put16(data, data_end, c->port_off,
		      c->port_base + pass % c->ports);
	return 1;
}

SEC("xdp")
int xdp_vary(struct xdp_md *ctx)
{
	if (!vary_packet((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED; /* no program to call: the harness sees it */
}

SEC("tc")
int tc_vary(struct __sk_buff *skb)
{
	if (!vary_packet((void *)(long)skb->data, (void *)(long)skb->data_end))
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &target_tc, 0);
	return TC_ACT_SHOT; /* no program to call: the harness sees it */
}

char LICENSE[] SEC("license") = "GPL";
