// SPDX-License-Identifier: GPL-2.0
/*
 * The IPv4 set index answers exactly what an LPM lookup answers: for sets
 * of random prefixes of every length (nested ones included), addresses
 * inside, at the edges of and outside every prefix are in the index
 * exactly when some prefix holds them. And the kernel maps end up holding
 * the index after a write from empty and after writes of the difference
 * from one set to another, deletions of /24 parts included.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "prefixgen.h"
#include "set4index.h"
#include "tap.h"
#include "util.h"

/* Every prefix's first, last and a middle address, their neighbours. */
static int probe_edges(const struct set4_index *ix, const struct prefix *v,
		       size_t n, const struct prefix *of, size_t nr_of)
{
	int wrong = 0;

	for (size_t i = 0; i < nr_of; i++) {
		__u32 first = ntohl(of[i].addr.w[0]);
		__u32 last = first | (of[i].len < 32 ? ~0U >> of[i].len : 0);
		__u32 probes[] = { first, last, first - 1, last + 1,
				   first + (last - first) / 2 };

		for (size_t j = 0; j < ARRAY_SIZE(probes); j++)
			wrong += set4_index_contains(ix, probes[j]) !=
				 naive_contains(v, n, EDGEFW_FAMILY_IPV4,
						probes[j]);
	}
	return wrong;
}

static void check_answers(unsigned int min_len, size_t n)
{
	struct prefix *v = xcalloc(n + 1, sizeof(*v));
	struct set4_index ix;
	int wrong, random_wrong = 0;

	for (size_t i = 0; i < n; i++)
		v[i] = random_prefix4(min_len);
	/* an IPv6 prefix in the list is none of the index's business */
	v[n].family = EDGEFW_FAMILY_IPV6;
	set4_index_build(&ix, v, n + 1);
	wrong = probe_edges(&ix, v, n, v, n);
	for (int i = 0; i < 20000; i++) {
		__u32 a = (__u32)rand() << 1 ^ (__u32)rand();

		random_wrong += set4_index_contains(&ix, a) !=
				naive_contains(v, n, EDGEFW_FAMILY_IPV4, a);
	}
	CHECK_EQ(
		wrong, 0,
		"%zu prefixes of /%u to /32: edges of every prefix answered as an LPM lookup",
		n, min_len);
	CHECK_EQ(
		random_wrong, 0,
		"%zu prefixes of /%u to /32: 20000 random addresses answered as an LPM lookup",
		n, min_len);
	set4_index_free(&ix);
	free(v);
}

/* What the maps hold for slot equals the index, word by word and part by part. */
static bool maps_hold(int by24_fd, int bits_fd, unsigned int slot,
		      const struct set4_index *ix)
{
	size_t parts = 0;
	__u32 key, next, *prev = NULL;

	for (__u32 i = 0; i < EDGEFW_SET4_WORDS_PER_SLOT; i++) {
		__u32 k = slot << 19 | i;
		__u64 w;

		if (bpf_map_lookup_elem(by24_fd, &k, &w) || w != ix->words[i])
			return false;
	}
	while (bpf_map_get_next_key(bits_fd, prev, &next) == 0) {
		struct edgefw_set4_bits bits;
		const struct set4_part *found = NULL;

		key = next;
		prev = &key;
		if (key >> 24 != slot)
			continue;
		for (size_t i = 0; i < ix->nr_parts && !found; i++) {
			if (ix->parts[i].net24 == (key & 0xffffff))
				found = &ix->parts[i];
		}
		if (!found || bpf_map_lookup_elem(bits_fd, &key, &bits) ||
		    memcmp(&bits, &found->bits, sizeof(bits)))
			return false;
		parts++;
	}
	return parts == ix->nr_parts;
}

static void check_writes(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, hash_opts,
		    .map_flags = BPF_F_NO_PREALLOC);
	int by24_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_by24",
				     sizeof(__u32), sizeof(__u64),
				     2 * EDGEFW_SET4_WORDS_PER_SLOT, NULL);
	int bits_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_bits", sizeof(__u32),
				     sizeof(struct edgefw_set4_bits), 65536,
				     &hash_opts);
	struct prefix a[300], b[300];
	struct set4_index ia, ib, other;

	if (by24_fd < 0 || bits_fd < 0)
		tap_bail("cannot create the test maps: %s", strerror(errno));
	/* b keeps half of a and brings its own, covering some of a's /24s */
	for (size_t i = 0; i < ARRAY_SIZE(a); i++) {
		a[i] = random_prefix4(i % 3 ? 25 : 16);
		b[i] = i % 2 ? a[i] : random_prefix4(i % 3 ? 26 : 20);
	}
	set4_index_build(&ia, a, ARRAY_SIZE(a));
	set4_index_build(&ib, b, ARRAY_SIZE(b));
	set4_index_build(&other, b, 10);
	CHECK(ia.nr_parts > 50 && ib.nr_parts > 50,
	      "the test sets have partly covered /24s (%zu, %zu)", ia.nr_parts,
	      ib.nr_parts);
	CHECK(set4_index_write(by24_fd, bits_fd, 1, NULL, &other) == 0 &&
		      set4_index_write(by24_fd, bits_fd, 0, NULL, &ia) == 0,
	      "writes into empty maps succeed");
	CHECK(maps_hold(by24_fd, bits_fd, 0, &ia),
	      "slot 0 holds the first set after a write from empty");
	CHECK(set4_index_write(by24_fd, bits_fd, 0, &ia, &ib) == 0,
	      "the difference to the second set is written");
	CHECK(maps_hold(by24_fd, bits_fd, 0, &ib),
	      "slot 0 holds the second set, parts of the first removed");
	CHECK(set4_index_write(by24_fd, bits_fd, 0, &ib, &ia) == 0 &&
		      set4_index_write(by24_fd, bits_fd, 0, &ib, &ia) == 0,
	      "writing a difference twice (as an undo does) succeeds");
	CHECK(maps_hold(by24_fd, bits_fd, 0, &ia),
	      "slot 0 is back to the first set");
	CHECK(maps_hold(by24_fd, bits_fd, 1, &other),
	      "slot 1 was left alone by the writes to slot 0");
	set4_index_free(&ia);
	set4_index_free(&ib);
	set4_index_free(&other);
	close(by24_fd);
	close(bits_fd);
}

/* A parts table too small for the index: the write fails. */
static void check_full_table(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, hash_opts,
		    .map_flags = BPF_F_NO_PREALLOC);
	int by24_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_by24",
				     sizeof(__u32), sizeof(__u64),
				     EDGEFW_SET4_WORDS_PER_SLOT, NULL);
	int bits_fd =
		bpf_map_create(BPF_MAP_TYPE_HASH, "t_bits_small", sizeof(__u32),
			       sizeof(struct edgefw_set4_bits), 8, &hash_opts);
	struct prefix v[40];
	struct set4_index ix;

	if (by24_fd < 0 || bits_fd < 0)
		tap_bail("cannot create the test maps: %s", strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = random_prefix4(25);
	set4_index_build(&ix, v, ARRAY_SIZE(v));
	CHECK(ix.nr_parts > 8,
	      "the set has more partly covered /24s (%zu) than the table holds",
	      ix.nr_parts);
	CHECK_EQ(set4_index_write(by24_fd, bits_fd, 0, NULL, &ix), -1,
		 "a write past the table's size fails");
	set4_index_free(&ix);
	close(by24_fd);
	close(bits_fd);
}

int main(void)
{
	srand(5269);
	check_answers(0, 40);
	check_answers(8, 400);
	check_answers(20, 3000);
	check_answers(25, 3000);
	check_answers(30, 20000);
	check_writes();
	check_full_table();
	return tap_done();
}
