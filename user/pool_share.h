/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool's writes (README, Pool): what block, set and partner change
 * here goes to etcd as well, for the other servers of the pool. The
 * change applies here first, whatever etcd does; when no endpoint
 * answers it waits in pool-queue.json (pool_queue.h), and every write
 * after it waits behind it, so that etcd takes them in the order they
 * were made. The daemon writes the queue out when etcd answers again.
 */
#ifndef EDGEFW_POOL_SHARE_H
#define EDGEFW_POOL_SHARE_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "etcd.h"
#include "paths.h"
#include "prefix_list.h"
#include "pool_keys.h"
#include "pool_queue.h"

struct pool_share_report {
	bool shared; /* etcd took it */
	bool queued; /* it waits in pool-queue.json */
	size_t nr_queued; /* writes waiting, with it */
};

/*
 * The pool statement of the loaded config (its snapshot): 0, with
 * out->on false when there is none or nothing is loaded; -1 after
 * reporting a snapshot that does not read.
 */
int pool_loaded_conf(const struct paths *p, struct cfg_pool *out);

/*
 * Before a command changes what the pool shares: 0 when the loaded
 * config has no pool or its etcd client (libcurl, opened on first use)
 * loads; else OP_FAILED after saying why, and the command changes
 * nothing (an unreachable etcd queues the change; a missing library
 * would leave it here only).
 */
int pool_lib_check(const struct paths *p);

/* A client of c's endpoints; NULL after reporting why. */
struct etcd *pool_etcd_open(const struct cfg_pool *c);

/* "http://a:2379, http://b:2379", for messages. */
void pool_endpoints_text(const struct cfg_pool *c, char *buf, size_t len);

/*
 * One write: a put, with a lease of what is left of w->expires_ms (at
 * least etcd's minimum), or a delete. 0; 1 when the write is moot (a
 * block that expired meanwhile); -1 with err.
 */
int pool_etcd_write(struct etcd *e, const struct pool_write *w,
		    struct etcd_err *err);

/* Whether err is etcd not answering (and not an answer refusing). */
bool pool_unreachable(const struct etcd_err *err);

/*
 * Share e, or its removal (remove: the key is deleted; a set's 'del' is
 * a value, e->del). The caller holds the state lock. 0 (also when there
 * is no pool, or when the write is queued), or an op_error when etcd
 * refused the write (the change stays here only, said so).
 */
int pool_share(const struct paths *p, const struct pool_entry *e, bool remove,
	       struct pool_share_report *r);

/* The same for what the commands change, under the state lock. */
int pool_share_block(const struct paths *p, const struct block_entry *b,
		     bool remove, struct pool_share_report *r);
/* Each prefix of l, added to or removed from set (a value each). */
int pool_share_set(const struct paths *p, const char *set,
		   const struct prefix_list *l, bool add,
		   struct pool_share_report *r);
/*
 * The set that has domain from 'partner add' (set NULL: whichever), for
 * the key of its removal; false when none has.
 */
bool pool_partner_set(const struct paths *p, const char *set,
		      const char *domain, char *out, size_t len);

/* A partner domain added or removed; takes the state lock itself. */
int pool_share_partner(const struct paths *p, const char *set,
		       const char *domain, bool secure, bool remove,
		       struct pool_share_report *r);

/*
 * Write the queue out in order, under the state lock (taken here). 0
 * when it is empty now, 1 when etcd stopped answering on the way (what
 * was written is off the queue), -1 after reporting an error. *written
 * how many etcd took.
 */
int pool_flush(const struct paths *p, struct etcd *e, size_t *written);

/* The writes waiting (0 when the file does not read: it is reported). */
size_t pool_queued(const struct paths *p);

/* What status and the metrics say of the pool. */
struct pool_status {
	int64_t revision; /* pool.json's: applied up to and with it */
	size_t queued; /* writes waiting for etcd */
	bool watch_down; /* the daemon cannot reach etcd */
	bool degraded; /* either of the two */
};

void pool_status_read(const struct paths *p, struct pool_status *s);

#endif
