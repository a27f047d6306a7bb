// SPDX-License-Identifier: GPL-2.0
/*
 * The wrapper of the classes that vary from run to run (bench/vary.h):
 * another source, or another source port, each run, then a tail call into
 * the program measured. The floor of those classes is this wrapper in
 * front of the trivial program, so its cost falls out of the difference.
 */
#include <linux/bpf.h>
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

SEC("xdp")
int xdp_vary(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0, run, pass, src;
	struct vary_config *c = bpf_map_lookup_elem(&vary, &zero);

	if (!c)
		return XDP_ABORTED;
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
	bpf_tail_call(ctx, &target, 0);
	return XDP_ABORTED; /* no program to call: the harness sees it */
}

char LICENSE[] SEC("license") = "GPL";
