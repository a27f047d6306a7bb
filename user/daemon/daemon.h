/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edgefw daemon: the long-running front end, for systemd. It loads the
 * config (or adopts what is loaded), then keeps the loaded state true to
 * the machine: interfaces that appear are attached, those deleted and
 * created again re-attached, 'self' follows the NICs' addresses, expired
 * blocks leave the map and the file; SIGHUP reloads the config file.
 * Every change takes the state lock, as the CLI's do.
 */
#ifndef EDGEFW_DAEMON_H
#define EDGEFW_DAEMON_H

#include "attach.h"

/* Runs until SIGTERM or SIGINT; the process exit status. */
int daemon_run(const char *config_path, enum xdp_mode mode);

#endif
