/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sources of the drop summary: the daemon's samples of the drops
 * (the samples ring, bpf/events.h), counted by reason and source address
 * over an interval, for the summary line's top sources. Sampled, not
 * counted: the kernel sends at most `events ... sample R/s` of them, so
 * the counts rank the sources rather than add up to the drops. The table
 * is bounded (SOURCES_MAX sources an interval); the samples of sources
 * past it are counted as such.
 */
#ifndef EDGEFW_DAEMON_SOURCES_H
#define EDGEFW_DAEMON_SOURCES_H

#include <stddef.h>
#include <stdint.h>
#include "edgefw.h"

#define SOURCES_MAX 4096 /* sources an interval */
#define SOURCES_SLOTS (2 * SOURCES_MAX) /* open addressing, half full at most */
#define SOURCES_TOP 5 /* named per reason */

struct source {
	uint64_t samples; /* 0: a free slot */
	union edgefw_addr addr;
	uint8_t reason;
	uint8_t family; /* 0: the packet had no IP header edgefw read */
};

struct sources {
	struct source slot[SOURCES_SLOTS];
	size_t used;
	uint64_t samples; /* every sample of the interval */
	uint64_t untabled; /* those of sources past SOURCES_MAX */
};

/* One sample of a drop. */
void sources_add(struct sources *s, const struct edgefw_event *ev);

/*
 * "; sampled sources (57 samples): policy 192.0.2.70 30, 192.0.2.71 20;
 * blocked 192.0.2.66 7": the top SOURCES_TOP sources of each reason, most
 * samples first (then by address); "" without samples. The length
 * written, less than len.
 */
size_t sources_describe(const struct sources *s, char *buf, size_t len);

/* Forget the interval's samples. */
void sources_reset(struct sources *s);

#endif
