// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonutil.h"
#include "util.h"

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

const char *json_get_string(json_object *o, const char *key)
{
	json_object *v = member(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

bool json_get_int(json_object *o, const char *key, int64_t *out)
{
	json_object *v = member(o, key, json_type_int);

	if (v)
		*out = json_object_get_int64(v);
	return v;
}

bool json_get_bool(json_object *o, const char *key, bool *out)
{
	json_object *v = member(o, key, json_type_boolean);

	if (v)
		*out = json_object_get_boolean(v);
	return v;
}

json_object *json_get_array(json_object *o, const char *key)
{
	return member(o, key, json_type_array);
}

json_object *json_get_object(json_object *o, const char *key)
{
	return member(o, key, json_type_object);
}

bool json_copy_string(json_object *o, const char *key, char *dst, size_t len)
{
	const char *s = json_get_string(o, key);

	return s && snprintf(dst, len, "%s", s) < (int)len;
}

json_object *json_read_file(const char *path, const char **why)
{
	json_tokener *tok;
	json_object *o;
	size_t len;
	char *text = read_input(path, &len, why);

	if (!text)
		return NULL;
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, text, (int)len);
	/* trailing bytes after the document mean a damaged file too */
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) +
			    strspn(text + json_tokener_get_parse_end(tok),
				   " \t\r\n") !=
		    len) {
		*why = "not a complete JSON document";
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	free(text);
	return o;
}

int json_write_file(const char *path, json_object *o)
{
	const char *text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	return write_file_atomic(path, text, strlen(text), 0600);
}

json_object *json_prefixes(const struct prefix *v, size_t n)
{
	json_object *arr = json_object_new_array_ext(n);

	for (size_t i = 0; i < n; i++) {
		char buf[PREFIX_STRLEN];

		prefix_format(&v[i], buf, sizeof(buf));
		json_object_array_add(arr, json_object_new_string(buf));
	}
	return arr;
}
