// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "blocklist.h"
#include "blockmap.h"
#include "build.h"
#include "log.h"
#include "op.h"
#include "partners.h"
#include "set_changes.h"

/*
 * blocks, read before the programs load (a malformed blocklist.json is
 * refused at once), into the new blocklist map; what expired while
 * nothing was loaded leaves blocklist.json too.
 */
static int fill_blocklist(const struct paths *p, const struct generation *g,
			  struct blocks *blocks)
{
	int err;

	if (blocks_prune(blocks, wall_now_ms()) && blocks_write(p, blocks))
		log_warn(
			"%s still lists expired blocks; the next block command removes them",
			p->blocks_file);
	err = blockmap_sync(gen_map_fd(g, MAP_BLOCKLIST),
			    gen_map_fd(g, MAP_CONTROL), blocks);
	if (err)
		log_err("cannot fill the blocklist: %s", strerror(-err));
	return err ? -1 : 0;
}

/* The running set maps, if they hold what cc compiled. */
static const struct map_fds *sets_to_reuse(const struct sets_reuse *reuse,
					   const struct compiled *cc)
{
	struct sets_digest d;

	if (!reuse)
		return NULL;
	sets_digest_compiled(cc, &d);
	return sets_digest_eq(&d, &reuse->digest) ? &reuse->fds : NULL;
}

int gen_build(const struct paths *p, struct config *c,
	      const struct map_fds *shared, const struct sets_reuse *reuse,
	      bool missing_ok, struct compiled *cc, struct generation *g,
	      bool *reused)
{
	const struct map_fds *sets;

	struct set_changes_file changes;
	struct partners_file partners;
	struct blocks blocks;
	int rc = 0;

	memset(cc, 0, sizeof(*cc));
	memset(g, 0, sizeof(*g));
	if (set_changes_read(p, &changes))
		return OP_FAILED;
	set_changes_apply(c, &changes);
	set_changes_free(&changes);
	if (partners_read(p, &partners))
		return OP_FAILED;
	/* the config's domains, and those added with 'edgefw partner add' */
	partners_sync_config(&partners, c);
	partners_apply(c, &partners);
	partners_free(&partners);
	if (compile(c, cc, stderr))
		return OP_BAD_INPUT;
	/* a reload keeps the running blocklist map (shared) */
	if (!shared && blocks_read(p, &blocks))
		return OP_FAILED;
	sets = sets_to_reuse(reuse, cc);
	if (reused)
		*reused = sets != NULL;
	if (gen_resolve(c, missing_ok, g) || gen_load(c, cc, g, shared, sets) ||
	    (!shared && fill_blocklist(p, g, &blocks)))
		rc = OP_FAILED;
	if (!shared)
		blocks_free(&blocks);
	return rc;
}
