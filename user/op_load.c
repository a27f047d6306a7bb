// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "build.h"
#include "lockout.h"
#include "log.h"
#include "op.h"
#include "op_load.h"
#include "probe.h"
#include "snapshot.h"

/*
 * Refuses when something is loaded, or left over from an earlier run. A
 * load that was cut short before it finished (its state says so) is
 * cleaned up: nothing of it ever ran as a whole.
 */
static int check_nothing_loaded(const struct paths *p)
{
	struct runtime_state st;
	struct stat sb;
	bool loaded;
	int err = state_read(p, &st);

	if (err == 0 && !st.complete) {
		log_warn(
			"an earlier load of %s was cut short; removing what it left",
			st.config_path);
		if (op_unload(p, false, &loaded))
			return -1;
		err = -ENOENT;
	}
	if (err == 0) {
		log_err("edgefw is already loaded (%s); use 'edgefw reload' to change the config, or 'edgefw unload' first",
			st.config_path);
		return -1;
	}
	if (err != -ENOENT)
		return -1;
	if (stat(p->pin_dir, &sb) == 0) {
		log_err("%s is left over from an earlier edgefw; run 'edgefw unload' first",
			p->pin_dir);
		return -1;
	}
	return 0;
}

/* Attach, pin, record; each step undone when a later one fails. */
static int commit(const struct paths *p, const struct config *c,
		  struct generation *g, enum xdp_mode mode,
		  struct runtime_state *st)
{
	/* Recorded before attaching: an interrupted load can be undone. */
	st->complete = false;
	if (state_write(p, st))
		return -1;
	if (gen_attach(g, mode))
		goto undo_state;
	if (gen_pin(g, p))
		goto undo_attach;
	for (size_t i = 0; i < g->nr_ifaces; i++)
		st->ifaces[i] = g->ifaces[i].st;
	st->complete = true;
	if (snapshot_write(p, c))
		goto undo_pins;
	if (state_write(p, st))
		goto undo_pins;
	return 0;

undo_pins:
	pins_remove(p);
undo_attach:
	gen_detach(g);
undo_state:
	state_remove(p);
	return -1;
}

int op_load(const struct paths *p, struct config *c, const struct load_opts *o,
	    struct runtime_state *st)
{
	struct compiled cc;
	struct generation g;
	int rc;

	if (check_nothing_loaded(p) || features_check_kernel() ||
	    ensure_bpffs(p))
		return OP_FAILED;
	rc = gen_build(p, c, NULL, NULL, o->wait_for_ifaces, &cc, &g, NULL);
	if (rc == 0 && !o->force && lockout_check(c, &g, "load"))
		rc = OP_FAILED;
	if (rc == 0) {
		gen_to_state(&g, c, &cc, st);
		if (commit(p, c, &g, o->xdp_mode, st))
			rc = OP_FAILED;
	}
	gen_free(&g);
	compiled_free(&cc);
	return rc;
}
