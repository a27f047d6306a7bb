// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "inspect.h"
#include "loader.h"
#include "log.h"

static int read_nr_blocked(struct loaded *l)
{
	struct edgefw_control ctl;
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd = -1;

	if (path_join(path, sizeof(path), l->paths.pin_dir, "control") == 0)
		fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &ctl)) {
		log_err("cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	l->nr_blocked = ctl.nr_blocked;
	return 0;
}

int loaded_open(struct loaded *l, bool tolerate_corrupt_sets)
{
	FILE *quiet;
	int err;

	memset(l, 0, sizeof(*l));
	l->counters_fd = -1;
	paths_init(&l->paths);
	err = state_read(&l->paths, &l->st);
	if (err == -ENOENT)
		return 1;
	if (err)
		return -1;
	if (!l->st.complete) {
		log_err("a load was interrupted; run 'edgefw unload' to clean up, then load again");
		return -1;
	}
	/* The snapshot was checked when it was loaded. */
	quiet = fopen("/dev/null", "w");
	err = config_load(l->paths.snapshot, &l->cfg, quiet ? quiet : stderr);
	if (quiet)
		fclose(quiet);
	if (err || compile(&l->cfg, &l->cc, stderr)) {
		log_err("cannot read the loaded config snapshot %s",
			l->paths.snapshot);
		return -1;
	}
	if (deltas_read(&l->paths, &l->deltas)) {
		if (!tolerate_corrupt_sets)
			return -1;
		l->deltas_corrupt = true;
	}
	compile_apply_deltas(&l->cfg, &l->cc, &l->deltas);
	l->counters_fd = loaded_gen_map(l, "counters");
	if (l->counters_fd < 0 || read_nr_blocked(l))
		return -1;
	return 0;
}

int loaded_gen_map(const struct loaded *l, const char *name)
{
	char path[PATH_MAX];
	int fd = -1;

	if (path_join(path, sizeof(path), l->paths.gen_dir, name) == 0)
		fd = bpf_obj_get(path);
	if (fd < 0)
		log_err("cannot open %s: %s", path, strerror(errno));
	return fd;
}

void loaded_close(struct loaded *l)
{
	if (l->counters_fd >= 0)
		close(l->counters_fd);
	compiled_free(&l->cc);
	config_free(&l->cfg);
	deltas_free(&l->deltas);
}

__u32 pinned_prog_id(const struct paths *p, const char *kind,
		     const char *ifname)
{
	char path[PATH_MAX];
	union {
		struct bpf_link_info link;
		struct bpf_prog_info prog;
	} info;
	__u32 len = sizeof(info);
	int fd;

	if (pin_path(path, sizeof(path), p, kind, ifname))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return 0;
	}
	close(fd);
	return strcmp(kind, "xdp") == 0 ? info.link.prog_id : info.prog.id;
}
