// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "compile.h"
#include "setdigest.h"

/* splitmix64's finaliser: every bit of x moves half the bits out */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Two independent 64-bit hashes of len bytes (a multiple of 8). */
static void hash_words(const void *data, size_t len, uint64_t out[2])
{
	uint64_t a = 0x736f6d6570736575ULL, b = 0x646f72616e646f6dULL;
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, sizeof(w));
		a = mix(a ^ w);
		b = mix(b + w * 0x9e3779b97f4a7c15ULL);
	}
	out[0] = mix(a ^ len);
	out[1] = mix(b + len);
}

static void add_hash(struct sets_digest *d, const uint64_t h[2], bool add)
{
	for (int i = 0; i < 2; i++)
		d->h[i] = add ? d->h[i] + h[i] : d->h[i] - h[i];
}

_Static_assert(sizeof(struct edgefw_set_key) % 8 == 0, "whole words");

void sets_digest_key(struct sets_digest *d, const struct edgefw_set_key *k,
		     bool add)
{
	uint64_t h[2];

	hash_words(k, sizeof(*k), h);
	add_hash(d, h, add);
}

/*
 * What the set maps hold for the same sets changes with edgefw's layout
 * of them: the maps of another layout are never taken as they are. 2: an
 * indexed set is no longer in the trie, its IPv6 heads never defer to it;
 * 3: an IPv6 head keeps its prefixes' tails, not whole addresses.
 */
#define SETS_LAYOUT 3

void sets_digest_compiled(const struct compiled *cc, struct sets_digest *d)
{
	/* the layout and slots, in a shape no key has: a key is 24 bytes */
	uint64_t slots[2 + EDGEFW_INDEX_SLOTS] = { SETS_LAYOUT,
						   cc->nr_indexed },
			   h[2];

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < cc->nr_indexed; i++)
		slots[2 + i] = cc->indexed_sets[i];
	hash_words(slots, sizeof(slots), h);
	add_hash(d, h, true);
	for (size_t i = 0; i < cc->nr_set_keys; i++)
		sets_digest_key(d, &cc->set_keys[i], true);
}

bool sets_digest_eq(const struct sets_digest *a, const struct sets_digest *b)
{
	return a->h[0] == b->h[0] && a->h[1] == b->h[1];
}

void sets_digest_format(const struct sets_digest *d,
			char out[SETS_DIGEST_HEX_LEN + 1])
{
	snprintf(out, SETS_DIGEST_HEX_LEN + 1, "%016" PRIx64 "%016" PRIx64,
		 d->h[0], d->h[1]);
}

int sets_digest_parse(const char *s, struct sets_digest *d)
{
	char half[17];

	if (strlen(s) != SETS_DIGEST_HEX_LEN ||
	    strspn(s, "0123456789abcdef") != SETS_DIGEST_HEX_LEN)
		return -1;
	for (int i = 0; i < 2; i++) {
		memcpy(half, s + 16 * i, 16);
		half[16] = '\0';
		if (sscanf(half, "%" SCNx64, &d->h[i]) != 1)
			return -1;
	}
	return 0;
}
