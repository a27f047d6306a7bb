// SPDX-License-Identifier: GPL-2.0
/*
 * What a set change leans on, made fast for a million prefixes (issue 15):
 * prefix_format writes what inet_ntop writes, for random addresses with
 * runs of zero groups of every length and place, and the embedded IPv4
 * forms; plist_sort sorts as qsort does whatever the input's order (sorted,
 * two sorted runs, reversed, random, duplicates, long lists in buckets);
 * plist_subtract,
 * plist_difference answer as a search per prefix does, and plist_overlaps,
 * which merges its sorted lists, as the sort of both it replaced.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prefix_list.h"
#include "tap.h"

/* Addresses with few distinct groups: zero runs, repeats, 0xffff. */
static void random_addr(struct prefix *p, __u8 family)
{
	static const __u16 groups[] = { 0, 0, 0, 1, 0xffff, 0x10, 0xabc };

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = rand() % (family_bits(family) + 1);
	for (int i = 0; i < 8; i++) {
		__u16 g = rand() % 3 ? groups[rand() % 7] : rand();

		p->addr.b[2 * i] = g >> 8;
		p->addr.b[2 * i + 1] = g;
	}
	if (family == EDGEFW_FAMILY_IPV4)
		memset(p->addr.b + 4, 0, 12);
}

static void reference_format(const struct prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	bool v4 = p->family == EDGEFW_FAMILY_IPV4;

	inet_ntop(v4 ? AF_INET : AF_INET6, p->addr.b, a, sizeof(a));
	if (p->len == family_bits(p->family))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
}

static void check_format(void)
{
	static const char *const fixed[] = {
		"::",
		"::1",
		"1::",
		"1::2",
		"::ffff:1.2.3.4",
		"::1.2.3.4",
		"1:0:0:1:0:0:0:1",
		"1:0:0:2:0:0:3:4",
		"0:0:1::",
		"2001:db8::/32",
		"::ffff:0:0/96",
		"0.0.0.0/0",
		"255.255.255.255",
	};
	int wrong = 0, n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		char why[128], got[PREFIX_STRLEN], want[PREFIX_STRLEN];
		struct prefix p;

		/* prefix_parse takes ::ffff:a.b.c.d as IPv4; format as such */
		if (prefix_parse(fixed[i], &p, why, sizeof(why)) &&
		    addr_parse(fixed[i], &p, why, sizeof(why)))
			tap_bail("cannot parse %s: %s", fixed[i], why);
		prefix_format(&p, got, sizeof(got));
		reference_format(&p, want, sizeof(want));
		if (strcmp(got, want))
			tap_diag("%s: got %s, inet_ntop %s", fixed[i], got,
				 want);
		wrong += !!strcmp(got, want);
		n++;
	}
	for (int i = 0; i < 200000; i++) {
		char got[PREFIX_STRLEN], want[PREFIX_STRLEN];
		struct prefix p;

		random_addr(&p,
			    i % 4 ? EDGEFW_FAMILY_IPV6 : EDGEFW_FAMILY_IPV4);
		prefix_format(&p, got, sizeof(got));
		reference_format(&p, want, sizeof(want));
		if (strcmp(got, want) && wrong < 5)
			tap_diag("got %s, inet_ntop %s", got, want);
		wrong += !!strcmp(got, want);
		n++;
	}
	CHECK_EQ(wrong, 0,
		 "prefix_format writes what inet_ntop writes (%d addresses)",
		 n);
}

static int cmp_ref(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

/* n prefixes from a small space, so that some are equal */
static void fill(struct prefix_list *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct prefix p = { .family = rand() % 2 ? EDGEFW_FAMILY_IPV6
							 : EDGEFW_FAMILY_IPV4 };

		p.addr.b[0] = rand() % 64;
		p.addr.b[3] = rand() % 4;
		p.len = 8 + rand() % 4;
		plist_add(l, &p);
	}
}

static bool sorted_as_qsort(const struct prefix_list *l,
			    const struct prefix *want)
{
	return !l->n || !memcmp(l->v, want, l->n * sizeof(*want));
}

static void check_sort(void)
{
	const char *const kinds[] = { "random", "sorted", "two runs",
				      "reversed",
				      "two runs, the second empty" };
	int wrong[5] = {};

	for (int round = 0; round < 500; round++) {
		for (int kind = 0; kind < 5; kind++) {
			struct prefix_list l = {}, a = {};
			size_t n = 1 + rand() % 300, mid;
			struct prefix *want;

			fill(&l, n);
			if (kind == 1 || kind == 4)
				qsort(l.v, n, sizeof(*l.v), cmp_ref);
			if (kind == 2) {
				mid = rand() % n;
				qsort(l.v, mid, sizeof(*l.v), cmp_ref);
				qsort(l.v + mid, n - mid, sizeof(*l.v),
				      cmp_ref);
			}
			if (kind == 3) {
				qsort(l.v, n, sizeof(*l.v), cmp_ref);
				for (size_t i = 0; i < n / 2; i++) {
					struct prefix t = l.v[i];

					l.v[i] = l.v[n - 1 - i];
					l.v[n - 1 - i] = t;
				}
			}
			want = malloc(n * sizeof(*want));
			memcpy(want, l.v, n * sizeof(*want));
			qsort(want, n, sizeof(*want), cmp_ref);
			plist_sort(&l);
			wrong[kind] += !sorted_as_qsort(&l, want);
			free(want);
			plist_free(&a);
			plist_free(&l);
		}
	}
	for (int kind = 0; kind < 5; kind++)
		CHECK_EQ(
			wrong[kind], 0,
			"plist_sort: %s input sorted as qsort sorts it (500 lists)",
			kinds[kind]);
}

/*
 * Long lists in no order, as a file gives them: plist_sort puts them in
 * buckets by their first bits, each sorted by insertion or, past 32
 * prefixes, by qsort. Full-length random addresses of both families
 * (small buckets), some in one /16 (one big bucket), equal ones, and a
 * family that is neither (qsort of the whole).
 */
static void check_bucket_sort(void)
{
	int wrong = 0, wrong_family = 0;

	for (int round = 0; round < 40; round++) {
		struct prefix_list l = {};
		size_t n = 1000 + rand() % 20000;
		struct prefix *want;

		for (size_t i = 0; i < n; i++) {
			struct prefix p;

			if (i && rand() % 8 == 0) {
				p = l.v[rand() % i]; /* a duplicate */
			} else {
				random_addr(&p, rand() % 2
							? EDGEFW_FAMILY_IPV6
							: EDGEFW_FAMILY_IPV4);
				for (int b = 0; b < 4; b++)
					p.addr.b[b] = rand();
				if (rand() % 4 == 0) /* one bucket */
					p.addr.b[0] = 203, p.addr.b[1] = 0;
			}
			plist_add(&l, &p);
		}
		if (round % 8 == 7)
			l.v[rand() % n].family = 0;
		want = malloc(n * sizeof(*want));
		memcpy(want, l.v, n * sizeof(*want));
		qsort(want, n, sizeof(*want), cmp_ref);
		plist_sort(&l);
		if (round % 8 == 7)
			wrong_family += !sorted_as_qsort(&l, want);
		else
			wrong += !sorted_as_qsort(&l, want);
		free(want);
		plist_free(&l);
	}
	CHECK_EQ(
		wrong, 0,
		"plist_sort: long random lists, small and big buckets, sorted as qsort sorts them (35 lists)");
	CHECK_EQ(
		wrong_family, 0,
		"plist_sort: a list with a prefix of no family sorted as qsort sorts it (5 lists)");
}

struct tagged {
	struct prefix p;
	bool is_new;
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	int c = prefix_cmp(&x->p, &y->p);

	return c ? c : (int)x->is_new - (int)y->is_new;
}

/*
 * plist_overlaps as it was before it merged its sorted lists: qsort of
 * both, then the same sweep with a stack of enclosing prefixes, where
 * only the nearest one of the other list counts.
 */
static size_t reference_overlaps(const struct prefix_list *news,
				 const struct prefix_list *olds)
{
	size_t n = news->n + olds->n, depth = 0, count = 0;
	struct tagged *all = calloc(n + 1, sizeof(*all));
	struct tagged **stack = calloc(n + 1, sizeof(*stack));
	bool *counted = calloc(n + 1, sizeof(*counted));

	for (size_t i = 0; i < news->n; i++)
		all[i] = (struct tagged){ news->v[i], true };
	for (size_t i = 0; i < olds->n; i++)
		all[news->n + i] = (struct tagged){ olds->v[i], false };
	qsort(all, n, sizeof(*all), cmp_tagged);
	for (size_t i = 0; i < n; i++) {
		struct tagged *t = &all[i];

		while (depth && !prefix_contains(&stack[depth - 1]->p, &t->p))
			depth--;
		for (size_t d = depth; d-- > 0;) {
			struct tagged *fresh = t->is_new ? t : stack[d];

			if (stack[d]->is_new == t->is_new)
				continue;
			if (!counted[fresh - all]) {
				counted[fresh - all] = true;
				count++;
			}
			break;
		}
		stack[depth++] = t;
	}
	free(counted);
	free(stack);
	free(all);
	return count;
}

/* memcmp of an empty list would be passed NULL: undefined */
static bool same_list(const struct prefix_list *x, const struct prefix_list *y)
{
	return x->n == y->n &&
	       (!x->n || !memcmp(x->v, y->v, x->n * sizeof(*x->v)));
}

static void check_sets(void)
{
	int wrong_sub = 0, wrong_diff = 0, wrong_overlaps = 0;

	for (int round = 0; round < 500; round++) {
		struct prefix_list a = {}, b = {}, sub = {}, diff = {},
				   want = {};
		size_t overlaps = 0;

		fill(&a, rand() % 200);
		fill(&b, rand() % 200);
		plist_sort_unique(&a);
		plist_sort_unique(&b);
		for (size_t i = 0; i < a.n; i++) {
			if (!plist_contains(&b, &a.v[i]))
				plist_add(&want, &a.v[i]);
		}
		for (size_t i = 0; i < a.n; i++)
			plist_add(&sub, &a.v[i]);
		plist_subtract(&sub, &b);
		plist_difference(&a, &b, &diff);
		wrong_sub += !same_list(&sub, &want);
		wrong_diff += !same_list(&diff, &want);
		overlaps = reference_overlaps(&a, &b);
		wrong_overlaps += plist_overlaps(&a, &b, NULL, NULL) !=
				  overlaps;
		plist_free(&a);
		plist_free(&b);
		plist_free(&sub);
		plist_free(&diff);
		plist_free(&want);
	}
	CHECK_EQ(wrong_sub, 0,
		 "plist_subtract: what a search per prefix leaves (500 pairs)");
	CHECK_EQ(
		wrong_diff, 0,
		"plist_difference: what a search per prefix finds (500 pairs)");
	CHECK_EQ(
		wrong_overlaps, 0,
		"plist_overlaps: the overlaps the sort-based sweep found (500 pairs)");
}

int main(void)
{
	srand(15);
	check_format();
	check_sort();
	check_bucket_sort();
	check_sets();
	return tap_done();
}
