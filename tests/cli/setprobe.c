// SPDX-License-Identifier: GPL-2.0
/*
 * setprobe SET ADDR...: whether the running edgefw's kernel maps hold
 * each address in the named set, answered by the data plane's own
 * lookups (the set's index, bpf/set4index.h and set6index.h, or the
 * trie for a set without one), run here against the pinned maps. The
 * tests' view of the kernel, beside `edgefw set list`, which tells what
 * edgefw gave it. Prints "ADDR in" or "ADDR out" a line; exits 1 when
 * edgefw is not loaded, 2 on bad input.
 */
#include "bpf_shim.h" /* first: what the BPF code below takes from BPF */
#include "../../bpf/set4index.h"
#include "../../bpf/set6index.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compile.h"
#include "inspect.h"
#include "paths.h"
#include "pins.h"
#include "setindex.h"

static struct shim_map sets = { .name = "sets", .fd = -1 };

/* As bpf/rules.h's in_set: the filter first, but for an IPv4 index. */
static bool in_set(unsigned int set, unsigned int slot, const struct prefix *a)
{
	__u32 key = EDGEFW_FILTER_KEY(set, a->family);
	struct edgefw_set_filter *f, filter = {};
	struct edgefw_set_key trie_key;

	if (a->family == EDGEFW_FAMILY_IPV4 && slot != EDGEFW_NO_INDEX_SLOT)
		return set4_any_may_hold(a->addr.w[0]) &&
		       in_set4_index(slot, a->addr.w[0]);
	f = shim_map_lookup(&set_filter, &key);
	if (f) {
		filter = *f; /* the next lookup reuses the shim's buffer */
		if (!edgefw_filter_passes(&filter, a->family,
					  ntohl(a->addr.w[0])))
			return false;
	}
	if (slot != EDGEFW_NO_INDEX_SLOT)
		return in_set6_index(slot, &a->addr, filter.short6_lens);
	prefix_set_key(a, set, &trie_key);
	return shim_map_lookup(&sets, &trie_key) != NULL;
}

int main(int argc, char **argv)
{
	struct shim_map *maps[] = { &set4_by24,	 &set4_any,   &set4_bits,
				    &set6_heads, &set6_cache, &set6_prefixes,
				    &set_filter, &sets };
	const enum edgefw_map ids[] = { MAP_SET4_BY24,	MAP_SET4_ANY,
					MAP_SET4_BITS,	MAP_SET6_HEADS,
					MAP_SET6_CACHE, MAP_SET6_PREFIXES,
					MAP_SET_FILTER, MAP_SETS };
	unsigned int slot = EDGEFW_NO_INDEX_SLOT;
	__u16 slots[EDGEFW_INDEX_SLOTS];
	struct map_fds fds;
	struct loaded l;
	struct paths p;
	int set, rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: setprobe SET ADDR...\n");
		return 2;
	}
	if (paths_init(&p) || loaded_open(&p, &l))
		return 1;
	if (pins_open_maps(&p, SETS_MAP_BITS, 0, &fds)) {
		loaded_close(&l);
		return 1;
	}
	set = config_find_set(&l.cfg, argv[1]);
	if (set < 0) {
		fprintf(stderr, "setprobe: no set '%s'\n", argv[1]);
		goto out;
	}
	for (size_t i = 0, n = compile_index_slots(&l.cfg, slots); i < n; i++)
		if (slots[i] == set)
			slot = i;
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		shim_map_adopt(maps[i], fds.fd[ids[i]]);
	for (int i = 2; i < argc; i++) {
		struct prefix a;
		char err[128];

		if (addr_parse(argv[i], &a, err, sizeof(err))) {
			fprintf(stderr, "setprobe: %s: not an address\n",
				argv[i]);
			goto out;
		}
		printf("%s %s\n", argv[i],
		       in_set(set, slot, &a) ? "in" : "out");
	}
	rc = 0;
out:
	/* all freed: under LeakSanitizer a leak ends it before stdout is */
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		free(maps[i]->value);
	map_fds_close(&fds);
	loaded_close(&l);
	return rc;
}
