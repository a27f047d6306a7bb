/* SPDX-License-Identifier: GPL-2.0 */
/* IPv4 and IPv6 addresses and prefixes: parsing, printing, set keys. */
#ifndef EDGEFW_ADDR_H
#define EDGEFW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <endian.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include "edgefw.h"

#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

struct prefix {
	union edgefw_addr addr; /* host bits are zero */
	uint8_t family; /* EDGEFW_FAMILY_IPV4 or _IPV6 */
	uint8_t len;
};

static inline unsigned int family_bits(uint8_t family)
{
	return family == EDGEFW_FAMILY_IPV4 ? 32 : 128;
}

/*
 * "ADDR" or "ADDR/LEN". On error returns -1 and writes why into err, e.g.
 * "host bits set in 203.0.113.5/24 (did you mean 203.0.113.0/24?)". An
 * IPv4-mapped IPv6 address or prefix (::ffff:192.0.2.66, inside
 * ::ffff:0:0/96) comes back as IPv4 (192.0.2.66, length minus 96).
 */
int prefix_parse(const char *s, struct prefix *p, char *err, size_t errlen);

/* A single address: no "/LEN" accepted; IPv4-mapped ones as IPv4. */
int addr_parse(const char *s, struct prefix *p, char *err, size_t errlen);

/* "ADDR/LEN", or "ADDR" alone for a full-length prefix. */
void prefix_format(const struct prefix *p, char *buf, size_t len);

/*
 * The same text at o, without a NUL: at most PREFIX_STRLEN - 1 bytes.
 * Returns where it ends.
 */
char *prefix_put(const struct prefix *p, char *o);

bool prefix_contains(const struct prefix *outer, const struct prefix *inner);

/* How many of v's n prefixes are of family. */
static inline size_t prefixes_of_family(const struct prefix *v, size_t n,
					uint8_t family)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += v[i].family == family;
	return count;
}

/* Half an address as a number: two compares instead of a memcmp call. */
static inline uint64_t addr_half(const union edgefw_addr *a, int i)
{
	uint64_t v;

	memcpy(&v, a->b + 8 * i, sizeof(v));
	return be64toh(v);
}

/* By family, address, then length: inline, as sorts call it most. */
static inline int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	for (int i = 0; i < 2; i++) {
		uint64_t x = addr_half(&a->addr, i), y = addr_half(&b->addr, i);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return (int)a->len - (int)b->len;
}

void prefix_set_key(const struct prefix *p, uint16_t set,
		    struct edgefw_set_key *key);
void prefix_from_set_key(const struct edgefw_set_key *key, struct prefix *p);

#endif
