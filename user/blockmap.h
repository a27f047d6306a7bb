/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's blocklist map, kept in step with blocklist.json. */
#ifndef EDGEFW_BLOCKMAP_H
#define EDGEFW_BLOCKMAP_H

#include "persist.h"

/* Unix time now. */
int64_t wall_now(void);

/* Insert or replace one entry. */
int blockmap_put(int map_fd, const struct block_entry *e);
int blockmap_del(int map_fd, const struct prefix *p);

/* Tell the data plane how many entries there are; 0 skips the lookup. */
int blockmap_set_count(int control_fd, size_t n);

/* Everything of b into an empty map, at load. */
int blockmap_fill(int map_fd, int control_fd, const struct blocks *b);

/*
 * Make the kernel's blocklist hold exactly b: keys b does not list (left by
 * an interrupted command) are removed, every entry is written, the count
 * set. Returns 0 or -errno.
 */
int blockmap_sync(int map_fd, int control_fd, const struct blocks *b);

#endif
