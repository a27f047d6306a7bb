/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's side of the pool (README, Pool): it makes this server's
 * blocklist, set changes and partner domains follow the pool's prefix in
 * etcd. At start, and after a compaction or a new cluster, the prefix is
 * read whole and the local state made equal to it; then a watch from
 * the next revision applies each change (the library's op_block_apply,
 * op_set_change, op_partner_add and _del, under the state lock), and
 * the revision applied goes to pool.json after each batch. What it
 * applies is never written back to etcd. A lost connection is resumed
 * from the revision applied, with a backoff; while no endpoint answers
 * the pool is degraded, and the writes queued meanwhile go out first
 * when one answers again. One descriptor for the daemon's poll.
 */
#ifndef EDGEFW_DAEMON_POOL_H
#define EDGEFW_DAEMON_POOL_H

#include "paths.h"

struct daemon_pool;

/*
 * The pool of the loaded config; NULL when it has none (or after saying
 * why it cannot follow it).
 */
struct daemon_pool *daemon_pool_open(const struct paths *p);
void daemon_pool_close(struct daemon_pool *dp);

/* Readable when daemon_pool_dispatch has something to do. */
int daemon_pool_fd(const struct daemon_pool *dp);
void daemon_pool_dispatch(struct daemon_pool *dp);

#endif
