/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPv4 index of one set (set4_by24, set4_bits and its share of
 * set4_any, see edgefw.h): built from the set's prefixes in memory,
 * written to the kernel as the difference from what it held before.
 */
#ifndef EDGEFW_SET4INDEX_H
#define EDGEFW_SET4INDEX_H

#include <stddef.h>
#include "addr.h"

struct set4_part {
	__u32 net24; /* EDGEFW_SET4_NET24 */
	struct edgefw_set4_bits bits;
};

/* A word of a slot's part of set4_by24 (EDGEFW_SET4_WORD_OF). */
struct set4_word {
	__u32 index;
	__u64 bits;
};

/*
 * Only the words that are not 0: a set of a few prefixes is a few words
 * to build and compare, not a slot's 4 MiB.
 */
struct set4_index {
	struct set4_word *words; /* sorted by index */
	size_t nr_words;
	struct set4_part *parts; /* sorted by net24; only where SOME */
	size_t nr_parts;
};

/* From the IPv4 prefixes among n; IPv6 ones are ignored. */
void set4_index_build(struct set4_index *ix, const struct prefix *v, size_t n);
void set4_index_free(struct set4_index *ix);

/*
 * Make slot's part of the maps go from old (NULL: empty maps) to new:
 * parts first, then the /24 words, then set4_any, then the parts no
 * longer needed, so that every address meets either its old or its new
 * answer. 0, or -1 after reporting.
 */
int set4_index_write(int by24_fd, int any_fd, int bits_fd, unsigned int slot,
		     const struct set4_index *old,
		     const struct set4_index *new);

#endif
