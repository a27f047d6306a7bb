/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dynamic blocklist as edgefw keeps it: entries with their expiry and
 * reason, in the state directory's blocklist.json, which the kernel's
 * blocklist map follows (blockmap.h). Times are Unix times in ms.
 */
#ifndef EDGEFW_BLOCKLIST_H
#define EDGEFW_BLOCKLIST_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "addr.h"
#include "paths.h"

#define BLOCK_REASON_LEN 128
#define BLOCK_OWNER_LEN 48 /* "uid 4294967295", or a user's name */

struct block_entry {
	struct prefix prefix;
	int64_t expires_ms; /* 0: never */
	int64_t added_ms;
	/*
	 * Who added it: 0 root (the CLI's direct path, or root on the
	 * control socket), else the uid of the member of group edgefw that
	 * asked the control socket. Members may not remove root's blocks.
	 */
	uint32_t added_by;
	char reason[BLOCK_REASON_LEN];
};

/* A reason one may give a block: one line, shorter than BLOCK_REASON_LEN. */
bool block_reason_valid(const char *reason);

struct blocks {
	struct block_entry *v;
	size_t n;
	size_t cap;
};

struct sf_err;

/* 0 (a missing file is an empty list), or -1 after reporting. */
int blocks_read(const struct paths *p, struct blocks *b);

/*
 * The entries of the text of a blocklist.json, sorted: 0, or -1 with e
 * saying what is wrong where (nothing is kept).
 */
int blocks_parse(const char *text, size_t len, struct blocks *b,
		 struct sf_err *e);

int blocks_write(const struct paths *p, const struct blocks *b);

/* The JSON document of a blocklist.json, as blocks_write writes it. */
json_object *blocks_json(const struct blocks *b);
void blocks_free(struct blocks *b);
struct blocks blocks_copy(const struct blocks *b);

struct block_entry *blocks_find(const struct blocks *b, const struct prefix *p);

/* Add or update e; true when its prefix was there already. */
bool blocks_put(struct blocks *b, const struct block_entry *e);

/* Remove the entry of p; false when there is none. */
bool blocks_remove(struct blocks *b, const struct prefix *p);

/* The seconds e has left at now_ms, to the nearest: 1h shows 1h00m00s. */
int64_t block_seconds_left(const struct block_entry *e, int64_t now_ms);

/* "root", the user's name, or "uid N" when it has none. */
void block_owner_name(uint32_t uid, char *buf, size_t len);

/* Drop the entries expired at now_ms; returns how many. */
size_t blocks_prune(struct blocks *b, int64_t now_ms);

#endif
