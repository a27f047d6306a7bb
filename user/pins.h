/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edgefw's objects in the BPF filesystem, named once: every map with the
 * name the programs give it, the maps that outlive a generation (pinned
 * in the pin directory) and those of the running generation (pinned in
 * its gen/ directory), and each interface's XDP link and TC program.
 */
#ifndef EDGEFW_PINS_H
#define EDGEFW_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include "paths.h"

/* The maps of bpf/maps.h. */
enum edgefw_map {
	/* a generation's own: a reload replaces them with its config */
	MAP_COUNTERS,
	MAP_LIMITED,
	MAP_SETS,
	MAP_SET_FILTER,
	MAP_SET4_BY24,
	MAP_SET4_ANY,
	MAP_SET4_BITS,
	MAP_SET6_HEADS,
	MAP_SET6_CACHE,
	MAP_SET6_PREFIXES,
	MAP_PORT_CLASSES,
	MAP_RATE_SRC,
	MAP_RATE_TOTAL,
	/* shared by every generation: flows and blocks carry over */
	MAP_FLOWS4,
	MAP_FLOWS6,
	MAP_FLOW_FILTER,
	MAP_BLOCKLIST,
	MAP_CONTROL,
	/* and so do the drop events: a reload keeps edgefw monitor going */
	MAP_EVENTS,
	MAP_EVENTS_CTL,
	MAP_EVENTS_CPU,
	MAP_SAMPLES, /* the daemon's: the samples of its drop summary */
	NR_MAPS,
};

#define FIRST_SHARED_MAP MAP_FLOWS4

/* A map's name in the BPF object, which is also its pin's name. */
const char *map_name(enum edgefw_map m);

/* The map of that name, or NR_MAPS. */
enum edgefw_map map_by_name(const char *name);

static inline bool map_is_shared(enum edgefw_map m)
{
	return m >= FIRST_SHARED_MAP;
}

/* File descriptors of some of the maps, -1 for the others. */
struct map_fds {
	int fd[NR_MAPS];
};

void map_fds_init(struct map_fds *m);
void map_fds_close(struct map_fds *m);

/* Whether m holds every map of want (a bit per enum edgefw_map). */
bool map_fds_all(const struct map_fds *m, unsigned int want);

/* How pins_open_maps takes what it cannot use. */
enum pins_open_flags {
	/* a missing pin is no error to report (edgefw is not loaded): ENOENT */
	PINS_MISSING_OK = 1,
	/* nor is a map of other key or value sizes (an older edgefw's): EPROTO */
	PINS_OLDER_OK = 2,
	/* any sizes do: only what every map answers is asked (its memory) */
	PINS_ANY_SHAPE = 4,
};

/*
 * Open the pinned maps named in want (a bit per enum edgefw_map) of the
 * running edgefw, each of the key and value sizes that this edgefw's
 * programs give it. 0, or -1 with errno set, after reporting what flags
 * (enum pins_open_flags) do not excuse; nothing is left open.
 */
int pins_open_maps(const struct paths *p, unsigned int want, unsigned int flags,
		   struct map_fds *m);

/* The key and value sizes of map m in this edgefw's programs. */
void map_shape(enum edgefw_map m, unsigned int *key_size,
	       unsigned int *value_size);

#define MAP_BIT(m) (1U << (m))
#define EVENTS_MAP_BITS                                  \
	(MAP_BIT(MAP_EVENTS) | MAP_BIT(MAP_EVENTS_CTL) | \
	 MAP_BIT(MAP_EVENTS_CPU) | MAP_BIT(MAP_SAMPLES))
/* The shared maps an older edgefw may lack: a reload makes them. */
#define NEWER_MAP_BITS (EVENTS_MAP_BITS | MAP_BIT(MAP_FLOW_FILTER))
#define SHARED_MAP_BITS                                                       \
	(MAP_BIT(MAP_FLOWS4) | MAP_BIT(MAP_FLOWS6) | MAP_BIT(MAP_BLOCKLIST) | \
	 MAP_BIT(MAP_CONTROL) | NEWER_MAP_BITS)

/* Where a map is pinned: the pin directory or the generation's, dir/NAME. */
int pins_map_path(const struct paths *p, enum edgefw_map m, char *buf,
		  size_t len);

/* An interface's pinned objects. */
enum iface_pin {
	PIN_XDP_LINK, /* xdp_IFNAME: the link holds the program attached */
	PIN_TC_PROG, /* tc_IFNAME: the program of edgefw's TC filter */
};

int pins_iface_path(const struct paths *p, enum iface_pin kind,
		    const char *ifname, char *buf, size_t len);

/* The pinned object, or -1 (errno set; ENOENT when there is none). */
int pins_open_iface(const struct paths *p, enum iface_pin kind,
		    const char *ifname);

/* Its program's id (the link's or the TC program's), 0 if none. */
unsigned int pins_iface_prog_id(const struct paths *p, enum iface_pin kind,
				const char *ifname);

/* Pin fd as dir/name; 0 or -1 after reporting. */
int pin_fd(int fd, const char *dir, const char *name);

int pins_pin_iface(const struct paths *p, enum iface_pin kind,
		   const char *ifname, int fd);

/* Remove an interface's pin if it is there; warns when it cannot. */
void pins_unpin_iface(const struct paths *p, enum iface_pin kind,
		      const char *ifname);

/* Remove a directory of pins; 0 or -errno. */
int remove_tree(const char *dir);

/* Remove everything under the pin directory; 0 or -1 after reporting. */
int pins_remove(const struct paths *p);

#endif
