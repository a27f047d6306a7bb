// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonutil.h"
#include "util.h"

/* Only blanks in text[from, len): the text need not end in a NUL. */
static bool blank_from(const char *text, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++) {
		if (!strchr(" \t\r\n", text[i]) || !text[i])
			return false;
	}
	return true;
}

json_object *json_parse_text(const char *text, size_t len, const char **why)
{
	static __thread char buf[128];
	json_tokener *tok;
	json_object *o;
	enum json_tokener_error err;
	size_t end;

	if (blank_from(text, 0, len)) {
		*why = "empty: no JSON document";
		return NULL;
	}
	if (len > INT_MAX) {
		*why = "not JSON edgefw reads: too long";
		return NULL;
	}
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && err == json_tokener_continue) {
		/* the end of the text: a number there is whole ("42") */
		o = json_tokener_parse_ex(tok, "", 1);
		if (!o)
			err = json_tokener_continue;
	}
	json_tokener_free(tok);
	if (!o && err == json_tokener_continue) {
		*why = "not a complete JSON document: it ends early";
	} else if (!o) {
		snprintf(buf, sizeof(buf), "not JSON: %s at byte %zu",
			 json_tokener_error_desc(err), end + 1);
		*why = buf;
	} else if (!blank_from(text, end, len)) {
		/* what follows the document means a damaged file too */
		snprintf(buf, sizeof(buf),
			 "not one JSON document: more follows at byte %zu",
			 end + 1);
		*why = buf;
		json_object_put(o);
		o = NULL;
	}
	return o;
}

const char *json_file_text(json_object *o)
{
	return json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
}

int json_write_file(const char *path, json_object *o)
{
	const char *text = json_file_text(o);

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
