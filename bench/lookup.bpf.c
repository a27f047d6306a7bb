// SPDX-License-Identifier: GPL-2.0
/*
 * One map lookup a run, for bench/stage-scale.sh (scalectl lookup-set,
 * lookup-flows): each run looks up the next of a list of probe keys in
 * edgefw's sets (its LPM trie or its IPv4 or IPv6 index) or flows4 map,
 * which the loader swaps in from its pins.
 * A list of one key shows a lookup with warm caches, as
 * BPF_PROG_TEST_RUN of one packet sees every lookup; a long list shows
 * lookups that each go where the one before did not, as a flood from
 * many sources or traffic of many flows makes them. The probe_* programs
 * do the same without the lookup: the floor to subtract.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "edgefw.h"

#define NR_PROBES (1U << 16)

/* Placeholders: user space reuses edgefw's maps in their place. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct edgefw_set_key);
	__type(value, __u8);
} sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} set4_by24 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct edgefw_set4_bits);
} set4_bits SEC(".maps");

/* set4_any_may_hold() would read it; the lookups time the slot alone */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} set4_any SEC(".maps");

/* in_set4_index() reads set4_by24 and set4_bits, defined above */
#include "../bpf/set4index.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct edgefw_set6_head);
} set6_heads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct edgefw_set6_key);
	__type(value, __u8);
} set6_prefixes SEC(".maps");

/* an entry beyond it is a cache miss: the heads answer */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct edgefw_set6_cached);
} set6_cache SEC(".maps");

/* in_set6_index() reads set6_cache, set6_heads and set6_prefixes above */
#include "../bpf/set6index.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct edgefw_flow_key4);
	__type(value, struct edgefw_flow);
} flows4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_PROBES);
	__type(key, __u32);
	__type(value, struct edgefw_set_key);
} set_probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_PROBES);
	__type(key, __u32);
	__type(value, struct edgefw_flow_key4);
} flow_probes SEC(".maps");

/* The number of probes less one, a power of two less one. */
const volatile __u32 probe_mask = 0;

/*
 * Runs happen on one CPU, one after another: plain counters do. In one
 * struct, so that user space knows where found lies in .bss.
 */
struct {
	__u64 found;
	__u32 next_probe;
} state = {};

SEC("xdp")
int lookup_set(struct xdp_md *ctx)
{
	__u32 i = state.next_probe++ & probe_mask;
	struct edgefw_set_key *k = bpf_map_lookup_elem(&set_probes, &i);

	if (k && bpf_map_lookup_elem(&sets, k))
		state.found++;
	return XDP_PASS;
}

/* In the IPv4 index of slot 0, edgefw's first indexed set. */
SEC("xdp")
int lookup_set4(struct xdp_md *ctx)
{
	__u32 i = state.next_probe++ & probe_mask;
	struct edgefw_set_key *k = bpf_map_lookup_elem(&set_probes, &i);

	if (k && in_set4_index(0, k->addr.w[0]))
		state.found++;
	return XDP_PASS;
}

/*
 * In the IPv6 index of slot 0; the bench's sets have no prefixes under
 * /32, and a /32 the index sends to the trie counts as not found.
 */
SEC("xdp")
int lookup_set6(struct xdp_md *ctx)
{
	__u32 i = state.next_probe++ & probe_mask;
	struct edgefw_set_key *k = bpf_map_lookup_elem(&set_probes, &i);

	if (k && in_set6_index(0, &k->addr, 0))
		state.found++;
	return XDP_PASS;
}

SEC("xdp")
int probe_set(struct xdp_md *ctx)
{
	__u32 i = state.next_probe++ & probe_mask;
	struct edgefw_set_key *k = bpf_map_lookup_elem(&set_probes, &i);

	if (k && k->prefixlen)
		state.found++;
	return XDP_PASS;
}

SEC("xdp")
int lookup_flow4(struct xdp_md *ctx)
{
	__u32 i = state.next_probe++ & probe_mask;
	struct edgefw_flow_key4 *k = bpf_map_lookup_elem(&flow_probes, &i);

	if (k && bpf_map_lookup_elem(&flows4, k))
		state.found++;
	return XDP_PASS;
}

SEC("xdp")
int probe_flow4(struct xdp_md *ctx)
{
	__u32 i = state.next_probe++ & probe_mask;
	struct edgefw_flow_key4 *k = bpf_map_lookup_elem(&flow_probes, &i);

	if (k && k->ifindex)
		state.found++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
