// SPDX-License-Identifier: GPL-2.0
/* edgefw load: check the config, load it, say where it runs. */
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"
#include "log.h"
#include "op_load.h"
#include "util.h"

/* load reads its config before it needs privileges: bad input is exit 2. */
int check_load_config(const struct cli_args *a, void **input)
{
	struct config *c = xcalloc(1, sizeof(*c));
	int rc = read_config(a->config ? a->config : DEFAULT_CONFIG_PATH, c);

	if (rc) {
		free(c);
		return rc;
	}
	*input = c;
	return EXIT_OK;
}

void free_config_input(void *input)
{
	if (input)
		config_free(input);
	free(input);
}

static void summarise(const struct config *c, const struct runtime_state *st)
{
	char ifaces[EDGEFW_MAX_IFACES * (IF_NAMESIZE + 12)] = "";
	size_t off = 0;

	for (size_t i = 0; i < st->nr_ifaces && off < sizeof(ifaces); i++)
		off += snprintf(ifaces + off, sizeof(ifaces) - off, "%s%s %s",
				i ? ", " : "", st->ifaces[i].name,
				st->ifaces[i].xdp_native ? "native"
							 : "generic");
	log_info("loaded %s (%s mode): %zu rules on %s", c->path,
		 mode_name(c->mode), c->nr_rules, ifaces);
}

int cmd_load(struct cli_ctx *ctx, const struct cli_args *a)
{
	const struct load_opts o = { .xdp_mode = a->xdp_mode,
				     .force = a->force };
	struct config *c = ctx->input;
	struct runtime_state st;
	int rc = op_load(&ctx->paths, c, &o, &st);

	if (rc == 0)
		summarise(c, &st);
	return exit_status_of(rc);
}
