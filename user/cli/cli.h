/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edgefw command line: a table of commands (commands.c) and of their
 * options (options.c), one dispatcher (main.c) that parses and checks
 * what a command needs before it runs, and one file per command that
 * calls the library and prints.
 */
#ifndef EDGEFW_CLI_H
#define EDGEFW_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>
#include "attach.h"
#include "config.h"
#include "inspect.h"
#include "paths.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* the operation failed */
	EXIT_USAGE = 2, /* bad usage or bad input */
};

/* Every option of every command, defined once in options.c. */
enum cli_option {
	OPT_CONFIG,
	OPT_XDP_MODE,
	OPT_JSON,
	OPT_PROMETHEUS,
	OPT_TEXTFILE,
	OPT_WATCH,
	OPT_FILE,
	OPT_TTL,
	OPT_REASON,
	OPT_INTERFACE,
	OPT_DROP_REASON, /* --reason, of monitor: a drop reason */
	OPT_RULE,
	OPT_SET,
	OPT_SECURE,
	OPT_FORCE, /* last in usage: what insists comes after the rest */
	NR_OPTIONS,
};

#define OPT(o) (1U << (o))
/* The options a request to the daemon's control socket carries. */
#define CONTROL_OPTIONS \
	(OPT(OPT_JSON) | OPT(OPT_TTL) | OPT(OPT_REASON) | OPT(OPT_FORCE))

/* What the command line said, parsed and checked. */
struct cli_args {
	unsigned int given; /* OPT() of the options given */
	const char *config; /* -c FILE; NULL when not given */
	enum xdp_mode xdp_mode;
	bool force;
	bool json;
	bool prometheus; /* --prometheus: the text exposition format */
	const char *textfile; /* --textfile DIR: DIR/edgefw.prom */
	unsigned int watch; /* --watch SECS: rates every SECS; 0: once */
	const char *file; /* -f FILE, "-" for standard input */
	int64_t ttl; /* seconds; 0: no time limit */
	const char *reason;
	const char *iface; /* --interface */
	int drop_reason; /* --reason of monitor; 0: any */
	const char *rule; /* --rule */
	const char *set; /* --set NAME; NULL when not given */
	bool secure;
	char **operands;
	int nr_operands;
};

/* What a command needs before it runs; the dispatcher sees to it. */
enum cmd_flag {
	CMD_ROOT = 1 << 0, /* CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN */
	CMD_LOCK = 1 << 1, /* holds the state lock: changes never interleave */
	CMD_LOADED = 1 << 2, /* what is loaded, opened; refused when nothing */
	CMD_INSPECTS = 1 << 3, /* what is loaded, if anything: it reports all */
	CMD_NETNS = 1 << 4, /* only in the network namespace of the load */
	/*
	 * Served by the daemon's control socket (control_parse.h's table,
	 * which says which commands it serves): a change, logged with its
	 * caller, and within the limits of members of group edgefw.
	 */
	CMD_CHANGES = 1 << 6,
	/* CMD_LOADED, CMD_INSPECTS: reads no set's prefixes (inspect.h) */
	CMD_SHAPE = 1 << 7,
};

struct block_limits;

struct cli_ctx {
	struct paths paths;
	/* a member of group edgefw on the control socket: what it may block */
	const struct block_limits *limits;
	struct loaded loaded; /* CMD_LOADED, CMD_INSPECTS */
	int loaded_rc; /* CMD_INSPECTS: 0 loaded, 1 not, -1 unreadable */
	void *input; /* what the command's check read */
};

struct cli_command {
	const char *name; /* "status", "set add" */
	const char *operands; /* in the usage, after the name */
	unsigned int options; /* OPT() of those it takes */
	unsigned int shown_in_operands; /* of those, the ones operands show */
	int min_operands;
	int max_operands; /* -1: any number */
	unsigned int flags; /* enum cmd_flag */
	const char *not_loaded; /* CMD_LOADED: said when nothing is */
	/*
	 * Checks the input before any privilege is needed; an exit status.
	 * What it read goes to *input, freed by free_input; when the check
	 * fails, it has freed what it read itself.
	 */
	int (*check)(const struct cli_args *a, void **input);
	void (*free_input)(void *input);
	int (*run)(struct cli_ctx *ctx, const struct cli_args *a);
};

extern const struct cli_command cli_commands[];
extern const size_t cli_nr_commands;

/* The command of that name ("block add"), or NULL. */
const struct cli_command *cli_find(const char *name);

/*
 * Run cmd with what a parses to (its check, privileges when asked, the
 * paths, the lock, what is loaded, then the command), as the CLI and the
 * control socket both do; ctx may carry limits. An exit status.
 */
int cli_execute(const struct cli_command *cmd, const struct cli_args *a,
		struct cli_ctx *ctx, bool privileges);

/*
 * The command asked of the daemon over its control socket, for a user
 * without root's privileges (control_client.c): prints what the daemon
 * answers; an exit status.
 */
int control_client_run(const struct cli_command *cmd, const struct cli_args *a);

/* Options: the getopt table of a command, and parsing one value. */
struct option;
size_t cli_getopt_table(unsigned int options, struct option *out,
			char *shortopts, size_t shortlen);
/* The long name of option o (enum cli_option). */
const char *cli_option_name(int o);
int cli_set_option(const char *command, int opt, const char *value,
		   struct cli_args *a);

/* "[-c FILE] [--json]": the options of a command, for its usage. */
void cli_format_options(unsigned int options, char *buf, size_t len);

/*
 * "\t-c FILE\t--config FILE\t--force": every spelling of the options, each
 * after a tab, with its argument after a space, for completion.
 */
void cli_format_option_words(unsigned int options, char *buf, size_t len);

/*
 * `edgefw help --complete`: the command table for the shell's completion
 * (completion/edgefw.bash), a line each: the global options, then help,
 * then every command with its operands and options (complete.c).
 */
void cli_print_completion(FILE *out, const struct option *global);

/* Report a usage error for command; returns EXIT_USAGE. */
int usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a config file, reporting errors; EXIT_OK or EXIT_USAGE. */
int read_config(const char *path, struct config *c);

/* The exit status of a library operation's result (op.h). */
int exit_status_of(int op_result);

/* Pretty, "/" unescaped, to stdout; consumes o. */
void print_json(json_object *o);

/* The commands' run functions, named in the table. */
int cmd_check(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_load(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_reload(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_unload(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_status(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_stats(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_save(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_set_list(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_set_add(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_set_del(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_block_add(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_block_del(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_block_list(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_daemon(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_monitor(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_partner_add(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_partner_del(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_partner_list(struct cli_ctx *ctx, const struct cli_args *a);
int cmd_partner_refresh(struct cli_ctx *ctx, const struct cli_args *a);

/* Checks of input, named in the table. */
int check_load_config(const struct cli_args *a, void **input);
void free_config_input(void *input);
int check_set_name(const struct cli_args *a, void **input);
int check_set_input(const struct cli_args *a, void **input);
void free_set_input(void *input);
int check_block_prefix(const struct cli_args *a, void **input);
int check_stats_options(const struct cli_args *a, void **input);
int check_partner_domain(const struct cli_args *a, void **input);

#endif
