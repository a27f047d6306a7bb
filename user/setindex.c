// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include "set4index.h"
#include "set6index.h"
#include "setindex.h"

static int write4(const struct map_fds *fds, unsigned int slot,
		  const struct prefix_list *from, const struct prefix_list *to)
{
	struct set4_index old, new;
	int err;

	if (from)
		set4_index_build(&old, from->v, from->n);
	set4_index_build(&new, to->v, to->n);
	err = set4_index_write(fds->fd[MAP_SET4_BY24], fds->fd[MAP_SET4_ANY],
			       fds->fd[MAP_SET4_BITS], slot, from ? &old : NULL,
			       &new);
	if (from)
		set4_index_free(&old);
	set4_index_free(&new);
	return err;
}

static int write6(const struct map_fds *fds, unsigned int set,
		  unsigned int slot, const struct prefix_list *from,
		  const struct prefix_list *to)
{
	struct set6_index old, new;
	int err;

	if (from)
		set6_index_build(&old, from->v, from->n);
	set6_index_build(&new, to->v, to->n);
	err = set6_index_write(fds->fd[MAP_SET6_HEADS],
			       fds->fd[MAP_SET6_PREFIXES],
			       fds->fd[MAP_SET_FILTER], fds->fd[MAP_SET6_CACHE],
			       set, slot, from ? &old : NULL, &new);
	if (from)
		set6_index_free(&old);
	set6_index_free(&new);
	return err;
}

int set_indexes_write(const struct map_fds *fds, unsigned int set,
		      unsigned int slot, const struct prefix_list *from,
		      const struct prefix_list *to)
{
	return write4(fds, slot, from, to) || write6(fds, set, slot, from, to)
		       ? -1
		       : 0;
}
