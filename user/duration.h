/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EDGEFW_DURATION_H
#define EDGEFW_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* "90", "90s", "15m", "2h", "7d": seconds, 1 to 10 years; -1 if not. */
int64_t duration_parse(const char *s);

/* "1h02m03s", "3d04h", "45s". */
void duration_format(int64_t seconds, char *buf, size_t len);

#endif
