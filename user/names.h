/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hash index of the names of an array of structs (sets, rules,
 * interfaces of a config; the sets of sets.json): a name is found in
 * constant time, however many there are. The index holds positions only;
 * the names stay in the array, which may move (realloc) between calls:
 * each call is given where it is now.
 */
#ifndef EDGEFW_NAMES_H
#define EDGEFW_NAMES_H

#include <stddef.h>

struct name_index {
	size_t *slot; /* position + 1 of the name hashed here; 0: free */
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

/* Where the names are: array v (of structs, maybe NULL), its member m. */
#define NAMES_OF(v, m) (v), offsetof(__typeof__(*(v)), m), sizeof(*(v))

/*
 * The position of name among the names of array v, each at offset off of
 * an element of stride bytes; -1 when it is not indexed.
 */
long name_index_find(const struct name_index *ix, const void *v, size_t off,
		     size_t stride, const char *name);

/* Index the name of element pos of array v. */
void name_index_add(struct name_index *ix, const void *v, size_t off,
		    size_t stride, size_t pos);

void name_index_free(struct name_index *ix);

#endif
