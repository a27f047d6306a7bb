/* SPDX-License-Identifier: GPL-2.0 */
/* What the daemon tells systemd (sd_notify(3)); nothing outside systemd. */
#ifndef EDGEFW_DAEMON_NOTIFY_H
#define EDGEFW_DAEMON_NOTIFY_H

#include <stdint.h>

void notify_ready(const char *status);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(const char *status);
void notify_watchdog(void);

/* How often to ping the watchdog, in µs; 0 when systemd wants none. */
uint64_t notify_watchdog_interval_us(void);

#endif
