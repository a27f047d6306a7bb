// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
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

void paths_init(struct paths *p)
{
	from_env(p->pin_dir, sizeof(p->pin_dir), "EDGEFW_PIN_DIR",
		 DEFAULT_PIN_DIR);
	from_env(p->run_dir, sizeof(p->run_dir), "EDGEFW_RUN_DIR",
		 DEFAULT_RUN_DIR);
	if (path_join(p->gen_dir, sizeof(p->gen_dir), p->pin_dir, "gen") ||
	    path_join(p->state, sizeof(p->state), p->run_dir, "state.json") ||
	    path_join(p->snapshot, sizeof(p->snapshot), p->run_dir,
		      "loaded.conf") ||
	    path_join(p->lock, sizeof(p->lock), p->run_dir, "lock")) {
		log_err("EDGEFW_PIN_DIR or EDGEFW_RUN_DIR is too long");
		exit(2);
	}
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

int ensure_bpffs(const struct paths *p)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", p->pin_dir);
	dirname(parent);
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
