// SPDX-License-Identifier: GPL-2.0
/* What the command files share: errors, config files, results, JSON. */
#include <stdarg.h>
#include <stdio.h>
#include "cli.h"
#include "op.h"

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

int read_config(const char *path, struct config *c)
{
	return config_load(path, c, stderr) ? EXIT_USAGE : EXIT_OK;
}

int exit_status_of(int op_result)
{
	switch (op_result) {
	case 0:
		return EXIT_OK;
	case OP_BAD_INPUT:
		return EXIT_USAGE;
	default:
		return EXIT_FAILED;
	}
}

void print_json(json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}
