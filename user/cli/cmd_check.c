// SPDX-License-Identifier: GPL-2.0
/* edgefw check: parse and compile a config, change nothing. */
#include <limits.h>
#include <stdio.h>
#include "cli.h"
#include "compile.h"

int cmd_check(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *path = a->config ? a->config : DEFAULT_CONFIG_PATH;
	struct compiled cc;
	struct config c;
	size_t prefixes = 0;
	int rc;

	(void)ctx;
	rc = read_config(path, &c);
	if (rc)
		return rc;
	if (compile(&c, &cc, stderr)) {
		config_free(&c);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < c.nr_sets; i++)
		prefixes += cc.set_sizes[i];
	printf("%s: OK: %s mode, %zu interfaces, %zu rules, %zu sets with %zu prefixes\n",
	       path, mode_name(c.mode), c.nr_ifaces, c.nr_rules, c.nr_sets,
	       prefixes);
	if (c.pool.on) {
		char pool[POOL_MAX_ENDPOINTS * POOL_URL_LEN + 4 * PATH_MAX];

		pool_format(&c, pool, sizeof(pool));
		printf("%s\n", pool);
	}
	compiled_free(&cc);
	config_free(&c);
	return EXIT_OK;
}
