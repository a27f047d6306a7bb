/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What 'edgefw set' changed in the config's sets, kept as additions and
 * removals per set in the state directory's sets.json, so that they
 * survive reload, unload + load and reboot. A generation is built from
 * the config with these changes applied before it is compiled.
 */
#ifndef EDGEFW_SET_CHANGES_H
#define EDGEFW_SET_CHANGES_H

#include <stdbool.h>
#include <json-c/json.h>
#include "config.h"
#include "paths.h"
#include "prefix_list.h"

struct set_changes {
	char name[NAME_LEN];
	struct prefix_list added; /* sorted; none in the config's set */
	struct prefix_list removed; /* sorted; all in the config's set */
};

struct set_changes_file {
	struct set_changes *v;
	size_t n;
	size_t cap;
};

struct sf_err;

/* 0 (a missing file holds no changes), or -1 after reporting. */
int set_changes_read(const struct paths *p, struct set_changes_file *f);

/*
 * The changes of the text of a sets.json: 0, or -1 with e saying what is
 * wrong where (nothing is kept).
 */
int set_changes_parse(const char *text, size_t len, struct set_changes_file *f,
		      struct sf_err *e);

int set_changes_write(const struct paths *p, const struct set_changes_file *f);

/* The JSON document of a sets.json. */
json_object *set_changes_json(const struct set_changes_file *f);

/*
 * The text set_changes_write writes: json-c's pretty text of
 * set_changes_json, written directly (malloc'd, len bytes, NUL ended).
 */
char *set_changes_text(const struct set_changes_file *f, size_t *len);

void set_changes_free(struct set_changes_file *f);

/* The changes of a set, created empty if asked to; NULL if none. */
struct set_changes *set_changes_find(struct set_changes_file *f,
				     const char *name, bool create);

/* The same, for reading. */
const struct set_changes *set_changes_get(const struct set_changes_file *f,
					  const char *name);

/*
 * The prefixes of the config's set s as they run, with its changes sc
 * (NULL for none); sorted and unique.
 */
void set_changes_current(const struct cfg_set *s, const struct set_changes *sc,
			 struct prefix_list *out);

/*
 * Record that the prefixes of changed, none of them in the set before
 * (add) or all of them (remove), were added or removed: a removal undoes
 * an earlier addition and the other way round.
 */
void set_changes_record(struct set_changes *sc, bool add,
			const struct prefix_list *changed);

/*
 * Put the changes on top of the config's sets. Changes to a set the
 * config no longer has are kept in the file but not applied (a warning).
 */
void set_changes_apply(struct config *c, const struct set_changes_file *f);

/* The prefixes of the config's set, sorted and unique. */
void config_set_prefixes(const struct cfg_set *s, struct prefix_list *out);

#endif
