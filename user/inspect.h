/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is loaded, as status, stats, save and the set commands see it:
 * the runtime state and the config snapshot taken at load, parsed (its
 * sets as configured; nothing is compiled, no state file is read), and
 * what the kernel has attached now.
 */
#ifndef EDGEFW_INSPECT_H
#define EDGEFW_INSPECT_H

#include <stdbool.h>
#include "config.h"
#include "paths.h"
#include "state.h"

struct loaded {
	struct paths paths;
	struct runtime_state st;
	struct config cfg;
	__u32 nr_blocked; /* the data plane's count of blocklist entries */
};

/*
 * 0; 1 when nothing is loaded; -1 after reporting an error (a corrupt
 * state, an interrupted load).
 */
int loaded_open(const struct paths *p, struct loaded *l);

/*
 * The same, for what reads no set's prefixes: the config's sets come
 * without them (snapshot.h), so that it costs the same whatever the sets
 * hold; their sizes are in l->st.
 */
int loaded_open_shape(const struct paths *p, struct loaded *l);
void loaded_close(struct loaded *l);

/* An interface as the kernel has it now, against what was loaded. */
struct iface_health {
	int ifindex; /* 0: the interface is gone */
	unsigned int xdp_id, xdp_pinned;
	bool xdp_native;
	unsigned int tc_id, tc_pinned;
	const char *problem; /* NULL when it is as loaded */
};

void loaded_iface_health(const struct loaded *l, size_t i,
			 struct iface_health *h);

#endif
