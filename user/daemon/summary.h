/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's drop summary: every interval (60 s; EDGEFW_SUMMARY_SECS
 * changes it), one log line of what was dropped in it, by interface,
 * direction and reason, and the rate limits' drops by rule, never a line
 * per packet; then the top sources by reason, from the samples the
 * daemon reads (sources.h), marked as sampled. An interval without drops
 * logs nothing.
 */
#ifndef EDGEFW_DAEMON_SUMMARY_H
#define EDGEFW_DAEMON_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include "paths.h"
#include "sources.h"
#include "stats.h"
#include "util.h"

#define SUMMARY_DEFAULT_SECS 60

struct drop_summary {
	unsigned int secs; /* the interval */
	bool have; /* prev holds the counters at the last look */
	unsigned long generation;
	char config_hash[SHA256_HEX_LEN + 1];
	struct stats prev;
	struct sources *sources; /* the interval's samples */
};

/* The interval from the environment, or the default. */
void summary_init(struct drop_summary *s);

/* Look at the counters now, and log what was dropped since the last look. */
void summary_tick(struct drop_summary *s, const struct paths *p);

/* The counters at the last look, forgotten. */
void summary_free(struct drop_summary *s);

/* All of it, the samples too. */
void summary_close(struct drop_summary *s);

#endif
