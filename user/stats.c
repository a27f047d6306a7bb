// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "maps.h"
#include "events.h"
#include "pins.h"
#include "stats.h"
#include "util.h"

_Static_assert(sizeof(struct iface_counters) ==
		       EDGEFW_NR_DIRS * EDGEFW_SLOTS_PER_DIR *
			       sizeof(struct edgefw_counter),
	       "an interface's counters are contiguous, as the map holds them");
_Static_assert(sizeof(struct iface_limited) ==
		       EDGEFW_NR_DIRS * EDGEFW_MAX_RULES *
			       sizeof(struct edgefw_counter),
	       "so are its rate limits' drops");

/* Per rule, beside the counters; missing from an older edgefw's generation. */
static int read_limited(const struct paths *p, struct stats *s)
{
	struct map_fds m;
	int err;

	if (pins_open_maps(p, MAP_BIT(MAP_LIMITED),
			   PINS_MISSING_OK | PINS_OLDER_OK, &m))
		return 0;
	s->limited = xcalloc(s->nr_ifaces, sizeof(*s->limited));
	err = counters_read(m.fd[MAP_LIMITED], EDGEFW_LIMITED_INDEX(0, 0, 0),
			    s->nr_ifaces * EDGEFW_NR_DIRS * EDGEFW_MAX_RULES,
			    &s->limited[0].rule[0][0]);
	map_fds_close(&m);
	return err;
}

int stats_read(const struct paths *p, size_t nr_ifaces, struct stats *s)
{
	struct map_fds m;
	int err;

	memset(s, 0, sizeof(*s));
	if (pins_open_maps(p, MAP_BIT(MAP_COUNTERS), 0, &m))
		return -1;
	s->iface = xcalloc(nr_ifaces, sizeof(*s->iface));
	s->nr_ifaces = nr_ifaces;
	/* interface i's counters start at EDGEFW_COUNTER_INDEX(i, 0, 0) */
	err = counters_read(m.fd[MAP_COUNTERS], EDGEFW_COUNTER_INDEX(0, 0, 0),
			    nr_ifaces * EDGEFW_NR_DIRS * EDGEFW_SLOTS_PER_DIR,
			    &s->iface[0].slot[0][0]);
	map_fds_close(&m);
	if (!err && !pins_open_maps(p, MAP_BIT(MAP_EVENTS_CPU),
				    PINS_MISSING_OK | PINS_OLDER_OK, &m)) {
		s->has_events = !events_counts_read(m.fd[MAP_EVENTS_CPU],
						    EDGEFW_READER_MONITOR,
						    &s->events);
		s->has_samples = s->has_events &&
				 !events_counts_read(m.fd[MAP_EVENTS_CPU],
						     EDGEFW_READER_SAMPLER,
						     &s->samples);
		map_fds_close(&m);
	}
	if (!err)
		err = read_limited(p, s);
	if (err) {
		log_err("cannot read the counters: %s", strerror(-err));
		stats_free(s);
		return -1;
	}
	return 0;
}

void stats_free(struct stats *s)
{
	free(s->iface);
	free(s->limited);
	memset(s, 0, sizeof(*s));
}

void counter_rate(const struct edgefw_counter *prev,
		  const struct edgefw_counter *cur, double seconds,
		  struct counter_rate *r)
{
	/* counters only grow within a generation; a reset reads as none */
	__u64 packets = cur->packets >= prev->packets
				? cur->packets - prev->packets
				: 0;
	__u64 bytes = cur->bytes >= prev->bytes ? cur->bytes - prev->bytes : 0;

	r->pps = seconds > 0 ? packets / seconds : 0;
	r->bps = seconds > 0 ? bytes * 8 / seconds : 0;
}
