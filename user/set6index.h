/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IPv6 index of one set (set6_heads, set6_cache, set6_prefixes and
 * the short6_lens of the set's IPv6 filter, see edgefw.h): built from the set's prefixes
 * in memory, written to the kernel as the difference from what it held
 * before.
 */
#ifndef EDGEFW_SET6INDEX_H
#define EDGEFW_SET6INDEX_H

#include <stddef.h>
#include "addr.h"

struct set6_head {
	__u32 net32; /* host byte order */
	struct edgefw_set6_head head;
};

struct set6_index {
	struct set6_head *heads; /* sorted by net32 */
	size_t nr_heads;
	/* the exact lookups the heads and short lengths lead to; slot 0 */
	struct edgefw_set6_key *prefixes; /* sorted as memcmp orders them */
	size_t nr_prefixes;
	__u32 short_lens; /* bit len for each length under /32 */
};

/* From the IPv6 prefixes among n; IPv4 ones are ignored. */
void set6_index_build(struct set6_index *ix, const struct prefix *v, size_t n);
void set6_index_free(struct set6_index *ix);

/*
 * Make slot's part of the maps go from old (NULL: empty maps) to new:
 * exact prefixes first, then heads and short lengths, then the cache
 * (set6cache.h), then the heads and prefixes no longer needed, so that
 * every address meets either its old or its new answer. 0, or -1 after
 * reporting.
 */
int set6_index_write(int heads_fd, int prefixes_fd, int filter_fd, int cache_fd,
		     unsigned int set, unsigned int slot,
		     const struct set6_index *old,
		     const struct set6_index *new);

#endif
