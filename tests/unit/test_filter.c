// SPDX-License-Identifier: GPL-2.0
/*
 * The set filters (struct edgefw_set_filter) may let an address through
 * that a set does not hold, never the other way: for random prefixes of
 * every length and random addresses inside them, the address's bit is set
 * once the prefix was added. And the filter is worth its place: addresses
 * far from a few prefixes mostly find their bit clear.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "tap.h"

/* A random address inside p. */
static union edgefw_addr inside(const struct prefix *p)
{
	union edgefw_addr a = p->addr;
	unsigned int bits = family_bits(p->family);

	for (unsigned int i = p->len; i < bits; i++) {
		if (rand() & 1)
			a.b[i / 8] |= 0x80 >> (i % 8);
	}
	return a;
}

static struct prefix random_prefix(__u8 family)
{
	struct prefix p = { .family = family };
	unsigned int bits = family_bits(family);

	for (unsigned int i = 0; i < bits / 8; i++)
		p.addr.b[i] = rand();
	p.len = rand() % (bits + 1);
	/* host bits clear, as the parser hands prefixes on */
	for (unsigned int i = p.len; i < bits; i++)
		p.addr.b[i / 8] &= ~(0x80 >> (i % 8));
	return p;
}

static bool bit_set(const struct edgefw_set_filter *f, __u8 family,
		    const union edgefw_addr *a)
{
	return edgefw_filter_passes(f, family, ntohl(a->w[0]));
}

int main(void)
{
	int misses[2] = { 0, 0 }, clear = 0, far = 0;

	srand(42);
	for (int round = 0; round < 20000; round++) {
		__u8 family = round % 2 ? EDGEFW_FAMILY_IPV6
					: EDGEFW_FAMILY_IPV4;
		struct edgefw_set_filter f;
		struct prefix p = random_prefix(family);

		memset(&f, 0, sizeof(f));
		set_filter_add(&f, &p);
		for (int k = 0; k < 8; k++) {
			union edgefw_addr a = inside(&p);

			misses[round % 2] += !bit_set(&f, family, &a);
		}
	}
	CHECK_EQ(
		misses[0], 0,
		"IPv4: every address inside an added prefix finds its bit set (160000 tries, lengths 0-32)");
	CHECK_EQ(
		misses[1], 0,
		"IPv6: every address inside an added prefix finds its bit set (160000 tries, lengths 0-128)");

	/* Two partner prefixes: a random IPv4 source mostly stops here. */
	{
		struct edgefw_set_filter f;
		struct prefix a = { .family = EDGEFW_FAMILY_IPV4, .len = 24 };
		struct prefix b = { .family = EDGEFW_FAMILY_IPV4, .len = 24 };

		memset(&f, 0, sizeof(f));
		inet_pton(AF_INET, "203.0.113.0", &a.addr.w[0]);
		inet_pton(AF_INET, "198.51.100.0", &b.addr.w[0]);
		set_filter_add(&f, &a);
		set_filter_add(&f, &b);
		for (int i = 0; i < 100000; i++) {
			union edgefw_addr r = { .w = { rand() } };

			far++;
			clear += !bit_set(&f, EDGEFW_FAMILY_IPV4, &r);
		}
		CHECK(clear > far * 99 / 100,
		      "two /24s: over 99%% of random IPv4 sources are rejected by the filter (%d of %d)",
		      clear, far);
	}

	/* A short IPv6 prefix sets every bit: it cannot be narrowed. */
	{
		struct edgefw_set_filter f, all;
		struct prefix p = { .family = EDGEFW_FAMILY_IPV6, .len = 16 };

		memset(&f, 0, sizeof(f));
		memset(&all, 0xff, sizeof(all));
		inet_pton(AF_INET6, "2001::", p.addr.b);
		set_filter_add(&f, &p);
		CHECK(!memcmp(&f, &all, sizeof(f)),
		      "an IPv6 /16 sets every bit of the filter");
	}
	return tap_done();
}
