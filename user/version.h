/* SPDX-License-Identifier: GPL-2.0 */
/* What edgefw was built from, as the Makefile found it (git describe). */
#ifndef EDGEFW_VERSION_H
#define EDGEFW_VERSION_H

const char *edgefw_version(void);
const char *edgefw_commit(void);

#endif
