/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's partner domains: each is resolved again when its TTL
 * (clamped to the config's refresh min and max) runs out, without
 * blocking the loop (libunbound's answers come on a descriptor), and
 * what changed goes into the sets (op_partner.h). Two descriptors for
 * the daemon's poll: a timer and the resolver's.
 */
#ifndef EDGEFW_DAEMON_REFRESH_H
#define EDGEFW_DAEMON_REFRESH_H

#include "paths.h"

struct daemon_partners;

struct daemon_partners *daemon_partners_open(const struct paths *p);
void daemon_partners_close(struct daemon_partners *dp);

int daemon_partners_timer_fd(const struct daemon_partners *dp);
/* The resolver's descriptor, or -1 while there is none (poll skips it). */
int daemon_partners_dns_fd(const struct daemon_partners *dp);

/* The timer fired: what is due is resolved, expired addresses go. */
void daemon_partners_tick(struct daemon_partners *dp);
/* The resolver's descriptor is readable. */
void daemon_partners_answers(struct daemon_partners *dp);

#endif
