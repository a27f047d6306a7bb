/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EDGEFW_REASONS_H
#define EDGEFW_REASONS_H

/* "reply", "policy", ...: the names stats and monitor print. */
const char *reason_name(unsigned int reason);

#endif
