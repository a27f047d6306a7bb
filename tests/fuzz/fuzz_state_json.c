// SPDX-License-Identifier: GPL-2.0
/* state.json as state_read reads it (see fuzz_state_file). */
#include "fuzz.h"
#include "state.h"

FUZZ_STATE_FILE(struct runtime_state, state_parse, state_json,
		fuzz_nothing_to_free)
