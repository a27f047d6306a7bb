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

void plist_free(struct prefix_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

void plist_sort(struct prefix_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_prefix);
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

void plist_subtract(struct prefix_list *l, const struct prefix_list *drop)
{
	size_t out = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (!plist_contains(drop, &l->v[i]))
			l->v[out++] = l->v[i];
	}
	l->n = out;
}

struct tagged {
	struct prefix p;
	bool is_new;
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	int c = prefix_cmp(&x->p, &y->p);

	/* an old prefix before a new equal one: the new one lies inside */
	return c ? c : (int)x->is_new - (int)y->is_new;
}

/*
 * Sorted by address then length, a prefix comes right after the prefixes
 * that hold it: a stack of the enclosing prefixes finds every overlap in
 * one sweep.
 */
size_t plist_overlaps(const struct prefix_list *news,
		      const struct prefix_list *olds,
		      void (*found)(const struct prefix *inner,
				    const struct prefix *outer, void *ctx),
		      void *ctx)
{
	size_t n = news->n + olds->n, depth = 0, count = 0;
	struct tagged *all = xcalloc(n, sizeof(*all));
	struct tagged **stack = xcalloc(n, sizeof(*stack));
	bool *counted = NULL;

	for (size_t i = 0; i < news->n; i++)
		all[i] = (struct tagged){ news->v[i], true };
	for (size_t i = 0; i < olds->n; i++)
		all[news->n + i] = (struct tagged){ olds->v[i], false };
	qsort(all, n, sizeof(*all), cmp_tagged);
	counted = xcalloc(n, sizeof(*counted));

	for (size_t i = 0; i < n; i++) {
		struct tagged *t = &all[i];

		while (depth && !prefix_contains(&stack[depth - 1]->p, &t->p))
			depth--;
		/* only the nearest enclosing prefix of the other kind matters */
		for (size_t d = depth; d-- > 0;) {
			struct tagged *outer = stack[d];
			struct tagged *fresh = t->is_new ? t : outer;

			if (outer->is_new == t->is_new)
				continue;
			if (!counted[fresh - all]) {
				counted[fresh - all] = true;
				count++;
			}
			if (found)
				found(&t->p, &outer->p, ctx);
			break;
		}
		stack[depth++] = t;
	}
	free(counted);
	free(stack);
	free(all);
	return count;
}
