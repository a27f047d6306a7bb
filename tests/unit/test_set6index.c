// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv6 set index answers what an LPM lookup answers: for random sets
 * of every prefix length, crowded into a few /32 networks so that heads
 * hold many lengths, addresses inside, at the edges of and outside every
 * prefix are in the index exactly when some prefix holds them; only a /32
 * with more lengths than a head holds sends the lookup to the trie. And
 * the kernel maps hold the index after a write from empty and after
 * writes of the difference from one set to another.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "prefixgen.h"
#include "set6index.h"
#include "tap.h"
#include "util.h"

/* Wrong unless the index answers as the LPM does, or sends to the trie. */
static int wrong(const struct set6_index *ix, const struct prefix *v, size_t n,
		 u128 a, size_t *asked_trie)
{
	union edgefw_addr addr = addr_from_u128(a, EDGEFW_FAMILY_IPV6);
	enum edgefw_set6_answer got = set6_index_lookup(ix, &addr);

	if (got == EDGEFW_SET6_ASK_TRIE) {
		++*asked_trie;
		return 0;
	}
	return (got == EDGEFW_SET6_IN) !=
	       naive_contains(v, n, EDGEFW_FAMILY_IPV6, a);
}

/* A head sends to the trie only when its /32 holds too many lengths. */
static int trie_heads_needed(const struct set6_index *ix,
			     const struct prefix *v, size_t n, size_t *nr_trie)
{
	int unneeded = 0;

	*nr_trie = 0;
	for (size_t h = 0; h < ix->nr_heads; h++) {
		bool lens[129] = {};
		int nr_lens = 0;

		if (ix->heads[h].head.state != EDGEFW_SET6_TRIE)
			continue;
		++*nr_trie;
		for (size_t i = 0; i < n; i++) {
			if (v[i].family == EDGEFW_FAMILY_IPV6 &&
			    v[i].len > 32 &&
			    ntohl(v[i].addr.w[0]) == ix->heads[h].net32 &&
			    !lens[v[i].len]) {
				lens[v[i].len] = true;
				nr_lens++;
			}
		}
		unneeded += nr_lens <= EDGEFW_SET6_HEAD_LENS;
	}
	return unneeded;
}

static void check_answers(unsigned int min_len, unsigned int nets, size_t n)
{
	struct prefix *v = xcalloc(n + 1, sizeof(*v));
	size_t asked_trie = 0, nr_trie;
	struct set6_index ix;
	int edge_wrong = 0, random_wrong = 0, unneeded;

	for (size_t i = 0; i < n; i++)
		v[i] = random_prefix6(min_len, nets);
	/* an IPv4 prefix in the list is none of the index's business */
	v[n].family = EDGEFW_FAMILY_IPV4;
	v[n].len = 8;
	set6_index_build(&ix, v, n + 1);
	for (size_t i = 0; i < n; i++) {
		u128 first = addr_to_u128(&v[i].addr, EDGEFW_FAMILY_IPV6);
		u128 last = prefix_last(&v[i]);
		u128 probes[] = { first, last, first - 1, last + 1,
				  first + (last - first) / 2 };

		for (size_t j = 0; j < ARRAY_SIZE(probes); j++)
			edge_wrong += wrong(&ix, v, n, probes[j], &asked_trie);
	}
	for (int i = 0; i < 20000; i++) {
		struct prefix p = random_prefix6(32, nets);

		/* a random address in one of the networks, its host bits too */
		random_wrong +=
			wrong(&ix, v, n, random_in_prefix(&p), &asked_trie);
	}
	CHECK_EQ(
		edge_wrong, 0,
		"%zu prefixes of /%u to /128 in %u /32s: edges of every prefix answered as an LPM lookup",
		n, min_len, nets);
	CHECK_EQ(
		random_wrong, 0,
		"%zu prefixes of /%u to /128 in %u /32s: 20000 random addresses answered as an LPM lookup",
		n, min_len, nets);
	unneeded = trie_heads_needed(&ix, v, n, &nr_trie);
	CHECK_EQ(
		unneeded, 0,
		"%zu prefixes in %u /32s: each of the %zu networks sent to the trie holds more than %d lengths (%zu lookups asked it)",
		n, nets, nr_trie, EDGEFW_SET6_HEAD_LENS, asked_trie);
	set6_index_free(&ix);
	free(v);
}

static void check_shapes(void)
{
	struct prefix v[EDGEFW_SET6_HEAD_LENS + 2];
	struct set6_index ix;
	char err[128];
	size_t n = 0;

	/* one network at the limit of lengths, one over it, one covered */
	for (unsigned int len = 33; len < 33 + EDGEFW_SET6_HEAD_LENS; len++) {
		prefix_parse("2001:db8::/48", &v[n], err, sizeof(err));
		v[n++].len = len;
	}
	prefix_parse("2001:db8::/32", &v[n++], err, sizeof(err));
	prefix_parse("2001:db8:ff::/48", &v[n++], err, sizeof(err));
	set6_index_build(&ix, v, n);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_ALL &&
		      ix.nr_prefixes == 0,
	      "a /32 prefix makes its network ALL and needs no exact lookups");
	set6_index_free(&ix);

	set6_index_build(&ix, v + n - 1, 1);
	CHECK(ix.nr_heads == 1 &&
		      ix.heads[0].head.state == EDGEFW_SET6_INLINE &&
		      ix.heads[0].head.nr == 1 &&
		      ix.heads[0].head.len[0] == 48 &&
		      !memcmp(&ix.heads[0].head.net[0], &v[n - 1].addr,
			      sizeof(v[n - 1].addr)) &&
		      ix.nr_prefixes == 0,
	      "a lone prefix in its /32 lies in the head: no exact lookup");
	set6_index_free(&ix);

	set6_index_build(&ix, v, EDGEFW_SET6_INLINE_MAX + 1);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_LENS &&
		      ix.nr_prefixes == EDGEFW_SET6_INLINE_MAX + 1,
	      "%d prefixes in one /32 take exact lookups",
	      EDGEFW_SET6_INLINE_MAX + 1);
	set6_index_free(&ix);

	set6_index_build(&ix, v, EDGEFW_SET6_HEAD_LENS);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_LENS &&
		      ix.heads[0].head.nr == EDGEFW_SET6_HEAD_LENS &&
		      ix.heads[0].head.len[0] == 32 + EDGEFW_SET6_HEAD_LENS &&
		      ix.heads[0].head.len[EDGEFW_SET6_HEAD_LENS - 1] == 33,
	      "%d lengths in one /32 fit its head, longest first",
	      EDGEFW_SET6_HEAD_LENS);
	set6_index_free(&ix);

	v[EDGEFW_SET6_HEAD_LENS] = v[0];
	v[EDGEFW_SET6_HEAD_LENS].len = 33 + EDGEFW_SET6_HEAD_LENS;
	set6_index_build(&ix, v, EDGEFW_SET6_HEAD_LENS + 1);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_TRIE &&
		      ix.nr_prefixes == 0,
	      "one more length sends the network to the trie");
	set6_index_free(&ix);

	prefix_parse("2000::/3", &v[0], err, sizeof(err));
	prefix_parse("2001:db8::/31", &v[1], err, sizeof(err));
	set6_index_build(&ix, v, 2);
	CHECK(ix.short_lens == (1U << 3 | 1U << 31) && ix.nr_heads == 0 &&
		      ix.nr_prefixes == 2,
	      "prefixes under /32 set their length bits and need no head");
	set6_index_free(&ix);
}

#define FILTER_WORD0 0x5269526952695269ULL

static int cmp_net32(const void *a, const void *b)
{
	const struct set6_head *x = a, *y = b;

	return (x->net32 > y->net32) - (x->net32 < y->net32);
}

/*
 * What the maps hold for slot equals the index, entry by entry; the test
 * gives slot n to set n, whose IPv6 filter keeps bits only in word 0.
 */
static bool maps_hold(int heads_fd, int prefixes_fd, int filter_fd,
		      unsigned int slot, const struct set6_index *ix)
{
	struct edgefw_set6_key pkey, pnext, *pprev = NULL;
	__u32 key = EDGEFW_FILTER_KEY(slot, EDGEFW_FAMILY_IPV6);
	__u64 hkey, hnext, *hprev = NULL;
	size_t heads = 0, prefixes = 0;
	struct edgefw_set_filter f;

	if (bpf_map_lookup_elem(filter_fd, &key, &f) ||
	    f.short6_lens != ix->short_lens || f.bits[0] != FILTER_WORD0)
		return false;
	while (bpf_map_get_next_key(heads_fd, hprev, &hnext) == 0) {
		struct set6_head want = { .net32 = (__u32)hnext };
		const struct set6_head *found;
		struct edgefw_set6_head got;

		hkey = hnext;
		hprev = &hkey;
		if (hkey >> 32 != slot)
			continue;
		found = bsearch(&want, ix->heads, ix->nr_heads,
				sizeof(*ix->heads), cmp_net32);
		if (!found || bpf_map_lookup_elem(heads_fd, &hkey, &got) ||
		    memcmp(&got, &found->head, sizeof(got)))
			return false;
		heads++;
	}
	while (bpf_map_get_next_key(prefixes_fd, pprev, &pnext) == 0) {
		struct edgefw_set6_key want;

		pkey = pnext;
		pprev = &pkey;
		if (pkey.slot != slot)
			continue;
		want = pkey;
		want.slot = 0;
		for (size_t i = 0; i < ix->nr_prefixes; i++) {
			if (!memcmp(&want, &ix->prefixes[i], sizeof(want))) {
				prefixes++;
				break;
			}
		}
	}
	return heads == ix->nr_heads && prefixes == ix->nr_prefixes;
}

/*
 * The index's maps for the test: hash tables of max entries each, and the
 * filters of sets 0 and 1, with bits in word 0 that writes must keep.
 */
static void create_maps(__u32 max, int *heads_fd, int *prefixes_fd,
			int *filter_fd)
{
	LIBBPF_OPTS(bpf_map_create_opts, hash_opts,
		    .map_flags = BPF_F_NO_PREALLOC);
	struct edgefw_set_filter f = { .bits = { FILTER_WORD0 } };

	*heads_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_heads", sizeof(__u64),
				   sizeof(struct edgefw_set6_head), max,
				   &hash_opts);
	*prefixes_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_prefixes",
				      sizeof(struct edgefw_set6_key),
				      sizeof(__u8), max, &hash_opts);
	*filter_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_filter",
				    sizeof(__u32),
				    sizeof(struct edgefw_set_filter), 4, NULL);
	if (*heads_fd < 0 || *prefixes_fd < 0 || *filter_fd < 0)
		tap_bail("cannot create the test maps: %s", strerror(errno));
	for (__u32 key = 0; key < 4; key++) {
		if (bpf_map_update_elem(*filter_fd, &key, &f, BPF_ANY))
			tap_bail("cannot fill the test filters: %s",
				 strerror(errno));
	}
}

static void check_writes(void)
{
	int heads_fd, prefixes_fd, filter_fd;
	struct prefix a[400], b[400];
	struct set6_index ia, ib, other;

	create_maps(65536, &heads_fd, &prefixes_fd, &filter_fd);
	/* b keeps half of a and brings its own, some in a's networks */
	for (size_t i = 0; i < ARRAY_SIZE(a); i++) {
		a[i] = random_prefix6(i % 7 ? 32 : 16, 40);
		b[i] = i % 2 ? a[i] : random_prefix6(i % 5 ? 32 : 20, 60);
	}
	set6_index_build(&ia, a, ARRAY_SIZE(a));
	set6_index_build(&ib, b, ARRAY_SIZE(b));
	set6_index_build(&other, b, 10);
	CHECK(ia.nr_heads > 20 && ib.nr_heads > 20 && ia.nr_prefixes > 100 &&
		      ia.short_lens && ib.short_lens != ia.short_lens,
	      "the test sets have heads, exact prefixes and short lengths (%zu, %zu heads)",
	      ia.nr_heads, ib.nr_heads);
	CHECK(set6_index_write(heads_fd, prefixes_fd, filter_fd, 1, 1, NULL,
			       &other) == 0 &&
		      set6_index_write(heads_fd, prefixes_fd, filter_fd, 0, 0,
				       NULL, &ia) == 0,
	      "writes into empty maps succeed");
	CHECK(maps_hold(heads_fd, prefixes_fd, filter_fd, 0, &ia),
	      "slot 0 holds the first set after a write from empty");
	CHECK(set6_index_write(heads_fd, prefixes_fd, filter_fd, 0, 0, &ia,
			       &ib) == 0,
	      "the difference to the second set is written");
	CHECK(maps_hold(heads_fd, prefixes_fd, filter_fd, 0, &ib),
	      "slot 0 holds the second set, heads and prefixes of the first removed");
	CHECK(set6_index_write(heads_fd, prefixes_fd, filter_fd, 0, 0, &ib,
			       &ia) == 0 &&
		      set6_index_write(heads_fd, prefixes_fd, filter_fd, 0, 0,
				       &ib, &ia) == 0,
	      "writing a difference twice (as an undo does) succeeds");
	CHECK(maps_hold(heads_fd, prefixes_fd, filter_fd, 0, &ia),
	      "slot 0 is back to the first set");
	CHECK(maps_hold(heads_fd, prefixes_fd, filter_fd, 1, &other),
	      "slot 1 was left alone by the writes to slot 0");
	set6_index_free(&ia);
	set6_index_free(&ib);
	set6_index_free(&other);
	close(heads_fd);
	close(prefixes_fd);
	close(filter_fd);
}

/* A table too small for the index: the write fails, it does not wrap. */
static void check_full_tables(void)
{
	int heads_fd, prefixes_fd, filter_fd;
	struct prefix v[40];
	struct set6_index ix;

	create_maps(8, &heads_fd, &prefixes_fd, &filter_fd);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = random_prefix6(33, i % 2 ? 4 : 1000);
	set6_index_build(&ix, v, ARRAY_SIZE(v));
	CHECK(ix.nr_heads > 8 && ix.nr_prefixes > 8,
	      "the set needs more heads and exact prefixes (%zu, %zu) than the tables hold",
	      ix.nr_heads, ix.nr_prefixes);
	CHECK_EQ(set6_index_write(heads_fd, prefixes_fd, filter_fd, 0, 0, NULL,
				  &ix),
		 -1, "a write past the tables' size fails");
	set6_index_free(&ix);
	close(heads_fd);
	close(prefixes_fd);
	close(filter_fd);
}

int main(void)
{
	srand(5269);
	check_shapes();
	check_answers(0, 4, 60);
	check_answers(16, 8, 400);
	check_answers(32, 16, 3000);
	check_answers(33, 200, 3000);
	check_answers(48, 2000, 20000);
	check_answers(120, 50, 5000);
	check_answers(40, 20000, 20000);
	check_writes();
	check_full_tables();
	return tap_done();
}
