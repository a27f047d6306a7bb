/* SPDX-License-Identifier: GPL-2.0 */
/* Growable lists of prefixes: sorting, membership, overlaps. */
#ifndef EDGEFW_PREFIX_LIST_H
#define EDGEFW_PREFIX_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include "addr.h"

struct prefix_list {
	struct prefix *v;
	size_t n;
	size_t cap;
};

void plist_add(struct prefix_list *l, const struct prefix *p);
/* Room for n more prefixes, so that adding them moves nothing. */
void plist_reserve(struct prefix_list *l, size_t n);
/* The n prefixes of v added at once. */
void plist_append(struct prefix_list *l, const struct prefix *v, size_t n);
void plist_free(struct prefix_list *l);

/*
 * Sort by family, address and length: in one pass when the list is
 * sorted already or two sorted lists one after the other.
 */
void plist_sort(struct prefix_list *l);

/* Sort, and drop duplicates; returns how many. */
size_t plist_sort_unique(struct prefix_list *l);

/* A prefix that a sorted list holds more than once, or NULL. */
const struct prefix *plist_first_duplicate(const struct prefix_list *sorted);

/* Membership in a sorted list: its entry, or NULL. */
const struct prefix *plist_find(const struct prefix_list *sorted,
				const struct prefix *p);
bool plist_contains(const struct prefix_list *sorted, const struct prefix *p);

/* Remove the prefixes of sorted drop from sorted l. */
void plist_subtract(struct prefix_list *l, const struct prefix_list *drop);

/* What sorted a holds and sorted b does not, added to out (sorted). */
void plist_difference(const struct prefix_list *a, const struct prefix_list *b,
		      struct prefix_list *out);

/*
 * Calls found(inner, outer, ctx) for each prefix of news that lies inside
 * a prefix of olds, or that holds one; both lists sorted. Returns the
 * number of overlapping prefixes of news.
 */
size_t plist_overlaps(const struct prefix_list *news,
		      const struct prefix_list *olds,
		      void (*found)(const struct prefix *inner,
				    const struct prefix *outer, void *ctx),
		      void *ctx);

#endif
