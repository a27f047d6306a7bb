/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dynamic blocklist's operations. Each one prunes what has expired,
 * changes blocklist.json and, when edgefw is loaded, makes the kernel's
 * map hold exactly the list; when either fails both go back to the list
 * as it was. A change is one small map write and one small atomic file
 * write: the stanza proxy calls this for every abuser. The caller holds
 * the state lock.
 */
#ifndef EDGEFW_OP_BLOCK_H
#define EDGEFW_OP_BLOCK_H

#include <stdbool.h>
#include "blocklist.h"
#include "member_policy.h"
#include "paths.h"
#include "protect.h"

struct block_report {
	bool existed; /* add: the prefix was blocked already, now updated */
	bool loaded; /* the kernel has the change (else: at the next load) */
	size_t expired; /* entries pruned on the way */
	int64_t next_expiry_ms; /* of those left; 0 when none expires */
};

/*
 * Block e->prefix for ttl_ms (0: no time limit) from now, with e->reason;
 * e's times are filled in. Unless force, a block that would cut off what
 * protect.h names is refused (OP_BAD_INPUT). 0, or an op_error.
 */
int op_block_add(const struct paths *p, struct block_entry *e, int64_t ttl_ms,
		 bool force, struct block_report *r);

/*
 * What a caller other than root may do: the members of group edgefw on
 * the daemon's control socket (the config's 'control block').
 */
struct block_limits {
	uint32_t uid; /* the member: what it adds is recorded as its own */
	struct member_policy *policy; /* updated under the lock */
};

/*
 * As op_block_add without force, for a member within lim: a *ttl_ms over
 * the most is refused, none (0) becomes the most; partners are refused
 * as what protect.h names is, and so is a change to a block root added.
 * Refusals are OP_BAD_INPUT, with the reason said.
 */
int op_block_add_limited(const struct paths *p, struct block_entry *e,
			 int64_t *ttl_ms, const struct block_limits *lim,
			 struct block_report *r);

/*
 * Unblock a prefix; OP_FAILED, saying so, when it is not blocked. lim: a
 * member's, who may remove what members added but not root's blocks
 * (OP_BAD_INPUT, naming the owner); NULL for root, who may remove any.
 */
int op_block_del(const struct paths *p, const struct prefix *prefix,
		 const struct block_limits *lim, struct block_report *r);

/*
 * The pool's (README, Pool): entries as the server that added them wrote
 * them (their own times: a block expires at one moment everywhere) and
 * prefixes to remove, in one change of the list and the kernel's map.
 * An entry that has expired is not added; a prefix to remove that is
 * not listed is no error. An entry there already keeps its owner. 0, or
 * an op_error.
 */
int op_block_apply(const struct paths *p, const struct block_entry *add,
		   size_t nr_add, const struct prefix *del, size_t nr_del,
		   struct block_report *r);

/* The entries that have not expired. */
int op_block_list(const struct paths *p, struct blocks *out,
		  struct block_report *r);

/* Remove what has expired from the kernel and the file. */
int op_block_prune(const struct paths *p, struct block_report *r);

#endif
