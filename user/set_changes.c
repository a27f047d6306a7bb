// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "jsonutil.h"
#include "log.h"
#include "set_changes.h"
#include "statefile.h"
#include "util.h"

#define SETS_FILE_VERSION 1

/* What sets.json may add to all sets together: what their trie holds. */
#define SETS_FILE_MAX_ADDED EDGEFW_SET_MAX_ENTRIES

static struct set_changes *new_changes(struct set_changes_file *f,
				       const char *name)
{
	struct set_changes *sc;

	GROW(f->v, f->cap, f->n + 1);
	sc = &f->v[f->n++];
	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	return sc;
}

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
	return create ? new_changes(f, name) : NULL;
}

/* One member of "sets": NAME: { "added": [...], "removed": [...] } */
static bool parse_set(struct set_changes_file *f, const char *name,
		      json_object *val, struct sf_err *e)
{
	char shown[PRINTABLE_LEN];
	struct set_changes *sc;

	printable(name, shown, sizeof(shown));
	e->at[0] = '\0';
	if (!config_valid_name(name))
		return sf_fail(e, "\"sets\" has \"%s\", which is no set name",
			       shown);
	if (!json_object_is_type(val, json_type_object))
		return sf_fail(e, "set \"%s\" is %s, not an object", shown,
			       sf_type(val));
	sf_at(e, "set \"%s\": ", shown);
	sc = new_changes(f, name);
	if (!sf_prefixes(val, "added", &sc->added, e) ||
	    !sf_prefixes(val, "removed", &sc->removed, e))
		return false;
	for (size_t i = 0; i < sc->removed.n; i++) {
		char buf[PREFIX_STRLEN];

		if (!plist_contains(&sc->added, &sc->removed.v[i]))
			continue;
		prefix_format(&sc->removed.v[i], buf, sizeof(buf));
		return sf_fail(e, "%s is both added and removed", buf);
	}
	return true;
}

int set_changes_parse(const char *text, size_t len, struct set_changes_file *f,
		      struct sf_err *e)
{
	json_object *root, *sets;
	size_t added = 0;
	int64_t version;

	memset(f, 0, sizeof(*f));
	root = statefile_parse(text, len, SETS_FILE_VERSION, SETS_FILE_VERSION,
			       &version, e);
	if (!root)
		return -1;
	sets = sf_member(root, "sets", json_type_object, e);
	if (sets) {
		json_object_object_foreach(sets, name, val) {
			if (!parse_set(f, name, val, e))
				break;
			added += f->v[f->n - 1].added.n;
			if (added > SETS_FILE_MAX_ADDED) {
				e->at[0] = '\0';
				sf_fail(e,
					"the sets' \"added\" lists hold more than %u prefixes, all that the sets can hold",
					SETS_FILE_MAX_ADDED);
				break;
			}
		}
	}
	json_object_put(root);
	if (e->failed) {
		set_changes_free(f);
		return -1;
	}
	return 0;
}

static int parse_file(const char *text, size_t len, void *f, struct sf_err *e)
{
	return set_changes_parse(text, len, f, e);
}

int set_changes_read(const struct paths *p, struct set_changes_file *f)
{
	memset(f, 0, sizeof(*f));
	return statefile_load(p->sets_file, parse_file, f);
}

json_object *set_changes_json(const struct set_changes_file *f)
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
	return root;
}

/* Each prefix of l as a member of a pretty-printed array, after open. */
static char *put_prefixes(char *o, const char *open,
			  const struct prefix_list *l)
{
	static const char indent[] = "        ";

	o = stpcpy(o, open);
	for (size_t i = 0; i < l->n; i++) {
		o = stpcpy(o, i ? ",\n" : "\n");
		o = stpcpy(o, indent);
		*o++ = '"';
		o = prefix_put(&l->v[i], o);
		*o++ = '"';
	}
	return stpcpy(o, "\n      ]");
}

/*
 * The text json-c writes of set_changes_json (JSON_C_TO_STRING_PRETTY
 * and NOSLASHESCAPE), byte for byte, without building the tree of a
 * million strings: names are set names, which need no escaping, and
 * prefixes neither.
 */
char *set_changes_text(const struct set_changes_file *f, size_t *len)
{
	/* a prefix's line: indent, quotes, comma and newline */
	size_t size = 64, line = PREFIX_STRLEN + 16;
	bool first = true;
	char *text, *o;

	for (size_t i = 0; i < f->n; i++)
		size += NAME_LEN + 64 +
			(f->v[i].added.n + f->v[i].removed.n) * line;
	o = text = xcalloc(size, 1);
	o += sprintf(o, "{\n  \"version\":%d,\n  \"sets\":{",
		     SETS_FILE_VERSION);
	for (size_t i = 0; i < f->n; i++) {
		if (!f->v[i].added.n && !f->v[i].removed.n)
			continue;
		o = stpcpy(o, first ? "\n    \"" : ",\n    \"");
		first = false;
		o = stpcpy(o, f->v[i].name);
		o = put_prefixes(o, "\":{\n      \"added\":[", &f->v[i].added);
		o = put_prefixes(o, ",\n      \"removed\":[", &f->v[i].removed);
		o = stpcpy(o, "\n    }");
	}
	o = stpcpy(o, "\n  }\n}");
	*len = o - text;
	return text;
}

int set_changes_write(const struct paths *p, const struct set_changes_file *f)
{
	size_t len;
	char *text = set_changes_text(f, &len);
	int err = statefile_write_text(p, p->sets_file, text, len);

	free(text);
	return err;
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

	plist_reserve(grow, changed->n);
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
	plist_append(out, s->prefixes, s->nr_prefixes);
	plist_sort_unique(out);
}

void set_changes_current(const struct cfg_set *s, const struct set_changes *sc,
			 struct prefix_list *out)
{
	config_set_prefixes(s, out);
	if (!sc)
		return;
	plist_append(out, sc->added.v, sc->added.n);
	plist_sort_unique(out);
	plist_subtract(out, &sc->removed);
}
