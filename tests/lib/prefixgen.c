// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "prefixgen.h"
#include "util.h"

static u128 mask_of(unsigned int len, __u8 family)
{
	unsigned int bits = family_bits(family);
	u128 all = bits == 128 ? ~(u128)0 : ((u128)1 << bits) - 1;

	return len ? all << (bits - len) & all : 0;
}

u128 addr_to_u128(const union edgefw_addr *a, __u8 family)
{
	u128 v = 0;

	for (unsigned int w = 0; w < family_bits(family) / 32; w++)
		v = v << 32 | ntohl(a->w[w]);
	return v;
}

union edgefw_addr addr_from_u128(u128 v, __u8 family)
{
	union edgefw_addr a = {};

	for (int w = family_bits(family) / 32 - 1; w >= 0; w--, v >>= 32)
		a.w[w] = htonl((__u32)v);
	return a;
}

u128 prefix_last(const struct prefix *p)
{
	return addr_to_u128(&p->addr, p->family) |
	       (mask_of(family_bits(p->family), p->family) &
		~mask_of(p->len, p->family));
}

void prefix_edges(const struct prefix *p, u128 edges[PREFIX_EDGES])
{
	u128 first = addr_to_u128(&p->addr, p->family), last = prefix_last(p);
	u128 all = mask_of(family_bits(p->family), p->family);
	u128 e[PREFIX_EDGES] = { first, last, first - 1, last + 1,
				 first + (last - first) / 2 };

	for (int i = 0; i < PREFIX_EDGES; i++)
		edges[i] = e[i] & all;
}

u128 random_u128(void)
{
	u128 v = 0;

	for (int w = 0; w < 4; w++)
		v = v << 32 | ((__u32)rand() << 1 ^ (__u32)rand());
	return v;
}

u128 random_in_prefix(const struct prefix *p)
{
	return addr_to_u128(&p->addr, p->family) |
	       (random_u128() &
		(prefix_last(p) ^ addr_to_u128(&p->addr, p->family)));
}

struct prefix random_prefix4(unsigned int min_len)
{
	struct prefix p = { .family = EDGEFW_FAMILY_IPV4 };

	p.len = min_len + rand() % (33 - min_len);
	p.addr = addr_from_u128(random_u128() & mask_of(p.len, p.family),
				p.family);
	return p;
}

struct prefix random_prefix6(unsigned int min_len, unsigned int nets)
{
	struct prefix p = { .family = EDGEFW_FAMILY_IPV6 };
	u128 a = random_u128();

	p.len = min_len + rand() % (129 - min_len);
	if (p.len >= 32)
		a = (a & ~mask_of(32, p.family)) |
		    (u128)(0x20010db8 + rand() % nets) << 96;
	p.addr = addr_from_u128(a & mask_of(p.len, p.family), p.family);
	return p;
}

static int cmp_u128(const void *a, const void *b)
{
	u128 x = *(const u128 *)a, y = *(const u128 *)b;

	return (x > y) - (x < y);
}

void lpm_build(struct lpm *l, const struct prefix *v, size_t n)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n; i++)
		l->nr[v[i].family == EDGEFW_FAMILY_IPV6][v[i].len]++;
	for (unsigned int f = 0; f < 2; f++) {
		for (unsigned int len = 0; len <= 128; len++) {
			l->nets[f][len] = xcalloc(l->nr[f][len], sizeof(u128));
			l->nr[f][len] = 0;
		}
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int f = v[i].family == EDGEFW_FAMILY_IPV6;

		l->nets[f][v[i].len][l->nr[f][v[i].len]++] =
			addr_to_u128(&v[i].addr, v[i].family);
	}
	for (unsigned int f = 0; f < 2; f++) {
		for (unsigned int len = 0; len <= 128; len++)
			qsort(l->nets[f][len], l->nr[f][len], sizeof(u128),
			      cmp_u128);
	}
}

bool lpm_holds(const struct lpm *l, __u8 family, u128 a)
{
	unsigned int f = family == EDGEFW_FAMILY_IPV6;

	for (unsigned int len = 0; len <= family_bits(family); len++) {
		u128 net = a & mask_of(len, family);

		if (l->nr[f][len] &&
		    bsearch(&net, l->nets[f][len], l->nr[f][len], sizeof(u128),
			    cmp_u128))
			return true;
	}
	return false;
}

void lpm_free(struct lpm *l)
{
	for (unsigned int f = 0; f < 2; f++) {
		for (unsigned int len = 0; len <= 128; len++)
			free(l->nets[f][len]);
	}
	memset(l, 0, sizeof(*l));
}
