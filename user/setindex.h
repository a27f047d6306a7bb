/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Both indexes of a set with an index slot (see edgefw.h): moved from one
 * list of the set's prefixes to another, IPv4 first, then IPv6.
 */
#ifndef EDGEFW_SETINDEX_H
#define EDGEFW_SETINDEX_H

#include "pins.h"
#include "prefix_list.h"

/* The generation's maps the indexes live in. */
#define SET_INDEX_MAP_BITS                                      \
	(MAP_BIT(MAP_SET4_BY24) | MAP_BIT(MAP_SET4_ANY) |       \
	 MAP_BIT(MAP_SET4_BITS) | MAP_BIT(MAP_SET6_HEADS) |     \
	 MAP_BIT(MAP_SET6_CACHE) | MAP_BIT(MAP_SET6_PREFIXES) | \
	 MAP_BIT(MAP_SET_FILTER))

/* All the maps of the sets: the trie, the filters and the indexes. */
#define SETS_MAP_BITS (MAP_BIT(MAP_SETS) | SET_INDEX_MAP_BITS)

/*
 * Make the indexes of set id set, in slot, go from the prefixes in from
 * (NULL: empty maps) to those in to; fds holds the maps above. 0, or -1
 * after reporting; the caller undoes a failure by writing the other way.
 */
int set_indexes_write(const struct map_fds *fds, unsigned int set,
		      unsigned int slot, const struct prefix_list *from,
		      const struct prefix_list *to);

#endif
