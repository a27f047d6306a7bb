// SPDX-License-Identifier: GPL-2.0
/* pool-queue.json as pool_queue_read reads it (see fuzz_state_file). */
#include "fuzz.h"
#include "pool_queue.h"

FUZZ_STATE_FILE(struct pool_queue, pool_queue_parse, pool_queue_json,
		pool_queue_free)
