// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane's IPv4 set index lookup, in_set4_index() of
 * bpf/set4index.h run here against kernel maps that edgefw's writer
 * filled, answers exactly what an LPM lookup answers: for sets of random
 * prefixes of every length (nested ones included), addresses inside, at
 * the edges of and outside every prefix are in the index exactly when
 * some prefix holds them. So it does after writes of the difference from
 * one set to another and back, which leave no stale /24 parts and the
 * other slot alone; and a write past the parts table's size fails with a
 * message that names the limit. Everywhere it probes, set4_any's bit for
 * the /24 is set exactly when some slot's state there is not NONE, and
 * the data plane asks it before the slot.
 */
#include "bpf_shim.h" /* first: what the BPF code below takes from BPF */
#include "../../bpf/set4index.h"
#include <stdio.h>
#include <linux/bpf.h> /* BPF_F_MMAPABLE */
#include <stdlib.h>
#include "capture.h"
#include "prefixgen.h"
#include "set4index.h"
#include "tap.h"
#include "util.h"

#define RANDOM_PROBES 20000

/* The maps, empty, for every slot; parts: the size of set4_bits. */
static void create_maps(__u32 parts)
{
	shim_map_create(&set4_by24,
			EDGEFW_INDEX_SLOTS * EDGEFW_SET4_WORDS_PER_SLOT);
	shim_map_create(&set4_any, EDGEFW_SET4_ANY_WORDS);
	shim_map_create(&set4_bits, parts);
}

static int write_index(unsigned int slot, const struct set4_index *old,
		       const struct set4_index *new)
{
	return set4_index_write(set4_by24.fd, set4_any.fd, set4_bits.fd, slot,
				old, new);
}

/* set4_any's bit for addr is not the OR of the slots' states there */
static bool any_wrong(__be32 addr)
{
	bool some = false;

	for (unsigned int s = 0; s < EDGEFW_INDEX_SLOTS; s++)
		some |= set4_index_state(s, addr) != EDGEFW_SET4_NONE;
	return set4_any_may_hold(addr) != some;
}

/*
 * Whether the data plane's answer for a in slot (set4_any, then the
 * slot) differs from the LPM l, or set4_any is wrong there.
 */
static bool wrong(unsigned int slot, const struct lpm *l, u128 a)
{
	union edgefw_addr addr = addr_from_u128(a, EDGEFW_FAMILY_IPV4);
	bool in = set4_any_may_hold(addr.w[0]) &&
		  in_set4_index(slot, addr.w[0]);

	return in != lpm_holds(l, EDGEFW_FAMILY_IPV4, a) ||
	       any_wrong(addr.w[0]);
}

/* At the edges of every prefix of of[0..nr_of). */
static int edges_wrong(unsigned int slot, const struct prefix *v, size_t n,
		       const struct prefix *of, size_t nr_of)
{
	int nr_wrong = 0;
	struct lpm l;

	lpm_build(&l, v, n);
	for (size_t i = 0; i < nr_of; i++) {
		u128 edges[PREFIX_EDGES];

		prefix_edges(&of[i], edges);
		for (int j = 0; j < PREFIX_EDGES; j++)
			nr_wrong += wrong(slot, &l, edges[j]);
	}
	lpm_free(&l);
	return nr_wrong;
}

static int random_wrong(unsigned int slot, const struct prefix *v, size_t n)
{
	int nr_wrong = 0;
	struct lpm l;

	lpm_build(&l, v, n);
	for (int i = 0; i < RANDOM_PROBES; i++)
		nr_wrong += wrong(slot, &l, (__u32)rand() << 1 ^ (__u32)rand());
	lpm_free(&l);
	return nr_wrong;
}

/* The maps already hold other slots' sets, which must not answer here. */
static void check_answers(unsigned int slot, unsigned int min_len, size_t n)
{
	struct prefix *v = xcalloc(n + 1, sizeof(*v));
	struct set4_index ix;

	for (size_t i = 0; i < n; i++)
		v[i] = random_prefix4(min_len);
	/* an IPv6 prefix in the list is none of the index's business */
	v[n].family = EDGEFW_FAMILY_IPV6;
	set4_index_build(&ix, v, n + 1);
	if (write_index(slot, NULL, &ix))
		tap_bail("cannot write the index into slot %u", slot);
	CHECK_EQ(
		edges_wrong(slot, v, n, v, n), 0,
		"%zu prefixes of /%u to /32 in slot %u: edges of every prefix answered as an LPM lookup",
		n, min_len, slot);
	CHECK_EQ(
		random_wrong(slot, v, n), 0,
		"%zu prefixes of /%u to /32 in slot %u: %d random addresses answered as an LPM lookup",
		n, min_len, slot, RANDOM_PROBES);
	set4_index_free(&ix);
	free(v);
}

/*
 * Slot's answers are v's at the edges of a's and b's prefixes (stale
 * words of a set written before show there) and at random addresses.
 */
static int slot_wrong(unsigned int slot, const struct prefix *v, size_t n,
		      const struct prefix *a, const struct prefix *b, size_t nr)
{
	return edges_wrong(slot, v, n, a, nr) + edges_wrong(slot, v, n, b, nr) +
	       random_wrong(slot, v, n);
}

static void check_writes(void)
{
	struct prefix a[300], b[300];
	struct set4_index ia, ib, other;
	size_t nr = ARRAY_SIZE(a), nr_other = 10;

	create_maps(65536);
	/* b keeps half of a and brings its own, covering some of a's /24s */
	for (size_t i = 0; i < nr; i++) {
		a[i] = random_prefix4(i % 3 ? 25 : 16);
		b[i] = i % 2 ? a[i] : random_prefix4(i % 3 ? 26 : 20);
	}
	set4_index_build(&ia, a, nr);
	set4_index_build(&ib, b, nr);
	set4_index_build(&other, b, nr_other);
	CHECK(ia.nr_parts > 50 && ib.nr_parts > 50,
	      "the test sets have partly covered /24s (%zu, %zu)", ia.nr_parts,
	      ib.nr_parts);
	CHECK(write_index(1, NULL, &other) == 0 &&
		      write_index(0, NULL, &ia) == 0,
	      "writes into empty maps succeed");
	CHECK_EQ(slot_wrong(0, a, nr, a, b, nr), 0,
		 "slot 0 answers as the first set after a write from empty");
	CHECK_EQ(shim_map_entries(&set4_bits), ia.nr_parts + other.nr_parts,
		 "set4_bits holds both slots' parts, no more");
	CHECK_EQ(write_index(0, &ia, &ib), 0,
		 "the difference to the second set is written");
	CHECK_EQ(slot_wrong(0, b, nr, a, b, nr), 0,
		 "slot 0 answers as the second set");
	CHECK_EQ(shim_map_entries(&set4_bits), ib.nr_parts + other.nr_parts,
		 "the parts of the first set that the second lacks are gone");
	CHECK(write_index(0, &ib, &ia) == 0 && write_index(0, &ib, &ia) == 0,
	      "writing a difference twice (as an undo does) succeeds");
	CHECK_EQ(slot_wrong(0, a, nr, a, b, nr), 0,
		 "slot 0 answers as the first set again");
	CHECK_EQ(shim_map_entries(&set4_bits), ia.nr_parts + other.nr_parts,
		 "the parts of the second set that the first lacks are gone");
	CHECK_EQ(slot_wrong(1, b, nr_other, a, b, nr), 0,
		 "slot 1 was left alone by the writes to slot 0");
	set4_index_free(&ia);
	set4_index_free(&ib);
	set4_index_free(&other);
}

/* A parts table too small for the index: the write fails. */
static void check_full_table(void)
{
	struct prefix v[40];
	struct set4_index ix;
	struct capture c;
	char limit[64], said[512];

	create_maps(8);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = random_prefix4(25);
	set4_index_build(&ix, v, ARRAY_SIZE(v));
	CHECK(ix.nr_parts > 8,
	      "the set has more partly covered /24s (%zu) than the table holds",
	      ix.nr_parts);
	snprintf(limit, sizeof(limit), "at most %u /24 networks",
		 EDGEFW_SET4_MAX_PARTS);
	capture_start(&c);
	CHECK_EQ(write_index(0, NULL, &ix), -1,
		 "a write past the table's size fails");
	CHECK(capture_holds(&c, limit, said, sizeof(said)),
	      "its message names the limit: %s", said);
	set4_index_free(&ix);
}

/*
 * set4_any cannot be read where the index needs it (a map too small for
 * 10.0.0.0/8's words): the write fails, naming what it was writing.
 */
static void check_any_unreadable(void)
{
	struct prefix p;
	struct set4_index ix;
	struct capture c;
	char err[64], said[512];

	create_maps(8);
	shim_map_create(&set4_any, 1);
	if (prefix_parse("10.0.0.0/8", &p, err, sizeof(err)))
		tap_bail("10.0.0.0/8: %s", err);
	set4_index_build(&ix, &p, 1);
	capture_start(&c);
	CHECK_EQ(write_index(0, NULL, &ix), -1,
		 "a write whose set4_any words cannot be read fails");
	CHECK(capture_holds(&c, "the /24 networks any set holds", said,
			    sizeof(said)),
	      "its message names set4_any's part: %s", said);
	set4_index_free(&ix);
}

/*
 * set4_any as an edgefw before BPF_F_MMAPABLE made it (a generation
 * kept across an upgrade): the writer reads its words in batches, and two
 * slots' writes leave it the OR of both, as the mapped one does.
 */
static void check_any_unmapped(void)
{
	unsigned int slot = EDGEFW_INDEX_SLOTS;

	CHECK(shim_map_flags(&set4_any) & BPF_F_MMAPABLE,
	      "set4_any as edgefw makes it can be mapped (the checks above read it so)");
	create_maps(EDGEFW_SET4_MAX_PARTS);
	shim_map_create_without(&set4_any, EDGEFW_SET4_ANY_WORDS,
				BPF_F_MMAPABLE);
	CHECK(!(shim_map_flags(&set4_any) & BPF_F_MMAPABLE),
	      "set4_any as an older edgefw made it cannot be mapped");
	check_answers(--slot, 8, 400);
	check_answers(--slot, 20, 3000);
}

int main(void)
{
	unsigned int slot = EDGEFW_INDEX_SLOTS;

	srand(5269);
	create_maps(EDGEFW_SET4_MAX_PARTS);
	/* each set in a slot of its own, from the last one down */
	check_answers(--slot, 0, 40);
	check_answers(--slot, 8, 400);
	check_answers(--slot, 20, 3000);
	check_answers(--slot, 25, 3000);
	check_answers(--slot, 30, 20000);
	check_writes();
	check_full_table();
	check_any_unreadable();
	check_any_unmapped();
	return tap_done();
}
