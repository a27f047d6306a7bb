// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "edgefw.h" /* the types of the skeleton */
#include "edgefw.skel.h"
#include "shim_map.h"
#include "tap.h"
#include "util.h"

#define SHIM_MAP(m) struct shim_map m = { .name = #m, .fd = -1 }

SHIM_MAP(set4_by24);
SHIM_MAP(set4_any);
SHIM_MAP(set4_bits);
SHIM_MAP(set6_heads);
SHIM_MAP(set6_cache);
SHIM_MAP(set6_prefixes);
SHIM_MAP(set_filter);

/* The shape comes from edgefw's BPF object: the tests cannot drift from it. */
void shim_map_create(struct shim_map *map, __u32 max_entries)
{
	shim_map_create_without(map, max_entries, 0);
}

void shim_map_create_without(struct shim_map *map, __u32 max_entries,
			     __u32 clear)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct edgefw_bpf *skel = edgefw_bpf__open();
	const struct bpf_map *def;

	if (!skel)
		tap_bail("cannot open edgefw's BPF object: %s",
			 strerror(errno));
	def = bpf_object__find_map_by_name(skel->obj, map->name);
	if (!def)
		tap_bail("edgefw's BPF object has no map %s", map->name);
	if (map->fd >= 0)
		close(map->fd);
	free(map->value);
	opts.map_flags = bpf_map__map_flags(def) & ~clear;
	map->key_size = bpf_map__key_size(def);
	map->value_size = bpf_map__value_size(def);
	map->value = xcalloc(1, map->value_size);
	map->fd = bpf_map_create(bpf_map__type(def), map->name, map->key_size,
				 map->value_size, max_entries, &opts);
	if (map->fd < 0)
		tap_bail("cannot create map %s: %s", map->name,
			 strerror(errno));
	edgefw_bpf__destroy(skel);
}

__u32 shim_map_flags(const struct shim_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(map->fd, &info, &len))
		tap_bail("cannot read map %s: %s", map->name, strerror(errno));
	return info.map_flags;
}

void shim_map_adopt(struct shim_map *map, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		tap_bail("cannot read map %s: %s", map->name, strerror(errno));
	free(map->value);
	map->fd = fd;
	map->key_size = info.key_size;
	map->value_size = info.value_size;
	map->value = xcalloc(1, map->value_size);
}

void *shim_map_lookup(struct shim_map *map, const void *key)
{
	if (!bpf_map_lookup_elem(map->fd, key, map->value))
		return map->value;
	if (errno != ENOENT)
		tap_bail("cannot look up in map %s: %s", map->name,
			 strerror(errno));
	return NULL;
}

void shim_map_update(struct shim_map *map, const void *key, const void *value)
{
	if (bpf_map_update_elem(map->fd, key, value, BPF_ANY))
		tap_bail("cannot update map %s: %s", map->name,
			 strerror(errno));
}

int shim_map_delete(struct shim_map *map, const void *key)
{
	if (!bpf_map_delete_elem(map->fd, key))
		return 0;
	if (errno != ENOENT)
		tap_bail("cannot delete from map %s: %s", map->name,
			 strerror(errno));
	return -1;
}

int shim_map_next_key(const struct shim_map *map, const void *prev, void *next)
{
	if (!bpf_map_get_next_key(map->fd, prev, next))
		return 0;
	if (errno != ENOENT)
		tap_bail("cannot walk map %s: %s", map->name, strerror(errno));
	return -1;
}

size_t shim_map_entries(const struct shim_map *map)
{
	char *key = xcalloc(2, map->key_size), *next = key + map->key_size;
	size_t n = 0;

	for (const void *prev = NULL;
	     !bpf_map_get_next_key(map->fd, prev, next); prev = key, n++)
		memcpy(key, next, map->key_size);
	free(key);
	return n;
}
