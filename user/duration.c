// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "duration.h"

#define DURATION_MAX (10LL * 366 * 24 * 3600)

int64_t duration_parse(const char *s)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	long long n;
	int64_t mult = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || n < 1)
		return -1;
	if (*end) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (*end == units[i].unit && !end[1])
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		mult = units[i].seconds;
	}
	if (n > DURATION_MAX / mult)
		return -1;
	return n * mult;
}

void duration_format(int64_t seconds, char *buf, size_t len)
{
	int64_t d = seconds / 86400, h = seconds / 3600 % 24,
		m = seconds / 60 % 60, s = seconds % 60;

	if (d)
		snprintf(buf, len, "%lldd%02lldh", (long long)d, (long long)h);
	else if (h)
		snprintf(buf, len, "%lldh%02lldm%02llds", (long long)h,
			 (long long)m, (long long)s);
	else if (m)
		snprintf(buf, len, "%lldm%02llds", (long long)m, (long long)s);
	else
		snprintf(buf, len, "%llds", (long long)s);
}
