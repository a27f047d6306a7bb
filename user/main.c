// SPDX-License-Identifier: GPL-2.0
/* edgefw: the command line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "log.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
} commands[] = {
	{ "check", cmd_check, "check [-c FILE]" },
	{ "load", cmd_load,
	  "load [-c FILE] [--xdp-mode auto|native|generic] [--force]" },
	{ "reload", cmd_reload,
	  "reload [-c FILE] [--xdp-mode auto|native|generic] [--force]" },
	{ "unload", cmd_unload, "unload [--force]" },
	{ "status", cmd_status, "status [--json]" },
	{ "stats", cmd_stats, "stats [--json]" },
	{ "save", cmd_save, "save" },
	{ "set", cmd_set,
	  "set list NAME [--json] | add|del NAME (PREFIX... | -f FILE | -f -)" },
	{ "block", cmd_block,
	  "block add ADDR[/LEN] [--ttl DUR] [--reason TEXT] | del ADDR[/LEN] | list [--json]" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: edgefw [-v] COMMAND [ARGS]\n"
		"\n"
		"An XDP/TC packet filter for XMPP federation edge servers.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  edgefw %s\n", commands[i].usage);
	fprintf(out,
		"\n"
		"FILE defaults to " DEFAULT_CONFIG_PATH
		"; -v shows libbpf's messages.\n"
		"Exit status: 0 success, 1 operation failed, 2 bad usage or input.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int opt;

	opterr = 0; /* commands report bad options themselves, in one line */
	/* "+": options after the command belong to the command */
	while ((opt = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'v':
			log_verbose = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			fprintf(stderr, "edgefw: unknown option '%s'\n",
				argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	log_setup_libbpf();
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		argc -= optind;
		argv += optind;
		optind = 0; /* glibc: start afresh for the command */
		return commands[i].run(argc, argv);
	}
	fprintf(stderr, "edgefw: unknown command '%s'\nTry 'edgefw help'.\n",
		argv[optind]);
	return EXIT_USAGE;
}
