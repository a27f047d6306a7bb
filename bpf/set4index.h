/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Membership in a set's IPv4 index (see edgefw.h). The includer defines
 * the maps set4_by24 and set4_bits: edgefw's programs in maps.h, the
 * bench's lookup program placeholders for edgefw's pinned maps.
 */
#ifndef EDGEFW_BPF_SET4INDEX_H
#define EDGEFW_BPF_SET4INDEX_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "edgefw.h"

static __always_inline bool in_set4_index(__u8 slot, __be32 addr)
{
	__u32 a = bpf_ntohl(addr), key = EDGEFW_SET4_WORD(slot, a);
	struct edgefw_set4_bits *bits;
	__u64 *word = bpf_map_lookup_elem(&set4_by24, &key);
	__u32 state;

	if (!word)
		return false;
	state = (*word >> EDGEFW_SET4_SHIFT(a)) & 3;
	if (state != EDGEFW_SET4_SOME)
		return state == EDGEFW_SET4_ALL;
	key = EDGEFW_SET4_PART_KEY(slot, a);
	bits = bpf_map_lookup_elem(&set4_bits, &key);
	return bits && (bits->w[(a >> 6) & 3] >> (a & 63)) & 1;
}

#endif
