/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A request of the daemon's control socket (control_proto.h), parsed: the
 * commands the socket serves and the fields each takes, and one line
 * turned, for its caller, into a refusal with its reason or a request to
 * run. Nothing else happens: no output, no log, no map or file touched,
 * so that the daemon (user/daemon/control_request.c) runs what this
 * returns and the fuzz harness (tests/fuzz/fuzz_control_request.c) checks
 * it on any bytes.
 */
#ifndef EDGEFW_CONTROL_PARSE_H
#define EDGEFW_CONTROL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "control_proto.h"

/* Who sent a request, as SO_PEERCRED and SO_PEERGROUPS say. */
struct control_caller {
	uid_t uid;
	pid_t pid;
	bool member; /* of group edgefw; root is root whatever its groups */
};

/* The fields a command takes beside "v", "cmd" and its operand's. */
enum control_field {
	CONTROL_JSON = 1 << 0, /* true or false: --json */
	CONTROL_TTL = 1 << 1, /* a duration or a number of seconds: --ttl */
	CONTROL_REASON = 1 << 2, /* one line: --reason */
	CONTROL_FORCE = 1 << 3, /* true or false: --force */
};

/*
 * A command the socket serves, to root and to the members of group
 * edgefw alike: the CLI's command of that name (user/cli/commands.c),
 * with what a request carries of its operands and options.
 */
struct control_command {
	const char *name; /* "block add" */
	const char *operand; /* the field of its one operand; NULL: none */
	bool operand_needed;
	unsigned int fields; /* enum control_field */
};

extern const struct control_command control_commands[];
extern const size_t control_nr_commands;

/* The served command of that name, or NULL. */
const struct control_command *control_command_find(const char *name);

/* "status, stats, block add, ...": the served commands, for messages. */
void control_served_list(char *buf, size_t len);

/*
 * A request as parsed. Refused, error says why and what was read before
 * the refusal stays for the log: cmd once the command was known (NULL
 * before, and when it is not served), the operand and ttl if read.
 */
struct control_parsed {
	const struct control_command *cmd;
	char *operand; /* allocated; NULL when not given */
	char *reason; /* allocated; NULL when not given */
	char ttl[32]; /* as --ttl takes it ("1h", "3600s"); "" when not given */
	bool json, force;
	/*
	 * Refused because the command does not take the value of ttl or
	 * reason (CONTROL_TTL, CONTROL_REASON; 0 otherwise): the CLI's own
	 * message says why too (the daemon has cli_set_option print it).
	 */
	unsigned int bad_field;
	char error[256]; /* "" when parsed */
};

/*
 * Parse one request line of len bytes (without its '\n'; any bytes, at
 * most CONTROL_LINE_MAX) from who: 0, or -1 with r->error saying why it
 * is refused. is_command (may be NULL) says whether a name the socket
 * does not serve is a command of the CLI, which root may run without the
 * daemon (the refusal says so). Free r with control_parsed_free either way.
 */
int control_parse(struct control_parsed *r, const struct control_caller *who,
		  const char *line, size_t len,
		  bool (*is_command)(const char *name));

void control_parsed_free(struct control_parsed *r);

#endif
