// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's keys and values (user/pool_keys.c) as a daemon reads them
 * from etcd: the input is "KEY\nVALUE". Refused with a reason, or read;
 * then what was read is written back: the key exactly as it came, the
 * value as text that reads back to the same entry.
 */
#include "fuzz.h"
#include "pool_keys.h"

#define POOL "/edgefw/fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *nl = strchr(text, '\n');
	struct pool_entry e, back;
	char why[256] = "", key[1024], *value;

	if (!nl)
		goto out;
	*nl = '\0';
	if (pool_key_parse(POOL, text, &e, why, sizeof(why))) {
		FUZZ_ASSERT(why[0]);
		goto out;
	}
	FUZZ_ASSERT(pool_key_format(POOL, &e, key, sizeof(key)) == 0);
	FUZZ_ASSERT(!strcmp(key, text));
	if (pool_value_parse(nl + 1, strlen(nl + 1), &e, why, sizeof(why))) {
		FUZZ_ASSERT(why[0]);
		goto out;
	}
	value = pool_value_format(&e);
	back = e;
	memset(back.reason, 0, sizeof(back.reason));
	memset(back.by, 0, sizeof(back.by));
	back.at_ms = back.expires_ms = 0;
	back.del = back.secure = false;
	FUZZ_ASSERT(pool_value_parse(value, strlen(value), &back, why,
				     sizeof(why)) == 0);
	FUZZ_ASSERT(!memcmp(&back, &e, sizeof(e)));
	free(value);
out:
	free(text);
	return 0;
}
