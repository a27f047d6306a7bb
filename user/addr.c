// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "util.h"

static void clear_host_bits(union edgefw_addr *a, unsigned int len,
			    unsigned int bits)
{
	unsigned int i;

	for (i = len; i < bits; i++)
		a->b[i / 8] &= ~(0x80 >> (i % 8));
}

/*
 * An IPv4-mapped IPv6 prefix (::ffff:a.b.c.d, or any prefix inside
 * ::ffff:0:0/96) is IPv4: packets carry IPv4 sources as IPv4, never
 * mapped, so that is what the operator means. Length minus 96.
 */
static void unmap_ipv4(struct prefix *p)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (p->family != EDGEFW_FAMILY_IPV6 || p->len < 96 ||
	    memcmp(p->addr.b, mapped, sizeof(mapped)))
		return;
	p->addr.w[0] = p->addr.w[3];
	memset(&p->addr.w[1], 0, sizeof(p->addr) - sizeof(p->addr.w[0]));
	p->family = EDGEFW_FAMILY_IPV4;
	p->len -= 96;
}

static int parse_plain(const char *s, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, &p->addr.w[0]) == 1) {
		p->family = EDGEFW_FAMILY_IPV4;
		p->len = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, p->addr.b) == 1) {
		p->family = EDGEFW_FAMILY_IPV6;
		p->len = 128;
		return 0;
	}
	return -1;
}

int addr_parse(const char *s, struct prefix *p, char *err, size_t errlen)
{
	char shown[PRINTABLE_LEN];

	if (parse_plain(s, p) == 0) {
		unmap_ipv4(p);
		return 0;
	}
	printable(s, shown, sizeof(shown));
	if (strchr(s, '/'))
		snprintf(err, errlen, "'%s': an address takes no prefix length",
			 shown);
	else
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address",
			 shown);
	return -1;
}

int prefix_parse(const char *s, struct prefix *p, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1], shown[PRINTABLE_LEN], *end;
	const char *slash = strchr(s, '/');
	struct prefix exact;
	unsigned long len;
	size_t n;

	if (!slash)
		return addr_parse(s, p, err, errlen);
	n = slash - s;
	if (n < sizeof(addr)) {
		memcpy(addr, s, n);
		addr[n] = '\0';
	}
	printable(s, shown, sizeof(shown));
	if (n >= sizeof(addr) || parse_plain(addr, p)) {
		snprintf(err, errlen, "malformed prefix '%s'", shown);
		return -1;
	}
	/* digits alone: strtoul would take blanks and a sign before them */
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end || errno) {
		snprintf(err, errlen, "malformed prefix length in '%s'", shown);
		return -1;
	}
	if (len > family_bits(p->family)) {
		snprintf(err, errlen,
			 "prefix length %lu out of range for %s (0-%u) in '%s'",
			 len, p->family == EDGEFW_FAMILY_IPV4 ? "IPv4" : "IPv6",
			 family_bits(p->family), shown);
		return -1;
	}
	exact = *p;
	p->len = len;
	clear_host_bits(&p->addr, len, family_bits(p->family));
	if (memcmp(&exact.addr, &p->addr, sizeof(p->addr))) {
		char fixed[PREFIX_STRLEN];

		prefix_format(p, fixed, sizeof(fixed));
		snprintf(err, errlen,
			 "host bits set in '%s' (did you mean %s?)", shown,
			 fixed);
		return -1;
	}
	unmap_ipv4(p);
	return 0;
}

void prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family == EDGEFW_FAMILY_IPV4 ? AF_INET : AF_INET6,
		  p->addr.b, a, sizeof(a));
	if (p->len == family_bits(p->family))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
}

bool prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	union edgefw_addr masked = inner->addr;

	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	clear_host_bits(&masked, outer->len, family_bits(inner->family));
	return memcmp(&masked, &outer->addr, sizeof(masked)) == 0;
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(&a->addr, &b->addr, sizeof(a->addr));
	if (c)
		return c;
	return (int)a->len - (int)b->len;
}

void prefix_set_key(const struct prefix *p, uint16_t set,
		    struct edgefw_set_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = EDGEFW_SET_KEY_BITS(p->len);
	key->set = set;
	key->family = p->family;
	key->addr = p->addr;
}

void prefix_from_set_key(const struct edgefw_set_key *key, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = key->family;
	p->len = key->prefixlen - EDGEFW_SET_KEY_BITS(0);
	p->addr = key->addr;
}
