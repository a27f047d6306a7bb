/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's GET /metrics (config: metrics listen ADDR:PORT), served by
 * libmicrohttpd from a thread of its own with a connection limit and a
 * per-connection timeout: a slow or hung scraper never holds up the
 * daemon's loop, a reload, or the data plane. A scrape reads the pinned
 * maps and the runtime state without the state lock, as `edgefw stats`.
 */
#ifndef EDGEFW_DAEMON_METRICS_HTTP_H
#define EDGEFW_DAEMON_METRICS_HTTP_H

#include "config.h"
#include "paths.h"

struct metrics_http;

/*
 * Listen where m says (config_path names the config in messages, with
 * m's line and column) and serve from a thread of its own. Start it
 * after the signals are blocked: the thread inherits the mask, so they
 * stay the loop's. NULL after reporting why (a port that is taken).
 */
struct metrics_http *metrics_http_start(const struct paths *p,
					const char *config_path,
					const struct cfg_metrics *m);

/* Close its socket and end its thread; NULL is fine. */
void metrics_http_stop(struct metrics_http *h);

/* Whether h serves what m says (both off: NULL and !m->listen). */
bool metrics_http_serves(const struct metrics_http *h,
			 const struct cfg_metrics *m);

#endif
