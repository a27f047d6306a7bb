/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A snapshot of the running generation's counters: per interface (in the
 * config's order), direction and verdict (a reason, or a rule), packets
 * and bytes summed over the CPUs.
 */
#ifndef EDGEFW_STATS_H
#define EDGEFW_STATS_H

#include <stddef.h>
#include "edgefw.h"
#include "events.h"
#include "paths.h"

struct iface_counters {
	struct edgefw_counter slot[EDGEFW_NR_DIRS][EDGEFW_SLOTS_PER_DIR];
};

/* What each rule's rate limit dropped there (EDGEFW_LIMITED_INDEX). */
struct iface_limited {
	struct edgefw_counter rule[EDGEFW_NR_DIRS][EDGEFW_MAX_RULES];
};

struct stats {
	struct iface_counters *iface;
	/* NULL: a generation loaded by an edgefw without the limited map */
	struct iface_limited *limited;
	size_t nr_ifaces;
	/*
	 * The drop events' counters (shared by every generation); false when
	 * an edgefw without drop events loaded what runs.
	 */
	bool has_events;
	struct events_counts events;
	/* the same for the samples of the daemon's drop summary */
	bool has_samples;
	struct events_counts samples;
};

/* The counters of the first nr_ifaces interfaces; 0 or -1 after reporting. */
int stats_read(const struct paths *p, size_t nr_ifaces, struct stats *s);
void stats_free(struct stats *s);

static inline const struct edgefw_counter *stats_counter(const struct stats *s,
							 size_t iface,
							 unsigned int dir,
							 __u32 verdict)
{
	return &s->iface[iface].slot[dir][verdict];
}

/* What rule's rate limit dropped; NULL when that is not known. */
static inline const struct edgefw_counter *stats_limited(const struct stats *s,
							 size_t iface,
							 unsigned int dir,
							 size_t rule)
{
	return s->limited ? &s->limited[iface].rule[dir][rule] : NULL;
}

/* A counter's change over seconds, per second: packets, and bits. */
struct counter_rate {
	double pps;
	double bps;
};

void counter_rate(const struct edgefw_counter *prev,
		  const struct edgefw_counter *cur, double seconds,
		  struct counter_rate *r);

#endif
