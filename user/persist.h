/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the CLI changes outside the config and what must survive reload,
 * unload + load and reboot: set changes, kept as additions and removals
 * over the config's sets (sets.json), and the blocklist (blocklist.json),
 * both under the state directory. Files are replaced atomically; a file
 * that does not parse is refused whole, never half-read.
 */
#ifndef EDGEFW_PERSIST_H
#define EDGEFW_PERSIST_H

#include <stdint.h>
#include <time.h>
#include "config.h"
#include "paths.h"
#include "prefix_list.h"

#define BLOCK_REASON_LEN 128

struct set_delta {
	char name[NAME_LEN];
	struct prefix_list added; /* sorted */
	struct prefix_list removed; /* sorted */
};

struct set_deltas {
	struct set_delta *v;
	size_t n;
};

struct block_entry {
	struct prefix prefix;
	int64_t expires_ms; /* Unix time in ms; 0: never */
	int64_t added; /* Unix time */
	char reason[BLOCK_REASON_LEN];
};

struct blocks {
	struct block_entry *v;
	size_t n;
	size_t cap;
};

/* 0 (a missing file is empty state), or -1 after reporting. */
int deltas_read(const struct paths *p, struct set_deltas *d);
int deltas_write(const struct paths *p, const struct set_deltas *d);
void deltas_free(struct set_deltas *d);
struct set_delta *deltas_find(struct set_deltas *d, const char *name,
			      bool create);
const struct set_delta *deltas_get(const struct set_deltas *d,
				   const char *name);

int blocks_read(const struct paths *p, struct blocks *b);
int blocks_write(const struct paths *p, const struct blocks *b);
void blocks_free(struct blocks *b);

/* Drop the entries expired at now (Unix ms); returns how many. */
size_t blocks_prune(struct blocks *b, int64_t now_ms, struct blocks *expired);
struct block_entry *blocks_find(const struct blocks *b, const struct prefix *p);

#endif
