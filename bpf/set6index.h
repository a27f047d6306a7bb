/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Membership in a set's IPv6 index (see edgefw.h). The includer defines
 * the maps set6_heads, set6_prefixes and set6_short.
 */
#ifndef EDGEFW_BPF_SET6INDEX_H
#define EDGEFW_BPF_SET6INDEX_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "edgefw.h"

/* Whether slot's set holds the prefix of a of length len. */
static __always_inline bool set6_holds(__u8 slot, const union edgefw_addr *a,
				       __u32 len)
{
	struct edgefw_set6_key key = { .slot = slot, .len = len };
	int w;

	for (w = 0; w < 4; w++)
		key.net.w[w] = a->w[w] & bpf_htonl(edgefw_mask_word(len, w));
	return bpf_map_lookup_elem(&set6_prefixes, &key) != NULL;
}

static __always_inline bool in_set6_short(__u8 slot, const union edgefw_addr *a)
{
	__u32 key = slot, *lens = bpf_map_lookup_elem(&set6_short, &key);
	int len;

	if (!lens || !*lens)
		return false;
	for (len = 31; len >= 0; len--) {
		if ((*lens >> len & 1) && set6_holds(slot, a, len))
			return true;
	}
	return false;
}

static __always_inline enum edgefw_set6_answer
in_set6_index(__u8 slot, const union edgefw_addr *a)
{
	__u64 key = EDGEFW_SET6_HEAD_KEY(slot, bpf_ntohl(a->w[0]));
	struct edgefw_set6_head *head;
	int i;

	if (in_set6_short(slot, a))
		return EDGEFW_SET6_IN;
	head = bpf_map_lookup_elem(&set6_heads, &key);
	if (!head)
		return EDGEFW_SET6_OUT;
	if (head->state != EDGEFW_SET6_SOME)
		return head->state == EDGEFW_SET6_ALL ? EDGEFW_SET6_IN
						      : EDGEFW_SET6_ASK_TRIE;
	for (i = 0; i < EDGEFW_SET6_HEAD_LENS; i++) {
		if (i >= head->nr_lens)
			break;
		if (set6_holds(slot, a, head->len[i]))
			return EDGEFW_SET6_IN;
	}
	return EDGEFW_SET6_OUT;
}

#endif
