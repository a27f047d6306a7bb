// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "edgefw.h"
#include "log.h"
#include "pins.h"
#include "util.h"

static const char *const map_names[NR_MAPS] = {
	[MAP_COUNTERS] = "counters",
	[MAP_LIMITED] = "limited",
	[MAP_SETS] = "sets",
	[MAP_SET_FILTER] = "set_filter",
	[MAP_SET4_BY24] = "set4_by24",
	[MAP_SET4_ANY] = "set4_any",
	[MAP_SET4_BITS] = "set4_bits",
	[MAP_SET6_HEADS] = "set6_heads",
	[MAP_SET6_CACHE] = "set6_cache",
	[MAP_SET6_PREFIXES] = "set6_prefixes",
	[MAP_PORT_CLASSES] = "port_classes",
	[MAP_RATE_SRC] = "rate_src",
	[MAP_RATE_TOTAL] = "rate_total",
	[MAP_FLOWS4] = "flows4",
	[MAP_FLOWS6] = "flows6",
	[MAP_FLOW_FILTER] = "flow_filter",
	[MAP_BLOCKLIST] = "blocklist",
	[MAP_CONTROL] = "control",
	[MAP_EVENTS] = "events",
	[MAP_EVENTS_CTL] = "events_ctl",
	[MAP_EVENTS_CPU] = "events_cpu",
	[MAP_SAMPLES] = "samples",
};

_Static_assert(NR_MAPS <= 32, "a bit per map in an unsigned int");

/*
 * As bpf/maps.h declares them (unit/test_pins holds the two together):
 * a pinned map of other sizes is an older edgefw's, which this one must
 * neither read nor write with its own structures. Ring buffers have none.
 */
static const struct {
	unsigned int key, value;
} map_shapes[NR_MAPS] = {
	[MAP_COUNTERS] = { sizeof(__u32), sizeof(struct edgefw_counter) },
	[MAP_LIMITED] = { sizeof(__u32), sizeof(struct edgefw_counter) },
	[MAP_SETS] = { sizeof(struct edgefw_set_key), sizeof(__u8) },
	[MAP_SET_FILTER] = { sizeof(__u32), sizeof(struct edgefw_set_filter) },
	[MAP_SET4_BY24] = { sizeof(__u32), sizeof(__u64) },
	[MAP_SET4_ANY] = { sizeof(__u32), sizeof(__u64) },
	[MAP_SET4_BITS] = { sizeof(__u32), sizeof(struct edgefw_set4_bits) },
	[MAP_SET6_HEADS] = { sizeof(__u64), sizeof(struct edgefw_set6_head) },
	[MAP_SET6_CACHE] = { sizeof(__u32), sizeof(struct edgefw_set6_cached) },
	[MAP_SET6_PREFIXES] = { sizeof(struct edgefw_set6_key), sizeof(__u8) },
	[MAP_PORT_CLASSES] = { sizeof(__u32),
			       sizeof(struct edgefw_port_classes) },
	[MAP_RATE_SRC] = { sizeof(struct edgefw_rate_key), sizeof(__u64) },
	[MAP_RATE_TOTAL] = { sizeof(__u32), sizeof(__u64) },
	[MAP_FLOWS4] = { sizeof(struct edgefw_flow_key4),
			 sizeof(struct edgefw_flow) },
	[MAP_FLOWS6] = { sizeof(struct edgefw_flow_key6),
			 sizeof(struct edgefw_flow) },
	[MAP_FLOW_FILTER] = { sizeof(__u32), sizeof(__u64) },
	[MAP_BLOCKLIST] = { sizeof(struct edgefw_set_key),
			    sizeof(struct edgefw_block) },
	[MAP_CONTROL] = { sizeof(__u32), sizeof(struct edgefw_control) },
	[MAP_EVENTS] = { 0, 0 },
	[MAP_EVENTS_CTL] = { sizeof(__u32), sizeof(struct edgefw_events_ctl) },
	[MAP_EVENTS_CPU] = { sizeof(__u32), sizeof(struct edgefw_events_cpu) },
	[MAP_SAMPLES] = { 0, 0 },
};

void map_shape(enum edgefw_map m, unsigned int *key_size,
	       unsigned int *value_size)
{
	*key_size = m < NR_MAPS ? map_shapes[m].key : 0;
	*value_size = m < NR_MAPS ? map_shapes[m].value : 0;
}

const char *map_name(enum edgefw_map m)
{
	return m < NR_MAPS ? map_names[m] : "?";
}

enum edgefw_map map_by_name(const char *name)
{
	for (int m = 0; m < NR_MAPS; m++) {
		if (!strcmp(map_names[m], name))
			return m;
	}
	return NR_MAPS;
}

void map_fds_init(struct map_fds *m)
{
	for (int i = 0; i < NR_MAPS; i++)
		m->fd[i] = -1;
}

bool map_fds_all(const struct map_fds *m, unsigned int want)
{
	for (int i = 0; i < NR_MAPS; i++) {
		if ((want & MAP_BIT(i)) && m->fd[i] < 0)
			return false;
	}
	return true;
}

void map_fds_close(struct map_fds *m)
{
	for (int i = 0; i < NR_MAPS; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

int pins_map_path(const struct paths *p, enum edgefw_map m, char *buf,
		  size_t len)
{
	return path_join(buf, len, map_is_shared(m) ? p->pin_dir : p->gen_dir,
			 map_name(m));
}

static int open_map_pin(const struct paths *p, enum edgefw_map m)
{
	char path[PATH_MAX];

	if (pins_map_path(p, m, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return bpf_obj_get(path);
}

/* Whether fd, map m's pin, has this edgefw's sizes; else says so unless quiet. */
static bool map_fits(const struct paths *p, enum edgefw_map m, int fd,
		     bool quiet)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	/* unreadable: the operation that uses it will say */
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    (info.key_size == map_shapes[m].key &&
	     info.value_size == map_shapes[m].value))
		return true;
	/* a reload keeps the shared maps: only a new load makes them again */
	if (!quiet)
		log_err("%s/%s is an older edgefw's map (keys of %u bytes and values of %u; this edgefw's are %u and %u): %s",
			map_is_shared(m) ? p->pin_dir : p->gen_dir, map_name(m),
			info.key_size, info.value_size, map_shapes[m].key,
			map_shapes[m].value,
			map_is_shared(m)
				? "'edgefw unload' and 'edgefw load' replace it"
				: "'edgefw reload' replaces it");
	return false;
}

/*
 * Whether map m is missing (err) from a generation that is there: one an
 * older edgefw loaded, before the map was one of a generation's.
 */
static bool older_generation(const struct paths *p, enum edgefw_map m, int err)
{
	struct stat st;

	return err == ENOENT && !map_is_shared(m) &&
	       stat(p->gen_dir, &st) == 0 && S_ISDIR(st.st_mode);
}

int pins_open_maps(const struct paths *p, unsigned int want, unsigned int flags,
		   struct map_fds *m)
{
	map_fds_init(m);
	for (int i = 0; i < NR_MAPS; i++) {
		int err;

		if (!(want & MAP_BIT(i)))
			continue;
		m->fd[i] = open_map_pin(p, i);
		if (m->fd[i] >= 0) {
			if ((flags & PINS_ANY_SHAPE) ||
			    map_fits(p, i, m->fd[i], flags & PINS_OLDER_OK))
				continue;
			err = EPROTO;
		} else {
			err = errno;
			if (!(flags & PINS_MISSING_OK) || err != ENOENT)
				log_err("cannot open %s/%s: %s%s",
					map_is_shared(i) ? p->pin_dir
							 : p->gen_dir,
					map_name(i), strerror(err),
					older_generation(p, i, err)
						? " (the running generation has none, as one an older edgefw loaded: 'edgefw reload' makes one)"
						: "");
		}
		map_fds_close(m);
		errno = err; /* for the caller, after close */
		return -1;
	}
	return 0;
}

int pins_iface_path(const struct paths *p, enum iface_pin kind,
		    const char *ifname, char *buf, size_t len)
{
	const char *prefix = kind == PIN_XDP_LINK ? "xdp" : "tc";

	return snprintf(buf, len, "%s/%s_%s", p->pin_dir, prefix, ifname) <
			       (int)len
		       ? 0
		       : -1;
}

int pins_open_iface(const struct paths *p, enum iface_pin kind,
		    const char *ifname)
{
	char path[PATH_MAX];

	if (pins_iface_path(p, kind, ifname, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return bpf_obj_get(path);
}

unsigned int pins_iface_prog_id(const struct paths *p, enum iface_pin kind,
				const char *ifname)
{
	union {
		struct bpf_link_info link;
		struct bpf_prog_info prog;
	} info;
	__u32 len = sizeof(info);
	int fd = pins_open_iface(p, kind, ifname);
	unsigned int id = 0;

	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		id = kind == PIN_XDP_LINK ? info.link.prog_id : info.prog.id;
	close(fd);
	return id;
}

int pin_fd(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), dir, name) || bpf_obj_pin(fd, path)) {
		log_err("cannot pin %s/%s: %s", dir, name, strerror(errno));
		return -1;
	}
	return 0;
}

int pins_pin_iface(const struct paths *p, enum iface_pin kind,
		   const char *ifname, int fd)
{
	char path[PATH_MAX];

	if (pins_iface_path(p, kind, ifname, path, sizeof(path)) ||
	    bpf_obj_pin(fd, path)) {
		log_err("cannot pin %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void pins_unpin_iface(const struct paths *p, enum iface_pin kind,
		      const char *ifname)
{
	char path[PATH_MAX];

	if (pins_iface_path(p, kind, ifname, path, sizeof(path)) == 0 &&
	    unlink(path) && errno != ENOENT)
		log_warn("cannot remove %s: %s", path, strerror(errno));
}

int remove_tree(const char *dir)
{
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat sb;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (path_join(path, sizeof(path), dir, de->d_name) ||
		    lstat(path, &sb)) {
			err = -ENAMETOOLONG;
			continue;
		}
		if (S_ISDIR(sb.st_mode))
			err = remove_tree(path) ?: err;
		else if (unlink(path))
			err = -errno;
	}
	closedir(d);
	if (rmdir(dir) && errno != ENOENT)
		err = -errno;
	return err;
}

int pins_remove(const struct paths *p)
{
	int err = remove_tree(p->pin_dir);

	if (err)
		log_err("cannot remove %s: %s", p->pin_dir, strerror(-err));
	return err ? -1 : 0;
}
