/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading, reloading and unloading edgefw. The caller holds the state
 * lock (state_lock) for the whole operation.
 */
#ifndef EDGEFW_OP_LOAD_H
#define EDGEFW_OP_LOAD_H

#include <stdbool.h>
#include "attach.h"
#include "config.h"
#include "paths.h"
#include "state.h"

struct load_opts {
	enum xdp_mode xdp_mode;
	bool force; /* skip the lockout guard (lockout.h) */
	bool wait_for_ifaces; /* a missing interface waits (the daemon) */
};

/*
 * Build a generation from c (with the saved set changes and blocks),
 * attach it to every interface and pin it; every step that changes the
 * kernel is undone if a later one fails, leaving the machine as it was.
 * 0 with *st what was loaded, or an op_error.
 */
int op_load(const struct paths *p, struct config *c, const struct load_opts *o,
	    struct runtime_state *st);

/*
 * Replace the running generation (old) by one built from c, atomically
 * per interface (see op_reload.c); on any error before the switch the old
 * one keeps running. 0 with *st the new state, or an op_error.
 */
int op_reload(const struct paths *p, const struct runtime_state *old,
	      struct config *c, const struct load_opts *o,
	      struct runtime_state *st);

/*
 * Detach everything and remove the pins and the runtime state; *loaded
 * says whether anything was there. force: the namespace edgefw was
 * loaded in is gone, remove what is left here. 0 or OP_FAILED.
 */
int op_unload(const struct paths *p, bool force, bool *loaded);

#endif
