// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include "set4index.h"
#include "set6index.h"
#include "setindex.h"

const char *const set_index_map_names[NR_SET_INDEX_MAPS] = {
	[SET_INDEX_BY24] = "set4_by24",
	[SET_INDEX_BITS] = "set4_bits",
	[SET_INDEX_HEADS] = "set6_heads",
	[SET_INDEX_PREFIXES] = "set6_prefixes",
	[SET_INDEX_FILTER] = "set_filter",
};

static int write4(const int fds[], unsigned int slot,
		  const struct prefix_list *from, const struct prefix_list *to)
{
	struct set4_index old, new;
	int err;

	if (from)
		set4_index_build(&old, from->v, from->n);
	set4_index_build(&new, to->v, to->n);
	err = set4_index_write(fds[SET_INDEX_BY24], fds[SET_INDEX_BITS], slot,
			       from ? &old : NULL, &new);
	if (from)
		set4_index_free(&old);
	set4_index_free(&new);
	return err;
}

static int write6(const int fds[], unsigned int set, unsigned int slot,
		  const struct prefix_list *from, const struct prefix_list *to)
{
	struct set6_index old, new;
	int err;

	if (from)
		set6_index_build(&old, from->v, from->n);
	set6_index_build(&new, to->v, to->n);
	err = set6_index_write(fds[SET_INDEX_HEADS], fds[SET_INDEX_PREFIXES],
			       fds[SET_INDEX_FILTER], set, slot,
			       from ? &old : NULL, &new);
	if (from)
		set6_index_free(&old);
	set6_index_free(&new);
	return err;
}

int set_indexes_write(const int fds[NR_SET_INDEX_MAPS], unsigned int set,
		      unsigned int slot, const struct prefix_list *from,
		      const struct prefix_list *to)
{
	return write4(fds, slot, from, to) || write6(fds, set, slot, from, to)
		       ? -1
		       : 0;
}
