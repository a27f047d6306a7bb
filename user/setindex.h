/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Both indexes of a set with an index slot (see edgefw.h): moved from one
 * list of the set's prefixes to another, IPv4 first, then IPv6.
 */
#ifndef EDGEFW_SETINDEX_H
#define EDGEFW_SETINDEX_H

#include "prefix_list.h"

/* The generation's maps the indexes live in. */
enum set_index_map {
	SET_INDEX_BY24,
	SET_INDEX_BITS,
	SET_INDEX_HEADS,
	SET_INDEX_PREFIXES,
	SET_INDEX_FILTER,
	NR_SET_INDEX_MAPS,
};

/* Their names, which are the maps' names and their pins'. */
extern const char *const set_index_map_names[NR_SET_INDEX_MAPS];

/*
 * Make the indexes of set id set, in slot, go from the prefixes in from
 * (NULL: empty maps) to those in to. 0, or -1 after reporting; the
 * caller undoes a failure by writing the other way.
 */
int set_indexes_write(const int fds[NR_SET_INDEX_MAPS], unsigned int set,
		      unsigned int slot, const struct prefix_list *from,
		      const struct prefix_list *to);

#endif
