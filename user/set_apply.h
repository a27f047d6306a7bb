/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A named set of the running generation taken from what it holds to what
 * it is to hold, as a difference: the set's filters widened for what
 * comes, the trie's entries added and removed in batches, the index
 * slot's parts rewritten. The caller holds the state lock.
 */
#ifndef EDGEFW_SET_APPLY_H
#define EDGEFW_SET_APPLY_H

#include "inspect.h"
#include "prefix_list.h"

/*
 * before: what the kernel holds for set now; after: what it is to hold
 * (both sorted, unique). 0, or -1 after reporting, the set as before.
 * The sets' digest in l->st follows the change; in the state file it is
 * cleared before the maps change, and the caller writes it again.
 */
int set_apply(struct loaded *l, unsigned int set,
	      const struct prefix_list *before,
	      const struct prefix_list *after);

#endif
