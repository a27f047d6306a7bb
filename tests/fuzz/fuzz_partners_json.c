// SPDX-License-Identifier: GPL-2.0
/* partners.json as partners_read reads it (see fuzz_state_file). */
#include "fuzz.h"
#include "partners.h"

FUZZ_STATE_FILE(struct partners_file, partners_parse, partners_json,
		partners_free)
