// SPDX-License-Identifier: GPL-2.0
/* edgefw unload */
#include "cli.h"
#include "log.h"
#include "op_load.h"

int cmd_unload(struct cli_ctx *ctx, const struct cli_args *a)
{
	bool loaded;
	int rc = op_unload(&ctx->paths, a->force, &loaded);

	if (!loaded)
		log_info("not loaded; nothing to unload");
	else if (rc == 0)
		log_info("unloaded");
	return exit_status_of(rc);
}
