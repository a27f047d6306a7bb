// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "log.h"
#include "maps.h"
#include "set4index.h"
#include "util.h"

static unsigned int state_of(const __u64 *words, __u32 net24)
{
	return EDGEFW_SET4_STATE(words[EDGEFW_SET4_WORD_OF(net24)], net24);
}

static void mark(__u64 *words, __u32 net24, unsigned int state)
{
	__u64 *word = &words[EDGEFW_SET4_WORD_OF(net24)];

	*word |= (__u64)state << EDGEFW_SET4_SHIFT(net24);
}

static int cmp_part(const void *a, const void *b)
{
	const struct set4_part *x = a, *y = b;

	return (x->net24 > y->net24) - (x->net24 < y->net24);
}

static void mark_covered(__u64 *words, const struct prefix *p)
{
	__u32 first = EDGEFW_SET4_NET24(ntohl(p->addr.w[0]));
	__u64 count = 1ULL << (24 - p->len);

	/* whole words at once: a short prefix covers many of them */
	for (__u64 i = 0; i < count;) {
		__u32 net24 = first + i;

		if (EDGEFW_SET4_SHIFT(net24) == 0 &&
		    count - i >= EDGEFW_SET4_NETS_PER_WORD) {
			words[EDGEFW_SET4_WORD_OF(net24)] = ~0ULL; /* all ALL */
			i += EDGEFW_SET4_NETS_PER_WORD;
		} else {
			mark(words, net24, EDGEFW_SET4_ALL);
			i++;
		}
	}
}

void set4_index_build(struct set4_index *ix, const struct prefix *v, size_t n)
{
	size_t cap = 0, out = 0;

	memset(ix, 0, sizeof(*ix));
	ix->words = xcalloc(EDGEFW_SET4_WORDS_PER_SLOT, sizeof(*ix->words));
	for (size_t i = 0; i < n; i++) {
		const struct prefix *p = &v[i];
		__u32 a = ntohl(p->addr.w[0]);
		struct set4_part *part;

		if (p->family != EDGEFW_FAMILY_IPV4)
			continue;
		if (p->len <= 24) {
			mark_covered(ix->words, p);
			continue;
		}
		mark(ix->words, EDGEFW_SET4_NET24(a), EDGEFW_SET4_SOME);
		GROW(ix->parts, cap, ix->nr_parts + 1);
		part = &ix->parts[ix->nr_parts++];
		memset(part, 0, sizeof(*part));
		part->net24 = EDGEFW_SET4_NET24(a);
		for (__u32 i = 0; i < 1U << (32 - p->len); i++)
			part->bits.w[EDGEFW_SET4_BIT_WORD(a + i)] |=
				1ULL << EDGEFW_SET4_BIT_SHIFT(a + i);
	}
	/* one part per /24, none where a shorter prefix covers it all */
	if (ix->nr_parts > 1)
		qsort(ix->parts, ix->nr_parts, sizeof(*ix->parts), cmp_part);
	for (size_t i = 0; i < ix->nr_parts; i++) {
		struct set4_part *p = &ix->parts[i];

		if (state_of(ix->words, p->net24) == EDGEFW_SET4_ALL)
			continue;
		if (out && ix->parts[out - 1].net24 == p->net24) {
			for (int w = 0; w < 4; w++)
				ix->parts[out - 1].bits.w[w] |= p->bits.w[w];
			continue;
		}
		ix->parts[out++] = *p;
	}
	ix->nr_parts = out;
}

void set4_index_free(struct set4_index *ix)
{
	free(ix->words);
	free(ix->parts);
	memset(ix, 0, sizeof(*ix));
}

static const struct set4_part *find_part(const struct set4_index *ix,
					 __u32 net24)
{
	struct set4_part want = { .net24 = net24 };

	if (!ix->nr_parts)
		return NULL;
	return bsearch(&want, ix->parts, ix->nr_parts, sizeof(*ix->parts),
		       cmp_part);
}

static bool same_part(const struct set4_part *a, const struct set4_part *b)
{
	return a && b && !memcmp(&a->bits, &b->bits, sizeof(a->bits));
}

/* A bit per /24 of a slot's word whose state is not NONE. */
static __u64 covered(__u64 word)
{
	__u64 bits = 0;

	for (int i = 0; i < EDGEFW_SET4_NETS_PER_WORD; i++)
		bits |= (__u64) !!(word >> (2 * i) & 3) << i;
	return bits;
}

/* The set4_any word j as words (a slot's, or NULL: none) make it. */
static __u64 any_of(const __u64 *words, __u32 j)
{
	const __u32 per =
		EDGEFW_SET4_ANY_NETS_PER_WORD / EDGEFW_SET4_NETS_PER_WORD;
	__u64 bits = 0;

	for (__u32 k = 0; words && k < per; k++)
		bits |= covered(words[j * per + k])
			<< (k * EDGEFW_SET4_NETS_PER_WORD);
	return bits;
}

/* Whether a slot word under set4_any word j differs from old to new. */
static bool changed(const struct set4_index *old, const struct set4_index *new,
		    __u32 j)
{
	const __u32 per =
		EDGEFW_SET4_ANY_NETS_PER_WORD / EDGEFW_SET4_NETS_PER_WORD;

	for (__u32 k = 0; k < per; k++) {
		if (new->words[j * per + k] !=
		    (old ? old->words[j * per + k] : 0))
			return true;
	}
	return false;
}

/*
 * set4_any after slot's words went from old to new (already in by24):
 * what slot added is ORed in; where it took a /24 away, the other slots
 * decide, read back from by24, which holds every slot's words.
 */
static int any_write(int by24_fd, int any_fd, const struct set4_index *old,
		     const struct set4_index *new)
{
	struct map_batch w = { .key_size = sizeof(__u32),
			       .value_size = sizeof(__u64) };
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), slots = 0;
	__u64 *any = NULL, *all = NULL;
	bool removed = false;
	int err;

	for (__u32 i = 0; old && i < EDGEFW_SET4_WORDS_PER_SLOT; i++)
		removed |= old->words[i] != new->words[i] &&
			   (covered(old->words[i]) & ~covered(new->words[i]));
	any = xcalloc(EDGEFW_SET4_ANY_WORDS, sizeof(*any));
	err = map_read_array(any_fd, EDGEFW_SET4_ANY_WORDS, sizeof(*any), any);
	if (!err && removed) {
		err = bpf_obj_get_info_by_fd(by24_fd, &info, &info_len) ? -errno
									: 0;
		if (!err) {
			all = xcalloc(info.max_entries, sizeof(*all));
			err = map_read_array(by24_fd, info.max_entries,
					     sizeof(*all), all);
			slots = info.max_entries / EDGEFW_SET4_WORDS_PER_SLOT;
		}
	}
	for (__u32 j = 0; !err && j < EDGEFW_SET4_ANY_WORDS; j++) {
		__u64 v = any[j];

		if (!changed(old, new, j) ||
		    any_of(old ? old->words : NULL, j) == any_of(new->words, j))
			continue;
		if (removed) {
			v = 0;
			for (__u32 s = 0; s < slots; s++)
				v |= any_of(
					all + (size_t)s *
							EDGEFW_SET4_WORDS_PER_SLOT,
					j);
		} else {
			v |= any_of(new->words, j);
		}
		if (v != any[j])
			map_batch_add(&w, &j, &v);
	}
	if (!err)
		err = map_batch_update(any_fd, &w);
	map_batch_free(&w);
	free(any);
	free(all);
	return err;
}

int set4_index_write(int by24_fd, int any_fd, int bits_fd, unsigned int slot,
		     const struct set4_index *old, const struct set4_index *new)
{
	struct map_batch parts = { .key_size = sizeof(__u32),
				   .value_size =
					   sizeof(struct edgefw_set4_bits) };
	struct map_batch words = { .key_size = sizeof(__u32),
				   .value_size = sizeof(__u64) };
	struct map_batch gone = { .key_size = sizeof(__u32) };
	const char *what = "addresses of partly covered /24s";
	int err;

	for (size_t i = 0; i < new->nr_parts; i++) {
		const struct set4_part *p = &new->parts[i];
		__u32 key = EDGEFW_SET4_PART_KEY(slot, p->net24);

		if (!old || !same_part(p, find_part(old, p->net24)))
			map_batch_add(&parts, &key, &p->bits);
	}
	for (__u32 i = 0; i < EDGEFW_SET4_WORDS_PER_SLOT; i++) {
		__u64 was = old ? old->words[i] : 0;
		__u32 key = EDGEFW_SET4_WORD_KEY(slot, i);

		if (new->words[i] != was)
			map_batch_add(&words, &key, &new->words[i]);
	}
	for (size_t i = 0; old && i < old->nr_parts; i++) {
		__u32 key = EDGEFW_SET4_PART_KEY(slot, old->parts[i].net24);

		if (!find_part(new, old->parts[i].net24))
			map_batch_add(&gone, &key, NULL);
	}
	err = map_batch_update(bits_fd, &parts);
	if (!err) {
		err = map_batch_update(by24_fd, &words);
		what = "/24 networks";
	}
	if (!err) {
		err = any_write(by24_fd, any_fd, old, new);
		what = "the /24 networks any set holds";
	}
	if (!err) {
		err = map_batch_delete(bits_fd, &gone);
		what = "stale /24 parts";
	}
	if (err == -E2BIG)
		log_err("cannot write the IPv4 index: it holds at most %u /24 networks with prefixes longer than /24, in all sets together",
			EDGEFW_SET4_MAX_PARTS);
	else if (err)
		log_err("cannot write the IPv4 index (%s): %s", what,
			strerror(-err));
	map_batch_free(&parts);
	map_batch_free(&words);
	map_batch_free(&gone);
	return err ? -1 : 0;
}
