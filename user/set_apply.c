// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "compile.h"
#include "log.h"
#include "maps.h"
#include "set_apply.h"
#include "setindex.h"
#include "state.h"

static int kernel_change(int fd, bool add, unsigned int set,
			 const struct prefix_list *l, size_t *done)
{
	struct edgefw_set_key *keys;
	__u8 *ones;
	int err;

	*done = 0;
	if (!l->n)
		return 0;
	keys = xcalloc(l->n, sizeof(*keys));
	ones = xcalloc(l->n, 1);
	for (size_t i = 0; i < l->n; i++)
		prefix_set_key(&l->v[i], set, &keys[i]);
	memset(ones, 1, l->n);
	err = add ? map_update_many(fd, keys, ones, l->n, sizeof(*keys), 1,
				    done)
		  : map_delete_many(fd, keys, l->n, sizeof(*keys), done);
	free(ones);
	free(keys);
	return err;
}

/*
 * Before prefixes go into the set, the set's filters must let them
 * through: their bits are set first. Removals leave the bits, as a bit
 * too many only costs a lookup.
 */
static int widen_filters(int fd, unsigned int set,
			 const struct prefix_list *added)
{
	static const __u8 families[] = { EDGEFW_FAMILY_IPV4,
					 EDGEFW_FAMILY_IPV6 };
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(families) && !err; i++) {
		__u32 key = EDGEFW_FILTER_KEY(set, families[i]);
		struct edgefw_set_filter f;

		err = bpf_map_lookup_elem(fd, &key, &f);
		for (size_t j = 0; !err && j < added->n; j++) {
			if (added->v[j].family == families[i])
				set_filter_add(&f, &added->v[j]);
		}
		if (!err)
			err = bpf_map_update_elem(fd, &key, &f, BPF_ANY);
	}
	if (err)
		log_err("cannot update the filter of set %u: %s", set,
			strerror(errno));
	return err ? -1 : 0;
}

/* The index slot of a set: slots follow from the rules alone. */
static unsigned int index_slot(const struct config *c, unsigned int set)
{
	__u16 slots[EDGEFW_INDEX_SLOTS];
	size_t n = compile_index_slots(c, slots);

	for (size_t slot = 0; slot < n; slot++) {
		if (slots[slot] == set)
			return slot;
	}
	return EDGEFW_NO_INDEX_SLOT;
}

static int sync_index(const struct map_fds *fds, unsigned int set,
		      unsigned int slot, const struct prefix_list *from,
		      const struct prefix_list *to)
{
	if (slot == EDGEFW_NO_INDEX_SLOT)
		return 0;
	return set_indexes_write(fds, set, slot, from, to);
}

/*
 * The digest of the set maps (setdigest.h) leaves the state file before
 * the maps change: a failure or a crash in the middle never leaves a
 * digest of what they do not hold, which a reload would take them for.
 */
static int forget_digest(struct loaded *l)
{
	struct runtime_state *st = &l->st;

	if (!st->sets_digest_known)
		return 0;
	st->sets_digest_known = false;
	if (state_write(&l->paths, st) == 0)
		return 0;
	st->sets_digest_known = true; /* the maps are as it says */
	return -1;
}

static void move_digest(struct sets_digest *d, unsigned int set,
			const struct prefix_list *l, bool add)
{
	for (size_t i = 0; i < l->n; i++) {
		struct edgefw_set_key key;

		prefix_set_key(&l->v[i], set, &key);
		sets_digest_key(d, &key, add);
	}
}

int set_apply(struct loaded *l, unsigned int set,
	      const struct prefix_list *before, const struct prefix_list *after)
{
	bool digest_known = l->st.sets_digest_known;
	struct prefix_list added = {}, removed = {};
	unsigned int slot = index_slot(&l->cfg, set);
	/* an indexed set is its index alone (compiled_set_in_trie) */
	bool in_trie = slot == EDGEFW_NO_INDEX_SLOT;
	const char *name = l->cfg.sets[set].name;
	size_t done_add = 0, done_del = 0, ignored;
	struct map_fds fds;
	int rc = -1;

	map_fds_init(&fds);
	plist_difference(after, before, &added);
	plist_difference(before, after, &removed);
	if (!added.n && !removed.n) {
		rc = 0;
		goto out;
	}
	if (forget_digest(l) ||
	    pins_open_maps(&l->paths, SETS_MAP_BITS, 0, &fds))
		goto out;
	if (added.n && widen_filters(fds.fd[MAP_SET_FILTER], set, &added))
		goto out;
	if (in_trie &&
	    (kernel_change(fds.fd[MAP_SETS], true, set, &added, &done_add) ||
	     kernel_change(fds.fd[MAP_SETS], false, set, &removed,
			   &done_del))) {
		log_err("cannot change set %s in the kernel: %s", name,
			strerror(errno));
		goto undo;
	}
	done_add = in_trie ? added.n : 0;
	done_del = in_trie ? removed.n : 0;
	if (sync_index(&fds, set, slot, before, after) == 0) {
		move_digest(&l->st.sets_digest, set, &added, true);
		move_digest(&l->st.sets_digest, set, &removed, false);
		l->st.sets_digest_known = digest_known;
		rc = 0;
		goto out;
	}
	sync_index(&fds, set, slot, after, before);
undo:
	/* put the kernel back: the parts of the change that went in */
	added.n = done_add;
	removed.n = done_del;
	kernel_change(fds.fd[MAP_SETS], false, set, &added, &ignored);
	kernel_change(fds.fd[MAP_SETS], true, set, &removed, &ignored);
	log_err("set %s is unchanged", name);
out:
	map_fds_close(&fds);
	plist_free(&added);
	plist_free(&removed);
	return rc;
}
