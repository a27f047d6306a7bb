/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime state of a loaded edgefw (run_dir/state.json): which config
 * is loaded, and per interface what was attached and created, so that
 * unload and status know what is there even after a crash.
 */
#ifndef EDGEFW_STATE_H
#define EDGEFW_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <time.h>
#include <json-c/json.h>
#include "addr.h"
#include "edgefw.h"
#include "paths.h"
#include "protect.h"
#include "util.h"

struct iface_state {
	char name[IF_NAMESIZE];
	int ifindex; /* 0: waiting for the interface to appear */
	bool xdp_native;
	bool qdisc_created; /* edgefw added the clsact qdisc */
	struct prefix self[EDGEFW_MAX_SELF_ADDRS];
	size_t nr_self;
};

struct runtime_state {
	char config_path[PATH_MAX];
	char config_hash[SHA256_HEX_LEN + 1];
	time_t loaded_at;
	unsigned long generation;
	bool complete; /* false while a load is under way or was cut short */
	uint64_t netns_dev, netns_ino; /* the network namespace it runs in */
	struct iface_state ifaces[EDGEFW_MAX_IFACES];
	size_t nr_ifaces;
	/*
	 * The prefixes of each of the config's sets, with the changes made
	 * by 'edgefw set': status reads them here instead of counting.
	 * Unknown (false) in the state of an edgefw that did not record them.
	 */
	bool set_sizes_known;
	size_t nr_sets;
	size_t set_sizes[EDGEFW_MAX_SETS];
	/* the IPv6 ones of set_sizes (an older edgefw's state has none) */
	bool set_sizes6_known;
	size_t set_sizes6[EDGEFW_MAX_SETS];
	/* what a block must not cover (protect.h); none from an older edgefw */
	struct protected_prefix protected[PROTECT_MAX];
	size_t nr_protected;
	bool protected_truncated;
	/*
	 * The reloads since the load, by the CLI and the daemon alike, and
	 * how they ended (none recorded by an older edgefw: 0).
	 */
	uint64_t reloads_ok;
	uint64_t reloads_failed;
};

static inline bool iface_present(const struct iface_state *s)
{
	return s->ifindex != 0;
}
struct sf_err;

int state_write(const struct paths *p, const struct runtime_state *st);

/* 0, -ENOENT when nothing is loaded, -EINVAL (reported) when corrupt. */
int state_read(const struct paths *p, struct runtime_state *st);

/* The text of a state.json: 0, or -1 with e saying what is wrong where. */
int state_parse(const char *text, size_t len, struct runtime_state *st,
		struct sf_err *e);

/* The JSON document of a state.json, as state_write writes it. */
json_object *state_json(const struct runtime_state *st);

int state_remove(const struct paths *p);

/*
 * One more reload that failed before it wrote a new state (a config that
 * does not read, a generation the kernel refused): counted in state.json.
 * Under the lock. 0, or -1 after reporting (nothing loaded: nothing to
 * count, 0).
 */
int state_count_failed_reload(const struct paths *p);

/* Record the network namespace this process is in. */
void state_set_netns(struct runtime_state *st);

/*
 * 0 when this process is in the network namespace edgefw was loaded in;
 * otherwise says where to run command and returns -1.
 */
int state_check_netns(const struct runtime_state *st, const char *command);

/* Serialise edgefw commands that change the kernel; returns a lock fd. */
int state_lock(const struct paths *p);
void state_unlock(int fd);

#endif
