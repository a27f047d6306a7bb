// SPDX-License-Identifier: GPL-2.0
/*
 * The names of edgefw's maps (user/pins.c) against the BPF object itself:
 * every map the programs define has its entry, shared or per generation,
 * and every entry names a map the programs define, with the key and value
 * sizes the programs give it. A map added to bpf/maps.h without an entry
 * would never be pinned or reused on reload; one whose sizes changed
 * without its entry would be refused as an older edgefw's.
 */
#include <string.h>
#include <bpf/libbpf.h>
#include "edgefw.h"
#include "edgefw.skel.h"
#include "pins.h"
#include "tap.h"

int main(void)
{
	struct edgefw_bpf *skel = edgefw_bpf__open();
	unsigned int key_size, value_size;
	bool named[NR_MAPS] = {};
	struct bpf_map *map;

	if (!skel)
		tap_bail("cannot open edgefw's BPF object");
	bpf_object__for_each_map(map, skel->obj)
	{
		const char *name = bpf_map__name(map);
		enum edgefw_map m;

		if (bpf_map__is_internal(map))
			continue;
		m = map_by_name(name);
		if (!CHECK(m < NR_MAPS, "map %s has an entry in pins.c", name))
			continue;
		named[m] = true;
		CHECK(!strcmp(map_name(m), name), "map %s: its entry's name",
		      name);
		map_shape(m, &key_size, &value_size);
		/* a ring buffer's are 0 in the object as in the table */
		CHECK(key_size == bpf_map__key_size(map) &&
			      value_size == bpf_map__value_size(map),
		      "map %s: its entry's key and value sizes (%u, %u) are the object's (%u, %u)",
		      name, key_size, value_size, bpf_map__key_size(map),
		      bpf_map__value_size(map));
	}
	for (int m = 0; m < NR_MAPS; m++)
		CHECK(named[m], "entry %s is a map of the BPF object",
		      map_name(m));
	/* the maps a reload must carry over are the shared ones */
	CHECK(map_is_shared(MAP_FLOWS4) && map_is_shared(MAP_FLOWS6) &&
		      map_is_shared(MAP_BLOCKLIST) &&
		      map_is_shared(MAP_CONTROL),
	      "flows, blocklist and control are shared");
	CHECK(!map_is_shared(MAP_COUNTERS) && !map_is_shared(MAP_SETS) &&
		      !map_is_shared(MAP_RATE_SRC),
	      "counters, sets and rate buckets belong to a generation");
	CHECK_EQ(map_by_name("no_such_map"), NR_MAPS,
		 "an unknown name has no entry");
	edgefw_bpf__destroy(skel);
	return tap_done();
}
