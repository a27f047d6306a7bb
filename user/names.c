// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "names.h"
#include "util.h"

/* FNV-1a */
static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 32));
}

/* The name of element pos: only ever of an element there is. */
static const char *name_at(const void *v, size_t off, size_t stride, size_t pos)
{
	return (const char *)v + pos * stride + off;
}

long name_index_find(const struct name_index *ix, const void *v, size_t off,
		     size_t stride, const char *name)
{
	size_t mask = ix->cap - 1;

	if (!ix->cap)
		return -1;
	for (size_t i = hash(name) & mask; ix->slot[i]; i = (i + 1) & mask) {
		size_t pos = ix->slot[i] - 1;

		if (!strcmp(name_at(v, off, stride, pos), name))
			return (long)pos;
	}
	return -1;
}

static void insert(struct name_index *ix, const void *v, size_t off,
		   size_t stride, size_t pos)
{
	size_t mask = ix->cap - 1;
	size_t i = hash(name_at(v, off, stride, pos)) & mask;

	while (ix->slot[i])
		i = (i + 1) & mask;
	ix->slot[i] = pos + 1;
}

void name_index_add(struct name_index *ix, const void *v, size_t off,
		    size_t stride, size_t pos)
{
	/* at most half full: probes stay short */
	if (2 * (ix->n + 1) > ix->cap) {
		struct name_index grown = { .cap = ix->cap ? 2 * ix->cap : 16,
					    .n = ix->n };

		grown.slot = xcalloc(grown.cap, sizeof(*grown.slot));
		for (size_t i = 0; i < ix->cap; i++) {
			if (ix->slot[i])
				insert(&grown, v, off, stride, ix->slot[i] - 1);
		}
		free(ix->slot);
		*ix = grown;
	}
	insert(ix, v, off, stride, pos);
	ix->n++;
}

void name_index_free(struct name_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}
