// SPDX-License-Identifier: GPL-2.0
/* state.json as state_read reads it (see fuzz_state_file). */
#include "fuzz.h"
#include "state.h"

static int parse(const char *text, size_t len, void *out, struct sf_err *e)
{
	return state_parse(text, len, out, e);
}

static json_object *to_json(const void *in)
{
	return state_json(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_state_file f = { sizeof(struct runtime_state),
						  parse, to_json, NULL };

	fuzz_state_file(&f, data, size);
	return 0;
}
