// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"
#include "maps.h"
#include "metrics.h"

#define SNAPSHOT_TRIES 5

/* The memlock line of the map's fdinfo: what the kernel charges for it. */
static int map_memlock(int fd, uint64_t *bytes)
{
	char path[64], line[256];
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "memlock: %" SCNu64, bytes) == 1)
			found = 0;
	}
	fclose(f);
	return found;
}

static void read_map_bytes(const struct paths *p, struct metrics *m)
{
	struct map_fds fds;

	/* a map that cannot be opened is left out, not an error */
	for (int i = 0; i < NR_MAPS; i++) {
		if (pins_open_maps(p, MAP_BIT(i),
				   PINS_MISSING_OK | PINS_ANY_SHAPE, &fds))
			continue;
		if (map_memlock(fds.fd[i], &m->map_bytes[i]) == 0)
			m->maps_read |= MAP_BIT(i);
		map_fds_close(&fds);
	}
}

/*
 * The flow tables are walked in kernel batches, never locked for it: the
 * count is what they held while the walk went by.
 */
static void read_flows(const struct paths *p, struct metrics *m)
{
	struct map_fds fds;

	if (pins_open_maps(p, MAP_BIT(MAP_FLOWS4) | MAP_BIT(MAP_FLOWS6),
			   PINS_MISSING_OK | PINS_OLDER_OK, &fds))
		return;
	m->flows_read =
		map_count_entries(fds.fd[MAP_FLOWS4], &m->flows[0]) == 0 &&
		map_count_entries(fds.fd[MAP_FLOWS6], &m->flows[1]) == 0;
	map_fds_close(&fds);
	if (pins_open_maps(p, MAP_BIT(MAP_FLOW_FILTER),
			   PINS_MISSING_OK | PINS_OLDER_OK, &fds))
		return;
	m->flow_filter_read =
		flow_filter_read(fds.fd[MAP_FLOW_FILTER], &m->flow_filter) == 0;
	map_fds_close(&fds);
}

int metrics_read(const struct loaded *l, struct metrics *m)
{
	struct utsname u;

	memset(m, 0, sizeof(*m));
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
	if (!l)
		return 0;
	if (stats_read(&l->paths, l->cfg.nr_ifaces, &m->stats))
		return -1;
	m->loaded = l;
	read_map_bytes(&l->paths, m);
	read_flows(&l->paths, m);
	/* a corrupt partners.json costs its metrics, not the scrape */
	m->partners_read = partners_read(&l->paths, &m->partners) == 0;
	return 0;
}

void metrics_free(struct metrics *m)
{
	stats_free(&m->stats);
	partners_free(&m->partners);
	m->loaded = NULL;
}

/* The generation and config of the runtime state now, as l has them. */
static bool still_current(const struct paths *p, const struct loaded *l)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	bool same = state_read(p, st) == 0 &&
		    st->generation == l->st.generation &&
		    !strcmp(st->config_hash, l->st.config_hash);

	free(st);
	return same;
}

int metrics_snapshot(const struct paths *p, struct loaded *l, struct metrics *m)
{
	for (int try = 1;; try++) {
		int rc = loaded_open_shape(p, l);

		memset(m, 0, sizeof(*m));
		if (rc == 1)
			return metrics_read(NULL, m) ? -1 : 1;
		/*
		 * A reload pins its maps, then writes the config snapshot,
		 * then the state: what was read between two of those steps
		 * shows as a snapshot that is not the state's, or a state
		 * that moved on while the counters were read.
		 */
		if (rc == 0 && !strcmp(l->cfg.hash, l->st.config_hash) &&
		    metrics_read(l, m) == 0 && still_current(p, l))
			return 0;
		metrics_free(m);
		loaded_close(l);
		if (try == SNAPSHOT_TRIES) {
			log_err("cannot read a consistent snapshot of what is loaded (a reload under way?)");
			return -1;
		}
		nanosleep(&(struct timespec){ 0, 20 * 1000000L }, NULL);
	}
}
