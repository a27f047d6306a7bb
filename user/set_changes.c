// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "jsonutil.h"
#include "log.h"
#include "set_changes.h"
#include "statefile.h"
#include "util.h"

#define SETS_FILE_VERSION 1

const struct set_changes *set_changes_get(const struct set_changes_file *f,
					  const char *name)
{
	for (size_t i = 0; i < f->n; i++) {
		if (!strcmp(f->v[i].name, name))
			return &f->v[i];
	}
	return NULL;
}

struct set_changes *set_changes_find(struct set_changes_file *f,
				     const char *name, bool create)
{
	const struct set_changes *found = set_changes_get(f, name);

	if (found)
		return (struct set_changes *)found;
	if (!create)
		return NULL;
	f->v = xrealloc(f->v, f->n + 1, sizeof(*f->v));
	memset(&f->v[f->n], 0, sizeof(f->v[f->n]));
	snprintf(f->v[f->n].name, sizeof(f->v[f->n].name), "%s", name);
	return &f->v[f->n++];
}

int set_changes_read(const struct paths *p, struct set_changes_file *f)
{
	json_object *root, *sets;
	int64_t version;
	bool missing, ok;

	memset(f, 0, sizeof(*f));
	root = statefile_read(p->sets_file, SETS_FILE_VERSION,
			      SETS_FILE_VERSION, &version, &missing);
	if (!root)
		return missing ? 0 : -1;
	sets = json_get_object(root, "sets");
	ok = sets != NULL;
	if (ok) {
		json_object_object_foreach(sets, name, val) {
			struct set_changes *sc;

			if (strlen(name) >= NAME_LEN ||
			    !json_object_is_type(val, json_type_object)) {
				ok = false;
				break;
			}
			sc = set_changes_find(f, name, true);
			ok = statefile_parse_prefixes(json_get_array(val,
								     "added"),
						      &sc->added) &&
			     statefile_parse_prefixes(json_get_array(val,
								     "removed"),
						      &sc->removed);
			if (!ok)
				break;
		}
	}
	json_object_put(root);
	if (!ok) {
		statefile_refuse(p->sets_file,
				 "a set without valid added/removed lists");
		set_changes_free(f);
		return -1;
	}
	return 0;
}

int set_changes_write(const struct paths *p, const struct set_changes_file *f)
{
	json_object *root = json_object_new_object();
	json_object *sets = json_object_new_object();

	json_object_object_add(root, "version",
			       json_object_new_int(SETS_FILE_VERSION));
	for (size_t i = 0; i < f->n; i++) {
		json_object *o;

		if (!f->v[i].added.n && !f->v[i].removed.n)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "added",
				       json_prefixes(f->v[i].added.v,
						     f->v[i].added.n));
		json_object_object_add(o, "removed",
				       json_prefixes(f->v[i].removed.v,
						     f->v[i].removed.n));
		json_object_object_add(sets, f->v[i].name, o);
	}
	json_object_object_add(root, "sets", sets);
	return statefile_write(p, p->sets_file, root);
}

void set_changes_free(struct set_changes_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		plist_free(&f->v[i].added);
		plist_free(&f->v[i].removed);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void set_changes_record(struct set_changes *sc, bool add,
			const struct prefix_list *changed)
{
	struct prefix_list *grow = add ? &sc->added : &sc->removed;
	struct prefix_list *undo = add ? &sc->removed : &sc->added;
	struct prefix_list cancelled = {};

	for (size_t i = 0; i < changed->n; i++) {
		if (plist_contains(undo, &changed->v[i]))
			plist_add(&cancelled, &changed->v[i]);
		else
			plist_add(grow, &changed->v[i]);
	}
	plist_sort_unique(&cancelled);
	plist_subtract(undo, &cancelled);
	plist_sort_unique(grow);
	plist_free(&cancelled);
}

/*
 * One pass over the config's prefixes, each looked up in the sorted
 * changes: the set itself is not sorted here (the compiler sorts once),
 * and its duplicates stay for the compiler to warn of.
 */
static void apply_to_set(struct cfg_set *s, const struct set_changes *sc)
{
	bool *listed = xcalloc(sc->added.n, sizeof(*listed));
	size_t out = 0;

	for (size_t i = 0; i < s->nr_prefixes; i++) {
		const struct prefix *p = &s->prefixes[i];
		const struct prefix *added = plist_find(&sc->added, p);

		if (plist_contains(&sc->removed, p))
			continue;
		if (added)
			listed[added - sc->added.v] = true;
		s->prefixes[out++] = *p;
	}
	s->nr_prefixes = out;
	for (size_t j = 0; j < sc->added.n; j++) {
		if (listed[j])
			continue;
		GROW(s->prefixes, s->cap, s->nr_prefixes + 1);
		s->prefixes[s->nr_prefixes++] = sc->added.v[j];
	}
	free(listed);
}

void set_changes_apply(struct config *c, const struct set_changes_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct set_changes *sc = &f->v[i];
		int set = config_find_set(c, sc->name);

		if (set >= 0)
			apply_to_set(&c->sets[set], sc);
		else if (sc->added.n || sc->removed.n)
			log_warn(
				"set %s has changes made with 'edgefw set', but the config has no such set: they are kept, not applied",
				sc->name);
	}
}

void config_set_prefixes(const struct cfg_set *s, struct prefix_list *out)
{
	for (size_t i = 0; i < s->nr_prefixes; i++)
		plist_add(out, &s->prefixes[i]);
	plist_sort_unique(out);
}

void set_changes_current(const struct cfg_set *s, const struct set_changes *sc,
			 struct prefix_list *out)
{
	config_set_prefixes(s, out);
	if (!sc)
		return;
	for (size_t i = 0; i < sc->added.n; i++)
		plist_add(out, &sc->added.v[i]);
	plist_sort_unique(out);
	plist_subtract(out, &sc->removed);
}
