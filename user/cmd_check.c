// SPDX-License-Identifier: GPL-2.0
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "commands.h"
#include "log.h"

int usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "edgefw %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'edgefw help'.\n");
	return EXIT_USAGE;
}

int bad_option(const char *command, char **argv)
{
	/* getopt leaves optind past the argument it refused */
	return usage_error(command, "unknown or misplaced option '%s'",
			   argv[optind - 1]);
}

int parse_json_option(const char *command, int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{},
	};
	int opt;

	*json = false;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt != 'j')
			return bad_option(command, argv);
		*json = true;
	}
	if (optind < argc)
		return usage_error(command, "unexpected argument '%s'",
				   argv[optind]);
	return EXIT_OK;
}

int read_config(const char *path, struct config *c, struct compiled *cc)
{
	if (config_load(path, c, stderr))
		return EXIT_USAGE;
	if (compile(c, cc, stderr)) {
		config_free(c);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{},
	};
	const char *path = DEFAULT_CONFIG_PATH;
	struct compiled cc;
	struct config c;
	size_t prefixes = 0;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (opt != 'c')
			return bad_option("check", argv);
		path = optarg;
	}
	if (optind < argc)
		return usage_error("check", "unexpected argument '%s'",
				   argv[optind]);
	rc = read_config(path, &c, &cc);
	if (rc)
		return rc;
	for (size_t i = 0; i < c.nr_sets; i++)
		prefixes += cc.set_sizes[i];
	printf("%s: OK: %s mode, %zu interfaces, %zu rules, %zu sets with %zu prefixes\n",
	       path, mode_name(c.mode), c.nr_ifaces, c.nr_rules, c.nr_sets,
	       prefixes);
	compiled_free(&cc);
	config_free(&c);
	return EXIT_OK;
}
