// SPDX-License-Identifier: GPL-2.0
/* blocklist.json as blocks_read reads it (see fuzz_state_file). */
#include "blocklist.h"
#include "fuzz.h"

FUZZ_STATE_FILE(struct blocks, blocks_parse, blocks_json, blocks_free)
