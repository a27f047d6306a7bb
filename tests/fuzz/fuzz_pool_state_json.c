// SPDX-License-Identifier: GPL-2.0
/* pool.json as pool_state_read reads it (see fuzz_state_file). */
#include "fuzz.h"
#include "pool_state.h"

static void nothing(struct pool_state *s)
{
	(void)s;
}

FUZZ_STATE_FILE(struct pool_state, pool_state_parse, pool_state_json, nothing)
