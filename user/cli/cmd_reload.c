// SPDX-License-Identifier: GPL-2.0
/* edgefw reload: the loaded config, or another, replaces what runs. */
#include "cli.h"
#include "log.h"
#include "op_load.h"

int cmd_reload(struct cli_ctx *ctx, const struct cli_args *a)
{
	const struct load_opts o = { .xdp_mode = a->xdp_mode,
				     .force = a->force };
	const struct runtime_state *old = &ctx->loaded.st;
	struct runtime_state st;
	struct config c;
	int rc;

	/* without -c: the file that was loaded, read again */
	rc = read_config(a->config ? a->config : old->config_path, &c);
	if (rc) {
		/* a reload that failed all the same, for the metrics */
		state_count_failed_reload(&ctx->paths);
		return rc;
	}
	rc = op_reload(&ctx->paths, old, &c, &o, &st);
	if (rc == 0)
		log_info(
			"reloaded %s (%s mode, generation %lu): %zu rules on %zu interfaces",
			c.path, mode_name(c.mode), st.generation, c.nr_rules,
			st.nr_ifaces);
	config_free(&c);
	return exit_status_of(rc);
}
