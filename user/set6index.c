// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "log.h"
#include "maps.h"
#include "set6cache.h"
#include "set6index.h"
#include "util.h"

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct edgefw_set6_key));
}

static int cmp_head(const void *a, const void *b)
{
	const struct set6_head *x = a, *y = b;

	return (x->net32 > y->net32) - (x->net32 < y->net32);
}

static __u32 net32_of(const struct edgefw_set6_key *k)
{
	return ntohl(k->net.w[0]);
}

/* By /32 network, then longest first: the order of a head's lengths. */
static int cmp_by_network(const void *a, const void *b)
{
	const struct edgefw_set6_key *x = a, *y = b;
	__u32 nx = net32_of(x), ny = net32_of(y);

	if (nx != ny)
		return (nx > ny) - (nx < ny);
	if (x->len != y->len)
		return y->len - x->len;
	return cmp_key(a, b);
}

/*
 * The prefixes of a sorted list come by /32 already: only those within
 * one /32 (a few) are sorted then; any other order is sorted whole.
 */
static void sort_by_network(struct edgefw_set6_key *v, size_t n)
{
	size_t start = 0;

	for (size_t i = 1; i < n; i++) {
		if (net32_of(&v[i]) < net32_of(&v[i - 1])) {
			qsort(v, n, sizeof(*v), cmp_by_network);
			return;
		}
	}
	for (size_t i = 1; i <= n; i++) {
		if (i < n && net32_of(&v[i]) == net32_of(&v[start]))
			continue;
		if (i - start > 1)
			qsort(v + start, i - start, sizeof(*v), cmp_by_network);
		start = i;
	}
}

static void add_key(struct set6_index *ix, size_t *cap,
		    const struct edgefw_set6_key *k)
{
	GROW(ix->prefixes, *cap, ix->nr_prefixes + 1);
	ix->prefixes[ix->nr_prefixes++] = *k;
}

/*
 * The head of the /32 network whose prefixes are in_net[0..n), sorted by
 * cmp_by_network; adds the exact lookups it leads to.
 */
static struct set6_head head_of(struct set6_index *ix, size_t *cap,
				const struct edgefw_set6_key *in_net, size_t n)
{
	struct set6_head h = { .net32 = net32_of(&in_net[0]) };
	size_t nr_lens = 0, nr_prefixes = 0;

	for (size_t i = 0; i < n; i++) {
		if (in_net[i].len == 32) {
			h.head.state = EDGEFW_SET6_ALL;
			return h;
		}
		nr_lens += !i || in_net[i].len != in_net[i - 1].len;
		nr_prefixes += !i || cmp_key(&in_net[i], &in_net[i - 1]);
	}
	if (nr_prefixes <= EDGEFW_SET6_INLINE_MAX) {
		h.head.state = EDGEFW_SET6_INLINE;
		for (size_t i = 0; i < n; i++) {
			if (i && !cmp_key(&in_net[i], &in_net[i - 1]))
				continue;
			h.head.inline_len[h.head.nr] = in_net[i].len;
			memcpy(h.head.tail[h.head.nr++], &in_net[i].net.w[1],
			       sizeof(h.head.tail[0]));
		}
		return h;
	}
	h.head.state = nr_lens > EDGEFW_SET6_HEAD_LENS ? EDGEFW_SET6_MANY
						       : EDGEFW_SET6_LENS;
	for (size_t i = 0; i < n; i++) {
		unsigned int bit = in_net[i].len - EDGEFW_SET6_MANY_FIRST;

		if (h.head.state == EDGEFW_SET6_MANY)
			h.head.many[bit / 8] |= 1U << bit % 8;
		else if (!i || in_net[i].len != in_net[i - 1].len)
			h.head.len[h.head.nr++] = in_net[i].len;
		if (!i || cmp_key(&in_net[i], &in_net[i - 1]))
			add_key(ix, cap, &in_net[i]);
	}
	return h;
}

/* Heads come out sorted; short prefixes may repeat in the list. */
static void sort_unique_keys(struct set6_index *ix)
{
	size_t out = 0;

	if (ix->nr_prefixes > 1)
		qsort(ix->prefixes, ix->nr_prefixes, sizeof(*ix->prefixes),
		      cmp_key);
	for (size_t i = 0; i < ix->nr_prefixes; i++) {
		if (!out || cmp_key(&ix->prefixes[i], &ix->prefixes[out - 1]))
			ix->prefixes[out++] = ix->prefixes[i];
	}
	ix->nr_prefixes = out;
}

void set6_index_build(struct set6_index *ix, const struct prefix *v, size_t n)
{
	struct edgefw_set6_key *in_net = NULL;
	size_t nr_in_net = 0, in_net_cap = 0, key_cap = 0, head_cap = 0;
	size_t nr_v6 = prefixes_of_family(v, n, EDGEFW_FAMILY_IPV6);

	memset(ix, 0, sizeof(*ix));
	/* room for a head per prefix: the lists are not copied */
	GROW(in_net, in_net_cap, nr_v6);
	GROW(ix->heads, head_cap, nr_v6);
	for (size_t i = 0; i < n; i++) {
		struct edgefw_set6_key k;

		if (v[i].family != EDGEFW_FAMILY_IPV6)
			continue;
		edgefw_set6_key_of(&k, 0, &v[i].addr, v[i].len);
		if (v[i].len < 32) {
			ix->short_lens |= 1U << v[i].len;
			add_key(ix, &key_cap, &k);
			continue;
		}
		GROW(in_net, in_net_cap, nr_in_net + 1);
		in_net[nr_in_net++] = k;
	}
	sort_by_network(in_net, nr_in_net);
	for (size_t i = 0, end; i < nr_in_net; i = end) {
		for (end = i + 1;
		     end < nr_in_net &&
		     net32_of(&in_net[end]) == net32_of(&in_net[i]);
		     end++)
			;
		GROW(ix->heads, head_cap, ix->nr_heads + 1);
		ix->heads[ix->nr_heads++] =
			head_of(ix, &key_cap, &in_net[i], end - i);
	}
	free(in_net);
	sort_unique_keys(ix);
}

void set6_index_free(struct set6_index *ix)
{
	free(ix->heads);
	free(ix->prefixes);
	memset(ix, 0, sizeof(*ix));
}

static const struct set6_head *find_head(const struct set6_index *ix,
					 __u32 net32)
{
	struct set6_head want = { .net32 = net32 };

	if (!ix->nr_heads)
		return NULL;
	return bsearch(&want, ix->heads, ix->nr_heads, sizeof(*ix->heads),
		       cmp_head);
}

static bool has_key(const struct set6_index *ix,
		    const struct edgefw_set6_key *k)
{
	return ix->nr_prefixes && bsearch(k, ix->prefixes, ix->nr_prefixes,
					  sizeof(*k), cmp_key) != NULL;
}

static bool same_head(const struct set6_head *a, const struct set6_head *b)
{
	return a && b && !memcmp(&a->head, &b->head, sizeof(a->head));
}

/* The keys of from that to lacks (to NULL: all of them), slot set. */
static void prefixes_missing(struct map_batch *b, unsigned int slot,
			     const struct set6_index *from,
			     const struct set6_index *to)
{
	static const __u8 present = 1;

	for (size_t i = 0; i < from->nr_prefixes; i++) {
		struct edgefw_set6_key k = from->prefixes[i];

		if (to && has_key(to, &k))
			continue;
		k.slot = slot;
		map_batch_add(b, &k, b->value_size ? &present : NULL);
	}
}

/* The short6_lens of set's IPv6 filter; the rest of it stays. */
static int write_short_lens(int filter_fd, unsigned int set, __u32 lens)
{
	__u32 key = EDGEFW_FILTER_KEY(set, EDGEFW_FAMILY_IPV6);
	struct edgefw_set_filter f;

	if (bpf_map_lookup_elem(filter_fd, &key, &f))
		return -errno;
	f.short6_lens = lens;
	/* each bit is its own length: a torn read sees old or new */
	return bpf_map_update_elem(filter_fd, &key, &f, BPF_ANY) ? -errno : 0;
}

/*
 * The cache after set6_heads took the new heads and before it loses the
 * old (gone: their keys): the gone heads leave their entries first, which
 * the new heads may then take. Every new head is offered its entry, not
 * only the changed ones: one that another key held may have been freed
 * since.
 */
static int cache_write(int cache_fd, unsigned int slot,
		       const struct map_batch *gone,
		       const struct set6_index *new)
{
	const __u64 *gone_keys = gone->keys;
	struct set6_cache c;

	if (set6_cache_map(cache_fd, &c))
		return -1;
	for (size_t i = 0; i < gone->n; i++)
		set6_cache_drop(&c, gone_keys[i]);
	for (size_t i = 0; i < new->nr_heads; i++)
		set6_cache_put(&c,
			       EDGEFW_SET6_HEAD_KEY(slot, new->heads[i].net32),
			       &new->heads[i].head);
	set6_cache_unmap(&c);
	return 0;
}

int set6_index_write(int heads_fd, int prefixes_fd, int filter_fd, int cache_fd,
		     unsigned int set, unsigned int slot,
		     const struct set6_index *old, const struct set6_index *new)
{
	struct map_batch prefixes = { .key_size =
					      sizeof(struct edgefw_set6_key),
				      .value_size = sizeof(__u8) };
	struct map_batch heads = { .key_size = sizeof(__u64),
				   .value_size =
					   sizeof(struct edgefw_set6_head) };
	struct map_batch gone_heads = { .key_size = sizeof(__u64) };
	struct map_batch gone_prefixes = { .key_size = sizeof(
						   struct edgefw_set6_key) };
	__u32 short_was = old ? old->short_lens : 0;
	const char *what = "prefixes";
	int err;

	prefixes_missing(&prefixes, slot, new, old);
	map_batch_reserve(&heads, new->nr_heads);
	for (size_t i = 0; i < new->nr_heads; i++) {
		const struct set6_head *h = &new->heads[i];
		__u64 key = EDGEFW_SET6_HEAD_KEY(slot, h->net32);

		if (!old || !same_head(h, find_head(old, h->net32)))
			map_batch_add(&heads, &key, &h->head);
	}
	for (size_t i = 0; old && i < old->nr_heads; i++) {
		__u64 key = EDGEFW_SET6_HEAD_KEY(slot, old->heads[i].net32);

		if (!find_head(new, old->heads[i].net32))
			map_batch_add(&gone_heads, &key, NULL);
	}
	if (old)
		prefixes_missing(&gone_prefixes, slot, old, new);

	err = map_batch_update(prefixes_fd, &prefixes);
	if (!err) {
		err = map_batch_update(heads_fd, &heads);
		what = "/32 networks";
	}
	if (!err && new->short_lens != short_was) {
		err = write_short_lens(filter_fd, set, new->short_lens);
		what = "lengths under /32";
	}
	if (!err && cache_write(cache_fd, slot, &gone_heads, new)) {
		err = -1; /* reported */
		what = NULL;
	}
	if (!err) {
		err = map_batch_delete(heads_fd, &gone_heads);
		what = "stale /32 networks";
	}
	if (!err) {
		err = map_batch_delete(prefixes_fd, &gone_prefixes);
		what = "stale prefixes";
	}
	if (err == -E2BIG)
		log_err("cannot write the IPv6 index: it holds at most %u /32 networks, and %u prefixes shorter than /32 or in /32s with more than %d, in all sets together",
			EDGEFW_SET6_MAX_HEADS, EDGEFW_SET6_MAX_PREFIXES,
			EDGEFW_SET6_INLINE_MAX);
	else if (err && what)
		log_err("cannot write the IPv6 index (%s): %s", what,
			strerror(-err));
	map_batch_free(&prefixes);
	map_batch_free(&heads);
	map_batch_free(&gone_heads);
	map_batch_free(&gone_prefixes);
	return err ? -1 : 0;
}
