/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One request of the control socket (control_proto.h) turned into its
 * response: parsed and checked against who asks (control_parse.h), run
 * as the CLI runs the command (user/cli/), what it prints captured, and
 * logged when it changes anything.
 */
#ifndef EDGEFW_DAEMON_CONTROL_REQUEST_H
#define EDGEFW_DAEMON_CONTROL_REQUEST_H

#include <stddef.h>
#include "control_parse.h"

/* The response to one line (without its '\n'), a line, allocated. */
char *control_request(const struct control_caller *who, const char *line,
		      size_t len);

/* The response to what is not a request at all: error says why. */
char *control_error(int exit_status, const char *error);

#endif
