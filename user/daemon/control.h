/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's control socket (control_proto.h): a Unix socket in the run
 * directory, root:edgefw 0660, through which root and the members of group
 * edgefw (the stanza proxy, fail2ban, the CLI of an unprivileged user)
 * block and unblock addresses and read status and stats. Everything it
 * does happens in the daemon's loop, one request at a time, behind one
 * pollable descriptor; a client that misbehaves is cut off, bounded in
 * what it may send, how long it may take and how many there are.
 */
#ifndef EDGEFW_DAEMON_CONTROL_H
#define EDGEFW_DAEMON_CONTROL_H

#include "paths.h"

struct control;

/*
 * Listen on p->control_sock; NULL after saying why (the daemon filters on
 * without it).
 */
struct control *control_open(const struct paths *p);

/* Readable when control_dispatch has something to do. */
int control_fd(const struct control *c);

/* Accept, read, answer, time out: what is ready, without waiting. */
void control_dispatch(struct control *c);

/* Every client closed and the socket removed; c may be NULL. */
void control_close(struct control *c);

#endif
