/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon does to the loaded state: load or adopt at start,
 * bring it back in line with the machine, reload the config file.
 */
#ifndef EDGEFW_DAEMON_SYNC_H
#define EDGEFW_DAEMON_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "attach.h"
#include "config.h"
#include "paths.h"

struct daemon_config {
	const char *path;
	char *text; /* the config that runs: reparsed for every rebuild */
	size_t len;
	enum xdp_mode mode;
	struct cfg_metrics metrics; /* of text */
	bool pool; /* text has a pool statement, at pool_loc */
	struct src_loc pool_loc;
};

/*
 * Read and check the config file; 0, or -1 after reporting its errors
 * (FILE:LINE:COL). On success dc holds the new text.
 */
int sync_read_config(struct daemon_config *dc);

/*
 * At start: load, or adopt what is loaded (a restart after a crash or a
 * kill -9 does not touch a generation that matches the config and the
 * machine). 0 or -1.
 */
int sync_start(const struct paths *p, const struct daemon_config *dc);

/* nothing is loaded any more: someone ran 'edgefw unload' */
#define SYNC_UNLOADED 1

/*
 * Reload when the machine drifted from what is loaded (or always, with
 * force: a new config). 0, SYNC_UNLOADED (nothing loaded: it loads
 * nothing) or -1; *reloaded says whether it did.
 */
int sync_apply(const struct paths *p, const struct daemon_config *dc,
	       bool force, bool *reloaded);

/* Whether nothing is loaded (under the lock). */
bool sync_unloaded(const struct paths *p);

/*
 * One more reload that failed before it began (the config does not
 * read), counted in state.json under the lock for the metrics.
 */
void sync_count_failed_reload(const struct paths *p);

#endif
