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
#include "pins.h"
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
 * Interface indexes, and self addresses from the config or the NIC. An
 * interface that is missing is an error, or with missing_ok, waiting: its
 * programs are loaded (ifindex 0, no address) and never attached.
 */
int gen_resolve(const struct config *c, bool missing_ok, struct generation *g);

/*
 * Verify the programs and create and fill the maps. shared: the running
 * edgefw's shared maps to reuse (the fds of the shared maps), or NULL to
 * create them; sets: the running generation's set maps (SETS_MAP_BITS of
 * setindex.h) when they hold what cc compiled, taken as they are, or NULL
 * to create and fill new ones.
 */
int gen_load(const struct config *c, const struct compiled *cc,
	     struct generation *g, const struct map_fds *shared,
	     const struct map_fds *sets);

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

/* A map of a loaded generation, and all of them. */
int gen_map_fd(const struct generation *g, enum edgefw_map m);
void gen_map_fds(const struct generation *g, struct map_fds *fds);

/* The runtime state of a generation loaded from c and compiled into cc. */
void gen_to_state(const struct generation *g, const struct config *c,
		  const struct compiled *cc, struct runtime_state *st);

#endif
