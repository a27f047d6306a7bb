/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a block must not cut off unless the operator insists (--force):
 * the SSH session the command runs in; the hosts that rules of the
 * internal role admit, the front-end pool and management hosts (the
 * runtime state records them, with the changes made by 'edgefw set');
 * and so much of the address space that the block is surely a mistake.
 */
#ifndef EDGEFW_PROTECT_H
#define EDGEFW_PROTECT_H

#include <stdbool.h>
#include "addr.h"
#include "config.h"

#define PROTECT_MAX 1024 /* prefixes recorded; the rest are not checked */
#define BLOCK_MIN_LEN4 8 /* shorter blocks cut off 1/256 of IPv4 or more */
#define BLOCK_MIN_LEN6 16

struct protected_prefix {
	struct prefix prefix;
	char by[NAME_LEN]; /* the set, or the rule of an inline prefix */
};

struct set_changes_file;
struct runtime_state;

/*
 * The prefixes the internal role's rules admit from, into out (at most
 * max); changes: those made with 'edgefw set' when c's sets lack them,
 * else NULL. Returns how many; *truncated when there were more.
 */
size_t protected_collect(const struct config *c,
			 const struct set_changes_file *changes,
			 struct protected_prefix *out, size_t max,
			 bool *truncated);

/*
 * 0 when blocking prefix cuts off nothing of the above; else -1 after
 * saying what it would cut off, then hint (what the caller may do about
 * it). st: what is loaded, or NULL.
 */
int block_guard(const struct prefix *prefix, const struct runtime_state *st,
		const char *hint);

/*
 * The partners: the prefixes that rules of the external role admit
 * traffic from (in) or to (out), with changes as protected_collect takes
 * them, into *out (allocated; free it). Returns how many. The control
 * socket's members may not block them unless the config lets them.
 */
size_t partners_collect(const struct config *c,
			const struct set_changes_file *changes,
			struct protected_prefix **out);

/* As block_guard, against the n partners. */
int partner_guard(const struct prefix *prefix,
		  const struct protected_prefix *partners, size_t n,
		  const char *hint);

#endif
