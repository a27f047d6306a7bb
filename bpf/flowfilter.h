/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow filter in front of the flow tables (edgefw.h): a lookup that
 * its bit says cannot hit is not made, and every insert sets its bit.
 */
#ifndef EDGEFW_BPF_FLOWFILTER_H
#define EDGEFW_BPF_FLOWFILTER_H

#include "maps.h"

static __always_inline __u32 flow_filter_bit(const void *key, __u8 family)
{
	if (family == EDGEFW_FAMILY_IPV4)
		return edgefw_flow_filter_bit(
			key, sizeof(struct edgefw_flow_key4) / 4,
			cfg.flow_filter_log2);
	return edgefw_flow_filter_bit(key, sizeof(struct edgefw_flow_key6) / 4,
				      cfg.flow_filter_log2);
}

/*
 * Whether the tables may hold the key. Until user space has filled a
 * half with every flow of the tables (a new filter beside an older
 * edgefw's flows), the tables are asked.
 */
static __always_inline bool flow_filter_may_hold(const void *key, __u8 family)
{
	__u32 zero = 0, bit, idx;
	__u64 *state, *word;

	if (!cfg.flow_filter_log2)
		return true;
	state = bpf_map_lookup_elem(&flow_filter, &zero);
	if (!state || !(*state & EDGEFW_FLOW_FILTER_READY))
		return true;
	bit = flow_filter_bit(key, family);
	idx = edgefw_flow_filter_word(cfg.flow_filter_log2,
				      family != EDGEFW_FAMILY_IPV4, bit);
	word = bpf_map_lookup_elem(&flow_filter, &idx);
	return !word ||
	       (*word & edgefw_flow_filter_mask(
				*state & EDGEFW_FLOW_FILTER_ACTIVE, bit));
}

/*
 * After the insert, in both halves: a rebuild clears the other half and
 * then walks the tables, so a bit set before the walk began belongs to a
 * flow the walk finds, and one set later is not cleared.
 */
static __always_inline void flow_filter_add(const void *key, __u8 family)
{
	__u32 bit, idx;
	__u64 *word;

	if (!cfg.flow_filter_log2)
		return;
	bit = flow_filter_bit(key, family);
	idx = edgefw_flow_filter_word(cfg.flow_filter_log2,
				      family != EDGEFW_FAMILY_IPV4, bit);
	word = bpf_map_lookup_elem(&flow_filter, &idx);
	if (word)
		__sync_fetch_and_or(word,
				    edgefw_flow_filter_mask(0, bit) |
					    edgefw_flow_filter_mask(1, bit));
}

#endif
