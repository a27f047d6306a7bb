// SPDX-License-Identifier: GPL-2.0
/* sets.json as set_changes_read reads it (see fuzz_state_file). */
#include "fuzz.h"
#include "set_changes.h"

FUZZ_STATE_FILE(struct set_changes_file, set_changes_parse, set_changes_json,
		set_changes_free)
