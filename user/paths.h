/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where edgefw keeps its pins, runtime files and persistent state. Tests
 * move them with EDGEFW_PIN_DIR, EDGEFW_RUN_DIR and EDGEFW_STATE_DIR.
 */
#ifndef EDGEFW_PATHS_H
#define EDGEFW_PATHS_H

#include <limits.h>

#define DEFAULT_PIN_DIR "/sys/fs/bpf/edgefw"
#define DEFAULT_RUN_DIR "/run/edgefw"
#define DEFAULT_STATE_DIR "/var/lib/edgefw"

struct paths {
	char pin_dir[PATH_MAX]; /* bpffs: links, programs, maps */
	char gen_dir[PATH_MAX]; /* maps of the running generation */
	char run_dir[PATH_MAX]; /* tmpfs: state, config snapshot, lock */
	char state[PATH_MAX];
	char snapshot[PATH_MAX];
	char shape[PATH_MAX]; /* the snapshot without the sets' prefixes */
	char lock[PATH_MAX];
	char control_sock[PATH_MAX]; /* the daemon's, for group edgefw */
	char state_dir[PATH_MAX]; /* survives reboots: CLI set and block changes */
	char sets_file[PATH_MAX];
	char blocks_file[PATH_MAX];
	char partners_file[PATH_MAX]; /* partner domains and their addresses */
	char pool_file[PATH_MAX]; /* the pool's last revision applied */
	char pool_queue[PATH_MAX]; /* the pool's writes etcd did not take yet */
	char pool_degraded[PATH_MAX]; /* run dir: the daemon's watch is down */
};

/* From the environment; -1 after reporting a path too long. */
int paths_init(struct paths *p);

/* dir/name into buf; -1 if it does not fit. */
int path_join(char *buf, size_t len, const char *dir, const char *name);

/*
 * Create dir (0700) if it is missing, and check that it is edgefw's
 * alone: a directory, not a link, owned by this user, and that nobody
 * else can write into (who could would plant files edgefw reads or
 * writes through). 0, or -1 after saying what is wrong.
 */
int paths_private_dir(const char *dir);

/* Mount bpffs on the pin directory's parent if nothing is mounted there. */
int ensure_bpffs(const struct paths *p);

#endif
