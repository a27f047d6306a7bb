// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "log.h"
#include "maps.h"
#include "set4index.h"
#include "util.h"

static int cmp_word(const void *a, const void *b)
{
	const struct set4_word *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* ix's word index, 0 where it has none. */
static __u64 word_at(const struct set4_index *ix, __u32 index)
{
	struct set4_word want = { .index = index }, *w;

	if (!ix->nr_words)
		return 0;
	w = bsearch(&want, ix->words, ix->nr_words, sizeof(*ix->words),
		    cmp_word);
	return w ? w->bits : 0;
}

static unsigned int state_of(const struct set4_index *ix, __u32 net24)
{
	return EDGEFW_SET4_STATE(word_at(ix, EDGEFW_SET4_WORD_OF(net24)),
				 net24);
}

/* The words while they are built: mostly in order, as prefixes come. */
struct word_list {
	struct set4_index *ix;
	size_t cap;
	bool unsorted;
};

static void add_word(struct word_list *l, __u32 index, __u64 bits)
{
	struct set4_index *ix = l->ix;
	struct set4_word *last = ix->nr_words ? &ix->words[ix->nr_words - 1]
					      : NULL;

	if (last && last->index == index) {
		last->bits |= bits;
		return;
	}
	l->unsorted |= last && last->index > index;
	GROW(ix->words, l->cap, ix->nr_words + 1);
	ix->words[ix->nr_words++] = (struct set4_word){ index, bits };
}

/* Sorted, one entry per index, its bits ORed: ALL | SOME is ALL. */
static void finish_words(struct word_list *l)
{
	struct set4_index *ix = l->ix;
	size_t out = 0;

	if (!l->unsorted)
		return;
	qsort(ix->words, ix->nr_words, sizeof(*ix->words), cmp_word);
	for (size_t i = 0; i < ix->nr_words; i++) {
		if (out && ix->words[out - 1].index == ix->words[i].index)
			ix->words[out - 1].bits |= ix->words[i].bits;
		else
			ix->words[out++] = ix->words[i];
	}
	ix->nr_words = out;
}

static int cmp_part(const void *a, const void *b)
{
	const struct set4_part *x = a, *y = b;

	return (x->net24 > y->net24) - (x->net24 < y->net24);
}

static void add_covered(struct word_list *l, const struct prefix *p)
{
	__u32 first = EDGEFW_SET4_NET24(ntohl(p->addr.w[0]));
	__u64 count = 1ULL << (24 - p->len);

	/* whole words at once: a short prefix covers many of them */
	for (__u64 i = 0; i < count;) {
		__u32 net24 = first + i;

		if (EDGEFW_SET4_SHIFT(net24) == 0 &&
		    count - i >= EDGEFW_SET4_NETS_PER_WORD) {
			add_word(l, EDGEFW_SET4_WORD_OF(net24), ~0ULL);
			i += EDGEFW_SET4_NETS_PER_WORD;
		} else {
			add_word(l, EDGEFW_SET4_WORD_OF(net24),
				 (__u64)EDGEFW_SET4_ALL
					 << EDGEFW_SET4_SHIFT(net24));
			i++;
		}
	}
}

void set4_index_build(struct set4_index *ix, const struct prefix *v, size_t n)
{
	struct word_list words = { .ix = ix };
	size_t cap = 0, out = 0;
	bool parts_unsorted = false; /* a sorted list gives them sorted */
	size_t nr_v4 = prefixes_of_family(v, n, EDGEFW_FAMILY_IPV4);

	memset(ix, 0, sizeof(*ix));
	/* room for a word and a part per prefix: the lists are not copied */
	GROW(ix->words, words.cap, nr_v4);
	GROW(ix->parts, cap, nr_v4);
	for (size_t i = 0; i < n; i++) {
		const struct prefix *p = &v[i];
		__u32 a = ntohl(p->addr.w[0]);
		struct set4_part *part;

		if (p->family != EDGEFW_FAMILY_IPV4)
			continue;
		if (p->len <= 24) {
			add_covered(&words, p);
			continue;
		}
		add_word(&words, EDGEFW_SET4_WORD_OF(EDGEFW_SET4_NET24(a)),
			 (__u64)EDGEFW_SET4_SOME
				 << EDGEFW_SET4_SHIFT(EDGEFW_SET4_NET24(a)));
		GROW(ix->parts, cap, ix->nr_parts + 1);
		part = &ix->parts[ix->nr_parts++];
		memset(part, 0, sizeof(*part));
		part->net24 = EDGEFW_SET4_NET24(a);
		parts_unsorted |= ix->nr_parts > 1 &&
				  part[-1].net24 > part->net24;
		for (__u32 i = 0; i < 1U << (32 - p->len); i++)
			part->bits.w[EDGEFW_SET4_BIT_WORD(a + i)] |=
				1ULL << EDGEFW_SET4_BIT_SHIFT(a + i);
	}
	finish_words(&words);
	/* one part per /24, none where a shorter prefix covers it all */
	if (parts_unsorted)
		qsort(ix->parts, ix->nr_parts, sizeof(*ix->parts), cmp_part);
	for (size_t i = 0; i < ix->nr_parts; i++) {
		struct set4_part *p = &ix->parts[i];

		if (state_of(ix, p->net24) == EDGEFW_SET4_ALL)
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

/* A slot's words under one word of set4_any. */
#define WORDS_PER_ANY \
	(EDGEFW_SET4_ANY_NETS_PER_WORD / EDGEFW_SET4_NETS_PER_WORD)

struct word_change {
	__u32 index;
	__u64 was, now;
};

/* The words that differ from old (NULL: empty) to new, by index. */
static size_t word_changes(const struct set4_index *old,
			   const struct set4_index *new,
			   struct word_change **out)
{
	size_t i = 0, j = 0, n = 0, cap = 0, nr_old = old ? old->nr_words : 0;

	*out = NULL;
	GROW(*out, cap, nr_old + new->nr_words);
	/* no i++ inside an initializer: the order of its parts is unspecified */
	while (i < nr_old || j < new->nr_words) {
		struct word_change c = {};
		bool from_old = i < nr_old, from_new = j < new->nr_words;

		if (from_old && from_new &&
		    old->words[i].index != new->words[j].index) {
			from_old = old->words[i].index < new->words[j].index;
			from_new = !from_old;
		}
		if (from_old) {
			c.index = old->words[i].index;
			c.was = old->words[i++].bits;
		}
		if (from_new) {
			c.index = new->words[j].index;
			c.now = new->words[j++].bits;
		}
		if (c.was == c.now)
			continue;
		GROW(*out, cap, n + 1);
		(*out)[n++] = c;
	}
	return n;
}

/* A set4_any word that a slot's change touches. */
struct any_change {
	__u32 j;
	__u64 added; /* /24s the slot now holds that it did not */
	bool removed; /* the slot let go of some /24: the slots decide */
	__u64 value; /* what the word becomes */
};

/*
 * The set4_any words under changes (sorted), with what each change does
 * there; only these are read and written.
 */
static size_t any_changes(const struct word_change *c, size_t n,
			  struct any_change **out)
{
	size_t nr = 0, cap = 0;

	*out = NULL;
	GROW(*out, cap, n);
	for (size_t i = 0; i < n; i++) {
		__u32 j = c[i].index / WORDS_PER_ANY;
		unsigned int shift =
			c[i].index % WORDS_PER_ANY * EDGEFW_SET4_NETS_PER_WORD;
		__u64 was = covered(c[i].was) << shift;
		__u64 now = covered(c[i].now) << shift;

		if (was == now)
			continue;
		if (!nr || (*out)[nr - 1].j != j) {
			GROW(*out, cap, nr + 1);
			(*out)[nr++] = (struct any_change){ .j = j };
		}
		(*out)[nr - 1].added |= now & ~was;
		(*out)[nr - 1].removed |= (was & ~now) != 0;
	}
	return nr;
}

/*
 * Where a slot let go of a /24, the bit is the OR of every slot's words
 * there, read back from by24 (which holds the slot's new words already).
 */
static int recompute(int by24_fd, struct any_change *a, size_t n)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info), slots, *keys;
	size_t nr = 0, nr_keys = 0;
	__u64 *words;
	int err;

	for (size_t i = 0; i < n; i++)
		nr += a[i].removed;
	if (!nr)
		return 0;
	if (bpf_obj_get_info_by_fd(by24_fd, &info, &info_len))
		return -errno;
	slots = info.max_entries / EDGEFW_SET4_WORDS_PER_SLOT;
	keys = xcalloc((size_t)slots * nr * WORDS_PER_ANY, sizeof(*keys));
	words = xcalloc((size_t)slots * nr * WORDS_PER_ANY, sizeof(*words));
	for (__u32 s = 0; s < slots; s++) {
		for (size_t i = 0; i < n; i++) {
			for (__u32 k = 0; a[i].removed && k < WORDS_PER_ANY;
			     k++)
				keys[nr_keys++] = EDGEFW_SET4_WORD_KEY(
					s, a[i].j * WORDS_PER_ANY + k);
		}
	}
	err = map_read_keys(by24_fd, keys, nr_keys, sizeof(*words), words);
	for (size_t i = 0, w = 0; !err && i < n; i++) {
		if (!a[i].removed)
			continue;
		a[i].value = 0;
		for (__u32 s = 0; s < slots; s++) {
			for (__u32 k = 0; k < WORDS_PER_ANY; k++)
				a[i].value |=
					covered(words[s * nr * WORDS_PER_ANY +
						      w * WORDS_PER_ANY + k])
					<< (k * EDGEFW_SET4_NETS_PER_WORD);
		}
		w++;
	}
	free(keys);
	free(words);
	return err;
}

/*
 * set4_any's words at keys (sorted), from its memory where the map can be
 * mapped (BPF_F_MMAPABLE): a batch lookup costs some 60 ns a word in the
 * kernel, and a change of 100k prefixes reads nearly all 262,144 words.
 * A set4_any that cannot be mapped (made by an older edgefw, kept by a
 * reload) is read in batches.
 */
static int any_read(int any_fd, const __u32 *keys, size_t n, __u64 *out)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	const volatile __u64 *words;
	size_t size;

	if (!n)
		return 0;
	if (bpf_obj_get_info_by_fd(any_fd, &info, &info_len) ||
	    !(info.map_flags & BPF_F_MMAPABLE) ||
	    info.value_size != sizeof(*out) || keys[n - 1] >= info.max_entries)
		return map_read_keys(any_fd, keys, n, sizeof(*out), out);
	size = (size_t)info.max_entries * sizeof(*out);
	words = mmap(NULL, size, PROT_READ, MAP_SHARED, any_fd, 0);
	if (words == MAP_FAILED)
		return map_read_keys(any_fd, keys, n, sizeof(*out), out);
	/* the data plane only reads it: each word is read whole */
	for (size_t i = 0; i < n; i++)
		out[i] = words[keys[i]];
	munmap((void *)words, size);
	return 0;
}

/*
 * set4_any after a slot's words changed (already in by24): what the slot
 * added is ORed in; where it took a /24 away, the slots decide.
 */
static int any_write(int by24_fd, int any_fd, const struct word_change *c,
		     size_t n)
{
	struct map_batch w = { .key_size = sizeof(__u32),
			       .value_size = sizeof(__u64) };
	struct any_change *a;
	size_t nr = any_changes(c, n, &a);
	__u32 *keys = xcalloc(nr ? nr : 1, sizeof(*keys));
	__u64 *before = xcalloc(nr ? nr : 1, sizeof(*before));
	int err;

	map_batch_reserve(&w, nr);
	for (size_t i = 0; i < nr; i++)
		keys[i] = a[i].j;
	err = any_read(any_fd, keys, nr, before);
	for (size_t i = 0; !err && i < nr; i++)
		a[i].value = before[i] | a[i].added;
	if (!err)
		err = recompute(by24_fd, a, nr);
	for (size_t i = 0; !err && i < nr; i++) {
		if (a[i].value != before[i])
			map_batch_add(&w, &a[i].j, &a[i].value);
	}
	if (!err)
		err = map_batch_update(any_fd, &w);
	map_batch_free(&w);
	free(keys);
	free(before);
	free(a);
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
	struct word_change *changes;
	size_t nr_changes;
	int err;

	map_batch_reserve(&parts, new->nr_parts);
	for (size_t i = 0; i < new->nr_parts; i++) {
		const struct set4_part *p = &new->parts[i];
		__u32 key = EDGEFW_SET4_PART_KEY(slot, p->net24);

		if (!old || !same_part(p, find_part(old, p->net24)))
			map_batch_add(&parts, &key, &p->bits);
	}
	nr_changes = word_changes(old, new, &changes);
	map_batch_reserve(&words, nr_changes);
	for (size_t i = 0; i < nr_changes; i++) {
		__u32 key = EDGEFW_SET4_WORD_KEY(slot, changes[i].index);

		map_batch_add(&words, &key, &changes[i].now);
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
		err = any_write(by24_fd, any_fd, changes, nr_changes);
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
	free(changes);
	return err ? -1 : 0;
}
