/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state a generation's programs keep, driven the way the reference
 * model's virtual clock drives its own: forgotten between sequences, and
 * moved back in time by as much as the model's clock moves forward. The
 * data plane compares every stored time (a flow's timestamp, a bucket's
 * TAT, a block's expiry) with a clock of its own, so an entry moved back
 * by t reads as if t had passed.
 */
#ifndef EDGEFW_TEST_KSTATE_H
#define EDGEFW_TEST_KSTATE_H

#include <linux/types.h>
#include "addr.h"
#include "blocklist.h"
#include "pkttest.h"

struct kstate {
	const struct env *e;
	int rate_src_fd;
	int rate_total_fd;
	int blocklist_fd;
	int control_fd;
	/* the blocks as `edgefw block` keeps them: expiries in Unix ms */
	struct blocks blocks;
};

void kstate_init(struct kstate *k, const struct env *e);
void kstate_free(struct kstate *k);

/* No flows, every bucket full, no blocks. */
void kstate_reset(struct kstate *k);

/* As if ns (a whole number of milliseconds) passed. */
void kstate_age(struct kstate *k, __u64 ns);

/* Through the CLI's own path to the map (blockmap_sync). ttl_ns 0: none. */
void kstate_block(struct kstate *k, const struct prefix *p, __u64 ttl_ns);
void kstate_unblock(struct kstate *k, const struct prefix *p);

#endif
