/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a scrape reads besides what is loaded (inspect.h): the running
 * generation's counters (stats.h), the memory of every pinned map, the
 * entries of the flow tables, the kernel. Read without the state lock, as `edgefw stats` reads: a scrape
 * never waits for a reload, nor a reload for it.
 */
#ifndef EDGEFW_METRICS_H
#define EDGEFW_METRICS_H

#include <stdint.h>
#include <sys/utsname.h>
#include "flowfilter.h"
#include "inspect.h"
#include "partners.h"
#include "pins.h"
#include "stats.h"

struct metrics {
	const struct loaded *loaded; /* NULL: nothing is loaded */
	struct stats stats;
	/* the kernel's memory charge of each map (fdinfo memlock) */
	uint64_t map_bytes[NR_MAPS];
	unsigned int maps_read; /* MAP_BIT()s of map_bytes that were read */
	/* entries of the flow tables, IPv4 and IPv6 (expired ones included) */
	uint64_t flows[2];
	bool flows_read;
	struct flow_filter_fill flow_filter; /* the half the programs ask */
	bool flow_filter_read;
	char kernel[sizeof(((struct utsname *)0)->release)];
	/* partners.json: each domain's addresses and DNS failures */
	struct partners_file partners;
	bool partners_read; /* false: the file is corrupt (logged) */
};

/* What l has loaded, now; 0 or -1 after reporting. l may be NULL. */
int metrics_read(const struct loaded *l, struct metrics *m);
void metrics_free(struct metrics *m);

/*
 * A consistent snapshot for a front end that does not hold the lock
 * over its life (the daemon's scrapes): the runtime state, the config
 * snapshot and the counters of one generation, read again when a reload
 * ran in between. 0; 1 when nothing is loaded (m->loaded is NULL); -1
 * after reporting. loaded_close(l) and metrics_free(m) after either.
 */
int metrics_snapshot(const struct paths *p, struct loaded *l,
		     struct metrics *m);

#endif
