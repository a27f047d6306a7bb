/* SPDX-License-Identifier: GPL-2.0 */
/* The SSH session a command runs in, which edgefw must not cut off. */
#ifndef EDGEFW_SSH_SESSION_H
#define EDGEFW_SSH_SESSION_H

#include <stdbool.h>
#include "addr.h"

struct ssh_session {
	struct prefix client, server;
	unsigned int client_port, server_port;
};

/* From SSH_CONNECTION; false when there is none (or it is malformed). */
bool ssh_session_from_env(struct ssh_session *s);

#endif
