// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "compile.h"
#include "log.h"
#include "maps.h"
#include "op.h"
#include "op_set.h"
#include "set_changes.h"
#include "setindex.h"

#define SET_MAP_BITS (MAP_BIT(MAP_SETS) | SET_INDEX_MAP_BITS)

static int find_set(const struct loaded *l, const char *name)
{
	int set = config_find_set(&l->cfg, name);

	if (set < 0)
		log_err("the loaded config has no set '%s'", name);
	return set;
}

static void note_overlap(const struct prefix *inner, const struct prefix *outer,
			 void *ctx)
{
	struct set_change_report *r = ctx;

	if (r->nr_shown == SET_OVERLAPS_SHOWN)
		return;
	r->shown[r->nr_shown][0] = *inner;
	r->shown[r->nr_shown++][1] = *outer;
}

static int kernel_change(int fd, bool add, unsigned int set,
			 const struct prefix_list *l, size_t *done)
{
	struct edgefw_set_key *keys = xcalloc(l->n, sizeof(*keys));
	__u8 *ones = xcalloc(l->n, 1);
	int err;

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

/* Sort the input and pick what changes the set. */
static void triage(const struct prefix_list *current, bool add,
		   struct prefix_list *input, struct prefix_list *changed,
		   struct set_change_report *r)
{
	r->duplicates = plist_sort_unique(input);
	for (size_t i = 0; i < input->n; i++) {
		if (plist_contains(current, &input->v[i]) != add)
			plist_add(changed, &input->v[i]);
	}
	r->skipped = input->n - changed->n;
	if (add)
		r->overlaps = plist_overlaps(changed, current, note_overlap, r);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * What the runtime state keeps of the sets: their sizes (for status) and
 * the protected prefixes (for block), after a change of set.
 */
static void record_state(struct loaded *l, unsigned int set,
			 const struct prefix_list *now,
			 const struct set_changes_file *file)
{
	struct runtime_state *st = &l->st;
	size_t v6 = 0;

	for (size_t i = 0; i < now->n; i++)
		v6 += now->v[i].family == EDGEFW_FAMILY_IPV6;
	if (st->set_sizes_known && set < st->nr_sets) {
		st->set_sizes[set] = now->n;
		st->set_sizes6[set] = v6;
	}
	st->nr_protected = protected_collect(&l->cfg, file, st->protected,
					     PROTECT_MAX,
					     &st->protected_truncated);
	if (state_write(&l->paths, st))
		log_warn(
			"status and block see set %s as it was until the next reload",
			l->cfg.sets[set].name);
}

int op_set_change(struct loaded *l, const char *name, bool add,
		  struct prefix_list *input, struct set_change_report *r)
{
	struct prefix_list current = {}, changed = {}, after = {};
	struct set_changes_file file;
	struct set_changes *sc;
	unsigned int slot;
	struct timespec t0;
	struct map_fds fds;
	int set, rc = OP_FAILED;
	size_t done = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(r, 0, sizeof(*r));
	set = find_set(l, name);
	if (set < 0)
		return OP_BAD_INPUT;
	if (set_changes_read(&l->paths, &file))
		return OP_FAILED;
	sc = set_changes_find(&file, name, false);
	set_changes_current(&l->cfg.sets[set], sc, &current);
	triage(&current, add, input, &changed, r);
	slot = index_slot(&l->cfg, set);
	if (!changed.n) {
		/* nothing to do: the kernel and sets.json stay as they are */
		r->seconds = seconds_since(&t0);
		map_fds_init(&fds);
		rc = 0;
		goto out;
	}

	if (pins_open_maps(&l->paths, SET_MAP_BITS, false, &fds))
		goto out;
	if (add && widen_filters(fds.fd[MAP_SET_FILTER], set, &changed))
		goto out;
	if (kernel_change(fds.fd[MAP_SETS], add, set, &changed, &done)) {
		log_err("cannot change set %s in the kernel: %s", name,
			strerror(errno));
		goto undo;
	}
	for (size_t i = 0; i < current.n; i++)
		plist_add(&after, &current.v[i]);
	if (add) {
		for (size_t i = 0; i < changed.n; i++)
			plist_add(&after, &changed.v[i]);
		plist_sort_unique(&after);
	} else {
		plist_subtract(&after, &changed);
	}
	done = changed.n;
	if (sync_index(&fds, set, slot, &current, &after))
		goto undo_index;
	set_changes_record(set_changes_find(&file, name, true), add, &changed);
	if (set_changes_write(&l->paths, &file))
		goto undo_index;
	record_state(l, set, &after, &file);
	r->changed = changed.n;
	r->seconds = seconds_since(&t0);
	rc = 0;
	goto out;
undo_index:
	sync_index(&fds, set, slot, &after, &current);
undo:
	/* put the kernel back: the part of the change that went in */
	changed.n = done;
	kernel_change(fds.fd[MAP_SETS], !add, set, &changed, &done);
	log_err("set %s is unchanged", name);
out:
	map_fds_close(&fds);
	set_changes_free(&file);
	plist_free(&after);
	plist_free(&changed);
	plist_free(&current);
	return rc;
}

int op_set_list(const struct loaded *l, const char *name,
		struct prefix_list *out)
{
	struct edgefw_set_key key, next, *prev = NULL;
	struct map_fds fds;
	int set = find_set(l, name);

	if (set < 0)
		return OP_BAD_INPUT;
	if (pins_open_maps(&l->paths, MAP_BIT(MAP_SETS), false, &fds))
		return OP_FAILED;
	while (bpf_map_get_next_key(fds.fd[MAP_SETS], prev, &next) == 0) {
		struct prefix p;

		key = next;
		prev = &key;
		if (key.set != set)
			continue;
		prefix_from_set_key(&key, &p);
		plist_add(out, &p);
	}
	map_fds_close(&fds);
	plist_sort_unique(out);
	return 0;
}
