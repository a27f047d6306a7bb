// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jsonutil.h"
#include "log.h"
#include "persist.h"

#define PERSIST_VERSION 1

static void refuse(const char *path, const char *why)
{
	log_err("%s is corrupt (%s); edgefw will not use it: repair it, or move it away to start from an empty state",
		path, why);
}

static json_object *prefixes_json(const struct prefix_list *l)
{
	json_object *arr = json_object_new_array_ext(l->n);

	for (size_t i = 0; i < l->n; i++) {
		char buf[PREFIX_STRLEN];

		prefix_format(&l->v[i], buf, sizeof(buf));
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}

static bool prefixes_parse(json_object *arr, struct prefix_list *l)
{
	if (!arr)
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		struct prefix p;
		char why[160];

		if (!json_object_is_type(v, json_type_string) ||
		    prefix_parse(json_object_get_string(v), &p, why,
				 sizeof(why)))
			return false;
		plist_add(l, &p);
	}
	plist_sort_unique(l);
	return true;
}

/* The root object of a state file, or NULL: missing (*missing) or corrupt. */
static json_object *read_root(const char *path, bool *missing)
{
	const char *why = NULL;
	json_object *root = json_read_file(path, &why);
	int64_t version;

	*missing = !root && access(path, F_OK) && errno == ENOENT;
	if (*missing)
		return NULL;
	if (root && (!json_get_int(root, "version", &version) ||
		     version != PERSIST_VERSION)) {
		why = "no version 1";
		json_object_put(root);
		root = NULL;
	}
	if (!root)
		refuse(path, why);
	return root;
}

/*
 * Temporary files of commands killed while writing; safe to remove, as
 * every writer holds the state lock.
 */
static void remove_stale_temporaries(const char *path)
{
	char pattern[PATH_MAX + 8];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s.tmp.*", path);
	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
	}
	globfree(&g);
}

static int write_root(const struct paths *p, const char *path,
		      json_object *root)
{
	int err = mkdir_p(p->state_dir, 0700);

	remove_stale_temporaries(path);
	if (!err)
		err = json_write_file(path, root);
	json_object_put(root);
	if (err)
		log_err("cannot write %s: %s", path, strerror(-err));
	return err ? -1 : 0;
}

const struct set_delta *deltas_get(const struct set_deltas *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++) {
		if (!strcmp(d->v[i].name, name))
			return &d->v[i];
	}
	return NULL;
}

struct set_delta *deltas_find(struct set_deltas *d, const char *name,
			      bool create)
{
	struct set_delta *found = (struct set_delta *)deltas_get(d, name);

	if (found || !create)
		return found;
	d->v = xrealloc(d->v, d->n + 1, sizeof(*d->v));
	memset(&d->v[d->n], 0, sizeof(d->v[d->n]));
	snprintf(d->v[d->n].name, sizeof(d->v[d->n].name), "%s", name);
	return &d->v[d->n++];
}

int deltas_read(const struct paths *p, struct set_deltas *d)
{
	json_object *root, *sets;
	bool missing, ok = true;

	memset(d, 0, sizeof(*d));
	root = read_root(p->sets_file, &missing);
	if (!root)
		return missing ? 0 : -1;
	sets = json_get_object(root, "sets");
	if (!sets)
		ok = false;
	json_object_object_foreach(sets, name, val) {
		struct set_delta *sd;

		if (!ok || strlen(name) >= NAME_LEN ||
		    !json_object_is_type(val, json_type_object)) {
			ok = false;
			break;
		}
		sd = deltas_find(d, name, true);
		ok = prefixes_parse(json_get_array(val, "added"), &sd->added) &&
		     prefixes_parse(json_get_array(val, "removed"),
				    &sd->removed);
	}
	json_object_put(root);
	if (!ok) {
		refuse(p->sets_file, "a set without valid added/removed lists");
		deltas_free(d);
		return -1;
	}
	return 0;
}

int deltas_write(const struct paths *p, const struct set_deltas *d)
{
	json_object *root = json_object_new_object();
	json_object *sets = json_object_new_object();

	json_object_object_add(root, "version",
			       json_object_new_int(PERSIST_VERSION));
	for (size_t i = 0; i < d->n; i++) {
		json_object *o;

		if (!d->v[i].added.n && !d->v[i].removed.n)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "added",
				       prefixes_json(&d->v[i].added));
		json_object_object_add(o, "removed",
				       prefixes_json(&d->v[i].removed));
		json_object_object_add(sets, d->v[i].name, o);
	}
	json_object_object_add(root, "sets", sets);
	return write_root(p, p->sets_file, root);
}

void deltas_free(struct set_deltas *d)
{
	for (size_t i = 0; i < d->n; i++) {
		plist_free(&d->v[i].added);
		plist_free(&d->v[i].removed);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

static bool block_parse(json_object *o, struct block_entry *e)
{
	char text[PREFIX_STRLEN], why[160];

	memset(e, 0, sizeof(*e));
	return json_object_is_type(o, json_type_object) &&
	       json_copy_string(o, "prefix", text, sizeof(text)) &&
	       prefix_parse(text, &e->prefix, why, sizeof(why)) == 0 &&
	       json_get_int(o, "expires_ms", &e->expires_ms) &&
	       e->expires_ms >= 0 && json_get_int(o, "added", &e->added) &&
	       json_copy_string(o, "reason", e->reason, sizeof(e->reason));
}

static int cmp_block(const void *a, const void *b)
{
	return prefix_cmp(&((const struct block_entry *)a)->prefix,
			  &((const struct block_entry *)b)->prefix);
}

int blocks_read(const struct paths *p, struct blocks *b)
{
	json_object *root, *arr;
	bool missing, ok;

	memset(b, 0, sizeof(*b));
	root = read_root(p->blocks_file, &missing);
	if (!root)
		return missing ? 0 : -1;
	arr = json_get_array(root, "blocks");
	ok = arr;
	for (size_t i = 0; ok && i < json_object_array_length(arr); i++) {
		GROW(b->v, b->cap, b->n + 1);
		ok = block_parse(json_object_array_get_idx(arr, i),
				 &b->v[b->n]);
		b->n += ok;
	}
	json_object_put(root);
	qsort(b->v, b->n, sizeof(*b->v), cmp_block);
	for (size_t i = 1; ok && i < b->n; i++)
		ok = prefix_cmp(&b->v[i - 1].prefix, &b->v[i].prefix) != 0;
	if (!ok) {
		refuse(p->blocks_file,
		       "an entry without a valid prefix, expiry, time added and reason, or a prefix listed twice");
		blocks_free(b);
		return -1;
	}
	return 0;
}

int blocks_write(const struct paths *p, const struct blocks *b)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array_ext(b->n);

	json_object_object_add(root, "version",
			       json_object_new_int(PERSIST_VERSION));
	for (size_t i = 0; i < b->n; i++) {
		const struct block_entry *e = &b->v[i];
		json_object *o = json_object_new_object();
		char buf[PREFIX_STRLEN];

		prefix_format(&e->prefix, buf, sizeof(buf));
		json_object_object_add(o, "prefix",
				       json_object_new_string(buf));
		json_object_object_add(o, "expires_ms",
				       json_object_new_int64(e->expires_ms));
		json_object_object_add(o, "added",
				       json_object_new_int64(e->added));
		json_object_object_add(o, "reason",
				       json_object_new_string(e->reason));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "blocks", arr);
	return write_root(p, p->blocks_file, root);
}

void blocks_free(struct blocks *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

struct block_entry *blocks_find(const struct blocks *b, const struct prefix *p)
{
	for (size_t i = 0; i < b->n; i++) {
		if (!prefix_cmp(&b->v[i].prefix, p))
			return &b->v[i];
	}
	return NULL;
}

size_t blocks_prune(struct blocks *b, int64_t now_ms, struct blocks *expired)
{
	size_t out = 0, n = b->n;

	for (size_t i = 0; i < n; i++) {
		if (b->v[i].expires_ms && b->v[i].expires_ms <= now_ms) {
			if (expired) {
				GROW(expired->v, expired->cap, expired->n + 1);
				expired->v[expired->n++] = b->v[i];
			}
			continue;
		}
		b->v[out++] = b->v[i];
	}
	b->n = out;
	return n - out;
}
