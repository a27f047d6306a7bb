// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "prefix_list.h"
#include "util.h"

void plist_add(struct prefix_list *l, const struct prefix *p)
{
	GROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = *p;
}

void plist_reserve(struct prefix_list *l, size_t n)
{
	GROW(l->v, l->cap, l->n + n);
}

void plist_append(struct prefix_list *l, const struct prefix *v, size_t n)
{
	if (!n)
		return;
	plist_reserve(l, n);
	memcpy(l->v + l->n, v, n * sizeof(*v));
	l->n += n;
}

void plist_free(struct prefix_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

/* The end of the sorted run of v that starts at from. */
static size_t run_end(const struct prefix *v, size_t from, size_t n)
{
	size_t i = from + 1;

	while (i < n && prefix_cmp(&v[i - 1], &v[i]) <= 0)
		i++;
	return i;
}

/* v[0, mid) and v[mid, n) sorted: merged in place, stably. */
static void merge_runs(struct prefix *v, size_t mid, size_t n)
{
	struct prefix *left = xcalloc(mid, sizeof(*left));
	size_t i = 0, j = mid, o = 0;

	memcpy(left, v, mid * sizeof(*v));
	while (i < mid && j < n)
		v[o++] = prefix_cmp(&v[j], &left[i]) < 0 ? v[j++] : left[i++];
	while (i < mid)
		v[o++] = left[i++];
	free(left);
}

/* The buckets of bucket_sort: the family, then an address's first 15 bits. */
#define SORT_BUCKETS (1U << 16)
/* Buckets this small are sorted by insertion; larger ones by qsort. */
#define INSERTION_MAX 32

_Static_assert(EDGEFW_FAMILY_IPV4 < EDGEFW_FAMILY_IPV6,
	       "bucket_of orders IPv4 first, as prefix_cmp does");

static unsigned int bucket_of(const struct prefix *p)
{
	return (unsigned int)(p->family == EDGEFW_FAMILY_IPV6) << 15 |
	       (unsigned int)p->addr.b[0] << 7 | p->addr.b[1] >> 1;
}

static void insertion_sort(struct prefix *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct prefix x = v[i];
		size_t j = i;

		for (; j && prefix_cmp(&x, &v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * A list in no order (a file of prefixes): scattered into buckets in
 * prefix_cmp's order by their first bits, then each bucket sorted; a
 * random million costs two passes and small sorts, not a qsort's
 * twenty compares through a pointer per prefix.
 */
static void bucket_sort(struct prefix_list *l)
{
	size_t *end = xcalloc(SORT_BUCKETS, sizeof(*end));
	struct prefix *out;

	for (size_t i = 0; i < l->n; i++) {
		const struct prefix *p = &l->v[i];

		if (p->family != EDGEFW_FAMILY_IPV4 &&
		    p->family != EDGEFW_FAMILY_IPV6) {
			free(end);
			qsort(l->v, l->n, sizeof(*l->v), cmp_prefix);
			return;
		}
		end[bucket_of(p)]++;
	}
	/* end[b]: where bucket b starts, then, once filled, where it ends */
	for (size_t b = 0, at = 0; b < SORT_BUCKETS; b++) {
		size_t count = end[b];

		end[b] = at;
		at += count;
	}
	out = xcalloc(l->n, sizeof(*out));
	for (size_t i = 0; i < l->n; i++)
		out[end[bucket_of(&l->v[i])]++] = l->v[i];
	for (size_t b = 0, start = 0; b < SORT_BUCKETS; start = end[b++]) {
		size_t n = end[b] - start;

		if (n <= INSERTION_MAX)
			insertion_sort(out + start, n);
		else
			qsort(out + start, n, sizeof(*out), cmp_prefix);
	}
	free(end);
	free(l->v);
	l->v = out;
	l->cap = l->n;
}

/*
 * The lists of a set change are mostly sorted already, or two sorted
 * lists one after the other (a set and what is added to it): those are
 * checked or merged in one pass instead of sorted again.
 */
void plist_sort(struct prefix_list *l)
{
	size_t mid;

	if (l->n < 2)
		return;
	mid = run_end(l->v, 0, l->n);
	if (mid == l->n)
		return;
	if (run_end(l->v, mid, l->n) == l->n)
		merge_runs(l->v, mid, l->n);
	else
		bucket_sort(l);
}

const struct prefix *plist_first_duplicate(const struct prefix_list *sorted)
{
	for (size_t i = 1; i < sorted->n; i++) {
		if (!prefix_cmp(&sorted->v[i - 1], &sorted->v[i]))
			return &sorted->v[i];
	}
	return NULL;
}

size_t plist_sort_unique(struct prefix_list *l)
{
	size_t out = 0, n = l->n;

	plist_sort(l);
	for (size_t i = 0; i < n; i++) {
		if (out && !prefix_cmp(&l->v[out - 1], &l->v[i]))
			continue;
		l->v[out++] = l->v[i];
	}
	l->n = out;
	return n - out;
}

const struct prefix *plist_find(const struct prefix_list *sorted,
				const struct prefix *p)
{
	if (!sorted->n)
		return NULL;
	return bsearch(p, sorted->v, sorted->n, sizeof(*p), cmp_prefix);
}

bool plist_contains(const struct prefix_list *sorted, const struct prefix *p)
{
	return plist_find(sorted, p) != NULL;
}

/* Both sorted: one pass over each, where a search per prefix took n log n. */
void plist_subtract(struct prefix_list *l, const struct prefix_list *drop)
{
	size_t out = 0, j = 0;

	for (size_t i = 0; i < l->n; i++) {
		int c = 1;

		while (j < drop->n &&
		       (c = prefix_cmp(&drop->v[j], &l->v[i])) < 0)
			j++;
		if (j == drop->n || c != 0)
			l->v[out++] = l->v[i];
	}
	l->n = out;
}

void plist_difference(const struct prefix_list *a, const struct prefix_list *b,
		      struct prefix_list *out)
{
	size_t j = 0;

	plist_reserve(out, a->n);
	for (size_t i = 0; i < a->n; i++) {
		int c = 1;

		while (j < b->n && (c = prefix_cmp(&b->v[j], &a->v[i])) < 0)
			j++;
		if (j == b->n || c != 0)
			out->v[out->n++] = a->v[i];
	}
}

struct tagged {
	struct prefix p;
	bool is_new;
	bool counted; /* a new prefix already counted as overlapping */
};

static int cmp_tagged(const struct tagged *x, const struct tagged *y)
{
	int c = prefix_cmp(&x->p, &y->p);

	/* an old prefix before a new equal one: the new one lies inside */
	return c ? c : (int)x->is_new - (int)y->is_new;
}

/*
 * Sorted by address then length, a prefix comes right after the prefixes
 * that hold it: a stack of the enclosing prefixes finds every overlap in
 * one sweep of both lists merged (an old prefix before an equal new one).
 * The stack holds a chain of prefixes each inside the one below: a few.
 */
size_t plist_overlaps(const struct prefix_list *news,
		      const struct prefix_list *olds,
		      void (*found)(const struct prefix *inner,
				    const struct prefix *outer, void *ctx),
		      void *ctx)
{
	size_t depth = 0, cap = 0, count = 0, i = 0, j = 0;
	struct tagged *stack = NULL;

	if (!news->n || !olds->n)
		return 0;
	while (i < news->n || j < olds->n) {
		struct tagged nt = {}, ot = {}, t;

		if (i < news->n)
			nt = (struct tagged){ news->v[i], true, false };
		if (j < olds->n)
			ot = (struct tagged){ olds->v[j], false, false };
		if (j == olds->n || (i < news->n && cmp_tagged(&nt, &ot) < 0)) {
			t = nt;
			i++;
		} else {
			t = ot;
			j++;
		}
		while (depth && !prefix_contains(&stack[depth - 1].p, &t.p))
			depth--;
		/* only the nearest enclosing prefix of the other kind matters */
		for (size_t d = depth; d-- > 0;) {
			struct tagged *outer = &stack[d];
			bool *counted = t.is_new ? &t.counted : &outer->counted;

			if (outer->is_new == t.is_new)
				continue;
			if (!*counted) {
				*counted = true;
				count++;
			}
			if (found)
				found(&t.p, &outer->p, ctx);
			break;
		}
		GROW(stack, cap, depth + 1);
		stack[depth++] = t;
	}
	free(stack);
	return count;
}
