// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "log.h"
#include "paths.h"
#include "util.h"

int path_join(char *buf, size_t len, const char *dir, const char *name)
{
	return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

static void from_env(char *buf, size_t len, const char *var, const char *def)
{
	const char *v = getenv(var);

	snprintf(buf, len, "%s", v && *v ? v : def);
}

int paths_init(struct paths *p)
{
	from_env(p->pin_dir, sizeof(p->pin_dir), "EDGEFW_PIN_DIR",
		 DEFAULT_PIN_DIR);
	from_env(p->run_dir, sizeof(p->run_dir), "EDGEFW_RUN_DIR",
		 DEFAULT_RUN_DIR);
	from_env(p->state_dir, sizeof(p->state_dir), "EDGEFW_STATE_DIR",
		 DEFAULT_STATE_DIR);
	if (path_join(p->gen_dir, sizeof(p->gen_dir), p->pin_dir, "gen") ||
	    path_join(p->state, sizeof(p->state), p->run_dir, "state.json") ||
	    path_join(p->snapshot, sizeof(p->snapshot), p->run_dir,
		      "loaded.conf") ||
	    path_join(p->shape, sizeof(p->shape), p->run_dir,
		      "loaded.shape.conf") ||
	    path_join(p->lock, sizeof(p->lock), p->run_dir, "lock") ||
	    path_join(p->control_sock, sizeof(p->control_sock), p->run_dir,
		      "control.sock") ||
	    path_join(p->sets_file, sizeof(p->sets_file), p->state_dir,
		      "sets.json") ||
	    path_join(p->blocks_file, sizeof(p->blocks_file), p->state_dir,
		      "blocklist.json") ||
	    path_join(p->partners_file, sizeof(p->partners_file), p->state_dir,
		      "partners.json") ||
	    path_join(p->pool_file, sizeof(p->pool_file), p->state_dir,
		      "pool.json") ||
	    path_join(p->pool_queue, sizeof(p->pool_queue), p->state_dir,
		      "pool-queue.json") ||
	    path_join(p->pool_degraded, sizeof(p->pool_degraded), p->run_dir,
		      "pool-degraded")) {
		log_err("EDGEFW_PIN_DIR, EDGEFW_RUN_DIR or EDGEFW_STATE_DIR is too long");
		return -1;
	}
	return 0;
}

int paths_private_dir(const char *dir)
{
	struct stat st;
	int err = mkdir_p(dir, 0700);

	if (err || lstat(dir, &st)) {
		log_err("cannot create %s: %s", dir,
			strerror(err ? -err : errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("refusing to use %s: it is not a directory%s", dir,
			S_ISLNK(st.st_mode) ? " but a symbolic link" : "");
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_err("refusing to use %s: others can write into it (owner uid %u, mode %04o); it must be root's alone: chown root %s; chmod go-w %s",
			dir, (unsigned int)st.st_uid,
			(unsigned int)(st.st_mode & 07777), dir, dir);
		return -1;
	}
	return 0;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512], *close_paren;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	/* "pid (comm) state ppid ...": comm may hold spaces and parens */
	if (fgets(buf, sizeof(buf), f) && (close_paren = strrchr(buf, ')')))
		sscanf(close_paren + 1, " %*c %d", &ppid);
	fclose(f);
	return ppid;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/*
 * Pins outlive the command only on a bpffs that the rest of the system
 * sees too. 'ip netns exec' runs commands in a mount namespace of its own
 * with a fresh /sys: pins made there vanish with the command, and the
 * programs with them. The nearest ancestor in another mount namespace
 * must see the same bpffs.
 */
static bool pins_persist(const char *bpffs_dir)
{
	struct stat self_ns, ours;
	bool have_ours;

	if (stat("/proc/self/ns/mnt", &self_ns))
		return true;
	have_ours = is_bpffs(bpffs_dir) && stat(bpffs_dir, &ours) == 0;
	for (pid_t pid = getppid(); pid > 1; pid = parent_of(pid)) {
		char path[PATH_MAX + 32];
		struct stat ns, theirs;

		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		if (stat(path, &ns))
			return true; /* cannot look further: assume so */
		if (same_file(&ns, &self_ns))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid,
			 bpffs_dir);
		return have_ours && stat(path, &theirs) == 0 &&
		       theirs.st_dev == ours.st_dev;
	}
	return true;
}

int ensure_bpffs(const struct paths *p)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", p->pin_dir);
	dirname(parent);
	if (!pins_persist(parent)) {
		log_err("%s in this mount namespace is not the one the system sees, so edgefw would vanish when this command ends (is this 'ip netns exec'?); use 'nsenter --net=/run/netns/NAME' instead",
			parent);
		return -1;
	}
	if (is_bpffs(parent))
		return 0;
	/* Boot without systemd's bpffs mount: do what it would do. */
	if (strcmp(parent, "/sys/fs/bpf") == 0) {
		if (mount("bpf", parent, "bpf", 0, "mode=0700") == 0)
			return 0;
		log_err("cannot mount the BPF filesystem on %s: %s", parent,
			strerror(errno));
		return -1;
	}
	log_err("%s is not on a BPF filesystem (mount -t bpf bpf %s)", parent,
		parent);
	return -1;
}
