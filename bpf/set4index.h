/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Membership in a set's IPv4 index (see edgefw.h). The includer provides
 * what a BPF program has: bpf_map_lookup_elem() and the maps set4_by24
 * and set4_bits. edgefw's programs take them from maps.h, the bench's
 * lookup program from placeholders for edgefw's pinned maps, and the
 * unit tests from tests/lib/bpf_shim.h, which runs this code in user
 * space against kernel maps.
 */
#ifndef EDGEFW_BPF_SET4INDEX_H
#define EDGEFW_BPF_SET4INDEX_H

#include <stdbool.h>
#include <bpf/bpf_endian.h>
#include "edgefw.h"

/* The state of addr's /24 in slot's set: enum edgefw_set4_state. */
static __always_inline __u32 set4_index_state(__u8 slot, __be32 addr)
{
	__u32 net24 = EDGEFW_SET4_NET24(bpf_ntohl(addr));
	__u32 key = EDGEFW_SET4_WORD_KEY(slot, EDGEFW_SET4_WORD_OF(net24));
	__u64 *word = bpf_map_lookup_elem(&set4_by24, &key);

	return word ? EDGEFW_SET4_STATE(*word, net24) : EDGEFW_SET4_NONE;
}

/*
 * False when no indexed set holds anything in addr's /24 (set4_any): the
 * includer that calls it provides the map set4_any too.
 */
static __always_inline bool set4_any_may_hold(__be32 addr)
{
	__u32 net24 = EDGEFW_SET4_NET24(bpf_ntohl(addr));
	__u32 key = EDGEFW_SET4_ANY_WORD(net24);
	__u64 *word = bpf_map_lookup_elem(&set4_any, &key);

	return !word || (*word >> EDGEFW_SET4_ANY_SHIFT(net24) & 1);
}

static __always_inline bool in_set4_index(__u8 slot, __be32 addr)
{
	__u32 state = set4_index_state(slot, addr);
	__u32 key =
		EDGEFW_SET4_PART_KEY(slot, EDGEFW_SET4_NET24(bpf_ntohl(addr)));
	struct edgefw_set4_bits *bits;

	if (state != EDGEFW_SET4_SOME)
		return state == EDGEFW_SET4_ALL;
	bits = bpf_map_lookup_elem(&set4_bits, &key);
	return bits && edgefw_set4_holds(bits, bpf_ntohl(addr));
}

#endif
