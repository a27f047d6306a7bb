/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A generation: one verified program pair (XDP ingress, TC egress) per
 * interface, their read-only data compiled from one config, and the maps
 * they share. Loading fills the maps before anything is attached, so no
 * packet ever meets a half-filled generation.
 */
#ifndef EDGEFW_LOADER_H
#define EDGEFW_LOADER_H

#include "attach.h"
#include "compile.h"
#include "config.h"
#include "edgefw.h"
#include "edgefw.skel.h"
#include "paths.h"
#include "state.h"

struct gen_iface {
	struct iface_state st;
	struct edgefw_bpf *skel;
	int xdp_link_fd; /* -1 when not attached */
	bool tc_attached;
};

struct generation {
	struct gen_iface ifaces[EDGEFW_MAX_IFACES];
	size_t nr_ifaces;
};

/*
 * Maps that outlive a generation, pinned in the pin directory: the tables
 * of tracked flows (IPv4 and IPv6), the blocklist and its control block. A reload's generation
 * reuses them; every other map is the generation's own.
 */
enum shared_map {
	SHARED_FLOWS4,
	SHARED_FLOWS6,
	SHARED_BLOCKLIST,
	SHARED_CONTROL,
	NR_SHARED_MAPS,
};

struct shared_maps {
	int fd[NR_SHARED_MAPS];
};

/* Open the pinned shared maps of the running edgefw. */
int shared_maps_open(const struct paths *p, struct shared_maps *m);
void shared_maps_close(struct shared_maps *m);

/* Interface indexes, and self addresses from the config or the NIC. */
int gen_resolve(const struct config *c, struct generation *g);

/*
 * Verify the programs and create and fill the maps. shared: the running
 * edgefw's shared maps to reuse, or NULL to create them.
 */
int gen_load(const struct config *c, const struct compiled *cc,
	     struct generation *g, const struct shared_maps *shared);

/*
 * gen_resolve and gen_load with what the CLI changed: the persisted set
 * changes go into cc before the maps are filled, and a new blocklist (no
 * shared maps) gets the persisted, unexpired blocks. A corrupt state file
 * refuses the whole generation.
 */
int gen_prepare(const struct config *c, struct compiled *cc,
		const struct paths *p, const struct shared_maps *shared,
		struct generation *g);

/* Attach every interface; on failure detach what was attached. */
int gen_attach(struct generation *g, enum xdp_mode mode);

/* Pin links, programs and maps; on failure remove what was pinned. */
int gen_pin(const struct generation *g, const struct paths *p);

/* Pin the generation's own maps into dir (created). */
int gen_pin_maps(const struct generation *g, const char *dir);

/* Pin an interface's XDP link and TC program. */
int gen_pin_iface(const struct generation *g, size_t i, const struct paths *p);

void gen_detach(struct generation *g);
void gen_free(struct generation *g);

/* Map fds of a loaded generation. */
int gen_counters_fd(const struct generation *g);
int gen_sets_fd(const struct generation *g);
int gen_flows4_fd(const struct generation *g);
int gen_flows6_fd(const struct generation *g);
int gen_blocklist_fd(const struct generation *g);
int gen_control_fd(const struct generation *g);

void gen_to_state(const struct generation *g, const struct config *c,
		  struct runtime_state *st);

/* Remove everything under the pin directory. */
int pins_remove(const struct paths *p);

/* Remove a directory of pins. */
int remove_tree(const char *dir);

/* The pin path of an interface's XDP link or TC program. */
int pin_path(char *buf, size_t len, const struct paths *p, const char *kind,
	     const char *ifname);

#endif
