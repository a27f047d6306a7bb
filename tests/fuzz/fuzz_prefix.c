// SPDX-License-Identifier: GPL-2.0
/*
 * prefix_parse and addr_parse on any string. What parses has no host
 * bits, is never an IPv4-mapped IPv6 prefix (those come back as IPv4),
 * and parses again, as prefix_format prints it, to the same prefix; an
 * address parses as a prefix too, to the same.
 */
#include "addr.h"
#include "fuzz.h"

static void check_prefix(const struct prefix *p)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	char buf[PREFIX_STRLEN], why[160];
	struct prefix again;

	FUZZ_ASSERT(p->family == EDGEFW_FAMILY_IPV4 ||
		    p->family == EDGEFW_FAMILY_IPV6);
	FUZZ_ASSERT(p->len <= family_bits(p->family));
	FUZZ_ASSERT(prefix_contains(p, p));
	FUZZ_ASSERT(p->family == EDGEFW_FAMILY_IPV4 || p->len < 96 ||
		    memcmp(p->addr.b, mapped, sizeof(mapped)));
	prefix_format(p, buf, sizeof(buf));
	FUZZ_ASSERT(prefix_parse(buf, &again, why, sizeof(why)) == 0);
	FUZZ_ASSERT(prefix_cmp(p, &again) == 0);
	FUZZ_ASSERT(!memcmp(&p->addr, &again.addr, sizeof(p->addr)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), why[160];
	struct prefix p, a;

	if (prefix_parse(s, &p, why, sizeof(why)) == 0)
		check_prefix(&p);
	else
		FUZZ_ASSERT(why[0]);
	if (addr_parse(s, &a, why, sizeof(why)) == 0) {
		check_prefix(&a);
		FUZZ_ASSERT(a.len == family_bits(a.family));
		FUZZ_ASSERT(prefix_parse(s, &p, why, sizeof(why)) == 0);
		FUZZ_ASSERT(prefix_cmp(&a, &p) == 0);
	}
	free(s);
	return 0;
}
