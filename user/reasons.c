// SPDX-License-Identifier: GPL-2.0
#include "edgefw.h"
#include "reasons.h"
#include "util.h"

static const char *const names[] = {
	[EDGEFW_PASS_REPLY] = "reply",
	[EDGEFW_PASS_RELATED] = "related",
	[EDGEFW_PASS_ESSENTIAL] = "essential",
	[EDGEFW_PASS_FRAGMENT] = "fragment",
	[EDGEFW_PASS_POLICY] = "policy",
	[EDGEFW_DROP_MALFORMED] = "malformed",
	[EDGEFW_DROP_FRAGMENT] = "fragment",
	[EDGEFW_DROP_BLOCKED] = "blocked",
	[EDGEFW_DROP_RATELIMIT] = "ratelimit",
	[EDGEFW_DROP_POLICY] = "policy",
};

_Static_assert(ARRAY_SIZE(names) == EDGEFW_NR_REASONS,
	       "every reason needs a name");

const char *reason_name(unsigned int reason)
{
	return reason < ARRAY_SIZE(names) ? names[reason] : "?";
}
