/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edgefw's maps as kernel maps for BPF code that the tests run in user
 * space (bpf_shim.h): a map object holds the map's fd, and a lookup
 * copies the value into the object's buffer and points there, where the
 * helper points into the map. Free of <bpf/bpf.h> for those tests.
 */
#ifndef EDGEFW_TEST_SHIM_MAP_H
#define EDGEFW_TEST_SHIM_MAP_H

#include <stddef.h>
#include <linux/types.h>

struct shim_map {
	const char *name; /* of its map in bpf/maps.h */
	int fd; /* -1: not created */
	__u32 key_size;
	__u32 value_size;
	void *value; /* the last lookup's */
};

/* The maps of the set indexes, named as the BPF code names them. */
extern struct shim_map set4_by24, set4_any, set4_bits, set6_heads, set6_cache,
	set6_prefixes, set_filter;

/*
 * A new, empty kernel map for map, in place of the one it held: of the
 * type, key, value and flags of edgefw's map of that name, of max_entries.
 * Bails out on failure, as the other functions do.
 */
void shim_map_create(struct shim_map *map, __u32 max_entries);

/* As shim_map_create, without the flags in clear: a map an older edgefw made. */
void shim_map_create_without(struct shim_map *map, __u32 max_entries,
			     __u32 clear);

/* The flags its kernel map was made with (BPF_F_*). */
__u32 shim_map_flags(const struct shim_map *map);

/* map as the kernel map fd (a pinned one), its sizes read from it */
void shim_map_adopt(struct shim_map *map, int fd);

/* What bpf_map_lookup_elem() gives BPF code: the value of key, or NULL. */
void *shim_map_lookup(struct shim_map *map, const void *key);

void shim_map_update(struct shim_map *map, const void *key, const void *value);

/* 0, or -1 where the map has no key (errno ENOENT) */
int shim_map_delete(struct shim_map *map, const void *key);

/* bpf_map_get_next_key(): 0, or -1 after the last key */
int shim_map_next_key(const struct shim_map *map, const void *prev, void *next);

/* The number of keys in a hash map. */
size_t shim_map_entries(const struct shim_map *map);

#endif
