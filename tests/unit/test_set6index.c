// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane's IPv6 set index lookup, in_set6_index() of
 * bpf/set6index.h run here against kernel maps that edgefw's writer
 * filled, answers what an LPM lookup answers: for random sets of every
 * prefix length, crowded into a few /32 networks so that heads hold many
 * lengths, addresses inside, at the edges of and outside every prefix are
 * in the index exactly when some prefix holds them, a /32 with more
 * lengths than a head lists included: the index answers alone, with no
 * trie behind it. Each shape of /32 gets its head, and answers so. So
 * the lookup does after writes of the difference from one set to another
 * and back, which leave no stale heads, prefixes or cache entries, the
 * other slot alone and the filter's bits as they were; and a write past
 * the tables' size fails with a message that names the limits. The cache
 * (set6cache.h) holds each INLINE or ALL head whose entry no other key
 * took, and answers for it alone; an entry whose seqlock says a write is
 * under way, or that another key holds, sends the lookup to the heads.
 */
#include "bpf_shim.h" /* first: what the BPF code below takes from BPF */
#include "../../bpf/set6index.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h> /* BPF_F_MMAPABLE */
#include "capture.h"
#include "prefixgen.h"
#include "set6cache.h"
#include "set6index.h"
#include "tap.h"
#include "util.h"

#define RANDOM_PROBES 20000
#define FILTER_WORD0 0x5269526952695269ULL

/*
 * The index's maps, empty: hash tables of max entries each, and the
 * filters of the sets, with bits in word 0 that writes must keep. The
 * test gives slot n to set n.
 */
static void create_maps(__u32 max)
{
	struct edgefw_set_filter f = { .bits = { FILTER_WORD0 } };

	shim_map_create(&set6_heads, max);
	shim_map_create(&set6_cache, EDGEFW_SET6_CACHE_ENTRIES);
	shim_map_create(&set6_prefixes, max);
	shim_map_create(&set_filter, 2 * EDGEFW_INDEX_SLOTS);
	for (__u32 key = 0; key < 2 * EDGEFW_INDEX_SLOTS; key++)
		shim_map_update(&set_filter, &key, &f);
}

static int write_index(unsigned int slot, const struct set6_index *old,
		       const struct set6_index *new)
{
	return set6_index_write(set6_heads.fd, set6_prefixes.fd, set_filter.fd,
				set6_cache.fd, slot, slot, old, new);
}

static struct edgefw_set_filter *filter_of(unsigned int slot)
{
	__u32 key = EDGEFW_FILTER_KEY(slot, EDGEFW_FAMILY_IPV6);

	return bpf_map_lookup_elem(&set_filter, &key);
}

/* How the cache stands against set6_heads. */
struct cache_tally {
	size_t held; /* entries holding a head */
	size_t stale; /* entries of a key set6_heads lacks, or unlike its head */
	size_t left_out; /* INLINE or ALL heads whose entry is free */
};

static struct cache_tally cache_tally(void)
{
	struct cache_tally t = {};
	__u64 key, *prev = NULL, next;

	for (__u32 i = 0; i < EDGEFW_SET6_CACHE_ENTRIES; i++) {
		struct edgefw_set6_cached e, want;
		struct edgefw_set6_head *head;

		e = *(struct edgefw_set6_cached *)shim_map_lookup(&set6_cache,
								  &i);
		if (!e.tag)
			continue;
		t.held++;
		key = e.tag & ~EDGEFW_SET6_CACHED;
		head = shim_map_lookup(&set6_heads, &key);
		if (!head || !set6_cache_entry(key, head, &want) ||
		    edgefw_set6_cache_index(key) != i ||
		    memcmp(e.tail, want.tail, sizeof(e.tail)) ||
		    memcmp(e.mask, want.mask, sizeof(e.mask)) ||
		    e.nr != want.nr || e.seq % 2)
			t.stale++;
	}
	while (!shim_map_next_key(&set6_heads, prev, &next)) {
		struct edgefw_set6_cached want, *e;
		__u32 i;

		key = next;
		prev = &key;
		if (!set6_cache_entry(key, shim_map_lookup(&set6_heads, &key),
				      &want))
			continue;
		i = edgefw_set6_cache_index(key);
		e = shim_map_lookup(&set6_cache, &i);
		t.left_out += !e->tag;
	}
	return t;
}

/* some: the index has INLINE or ALL heads, so the cache holds some too */
static void check_cache(const char *when, bool some)
{
	struct cache_tally t = cache_tally();

	CHECK((t.held || !some) && !t.stale && !t.left_out,
	      "%s: the cache holds %zu heads, none stale (%zu), and leaves no INLINE or ALL head out of a free entry (%zu)",
	      when, t.held, t.stale, t.left_out);
}

/* Whether any head of ix is one the cache holds. */
static bool cacheable(const struct set6_index *ix)
{
	struct edgefw_set6_cached e;

	for (size_t i = 0; i < ix->nr_heads; i++) {
		if (set6_cache_entry(0, &ix->heads[i].head, &e))
			return true;
	}
	return false;
}

/* How a slot's answers compare with v's LPM. */
struct tally {
	int wrong;
};

/* The answer for a as the data plane finds it: short lengths first. */
static void tally(struct tally *t, unsigned int slot, const struct lpm *l,
		  u128 a)
{
	union edgefw_addr addr = addr_from_u128(a, EDGEFW_FAMILY_IPV6);
	struct edgefw_set_filter *f = filter_of(slot);
	bool got = in_set6_index(slot, &addr, f ? f->short6_lens : 0);

	t->wrong += got != lpm_holds(l, EDGEFW_FAMILY_IPV6, a);
}

/* At the edges of every prefix of of[0..nr_of). */
static void tally_edges(struct tally *t, unsigned int slot,
			const struct prefix *v, size_t n,
			const struct prefix *of, size_t nr_of)
{
	struct lpm l;

	lpm_build(&l, v, n);
	for (size_t i = 0; i < nr_of; i++) {
		u128 edges[PREFIX_EDGES];

		prefix_edges(&of[i], edges);
		for (int j = 0; j < PREFIX_EDGES; j++)
			tally(t, slot, &l, edges[j]);
	}
	lpm_free(&l);
}

/* At random addresses of the first nets /32s, their host bits too. */
static void tally_random(struct tally *t, unsigned int slot,
			 const struct prefix *v, size_t n, unsigned int nets)
{
	struct lpm l;

	lpm_build(&l, v, n);
	for (int i = 0; i < RANDOM_PROBES; i++) {
		struct prefix p = random_prefix6(32, nets);

		tally(t, slot, &l, random_in_prefix(&p));
	}
	lpm_free(&l);
}

/* The maps already hold other slots' sets, which must not answer here. */
static void check_answers(unsigned int slot, unsigned int min_len,
			  unsigned int nets, size_t n)
{
	struct prefix *v = xcalloc(n + 1, sizeof(*v));
	struct tally edges = {}, random = {};
	struct set6_index ix;

	for (size_t i = 0; i < n; i++)
		v[i] = random_prefix6(min_len, nets);
	/* an IPv4 prefix in the list is none of the index's business */
	v[n].family = EDGEFW_FAMILY_IPV4;
	v[n].len = 8;
	set6_index_build(&ix, v, n + 1);
	if (write_index(slot, NULL, &ix))
		tap_bail("cannot write the index into slot %u", slot);
	check_cache("a set written into an empty slot", cacheable(&ix));
	tally_edges(&edges, slot, v, n, v, n);
	tally_random(&random, slot, v, n, nets);
	CHECK_EQ(
		edges.wrong, 0,
		"%zu prefixes of /%u to /128 in %u /32s, slot %u: edges of every prefix answered as an LPM lookup",
		n, min_len, nets, slot);
	CHECK_EQ(
		random.wrong, 0,
		"%zu prefixes of /%u to /128 in %u /32s, slot %u: %d random addresses answered as an LPM lookup",
		n, min_len, nets, slot, RANDOM_PROBES);
	set6_index_free(&ix);
	free(v);
}

/*
 * The lookup in a shape just built, written into a slot of its own: it
 * answers at the edges of the shape's prefixes.
 */
static void check_shape_answers(unsigned int slot, const char *shape,
				const struct prefix *v, size_t n,
				const struct set6_index *ix)
{
	struct tally t = {};

	if (write_index(slot, NULL, ix))
		tap_bail("cannot write the shape into slot %u", slot);
	tally_edges(&t, slot, v, n, v, n);
	CHECK(t.wrong == 0,
	      "%s: its edges answered as an LPM lookup (%d wrong)", shape,
	      t.wrong);
}

static void check_shapes(void)
{
	struct prefix v[EDGEFW_SET6_HEAD_LENS + 2];
	struct set6_index ix;
	unsigned int slot = 0;
	char err[128];
	size_t n = 0;

	create_maps(65536);
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
	check_shape_answers(slot++, "ALL", v, n, &ix);
	set6_index_free(&ix);

	set6_index_build(&ix, v + n - 1, 1);
	CHECK(ix.nr_heads == 1 &&
		      ix.heads[0].head.state == EDGEFW_SET6_INLINE &&
		      ix.heads[0].head.nr == 1 &&
		      ix.heads[0].head.inline_len[0] == 48 &&
		      !memcmp(ix.heads[0].head.tail[0], &v[n - 1].addr.w[1],
			      sizeof(ix.heads[0].head.tail[0])) &&
		      ix.nr_prefixes == 0,
	      "a lone prefix in its /32 lies in the head: no exact lookup");
	check_shape_answers(slot++, "INLINE", v + n - 1, 1, &ix);
	set6_index_free(&ix);

	set6_index_build(&ix, v, EDGEFW_SET6_INLINE_MAX + 1);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_LENS &&
		      ix.nr_prefixes == EDGEFW_SET6_INLINE_MAX + 1,
	      "%d prefixes in one /32 take exact lookups",
	      EDGEFW_SET6_INLINE_MAX + 1);
	check_shape_answers(slot++, "LENS", v, EDGEFW_SET6_INLINE_MAX + 1, &ix);
	set6_index_free(&ix);

	set6_index_build(&ix, v, EDGEFW_SET6_HEAD_LENS);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_LENS &&
		      ix.heads[0].head.nr == EDGEFW_SET6_HEAD_LENS &&
		      ix.heads[0].head.len[0] == 32 + EDGEFW_SET6_HEAD_LENS &&
		      ix.heads[0].head.len[EDGEFW_SET6_HEAD_LENS - 1] == 33,
	      "%d lengths in one /32 fit its head, longest first",
	      EDGEFW_SET6_HEAD_LENS);
	check_shape_answers(slot++, "LENS, full", v, EDGEFW_SET6_HEAD_LENS,
			    &ix);
	set6_index_free(&ix);

	v[EDGEFW_SET6_HEAD_LENS] = v[0];
	v[EDGEFW_SET6_HEAD_LENS].len = 33 + EDGEFW_SET6_HEAD_LENS;
	set6_index_build(&ix, v, EDGEFW_SET6_HEAD_LENS + 1);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_MANY &&
		      ix.nr_prefixes == EDGEFW_SET6_HEAD_LENS + 1 &&
		      ix.heads[0].head.many[0] == 0xff &&
		      ix.heads[0].head.many[1] == 0x7f &&
		      ix.heads[0].head.many[2] == 0,
	      "one more length makes the head MANY: a bit per length, /33 to /%d, and an exact lookup each",
	      33 + EDGEFW_SET6_HEAD_LENS);
	check_shape_answers(slot++, "MANY", v, EDGEFW_SET6_HEAD_LENS + 1, &ix);
	set6_index_free(&ix);

	/* the last of the lengths a MANY head marks */
	v[EDGEFW_SET6_HEAD_LENS].len = 128;
	set6_index_build(&ix, v, EDGEFW_SET6_HEAD_LENS + 1);
	CHECK(ix.nr_heads == 1 && ix.heads[0].head.state == EDGEFW_SET6_MANY &&
		      ix.heads[0].head.many[11] == 0x80,
	      "a /128 in a MANY head is its last bit");
	check_shape_answers(slot++, "MANY with a /128", v,
			    EDGEFW_SET6_HEAD_LENS + 1, &ix);
	set6_index_free(&ix);

	prefix_parse("2000::/3", &v[0], err, sizeof(err));
	prefix_parse("2001:db8::/31", &v[1], err, sizeof(err));
	set6_index_build(&ix, v, 2);
	CHECK(ix.short_lens == (1U << 3 | 1U << 31) && ix.nr_heads == 0 &&
		      ix.nr_prefixes == 2,
	      "prefixes under /32 set their length bits and need no head");
	check_shape_answers(slot++, "under /32", v, 2, &ix);
	set6_index_free(&ix);
}

/*
 * Slot's answers are v's at the edges of a's and b's prefixes (stale
 * heads of a set written before show there) and at random addresses.
 */
static int slot_wrong(unsigned int slot, const struct prefix *v, size_t n,
		      const struct prefix *a, const struct prefix *b, size_t nr)
{
	struct tally t = {};

	tally_edges(&t, slot, v, n, a, nr);
	tally_edges(&t, slot, v, n, b, nr);
	tally_random(&t, slot, v, n, 60);
	return t.wrong;
}

/*
 * What the lookups cannot see: the heads and exact prefixes of the sets
 * of slots 0 and 1 and no more, and their filters' short lengths, with
 * the bits the filters had.
 */
static bool maps_hold(const struct set6_index *slot0,
		      const struct set6_index *slot1)
{
	const struct set6_index *in[] = { slot0, slot1 };

	for (unsigned int slot = 0; slot < 2; slot++) {
		struct edgefw_set_filter *f = filter_of(slot);

		if (!f || f->short6_lens != in[slot]->short_lens ||
		    f->bits[0] != FILTER_WORD0)
			return false;
	}
	return shim_map_entries(&set6_heads) ==
		       slot0->nr_heads + slot1->nr_heads &&
	       shim_map_entries(&set6_prefixes) ==
		       slot0->nr_prefixes + slot1->nr_prefixes;
}

static void check_writes(void)
{
	struct prefix a[400], b[400];
	struct set6_index ia, ib, other;
	size_t nr = ARRAY_SIZE(a), nr_other = 10;

	create_maps(65536);
	/* b keeps half of a and brings its own, some in a's networks */
	for (size_t i = 0; i < nr; i++) {
		a[i] = random_prefix6(i % 7 ? 32 : 16, 40);
		b[i] = i % 2 ? a[i] : random_prefix6(i % 5 ? 32 : 20, 60);
	}
	set6_index_build(&ia, a, nr);
	set6_index_build(&ib, b, nr);
	set6_index_build(&other, b, nr_other);
	CHECK(ia.nr_heads > 20 && ib.nr_heads > 20 && ia.nr_prefixes > 100 &&
		      ia.short_lens && ib.short_lens != ia.short_lens,
	      "the test sets have heads, exact prefixes and short lengths (%zu, %zu heads)",
	      ia.nr_heads, ib.nr_heads);
	CHECK(write_index(1, NULL, &other) == 0 &&
		      write_index(0, NULL, &ia) == 0,
	      "writes into empty maps succeed");
	CHECK_EQ(slot_wrong(0, a, nr, a, b, nr), 0,
		 "slot 0 answers as the first set after a write from empty");
	CHECK(maps_hold(&ia, &other),
	      "the maps hold both slots' heads and prefixes, no more; the filters their short lengths and their bits");
	check_cache("after a write from empty", true);
	CHECK_EQ(write_index(0, &ia, &ib), 0,
		 "the difference to the second set is written");
	CHECK_EQ(slot_wrong(0, b, nr, a, b, nr), 0,
		 "slot 0 answers as the second set");
	CHECK(maps_hold(&ib, &other),
	      "the heads and prefixes of the first set that the second lacks are gone; the filters are right");
	check_cache("after a write of the difference", true);
	CHECK(write_index(0, &ib, &ia) == 0 && write_index(0, &ib, &ia) == 0,
	      "writing a difference twice (as an undo does) succeeds");
	CHECK_EQ(slot_wrong(0, a, nr, a, b, nr), 0,
		 "slot 0 answers as the first set again");
	CHECK(maps_hold(&ia, &other),
	      "the heads and prefixes of the second set that the first lacks are gone; the filters are right");
	check_cache("after the difference back", true);
	CHECK_EQ(slot_wrong(1, b, nr_other, a, b, nr), 0,
		 "slot 1 was left alone by the writes to slot 0");
	set6_index_free(&ia);
	set6_index_free(&ib);
	set6_index_free(&other);
}

/* Whether slot's set holds the address text a, as the data plane finds. */
static bool holds(unsigned int slot, const char *a)
{
	struct prefix p;
	char err[128];

	if (prefix_parse(a, &p, err, sizeof(err)))
		tap_bail("%s: %s", a, err);
	return in_set6_index(slot, &p.addr, 0);
}

/* Slot's set from the prefixes in texts, written over old; into *ix. */
static void write_texts(unsigned int slot, const struct set6_index *old,
			struct set6_index *ix, const char *const *texts,
			size_t n)
{
	struct prefix v[8];
	char err[128];

	if (n > ARRAY_SIZE(v))
		tap_bail("write_texts: %zu prefixes, room for %zu", n,
			 ARRAY_SIZE(v));
	for (size_t i = 0; i < n; i++) {
		if (prefix_parse(texts[i], &v[i], err, sizeof(err)))
			tap_bail("%s: %s", texts[i], err);
	}
	set6_index_build(ix, v, n);
	if (write_index(slot, old, ix))
		tap_bail("cannot write slot %u", slot);
}

static struct edgefw_set6_cached cache_entry(__u64 key)
{
	__u32 i = edgefw_set6_cache_index(key);

	return *(struct edgefw_set6_cached *)shim_map_lookup(&set6_cache, &i);
}

static void cache_entry_set(__u64 key, const struct edgefw_set6_cached *e)
{
	__u32 i = edgefw_set6_cache_index(key);

	shim_map_update(&set6_cache, &i, e);
}

/* The cache answers alone, and only while its entry is whole and its own. */
static void check_cache_reads(void)
{
	static const char *const one[] = { "2001:db8:1::/48" };
	__u64 key = EDGEFW_SET6_HEAD_KEY(3, 0x20010db8);
	struct edgefw_set6_cached e, torn;
	struct set6_index ix;

	create_maps(1024);
	write_texts(3, NULL, &ix, one, 1);
	e = cache_entry(key);
	CHECK(e.tag == (key | EDGEFW_SET6_CACHED) && e.seq == 2,
	      "an INLINE head is in its entry, written once (seq %u)", e.seq);
	shim_map_delete(&set6_heads, &key);
	CHECK(holds(3, "2001:db8:1:ffff::1") && !holds(3, "2001:db8:2::1") &&
		      !holds(2, "2001:db8:1::1"),
	      "with its head gone from set6_heads, the entry answers alone: in its /48, not past it, not for another slot");
	torn = e;
	torn.seq = 3;
	cache_entry_set(key, &torn);
	CHECK(!holds(3, "2001:db8:1::1"),
	      "an entry under a write (seq odd) is not taken: the lookup asks set6_heads, which lacks the head");
	torn.seq = 4;
	torn.tag = EDGEFW_SET6_HEAD_KEY(4, 0x20010db8) | EDGEFW_SET6_CACHED;
	cache_entry_set(key, &torn);
	CHECK(!holds(3, "2001:db8:1::1"),
	      "an entry that holds another key is not taken either");
	cache_entry_set(key, &e);
	CHECK(holds(3, "2001:db8:1::1"), "the entry restored answers again");
	set6_index_free(&ix);
}

/* Two /32s of one entry, and a head that lists lengths. */
static void check_cache_writes(void)
{
	__u64 first = EDGEFW_SET6_HEAD_KEY(5, 0x20010db8), second;
	char both[3][48], *texts[3] = { both[0], both[1], both[2] };
	static const char *const lens[] = { "2001:db8::/48",
					    "2001:db8:0:1::/64",
					    "2001:db8:0:2::/64" };
	struct set6_index a, b, b2, c;
	__u32 net = 0x20010db9;

	create_maps(1024);
	while (edgefw_set6_cache_index(EDGEFW_SET6_HEAD_KEY(5, net)) !=
	       edgefw_set6_cache_index(first))
		net++;
	second = EDGEFW_SET6_HEAD_KEY(5, net);
	snprintf(both[0], sizeof(both[0]), "2001:db8:7::/48");
	snprintf(both[1], sizeof(both[1]), "%x:%x:7::/48", net >> 16,
		 net & 0xffff);
	snprintf(both[2], sizeof(both[2]), "%x:%x:9:100::/56", net >> 16,
		 net & 0xffff);
	write_texts(5, NULL, &a, (const char *const *)texts, 2);
	CHECK(cache_entry(first).tag == (first | EDGEFW_SET6_CACHED) &&
		      holds(5, "2001:db8:7::1") && holds(5, both[1]) &&
		      !holds(5, "2001:db8:8::1"),
	      "two /32s of one entry (%s): the first written holds it, both answer",
	      both[1]);
	check_cache("two /32s of one entry", true);
	write_texts(5, &a, &b, (const char *const *)texts + 1, 1);
	CHECK(cache_entry(first).tag == (second | EDGEFW_SET6_CACHED) &&
		      !holds(5, "2001:db8:7::1") && holds(5, both[1]) &&
		      !holds(5, both[2]),
	      "the first /32 gone, the second takes the entry it freed");
	write_texts(5, &b, &b2, (const char *const *)texts + 1, 2);
	CHECK(holds(5, both[1]) && holds(5, both[2]),
	      "a second prefix in its /32 (%s): the entry is rewritten, both answer",
	      both[2]);
	check_cache("an entry rewritten", true);
	write_texts(5, &b2, &c, lens, 3);
	CHECK(cache_entry(EDGEFW_SET6_HEAD_KEY(5, 0x20010db8)).tag !=
			      (EDGEFW_SET6_HEAD_KEY(5, 0x20010db8) |
			       EDGEFW_SET6_CACHED) &&
		      holds(5, "2001:db8:0:2::1") && !holds(5, "2001:db8:1::1"),
	      "a head that lists lengths is left to set6_heads");
	check_cache("a head that lists lengths", false);
	set6_index_free(&a);
	set6_index_free(&b);
	set6_index_free(&b2);
	set6_index_free(&c);
}

/*
 * A cache this edgefw's programs would not find their entries in (of
 * another size), or one it cannot write through its memory (not
 * mapped): the write fails and says so, and what replaces it.
 */
static void check_cache_not_ours(void)
{
	static const char *const one[] = { "2001:db8:1::/48" };
	static const char *const said_other =
		"the IPv6 index's cache is not this edgefw's (1024 entries of 64 bytes; this edgefw's are 65536 of 64, mapped): 'edgefw reload' replaces it";
	static const char *const said_unmapped =
		"the IPv6 index's cache is not this edgefw's (65536 entries of 64 bytes; this edgefw's are 65536 of 64, mapped)";
	const struct {
		const char *what, *said;
		__u32 entries, clear;
	} caches[] = {
		{ "of 1024 entries", said_other, 1024, 0 },
		{ "that cannot be mapped", said_unmapped,
		  EDGEFW_SET6_CACHE_ENTRIES, BPF_F_MMAPABLE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(caches); i++) {
		struct prefix v;
		struct set6_index ix;
		struct capture c;
		char err[128], said[512];

		create_maps(1024);
		shim_map_create_without(&set6_cache, caches[i].entries,
					caches[i].clear);
		prefix_parse(one[0], &v, err, sizeof(err));
		set6_index_build(&ix, &v, 1);
		capture_start(&c);
		CHECK_EQ(write_index(0, NULL, &ix), -1,
			 "a write with a cache %s fails", caches[i].what);
		CHECK(capture_holds(&c, caches[i].said, said, sizeof(said)),
		      "  ...saying so: %s", said);
		set6_index_free(&ix);
	}
}

/* Tables too small for the index: the write fails, it does not wrap. */
static void check_full_tables(void)
{
	struct prefix v[40];
	struct set6_index ix;
	struct capture c;
	char limit[64], said[512];

	create_maps(8);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = random_prefix6(33, i % 2 ? 4 : 1000);
	set6_index_build(&ix, v, ARRAY_SIZE(v));
	CHECK(ix.nr_heads > 8 && ix.nr_prefixes > 8,
	      "the set needs more heads and exact prefixes (%zu, %zu) than the tables hold",
	      ix.nr_heads, ix.nr_prefixes);
	snprintf(limit, sizeof(limit), "at most %u /32 networks, and %u",
		 EDGEFW_SET6_MAX_HEADS, EDGEFW_SET6_MAX_PREFIXES);
	capture_start(&c);
	CHECK_EQ(write_index(0, NULL, &ix), -1,
		 "a write past the tables' size fails");
	CHECK(capture_holds(&c, limit, said, sizeof(said)),
	      "its message names the limits: %s", said);
	set6_index_free(&ix);
}

int main(void)
{
	unsigned int slot = EDGEFW_INDEX_SLOTS;

	srand(5269);
	check_shapes();
	create_maps(EDGEFW_SET6_MAX_HEADS);
	/* each set in a slot of its own, from the last one down */
	check_answers(--slot, 0, 4, 60);
	check_answers(--slot, 16, 8, 400);
	check_answers(--slot, 32, 16, 3000);
	check_answers(--slot, 33, 200, 3000);
	check_answers(--slot, 48, 2000, 20000);
	check_answers(--slot, 120, 50, 5000);
	check_answers(--slot, 40, 20000, 20000);
	check_writes();
	check_cache_reads();
	check_cache_writes();
	check_cache_not_ours();
	check_full_tables();
	return tap_done();
}
