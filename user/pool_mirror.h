/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pool's prefix in etcd holds, as this server applied it: each
 * key's entry and revision. Events from the watch and a whole range read
 * at start (or after a compaction) are turned into changes for the
 * daemon to apply to its blocklist, sets and partners: an entry added,
 * changed or removed. Applied in revision order, the last write in etcd
 * wins on every server. A key or value that is not edgefw's is refused,
 * logged and counted, and the others still apply; a valid entry that is
 * overwritten by an invalid value is removed (the last write replaced it).
 */
#ifndef EDGEFW_POOL_MIRROR_H
#define EDGEFW_POOL_MIRROR_H

#include <stddef.h>
#include <stdint.h>
#include "etcd_json.h"
#include "pool_keys.h"

enum pool_change_what { POOL_ADDED, POOL_CHANGED, POOL_REMOVED };

struct pool_change {
	enum pool_change_what what;
	const struct pool_entry *e; /* now, or the one removed */
	int64_t lease; /* of the key, 0: none */
	int64_t revision;
};

typedef void (*pool_change_fn)(void *user, const struct pool_change *c);

struct pool_item;

struct pool_mirror {
	char *prefix;
	struct pool_item **buckets;
	size_t nr_buckets, nr;
	int64_t revision; /* applied up to and with it */
	uint64_t refused; /* keys and values not edgefw's */
};

void pool_mirror_init(struct pool_mirror *m, const char *prefix,
		      int64_t revision);
void pool_mirror_free(struct pool_mirror *m);

/*
 * One watch event. Events at or below the revision applied are skipped
 * (a watch resumed from an earlier revision gives them again). 1 with a
 * change made, 0 none, -1 refused (logged, counted).
 */
int pool_mirror_event(struct pool_mirror *m, const struct etcd_event *ev,
		      pool_change_fn fn, void *user);

/*
 * Everything under the prefix at r's revision: the changes that make
 * what was applied equal to it, removals included. Returns how many.
 */
size_t pool_mirror_resync(struct pool_mirror *m, const struct etcd_range *r,
			  pool_change_fn fn, void *user);

/* The entry of a key, or NULL. */
const struct pool_entry *pool_mirror_find(const struct pool_mirror *m,
					  const char *key);

#endif
