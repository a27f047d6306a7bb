// SPDX-License-Identifier: GPL-2.0
/* sets.json as set_changes_read reads it (see fuzz_state_file). */
#include "fuzz.h"
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_state_file f = {
		sizeof(struct set_changes_file), parse, to_json, release
	};

	fuzz_state_file(&f, data, size);
	return 0;
}
