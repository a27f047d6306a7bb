/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's blocklist map, kept in step with blocklist.json. */
#ifndef EDGEFW_BLOCKMAP_H
#define EDGEFW_BLOCKMAP_H

#include "blocklist.h"

/*
 * Make the kernel's blocklist hold exactly b: keys b does not list (left by
 * an interrupted command) are removed, every entry is written with the
 * latest expiry of itself and the entries covering it (so that the data
 * plane's longest match decides alone), and the count the data plane
 * checks is set. Returns 0 or -errno.
 */
int blockmap_sync(int map_fd, int control_fd, const struct blocks *b);

#endif
