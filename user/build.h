/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A generation built for load and reload from a parsed config and what
 * the CLI changed since: the saved set changes (sets.json) go into the
 * config's sets before it is compiled, so every set is built once, and a
 * new blocklist (no shared maps to reuse) gets the saved blocks that have
 * not expired. A corrupt state file refuses the whole generation, before
 * any program is loaded.
 */
#ifndef EDGEFW_BUILD_H
#define EDGEFW_BUILD_H

#include "compile.h"
#include "config.h"
#include "loader.h"
#include "paths.h"
#include "pins.h"
#include "setdigest.h"

/*
 * The running generation's set maps and the digest of what they hold
 * (setdigest.h), for a reload that compiles the same sets to take.
 */
struct sets_reuse {
	struct map_fds fds; /* SETS_MAP_BITS */
	struct sets_digest digest;
};

/*
 * Apply the set changes to c, compile it into cc and load and fill g;
 * shared: the running edgefw's maps (reload), or NULL (load); reuse: the
 * running set maps, taken when cc's sets have their digest (*reused says
 * so), or NULL; missing_ok: a configured interface that is missing is
 * waiting, not an error. 0, or an op_error after reporting; cc and g are
 * the caller's to free either way.
 */
int gen_build(const struct paths *p, struct config *c,
	      const struct map_fds *shared, const struct sets_reuse *reuse,
	      bool missing_ok, struct compiled *cc, struct generation *g,
	      bool *reused);

#endif
