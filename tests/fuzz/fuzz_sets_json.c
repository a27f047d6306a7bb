// SPDX-License-Identifier: GPL-2.0
/*
 * sets.json as set_changes_read reads it (see fuzz_state_file); and what
 * set_changes_write writes without json-c is, byte for byte, json-c's
 * text of the same changes.
 */
#include "fuzz.h"
#include "jsonutil.h"
#include "set_changes.h"

static int parse(const char *text, size_t len, void *out, struct sf_err *e)
{
	return set_changes_parse(text, len, out, e);
}

static json_object *to_json(const void *in)
{
	return set_changes_json(in);
}

static void release(void *in)
{
	set_changes_free(in);
}

static void same_text(const uint8_t *data, size_t size)
{
	struct set_changes_file f;
	struct sf_err e = {};
	json_object *j;
	size_t len;
	char *text;

	if (set_changes_parse((const char *)data, size, &f, &e))
		return;
	j = set_changes_json(&f);
	text = set_changes_text(&f, &len);
	FUZZ_ASSERT(len == strlen(text));
	FUZZ_ASSERT(!strcmp(text, json_file_text(j)));
	free(text);
	json_object_put(j);
	set_changes_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_state_file f = {
		sizeof(struct set_changes_file), parse, to_json, release
	};

	fuzz_state_file(&f, data, size);
	same_text(data, size);
	return 0;
}
