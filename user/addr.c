// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "addr.h"
#include "util.h"

static void clear_host_bits(union edgefw_addr *a, unsigned int len,
			    unsigned int bits)
{
	unsigned int i = len;

	/* bits is a whole number of bytes: a part of one, then whole ones */
	if (i % 8 && i < bits) {
		a->b[i / 8] &= (uint8_t)(0xff00 >> (i % 8));
		i += 8 - i % 8;
	}
	for (; i < bits; i += 8)
		a->b[i / 8] = 0;
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
	/* no IPv4 address holds a ':': IPv6 ones are not tried as IPv4 */
	if (!strchr(s, ':') && inet_pton(AF_INET, s, &p->addr.w[0]) == 1) {
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
	/* shown only when wrong: a million prefixes are parsed in a set add */
	if (n >= sizeof(addr) || parse_plain(addr, p)) {
		snprintf(err, errlen, "malformed prefix '%s'",
			 printable(s, shown, sizeof(shown)));
		return -1;
	}
	/* digits alone: strtoul would take blanks and a sign before them */
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end || errno) {
		snprintf(err, errlen, "malformed prefix length in '%s'",
			 printable(s, shown, sizeof(shown)));
		return -1;
	}
	if (len > family_bits(p->family)) {
		snprintf(err, errlen,
			 "prefix length %lu out of range for %s (0-%u) in '%s'",
			 len, p->family == EDGEFW_FAMILY_IPV4 ? "IPv4" : "IPv6",
			 family_bits(p->family),
			 printable(s, shown, sizeof(shown)));
		return -1;
	}
	exact = *p;
	p->len = len;
	clear_host_bits(&p->addr, len, family_bits(p->family));
	if (memcmp(&exact.addr, &p->addr, sizeof(p->addr))) {
		char fixed[PREFIX_STRLEN];

		prefix_format(p, fixed, sizeof(fixed));
		snprintf(err, errlen,
			 "host bits set in '%s' (did you mean %s?)",
			 printable(s, shown, sizeof(shown)), fixed);
		return -1;
	}
	unmap_ipv4(p);
	return 0;
}

static char *put_dec(char *o, unsigned int v)
{
	if (v >= 100)
		*o++ = '0' + v / 100;
	if (v >= 10)
		*o++ = '0' + v / 10 % 10;
	*o++ = '0' + v % 10;
	return o;
}

static char *put_ipv4(char *o, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*o++ = '.';
		o = put_dec(o, b[i]);
	}
	return o;
}

/*
 * As glibc's inet_ntop writes it (RFC 5952: the longest run of two or
 * more zero groups as ::, the first of equals; lower-case hex without
 * leading zeros; ::a.b.c.d and ::ffff:a.b.c.d dotted), without its
 * sprintf per group: sets.json holds a million of them.
 */
static char *put_ipv6(char *o, const uint8_t *b)
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, best_len = 0, run = -1;
	uint16_t w[8];

	for (int i = 0; i < 8; i++) {
		w[i] = b[2 * i] << 8 | b[2 * i + 1];
		if (w[i] == 0 && run < 0)
			run = i;
		if ((w[i] != 0 || i == 7) && run >= 0) {
			int n = (w[i] == 0 ? i + 1 : i) - run;

			if (n > best_len) {
				best = run;
				best_len = n;
			}
			run = -1;
		}
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*o++ = ':';
			i += best_len - 1;
			if (i == 7)
				*o++ = ':';
			continue;
		}
		if (i)
			*o++ = ':';
		if (i == 6 && best == 0 &&
		    (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_ipv4(o, b + 12);
		for (int shift = 12, started = 0; shift >= 0; shift -= 4) {
			int d = w[i] >> shift & 0xf;

			if (d || started || shift == 0) {
				*o++ = hex[d];
				started = 1;
			}
		}
	}
	return o;
}

char *prefix_put(const struct prefix *p, char *o)
{
	o = p->family == EDGEFW_FAMILY_IPV4 ? put_ipv4(o, p->addr.b)
					    : put_ipv6(o, p->addr.b);
	if (p->len != family_bits(p->family)) {
		*o++ = '/';
		o = put_dec(o, p->len);
	}
	return o;
}

void prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char a[PREFIX_STRLEN];

	*prefix_put(p, a) = '\0';
	snprintf(buf, len, "%s", a);
}

bool prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	union edgefw_addr masked = inner->addr;

	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	clear_host_bits(&masked, outer->len, family_bits(inner->family));
	return memcmp(&masked, &outer->addr, sizeof(masked)) == 0;
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
