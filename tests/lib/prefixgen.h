/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random prefixes for the set index tests, crowded into a few networks so
 * that they nest and share /24s and /32s, and the answer an LPM lookup
 * gives (struct lpm).
 */
#ifndef EDGEFW_TEST_PREFIXGEN_H
#define EDGEFW_TEST_PREFIXGEN_H

#include <stdbool.h>
#include <stddef.h>
#include "addr.h"

typedef unsigned __int128 u128;

/* An address as a number: IPv4 in the low 32 bits. */
u128 addr_to_u128(const union edgefw_addr *a, __u8 family);
union edgefw_addr addr_from_u128(u128 v, __u8 family);
u128 prefix_last(const struct prefix *p);

/*
 * Where an index is likeliest wrong about p: its first, last and a middle
 * address, and the neighbours outside it (wrapping around the space).
 */
#define PREFIX_EDGES 5
void prefix_edges(const struct prefix *p, u128 edges[PREFIX_EDGES]);

/* Uniform over the whole space (rand() seeded by the caller). */
u128 random_u128(void);

/* An address of p, its host bits random. */
u128 random_in_prefix(const struct prefix *p);

/* Of length min_len to /32, anywhere. */
struct prefix random_prefix4(unsigned int min_len);

/*
 * Of length min_len to /128; from /32 on inside one of the first nets /32
 * networks of 2001:db8::/29, anywhere when shorter.
 */
struct prefix random_prefix6(unsigned int min_len, unsigned int nets);

/*
 * The answer an LPM lookup gives, the simplest way that is fast enough
 * for tens of thousands of prefixes and probes: an address is held when
 * its first len bits are, for some length len, one of the prefixes of that
 * length (a sorted list per family and length, searched for each).
 */
struct lpm {
	u128 *nets[2][129]; /* [IPv6?][len] */
	size_t nr[2][129];
};

/* Of v[0..n), every family's. */
void lpm_build(struct lpm *l, const struct prefix *v, size_t n);
bool lpm_holds(const struct lpm *l, __u8 family, u128 a);
void lpm_free(struct lpm *l);

#endif
