/* SPDX-License-Identifier: GPL-2.0 */
/*
 * set6_cache, the array of IPv6 answers in front of set6_heads (see
 * edgefw.h), written through its memory under the entries' seqlock. An
 * entry goes to the first key that asks for it; a key whose entry another
 * holds stays in set6_heads alone. One writer at a time: the state lock's
 * holder, or the load that made the map.
 */
#ifndef EDGEFW_SET6CACHE_H
#define EDGEFW_SET6CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include "edgefw.h"

struct set6_cache {
	struct edgefw_set6_cached *e;
	size_t len;
};

/* Map fd's entries, for writing. 0, or -1 after reporting. */
int set6_cache_map(int fd, struct set6_cache *c);
void set6_cache_unmap(struct set6_cache *c);

/*
 * What the entry of key (EDGEFW_SET6_HEAD_KEY) holds for head, or false
 * for a head that lists lengths: an INLINE head's prefixes, or ALL's
 * /32, which no bit past the first word narrows. seq is left 0.
 */
bool set6_cache_entry(__u64 key, const struct edgefw_set6_head *head,
		      struct edgefw_set6_cached *out);

/*
 * The head of key (EDGEFW_SET6_HEAD_KEY) into its entry, if the entry is
 * free or holds key already, and the head is one an entry holds (INLINE
 * or ALL; another takes key out of its entry); after set6_heads holds it.
 */
void set6_cache_put(struct set6_cache *c, __u64 key,
		    const struct edgefw_set6_head *head);

/* key out of its entry, if there; before set6_heads loses it. */
void set6_cache_drop(struct set6_cache *c, __u64 key);

#endif
