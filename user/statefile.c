// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "jsonutil.h"
#include "log.h"
#include "statefile.h"
#include "util.h"

void statefile_refuse(const char *path, const char *why)
{
	log_err("%s is corrupt (%s); edgefw will not use it: repair it, or move it away to start from an empty state",
		path, why);
}

bool sf_fail(struct sf_err *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->failed)
		return false;
	e->failed = true;
	n = snprintf(e->why, sizeof(e->why), "%s", e->at);
	if (n < 0 || (size_t)n >= sizeof(e->why))
		return false;
	va_start(ap, fmt);
	vsnprintf(e->why + n, sizeof(e->why) - n, fmt, ap);
	va_end(ap);
	return false;
}

void sf_at(struct sf_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->at, sizeof(e->at), fmt, ap);
	va_end(ap);
}

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a decimal number";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "?";
}

const char *sf_type(json_object *v)
{
	return type_name(json_object_get_type(v));
}

json_object *sf_member(json_object *o, const char *key, json_type type,
		       struct sf_err *e)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		sf_fail(e, "\"%s\" is missing", key);
		return NULL;
	}
	if (!json_object_is_type(v, type)) {
		sf_fail(e, "\"%s\" is %s, not %s", key, sf_type(v),
			type_name(type));
		return NULL;
	}
	return v;
}

bool sf_int(json_object *o, const char *key, int64_t min, int64_t max,
	    int64_t *out, struct sf_err *e)
{
	json_object *v = sf_member(o, key, json_type_int, e);

	if (!v)
		return false;
	*out = json_object_get_int64(v);
	if (*out < min || *out > max)
		return sf_fail(e,
			       "\"%s\" is %" PRId64 ", out of range (%" PRId64
			       " to %" PRId64 ")",
			       key, *out, min, max);
	return true;
}

bool sf_bool(json_object *o, const char *key, bool *out, struct sf_err *e)
{
	json_object *v = sf_member(o, key, json_type_boolean, e);

	if (v)
		*out = json_object_get_boolean(v);
	return v;
}

/* A string without NUL bytes, which C strings would cut short. */
static const char *whole_string(json_object *v)
{
	const char *s = json_object_get_string(v);

	return strlen(s) == (size_t)json_object_get_string_len(v) ? s : NULL;
}

bool sf_string(json_object *o, const char *key, char *dst, size_t len,
	       struct sf_err *e)
{
	json_object *v = sf_member(o, key, json_type_string, e);
	const char *s;

	if (!v)
		return false;
	s = whole_string(v);
	if (!s)
		return sf_fail(e, "\"%s\" holds a NUL byte", key);
	if (strlen(s) >= len)
		return sf_fail(e, "\"%s\" is longer than %zu bytes", key,
			       len - 1);
	memcpy(dst, s, strlen(s) + 1);
	return true;
}

bool sf_prefixes(json_object *o, const char *key, struct prefix_list *l,
		 struct sf_err *e)
{
	json_object *arr = sf_member(o, key, json_type_array, e);
	const struct prefix *twice;

	if (!arr)
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		const char *s;
		struct prefix p;
		char why[160];

		if (!json_object_is_type(v, json_type_string))
			return sf_fail(e, "\"%s\"[%zu] is %s, not a string",
				       key, i, sf_type(v));
		s = whole_string(v);
		if (!s)
			return sf_fail(e, "\"%s\"[%zu] holds a NUL byte", key,
				       i);
		if (prefix_parse(s, &p, why, sizeof(why)))
			return sf_fail(e, "\"%s\"[%zu]: %s", key, i, why);
		plist_add(l, &p);
	}
	plist_sort(l);
	twice = plist_first_duplicate(l);
	if (twice) {
		char buf[PREFIX_STRLEN];

		prefix_format(twice, buf, sizeof(buf));
		return sf_fail(e, "\"%s\" lists %s twice", key, buf);
	}
	return true;
}

json_object *statefile_parse(const char *text, size_t len, int64_t oldest,
			     int64_t newest, int64_t *version, struct sf_err *e)
{
	const char *why;
	json_object *root = json_parse_text(text, len, &why);

	if (!root) {
		sf_fail(e, "%s", why);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		sf_fail(e, "the top level is %s, not an object", sf_type(root));
	} else if (sf_int(root, "version", INT64_MIN, INT64_MAX, version, e) &&
		   (*version < oldest || *version > newest)) {
		if (oldest == newest)
			sf_fail(e,
				"version %" PRId64
				" is not one this edgefw reads (%" PRId64 ")",
				*version, oldest);
		else
			sf_fail(e,
				"version %" PRId64
				" is not one this edgefw reads (%" PRId64
				" to %" PRId64 ")",
				*version, oldest, newest);
	}
	if (e->failed) {
		json_object_put(root);
		return NULL;
	}
	return root;
}

int statefile_read(const char *path,
		   int (*parse)(const char *text, size_t len, void *out,
				struct sf_err *e),
		   void *out, struct sf_err *e)
{
	const char *why;
	size_t len;
	char *text = read_input(path, &len, &why);
	int err;

	if (!text) {
		if (access(path, F_OK) && errno == ENOENT)
			return 1;
		sf_fail(e, "%s", why);
		return -1;
	}
	err = parse(text, len, out, e);
	free(text);
	return err ? -1 : 0;
}

int statefile_load(const char *path,
		   int (*parse)(const char *text, size_t len, void *out,
				struct sf_err *e),
		   void *out)
{
	struct sf_err e = {};
	int rc = statefile_read(path, parse, out, &e);

	if (rc < 0)
		statefile_refuse(path, e.why);
	return rc < 0 ? -1 : 0;
}

int statefile_write_text(const struct paths *p, const char *path,
			 const char *text, size_t len)
{
	int err = mkdir_p(p->state_dir, 0700);

	if (!err)
		err = write_file_atomic(path, text, len, 0600);
	if (err)
		log_err("cannot write %s: %s", path, strerror(-err));
	return err ? -1 : 0;
}

int statefile_write(const struct paths *p, const char *path, json_object *root)
{
	const char *text = json_file_text(root);
	int rc = statefile_write_text(p, path, text, strlen(text));

	json_object_put(root);
	return rc;
}
