/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loaded config lets the members of group edgefw block through
 * the daemon's control socket: the longest block ('control block ttl
 * max'), the partners they may not block (unless 'control block
 * partners'), and the runtime state whose protected prefixes protect.h's
 * guard checks. It is read from what is loaded (state.json, the config
 * snapshot, sets.json) and kept while those stay the same files: each is
 * replaced by a rename on every change, so a new inode or time says it
 * changed. The daemon then parses them once per change, not once per
 * request. Read and used under the state lock, as the CLI's changes are.
 */
#ifndef EDGEFW_MEMBER_POLICY_H
#define EDGEFW_MEMBER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>
#include "paths.h"
#include "protect.h"

/* Which file a path named when it was read; present false: none. */
struct file_id {
	bool present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct member_policy {
	bool read; /* once read, kept while the files stay the same */
	struct file_id state, snapshot, sets;
	int64_t ttl_max_ms;
	struct protected_prefix *partners; /* NULL: members may block them */
	size_t nr_partners;
	struct runtime_state *st; /* what is loaded; NULL when nothing */
};

/*
 * Bring mp in line with what is loaded now. What cannot be read (nothing
 * loaded, a corrupt state) leaves the defaults: CONTROL_TTL_MAX_DEFAULT,
 * no partners, no state; the guard then checks what it can.
 */
void member_policy_update(const struct paths *p, struct member_policy *mp);

void member_policy_free(struct member_policy *mp);

#endif
