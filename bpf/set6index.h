/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Membership in a set's IPv6 index (see edgefw.h). The includer provides
 * what a BPF program has: bpf_map_lookup_elem(), bpf_loop() and the maps
 * set6_cache, set6_heads and set6_prefixes, as for set4index.h (the unit
 * tests run this code in user space through tests/lib/bpf_shim.h).
 */
#ifndef EDGEFW_BPF_SET6INDEX_H
#define EDGEFW_BPF_SET6INDEX_H

#include <stdbool.h>
#include <bpf/bpf_endian.h>
#include "edgefw.h"
#include "depend.h"

/*
 * Whether a lies in the prefix of length len whose words after the first
 * are tail; the first is the head's key, equal.
 */
static __always_inline bool in_net_of_head(const union edgefw_addr *a,
					   const __u32 *tail, __u32 len)
{
	__u32 diff = 0;
	int w;

	for (w = 1; w < 4; w++)
		diff |= (a->w[w] ^ tail[w - 1]) & edgefw_mask_word_be(len, w);
	return !diff;
}

/* Whether slot's set holds the prefix of a of length len. */
static __always_inline bool set6_holds(__u8 slot, const union edgefw_addr *a,
				       __u32 len)
{
	struct edgefw_set6_key key;

	edgefw_set6_key_of(&key, slot, a, len);
	return bpf_map_lookup_elem(&set6_prefixes, &key) != NULL;
}

/*
 * The exact lookups of a /32 with more than two prefixes, or of the
 * lengths under /32: rare, and run by bpf_loop, so that the verifier
 * checks one lookup, not one per length and path.
 */
struct set6_probe {
	union edgefw_addr a;
	__u8 len[16]; /* a head's lengths or bits; 16: any index below */
	__u32 short_lens; /* a bit per length under /32 */
	__u32 slot;
	int found; /* a callback returns found != 0: the verifier wants 0 or 1 */
};

static long set6_probe_short(__u32 i, void *ctx)
{
	struct set6_probe *p = ctx;
	__u32 len = 31 - (i & 31);

	if (p->short_lens >> len & 1)
		p->found = set6_holds(p->slot, &p->a, len);
	return p->found != 0;
}

static long set6_probe_len(__u32 i, void *ctx)
{
	struct set6_probe *p = ctx;

	if (i >= EDGEFW_SET6_HEAD_LENS)
		return 1;
	p->found = set6_holds(p->slot, &p->a, p->len[i]);
	return p->found != 0;
}

/* MANY: the lengths a head marks, longest first */
static long set6_probe_many(__u32 i, void *ctx)
{
	struct set6_probe *p = ctx;
	__u32 bit;

	if (i >= EDGEFW_SET6_MANY_LENS)
		return 1;
	bit = (EDGEFW_SET6_MANY_LENS - 1 - i) & 127;
	if (p->len[bit / 8 & 15] >> (bit % 8) & 1)
		p->found = set6_holds(p->slot, &p->a,
				      EDGEFW_SET6_MANY_FIRST + bit);
	return p->found != 0;
}

static __always_inline bool
set6_short_holds(__u8 slot, const union edgefw_addr *a, __u32 lens)
{
	struct set6_probe p = { .a = *a, .short_lens = lens, .slot = slot };

	bpf_loop(32, set6_probe_short, &p, 0);
	return p.found;
}

/* LENS or MANY: each length the head names, one exact lookup */
static __always_inline bool set6_lens_hold(__u8 slot,
					   const union edgefw_addr *a,
					   const struct edgefw_set6_head *head)
{
	struct set6_probe p = { .a = *a, .slot = slot };

	__builtin_memcpy(p.len, head->len, sizeof(head->len));
	if (head->state == EDGEFW_SET6_MANY)
		bpf_loop(EDGEFW_SET6_MANY_LENS, set6_probe_many, &p, 0);
	else
		bpf_loop(head->nr, set6_probe_len, &p, 0);
	return p.found;
}

enum set6_cache_answer {
	SET6_CACHE_OUT,
	SET6_CACHE_IN,
	SET6_CACHE_ASK, /* set6_heads: not in the cache, or a write overlapped */
};

/*
 * Whether the prefixes of key's head (EDGEFW_SET6_HEAD_KEY) in set6_cache
 * hold a, under the seqlock of edgefw.h. Each load of the entry depends on
 * the one of seq before it, and the second load of seq on all of them
 * (depend.h); the answer is worked out from what the loads gave.
 */
static __always_inline enum set6_cache_answer
set6_cache_holds(__u64 key, const union edgefw_addr *a)
{
	__u32 idx = edgefw_set6_cache_index(key);
	const struct edgefw_set6_cached *e =
		bpf_map_lookup_elem(&set6_cache, &idx);
	const volatile struct edgefw_set6_cached *d;
	__u32 seq, again, nr, diff0 = 0, diff1 = ~0U;
	__u64 tag;
	int w;

	if (!e)
		return SET6_CACHE_ASK;
	seq = *(const volatile __u32 *)&e->seq;
	d = (const volatile void *)((const char *)e + addr_dep(seq));
	tag = d->tag;
	nr = d->nr;
	for (w = 0; w < EDGEFW_SET6_TAIL_WORDS; w++)
		diff0 |= (a->w[w + 1] ^ d->tail[0][w]) & d->mask[0][w];
	if (nr > 1) {
		diff1 = 0;
		for (w = 0; w < EDGEFW_SET6_TAIL_WORDS; w++)
			diff1 |= (a->w[w + 1] ^ d->tail[1][w]) & d->mask[1][w];
	}
	again = *(const volatile __u32 *)((const char *)&e->seq +
					  addr_dep(tag | nr | diff0 | diff1));
	if ((seq & 1) || again != seq || tag != (key | EDGEFW_SET6_CACHED))
		return SET6_CACHE_ASK;
	return !diff0 || !diff1 ? SET6_CACHE_IN : SET6_CACHE_OUT;
}

/* short_lens: the short6_lens of the set's IPv6 filter */
static __always_inline bool in_set6_index(__u8 slot, const union edgefw_addr *a,
					  __u32 short_lens)
{
	__u64 key = EDGEFW_SET6_HEAD_KEY(slot, bpf_ntohl(a->w[0]));
	struct edgefw_set6_head *head;
	enum set6_cache_answer cached;
	int i;

	if (short_lens && set6_short_holds(slot, a, short_lens))
		return true;
	cached = set6_cache_holds(key, a);
	if (cached != SET6_CACHE_ASK)
		return cached == SET6_CACHE_IN;
	head = bpf_map_lookup_elem(&set6_heads, &key);
	if (!head)
		return false;
	if (head->state == EDGEFW_SET6_INLINE) {
		for (i = 0; i < EDGEFW_SET6_INLINE_MAX; i++) {
			if (i >= head->nr)
				break;
			if (in_net_of_head(a, head->tail[i],
					   head->inline_len[i]))
				return true;
		}
		return false;
	}
	return head->state == EDGEFW_SET6_ALL || set6_lens_hold(slot, a, head);
}

#endif
