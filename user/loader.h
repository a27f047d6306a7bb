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

/* Interface indexes, and self addresses from the config or the NIC. */
int gen_resolve(const struct config *c, struct generation *g);

/*
 * Verify the programs and create and fill the maps. flows_fd: the flow
 * table of the running generation to share, or -1 for a new one.
 */
int gen_load(const struct config *c, const struct compiled *cc,
	     struct generation *g, int flows_fd);

/* Attach every interface; on failure detach what was attached. */
int gen_attach(struct generation *g, enum xdp_mode mode);

/* Pin links, programs and maps; on failure remove what was pinned. */
int gen_pin(const struct generation *g, const struct paths *p);

void gen_detach(struct generation *g);
void gen_free(struct generation *g);

/* Map fds of a loaded generation. */
int gen_counters_fd(const struct generation *g);
int gen_sets_fd(const struct generation *g);
int gen_flows_fd(const struct generation *g);

void gen_to_state(const struct generation *g, const struct config *c,
		  struct runtime_state *st);

/* Remove everything under the pin directory. */
int pins_remove(const struct paths *p);

/* The pin path of an interface's XDP link or TC program. */
int pin_path(char *buf, size_t len, const struct paths *p, const char *kind,
	     const char *ifname);

#endif
