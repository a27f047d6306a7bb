// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "blockmap.h"
#include "prefix_list.h"
#include "util.h"

/*
 * The data plane compares with bpf_ktime_get_boot_ns(): the time left, on
 * that clock. Every sync converts from the same deadline, to the ms.
 */
static __u64 expiry_ns(int64_t expires_ms)
{
	/* 146 years: a later deadline (in ns from 2262 on) is as far */
	const int64_t far = (int64_t)1 << 62;
	int64_t left = far;

	if (!expires_ms)
		return 0;
	if (expires_ms < far / 1000000)
		left = expires_ms * 1000000 - clock_ns(CLOCK_REALTIME);
	return clock_ns(CLOCK_BOOTTIME) + (left > 0 ? left : 0) +
	       1; /* never 0, which means "never" */
}

/* The later of two expiries, where 0 is never. */
static int64_t later(int64_t a, int64_t b)
{
	return !a || !b ? 0 : a > b ? a : b;
}

static int cmp_entry(const void *a, const void *b)
{
	return prefix_cmp(&((const struct block_entry *)a)->prefix,
			  &((const struct block_entry *)b)->prefix);
}

static int cmp_prefix_entry(const void *p, const void *e)
{
	return prefix_cmp(p, &((const struct block_entry *)e)->prefix);
}

/*
 * Sorted by address then length, an entry comes right after the entries
 * that cover it: a stack of the covering entries gives each its effective
 * expiry in one sweep.
 */
static struct block_entry *effective_entries(const struct blocks *b)
{
	struct block_entry *e = xcalloc(b->n, sizeof(*e));
	struct block_entry **stack = xcalloc(b->n, sizeof(*stack));
	size_t depth = 0;

	if (b->n) {
		memcpy(e, b->v, b->n * sizeof(*e));
		qsort(e, b->n, sizeof(*e), cmp_entry);
	}
	for (size_t i = 0; i < b->n; i++) {
		while (depth && !prefix_contains(&stack[depth - 1]->prefix,
						 &e[i].prefix))
			depth--;
		if (depth)
			e[i].expires_ms = later(e[i].expires_ms,
						stack[depth - 1]->expires_ms);
		stack[depth++] = &e[i];
	}
	free(stack);
	return e;
}

static int put(int map_fd, const struct block_entry *e)
{
	struct edgefw_set_key key;
	struct edgefw_block val = { .expires_ns = expiry_ns(e->expires_ms) };

	prefix_set_key(&e->prefix, 0, &key);
	return bpf_map_update_elem(map_fd, &key, &val, BPF_ANY) ? -errno : 0;
}

static int del(int map_fd, const struct prefix *p)
{
	struct edgefw_set_key key;

	prefix_set_key(p, 0, &key);
	if (bpf_map_delete_elem(map_fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

static int set_count(int control_fd, size_t n)
{
	struct edgefw_control ctl = { .nr_blocked = n };
	__u32 zero = 0;

	return bpf_map_update_elem(control_fd, &zero, &ctl, BPF_ANY) ? -errno
								     : 0;
}

int blockmap_sync(int map_fd, int control_fd, const struct blocks *b)
{
	struct edgefw_set_key key, next, *prev = NULL;
	struct block_entry *eff = effective_entries(b);
	struct prefix_list stale = {};
	int err = 0;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		struct prefix p;

		key = next;
		prev = &key;
		prefix_from_set_key(&key, &p);
		/* eff is sorted: a burst of blocks stays linear per change */
		if (!bsearch(&p, eff, b->n, sizeof(*eff), cmp_prefix_entry))
			plist_add(&stale, &p);
	}
	/* the count first: the data plane looks only while it is non-zero */
	if (b->n)
		err = set_count(control_fd, b->n);
	for (size_t i = 0; i < stale.n && !err; i++)
		err = del(map_fd, &stale.v[i]);
	for (size_t i = 0; i < b->n && !err; i++)
		err = put(map_fd, &eff[i]);
	if (!err && !b->n)
		err = set_count(control_fd, 0);
	plist_free(&stale);
	free(eff);
	return err;
}
