// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw: the command line. Finds the command in the table, parses its
 * options and operands, checks its input, then sees to what it needs
 * (privileges, the state lock, what is loaded, the namespace) before it
 * runs, and undoes all of it after.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "control_parse.h"
#include "log.h"
#include "privileges.h"
#include "state.h"
#include "util.h"

/* "edgefw set add NAME (PREFIX... | -f FILE | -f -)" */
static void format_usage(const struct cli_command *cmd, char *buf, size_t len)
{
	char opts[256];

	cli_format_options(cmd->options & ~cmd->shown_in_operands, opts,
			   sizeof(opts));
	snprintf(buf, len, "edgefw %s%s%s%s", cmd->name,
		 cmd->operands ? " " : "", cmd->operands ? cmd->operands : "",
		 opts);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: edgefw [-v] COMMAND [ARGS]\n"
		"\n"
		"An XDP/TC packet filter for XMPP federation edge servers.\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < cli_nr_commands; i++) {
		char line[512];

		format_usage(&cli_commands[i], line, sizeof(line));
		fprintf(out, "  %s\n", line);
	}
	fprintf(out,
		"\n"
		"FILE defaults to " DEFAULT_CONFIG_PATH
		"; -v shows libbpf's messages.\n"
		"Exit status: 0 success, 1 operation failed, 2 bad usage or input.\n");
}

/* How many words of the command line a command's name takes. */
static int name_words(const struct cli_command *cmd)
{
	return strchr(cmd->name, ' ') ? 2 : 1;
}

static bool name_is(const struct cli_command *cmd, const char *word,
		    const char *verb)
{
	size_t n = strlen(word);

	if (strncmp(cmd->name, word, n) ||
	    (cmd->name[n] && cmd->name[n] != ' '))
		return false;
	return !cmd->name[n] || (verb && !strcmp(cmd->name + n + 1, verb));
}

/* The command named by argv[0] (and argv[1], a verb); NULL after saying why. */
static const struct cli_command *find_command(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : NULL, *verbs[8];
	size_t n = strlen(argv[0]), nr_verbs = 0;
	char list[128] = "";

	for (size_t i = 0; i < cli_nr_commands; i++) {
		const struct cli_command *cmd = &cli_commands[i];

		if (name_is(cmd, argv[0], verb))
			return cmd;
		if (!strncmp(cmd->name, argv[0], n) && cmd->name[n] == ' ' &&
		    nr_verbs < ARRAY_SIZE(verbs))
			verbs[nr_verbs++] = cmd->name + n + 1;
	}
	if (!nr_verbs) {
		fprintf(stderr,
			"edgefw: unknown command '%s'\nTry 'edgefw help'.\n",
			argv[0]);
		return NULL;
	}
	for (size_t i = 0; i < nr_verbs; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s",
			 !i		    ? ""
			 : i + 1 < nr_verbs ? ", "
					    : " or ",
			 verbs[i]);
	usage_error(argv[0], "expected %s", list);
	return NULL;
}

/*
 * getopt names a refused short option in optopt (within "-zq", argv
 * holds the whole word); a long one is the word before optind.
 */
static int bad_option(const struct cli_command *cmd, int opt, char **argv)
{
	char name[3] = { '-', (char)optopt, '\0' };
	const char *what = optopt > ' ' && optopt < 127 ? name
							: argv[optind - 1];

	if (opt == ':')
		return usage_error(cmd->name, "'%s' needs a value", what);
	return usage_error(cmd->name, "unknown or misplaced option '%s'", what);
}

static int parse(const struct cli_command *cmd, int argc, char **argv,
		 struct cli_args *a)
{
	struct option longopts[NR_OPTIONS + 1];
	char shortopts[2 * NR_OPTIONS + 2] = ":";
	int opt, rc;

	cli_getopt_table(cmd->options, longopts, shortopts + 1,
			 sizeof(shortopts) - 1);
	optind = 0; /* glibc: start afresh */
	opterr = 0; /* reported here, in one line */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	       -1) {
		if (opt == '?' || opt == ':')
			return bad_option(cmd, opt, argv);
		rc = cli_set_option(cmd->name, opt, optarg, a);
		if (rc)
			return rc;
	}
	a->operands = argv + optind;
	a->nr_operands = argc - optind;
	if (a->nr_operands < cmd->min_operands)
		return usage_error(cmd->name, "needs %s", cmd->operands);
	if (cmd->max_operands >= 0 && a->nr_operands > cmd->max_operands)
		return usage_error(cmd->name, "unexpected argument '%s'",
				   a->operands[cmd->max_operands]);
	return EXIT_OK;
}

/* What is loaded, for the commands that look at it. */
static int open_loaded(const struct cli_command *cmd, struct cli_ctx *ctx)
{
	ctx->loaded_rc = cmd->flags & CMD_SHAPE
				 ? loaded_open_shape(&ctx->paths, &ctx->loaded)
				 : loaded_open(&ctx->paths, &ctx->loaded);
	if (ctx->loaded_rc == 0 && (cmd->flags & CMD_NETNS) &&
	    state_check_netns(&ctx->loaded.st, cmd->name))
		ctx->loaded_rc = -1;
	if (!(cmd->flags & CMD_LOADED) || ctx->loaded_rc == 0)
		return 0;
	if (ctx->loaded_rc == 1)
		log_err("%s", cmd->not_loaded);
	return -1;
}

int cli_execute(const struct cli_command *cmd, const struct cli_args *a,
		struct cli_ctx *ctx, bool privileges)
{
	int rc = EXIT_OK, lock = -1;

	ctx->loaded_rc = 1;
	if (cmd->check)
		rc = cmd->check(a, &ctx->input);
	if (rc)
		return rc;
	rc = EXIT_FAILED;
	if ((privileges && (cmd->flags & CMD_ROOT) &&
	     require_privileges(cmd->name)) ||
	    paths_init(&ctx->paths))
		goto out;
	if (cmd->flags & CMD_LOCK) {
		lock = state_lock(&ctx->paths);
		if (lock < 0)
			goto out;
	}
	if ((cmd->flags & (CMD_LOADED | CMD_INSPECTS)) && open_loaded(cmd, ctx))
		goto out;
	rc = cmd->run(ctx, a);
out:
	loaded_close(&ctx->loaded);
	state_unlock(lock);
	if (cmd->free_input && ctx->input)
		cmd->free_input(ctx->input);
	ctx->input = NULL;
	return rc;
}

static int run(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args a = { .xdp_mode = XDP_MODE_AUTO };
	struct cli_ctx ctx = {};
	int rc = parse(cmd, argc, argv, &a);

	if (rc)
		return rc;
	/*
	 * Without root's privileges, the daemon does it if it may; the
	 * input is checked here first, as for root.
	 */
	if (control_command_find(cmd->name) && !have_privileges()) {
		unsigned int local = a.given & ~CONTROL_OPTIONS;

		/* the socket would not carry it: refuse, never ignore it */
		if (local)
			return usage_error(
				cmd->name,
				"--%s needs root: the daemon's control socket serves %s without it",
				cli_option_name(__builtin_ctz(local)),
				cmd->name);
		if (cmd->check) {
			rc = cmd->check(&a, &ctx.input);
			if (rc)
				return rc;
			if (cmd->free_input)
				cmd->free_input(ctx.input);
		}
		return control_client_run(cmd, &a);
	}
	return cli_execute(cmd, &a, &ctx, true);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const struct cli_command *cmd;
	int opt;

	opterr = 0;
	/* "+": what follows the command is the command's */
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
		/* hidden: for the shell's completion, not for people */
		if (optind + 1 < argc &&
		    !strcmp(argv[optind + 1], "--complete"))
			cli_print_completion(stdout, opts);
		else
			usage(stdout);
		return EXIT_OK;
	}
	log_setup_libbpf();
	cmd = find_command(argc - optind, argv + optind);
	if (!cmd)
		return EXIT_USAGE;
	argv += optind + name_words(cmd) - 1;
	argc -= optind + name_words(cmd) - 1;
	return run(cmd, argc, argv);
}
