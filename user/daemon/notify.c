// SPDX-License-Identifier: GPL-2.0
#include <systemd/sd-daemon.h>
#include "notify.h"

void notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
}

void notify_reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=reloading the config");
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping; the filter stays loaded");
}

void notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

void notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

uint64_t notify_watchdog_interval_us(void)
{
	uint64_t usec = 0;

	/* half the timeout, as sd_watchdog_enabled(3) advises */
	return sd_watchdog_enabled(0, &usec) > 0 ? usec / 2 : 0;
}
