/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is loaded, as status, stats and the set commands see it: the
 * runtime state, the config snapshot taken at load (parsed and compiled
 * again for names and sizes), the persisted set changes on top of it, and
 * the pinned maps.
 */
#ifndef EDGEFW_INSPECT_H
#define EDGEFW_INSPECT_H

#include "compile.h"
#include "config.h"
#include "paths.h"
#include "persist.h"
#include "state.h"

struct loaded {
	struct paths paths;
	struct runtime_state st;
	struct config cfg;
	struct compiled cc; /* with the set changes applied */
	struct set_deltas deltas;
	int counters_fd;
	__u32 nr_blocked; /* the kernel's count of blocklist entries */
	bool deltas_corrupt; /* sets.json unreadable: sets as configured */
};

/*
 * 0; 1 when nothing is loaded; -1 after reporting an error. A corrupt
 * sets.json is an error unless tolerated (status, stats): then
 * deltas_corrupt says so.
 */
int loaded_open(struct loaded *l, bool tolerate_corrupt_sets);
void loaded_close(struct loaded *l);

/* A map of the running generation (gen/NAME); -1 after reporting. */
int loaded_gen_map(const struct loaded *l, const char *name);

/* The pinned object's program id (a link's or a program's), 0 if none. */
__u32 pinned_prog_id(const struct paths *p, const char *kind,
		     const char *ifname);

#endif
