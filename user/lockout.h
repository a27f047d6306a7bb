/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EDGEFW_LOCKOUT_H
#define EDGEFW_LOCKOUT_H

#include "config.h"
#include "loader.h"

/*
 * 0 when the SSH session this command runs in (SSH_CONNECTION) keeps its
 * packets under the loaded, not yet attached generation g, or when there
 * is none; otherwise explains what would drop them and returns -1.
 * action names the command in the message ("load", "reload").
 */
int lockout_check(const struct config *c, const struct generation *g,
		  const char *action);

#endif
