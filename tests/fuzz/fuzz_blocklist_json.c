// SPDX-License-Identifier: GPL-2.0
/* blocklist.json as blocks_read reads it (see fuzz_state_file). */
#include "blocklist.h"
#include "fuzz.h"

static int parse(const char *text, size_t len, void *out, struct sf_err *e)
{
	return blocks_parse(text, len, out, e);
}

static json_object *to_json(const void *in)
{
	return blocks_json(in);
}

static void release(void *in)
{
	blocks_free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_state_file f = { sizeof(struct blocks), parse,
						  to_json, release };

	fuzz_state_file(&f, data, size);
	return 0;
}
