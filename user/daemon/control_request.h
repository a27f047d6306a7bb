/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One request of the control socket (control_proto.h) turned into its
 * response: parsed, checked against who asks, run as the CLI runs the
 * command (user/cli/), what it prints captured, and logged when it
 * changes anything.
 */
#ifndef EDGEFW_DAEMON_CONTROL_REQUEST_H
#define EDGEFW_DAEMON_CONTROL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct control_caller {
	uid_t uid;
	pid_t pid;
	bool member; /* of group edgefw; root is root whatever its groups */
};

/* The response to one line (without its '\n'), a line, allocated. */
char *control_request(const struct control_caller *who, const char *line,
		      size_t len);

/* The response to what is not a request at all: error says why. */
char *control_error(int exit_status, const char *error);

#endif
