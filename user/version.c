// SPDX-License-Identifier: GPL-2.0
#include "build_version.h" /* made by the Makefile in build/ */
#include "version.h"

const char *edgefw_version(void)
{
	return EDGEFW_VERSION;
}

const char *edgefw_commit(void)
{
	return EDGEFW_COMMIT;
}
