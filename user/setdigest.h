/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running generation's set maps hold, in 128 bits: the sum of a
 * hash of every key of the sets trie, and of the index slots. A sum, so
 * that a set change moves it by what it adds and removes, in the time of
 * the change. A reload whose compiled sets have the digest that the
 * runtime state records for the running ones takes their maps as they
 * are, instead of filling new ones with the same keys (a 100k set: most
 * of a reload's time). Whatever writes the set maps keeps it, or marks
 * it unknown first (set_apply.c); unknown, a reload fills new maps.
 */
#ifndef EDGEFW_SETDIGEST_H
#define EDGEFW_SETDIGEST_H

#include <stdbool.h>
#include <stdint.h>
#include "edgefw.h"

struct compiled;

struct sets_digest {
	uint64_t h[2];
};

#define SETS_DIGEST_HEX_LEN 32

/* One key in (add) or out of the sets. */
void sets_digest_key(struct sets_digest *d, const struct edgefw_set_key *k,
		     bool add);

/* The digest of what a generation compiled from cc holds. */
void sets_digest_compiled(const struct compiled *cc, struct sets_digest *d);

bool sets_digest_eq(const struct sets_digest *a, const struct sets_digest *b);

void sets_digest_format(const struct sets_digest *d,
			char out[SETS_DIGEST_HEX_LEN + 1]);

/* 0, or -1 when s is not 32 hex digits. */
int sets_digest_parse(const char *s, struct sets_digest *d);

#endif
