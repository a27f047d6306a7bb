/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's commands. Each returns the process exit status: 0 success,
 * 1 the operation failed, 2 bad usage or bad input.
 */
#ifndef EDGEFW_COMMANDS_H
#define EDGEFW_COMMANDS_H

#include "compile.h"
#include "config.h"

enum exit_status {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_USAGE = 2,
};

int cmd_check(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_block(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_save(int argc, char **argv);

/* Parse and compile; EXIT_OK, or EXIT_USAGE after reporting errors. */
int read_config(const char *path, struct config *c, struct compiled *cc);

/*
 * The arguments of a command whose only option is --json: EXIT_OK with
 * *json set, or EXIT_USAGE after saying what was wrong.
 */
int parse_json_option(const char *command, int argc, char **argv, bool *json);

/* The option getopt just refused, reported; returns EXIT_USAGE. */
int bad_option(const char *command, char **argv);

/* Report a usage error for command and return EXIT_USAGE. */
int usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
