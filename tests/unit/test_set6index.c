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
 * and back, which leave no stale heads or prefixes, the other slot alone
 * and the filter's bits as they were; and a write past the tables' size
 * fails with a message that names the limits.
 */
#include "bpf_shim.h" /* first: what the BPF code below takes from BPF */
#include "../../bpf/set6index.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "capture.h"
#include "prefixgen.h"
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
	shim_map_create(&set6_prefixes, max);
	shim_map_create(&set_filter, 2 * EDGEFW_INDEX_SLOTS);
	for (__u32 key = 0; key < 2 * EDGEFW_INDEX_SLOTS; key++)
		shim_map_update(&set_filter, &key, &f);
}

static int write_index(unsigned int slot, const struct set6_index *old,
		       const struct set6_index *new)
{
	return set6_index_write(set6_heads.fd, set6_prefixes.fd, set_filter.fd,
				slot, slot, old, new);
}

static struct edgefw_set_filter *filter_of(unsigned int slot)
{
	__u32 key = EDGEFW_FILTER_KEY(slot, EDGEFW_FAMILY_IPV6);

	return bpf_map_lookup_elem(&set_filter, &key);
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
	CHECK_EQ(write_index(0, &ia, &ib), 0,
		 "the difference to the second set is written");
	CHECK_EQ(slot_wrong(0, b, nr, a, b, nr), 0,
		 "slot 0 answers as the second set");
	CHECK(maps_hold(&ib, &other),
	      "the heads and prefixes of the first set that the second lacks are gone; the filters are right");
	CHECK(write_index(0, &ib, &ia) == 0 && write_index(0, &ib, &ia) == 0,
	      "writing a difference twice (as an undo does) succeeds");
	CHECK_EQ(slot_wrong(0, a, nr, a, b, nr), 0,
		 "slot 0 answers as the first set again");
	CHECK(maps_hold(&ia, &other),
	      "the heads and prefixes of the second set that the first lacks are gone; the filters are right");
	CHECK_EQ(slot_wrong(1, b, nr_other, a, b, nr), 0,
		 "slot 1 was left alone by the writes to slot 0");
	set6_index_free(&ia);
	set6_index_free(&ib);
	set6_index_free(&other);
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
	check_full_tables();
	return tap_done();
}
