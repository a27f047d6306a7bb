/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Changing a named set of the running config, and reading it back. The
 * caller holds the state lock.
 */
#ifndef EDGEFW_OP_SET_H
#define EDGEFW_OP_SET_H

#include <stdbool.h>
#include "inspect.h"
#include "prefix_list.h"

#define SET_OVERLAPS_SHOWN 3

/* What a change found in its input, for the caller to tell. */
struct set_change_report {
	size_t changed; /* prefixes added or removed */
	size_t duplicates; /* in the input, counted once */
	size_t skipped; /* already in the set (add), or not in it (del) */
	size_t overlaps; /* new prefixes inside, or holding, one in the set */
	struct prefix shown[SET_OVERLAPS_SHOWN][2]; /* the first: inner, outer */
	size_t nr_shown;
	double seconds;
};

/*
 * Add the prefixes of input to the set name (add), or remove them. The
 * kernel takes the change (trie, filters, index), then sets.json records
 * it; when a step fails the steps before it are undone and the set is as
 * it was. input is sorted and made unique. 0, or an op_error.
 */
int op_set_change(struct loaded *l, const char *name, bool add,
		  struct prefix_list *input, struct set_change_report *r);

/*
 * What the runtime state keeps of a set after a change of it: its size
 * by family (status, metrics) from what the kernel now holds, and the
 * protected prefixes (for block).
 */
struct set_changes_file;
void op_set_record_state(struct loaded *l, unsigned int set,
			 const struct prefix_list *now,
			 const struct set_changes_file *file);

/*
 * The set's prefixes, sorted, as the kernel was given them: the loaded
 * config's, its set changes (sets.json) and its partner domains'
 * addresses (partners.json). 0, or an op_error.
 */
int op_set_list(const struct loaded *l, const char *name,
		struct prefix_list *out);

#endif
