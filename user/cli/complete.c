// SPDX-License-Identifier: GPL-2.0
/*
 * `edgefw help --complete`, for the shell's completion: what the command
 * table holds, so that completion/edgefw.bash copies no list of its own.
 * One line a command, fields separated by tabs:
 *
 *   NAME <tab> OPERANDS [<tab> OPTION [ARG]]...
 *
 * NAME is empty on the first line, of the options that go before the
 * command; OPERANDS as in the usage ("NAME (PREFIX... | -f FILE | -f -)");
 * each OPTION is one spelling (-c, --config), its ARG as in the usage
 * (FILE, auto|native|generic), none for a flag.
 */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"

static void print_global(FILE *out, const struct option *global)
{
	fputc('\t', out);
	for (const struct option *o = global; o->name; o++) {
		if (o->val > ' ' && o->val < 127)
			fprintf(out, "\t-%c", o->val);
		fprintf(out, "\t--%s", o->name);
	}
	fputc('\n', out);
}

void cli_print_completion(FILE *out, const struct option *global)
{
	char opts[512];

	print_global(out, global);
	fputs("help\t\n", out);
	for (size_t i = 0; i < cli_nr_commands; i++) {
		const struct cli_command *cmd = &cli_commands[i];

		cli_format_option_words(cmd->options, opts, sizeof(opts));
		fprintf(out, "%s\t%s%s\n", cmd->name,
			cmd->operands ? cmd->operands : "", opts);
	}
}
