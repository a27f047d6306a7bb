// SPDX-License-Identifier: GPL-2.0
/* edgefw daemon: hands over to the daemon's front end (user/daemon/). */
#include "cli.h"
#include "daemon/daemon.h"

int cmd_daemon(struct cli_ctx *ctx, const struct cli_args *a)
{
	(void)ctx;
	return daemon_run(a->config ? a->config : DEFAULT_CONFIG_PATH,
			  a->xdp_mode);
}
