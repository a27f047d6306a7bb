/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool's keys and values in etcd (README, Pool), read and written:
 *   PREFIX/block/ADDR/LEN     {"reason", "added_at", "expires_at", "by"}
 *   PREFIX/set/SET/ADDR/LEN   {"op": "add"|"del", "at", "by"}
 *   PREFIX/partner/SET/DOMAIN {"secure", "at", "by"}
 * A key is one entry: its prefix always as ADDR/LEN, network bits only,
 * as prefix_format writes it with the length; any other spelling is
 * refused, so that two servers never write one entry under two keys.
 */
#ifndef EDGEFW_POOL_KEYS_H
#define EDGEFW_POOL_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "blocklist.h"
#include "config.h"
#include "dnsname.h"

enum pool_kind { POOL_BLOCK, POOL_SET, POOL_PARTNER };

/* Who wrote an entry: a host name, for the logs. */
#define POOL_BY_LEN 64

struct pool_entry {
	enum pool_kind kind;
	char set[NAME_LEN]; /* POOL_SET, POOL_PARTNER */
	struct prefix prefix; /* POOL_BLOCK, POOL_SET */
	char domain[DNSNAME_LEN]; /* POOL_PARTNER */
	/* the value */
	char reason[BLOCK_REASON_LEN]; /* POOL_BLOCK */
	int64_t at_ms; /* added (block), written (set, partner) */
	int64_t expires_ms; /* POOL_BLOCK; 0: never */
	bool del; /* POOL_SET: "op": "del" */
	bool secure; /* POOL_PARTNER */
	char by[POOL_BY_LEN];
};

/*
 * What the key names (pool is the pool's prefix, the key whole). -1 with
 * why (the key quoted escaped) when it is not under pool or not one of
 * edgefw's keys.
 */
int pool_key_parse(const char *pool, const char *key, struct pool_entry *e,
		   char *why, size_t len);

/* The value of e's kind into e. -1 with why. */
int pool_value_parse(const char *text, size_t n, struct pool_entry *e,
		     char *why, size_t len);

/* The key of e under pool; -1 if it does not fit len. */
int pool_key_format(const char *pool, const struct pool_entry *e, char *buf,
		    size_t len);

/* The value of e as JSON text (free it). */
char *pool_value_format(const struct pool_entry *e);

#endif
