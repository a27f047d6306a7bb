// SPDX-License-Identifier: GPL-2.0
/*
 * duration_parse on any string: a duration is 1 s to 10 years, its
 * seconds written as a plain number parse to the same, and it prints.
 */
#include "duration.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), buf[64];
	int64_t d = duration_parse(s);

	if (d >= 0) {
		FUZZ_ASSERT(d >= 1 && d <= 10LL * 366 * 24 * 3600);
		snprintf(buf, sizeof(buf), "%lld", (long long)d);
		FUZZ_ASSERT(duration_parse(buf) == d);
		duration_format(d, buf, sizeof(buf));
		FUZZ_ASSERT(buf[0] >= '0' && buf[0] <= '9');
	} else {
		FUZZ_ASSERT(d == -1);
	}
	free(s);
	return 0;
}
