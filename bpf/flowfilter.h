/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow filter in front of the flow tables (edgefw.h): a lookup that
 * its bits say cannot hit is not made, and every insert sets its bits.
 */
#ifndef EDGEFW_BPF_FLOWFILTER_H
#define EDGEFW_BPF_FLOWFILTER_H

#include "maps.h"

static __always_inline __u64 flow_filter_hash(const void *key, __u8 family)
{
	if (family == EDGEFW_FAMILY_IPV4)
		return edgefw_flow_filter_hash(
			key, sizeof(struct edgefw_flow_key4) / 4);
	return edgefw_flow_filter_hash(key,
				       sizeof(struct edgefw_flow_key6) / 4);
}

static __always_inline __u64 *flow_filter_word(__u64 h, __u8 family)
{
	__u32 idx = edgefw_flow_filter_word(cfg.flow_filter_log2,
					    family != EDGEFW_FAMILY_IPV4, h);

	return bpf_map_lookup_elem(&flow_filter, &idx);
}

/*
 * Whether the tables may hold the key. Until user space has filled a
 * half with every flow of the tables (a new filter beside an older
 * edgefw's flows), the tables are asked.
 */
static __always_inline bool flow_filter_may_hold(const void *key, __u8 family)
{
	__u64 *state, *word, h, mask;
	__u32 zero = 0;

	if (!cfg.flow_filter_log2)
		return true;
	state = bpf_map_lookup_elem(&flow_filter, &zero);
	if (!state || !(*state & EDGEFW_FLOW_FILTER_READY))
		return true;
	h = flow_filter_hash(key, family);
	word = flow_filter_word(h, family);
	mask = edgefw_flow_filter_mask(cfg.flow_filter_log2,
				       *state & EDGEFW_FLOW_FILTER_ACTIVE, h);
	return !word || (*word & mask) == mask;
}

/*
 * After the insert, in both halves: a rebuild clears the other half and
 * then walks the tables, so bits set before the walk began belong to a
 * flow the walk finds, and bits set later are not cleared.
 */
static __always_inline void flow_filter_add(const void *key, __u8 family)
{
	__u64 *word, h, bits;

	if (!cfg.flow_filter_log2)
		return;
	h = flow_filter_hash(key, family);
	word = flow_filter_word(h, family);
	bits = edgefw_flow_filter_mask(cfg.flow_filter_log2, 0, h);
	/* half 1's bits: half 0's a half word up (edgefw.h) */
	if (word)
		__sync_fetch_and_or(word, bits | bits << 32);
}

#endif
