// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "log.h"
#include "maps.h"
#include "op.h"
#include "op_set.h"
#include "partners.h"
#include "pins.h"
#include "set_apply.h"
#include "set_changes.h"

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

/* Sort the input and pick what changes the set. */
static void triage(const struct prefix_list *current, bool add,
		   struct prefix_list *input, struct prefix_list *changed,
		   struct set_change_report *r)
{
	struct prefix_list in_set = {};

	r->duplicates = plist_sort_unique(input);
	if (add) {
		plist_difference(input, current, changed);
	} else {
		/* what the set holds of the input: the input without the rest */
		plist_difference(input, current, &in_set);
		plist_difference(input, &in_set, changed);
		plist_free(&in_set);
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
void op_set_record_state(struct loaded *l, unsigned int set,
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

/* What a set's prefixes come from, read: the one place for both ops. */
struct set_sources {
	struct set_changes_file file; /* sets.json */
	struct partners_file partners; /* as the kernel's set was built */
	struct prefix_list current; /* the config's prefixes, changed */
};

static void set_sources_free(struct set_sources *s)
{
	partners_free(&s->partners);
	set_changes_free(&s->file);
	plist_free(&s->current);
}

/* 0, or -1 (reported) with nothing left to free. */
static int set_sources_read(const struct loaded *l, int set, const char *name,
			    struct set_sources *s)
{
	memset(s, 0, sizeof(*s));
	if (set_changes_read(&l->paths, &s->file))
		return -1;
	if (partners_read(&l->paths, &s->partners)) {
		set_sources_free(s);
		return -1;
	}
	/* the domains the kernel's set was built with (op_partner.c) */
	partners_sync_config(&s->partners, &l->cfg);
	set_changes_current(&l->cfg.sets[set],
			    set_changes_find(&s->file, name, false),
			    &s->current);
	return 0;
}

int op_set_change(struct loaded *l, const char *name, bool add,
		  struct prefix_list *input, struct set_change_report *r)
{
	struct prefix_list changed = {}, after = {};
	struct prefix_list kernel_before = {}, kernel_after = {}, owned = {};
	const struct prefix_list *k_before, *k_after = &after;
	struct set_sources src;
	struct timespec t0;
	int set, rc = OP_FAILED;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(r, 0, sizeof(*r));
	set = find_set(l, name);
	if (set < 0)
		return OP_BAD_INPUT;
	if (set_sources_read(l, set, name, &src))
		return OP_FAILED;
	triage(&src.current, add, input, &changed, r);
	if (!changed.n) {
		/* nothing to do: the kernel and sets.json stay as they are */
		r->seconds = seconds_since(&t0);
		rc = 0;
		goto out;
	}
	plist_reserve(&after, src.current.n + (add ? changed.n : 0));
	plist_append(&after, src.current.v, src.current.n);
	if (add) {
		/* two sorted runs: merged */
		plist_append(&after, changed.v, changed.n);
		plist_sort_unique(&after);
	} else {
		plist_subtract(&after, &changed);
	}
	/*
	 * What the set's partner domains own stays, whatever set del says;
	 * without any, the kernel's set is the lists as they are.
	 */
	partners_owned_in_set(&src.partners, name, &owned);
	k_before = &src.current;
	if (owned.n) {
		partners_set_effective(&src.current, &src.partners, name,
				       &kernel_before);
		partners_set_effective(&after, &src.partners, name,
				       &kernel_after);
		k_before = &kernel_before;
		k_after = &kernel_after;
	}
	if (set_apply(l, set, k_before, k_after))
		goto out;
	set_changes_record(set_changes_find(&src.file, name, true), add,
			   &changed);
	if (set_changes_write(&l->paths, &src.file)) {
		set_apply(l, set, k_after, k_before);
		log_err("set %s is unchanged", name);
		goto out;
	}
	op_set_record_state(l, set, k_after, &src.file);
	r->changed = changed.n;
	r->seconds = seconds_since(&t0);
	rc = 0;
out:
	set_sources_free(&src);
	plist_free(&kernel_after);
	plist_free(&kernel_before);
	plist_free(&owned);
	plist_free(&after);
	plist_free(&changed);
	return rc;
}

int op_set_list(const struct loaded *l, const char *name,
		struct prefix_list *out)
{
	struct set_sources src;
	int set = find_set(l, name);

	if (set < 0)
		return OP_BAD_INPUT;
	if (set_sources_read(l, set, name, &src))
		return OP_FAILED;
	/* what op_set_change puts in the kernel, from the same files */
	partners_set_effective(&src.current, &src.partners, name, out);
	plist_sort_unique(out);
	set_sources_free(&src);
	return 0;
}
