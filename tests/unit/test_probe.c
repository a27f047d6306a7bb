// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel feature check: every probe of this kernel passes (the tests
 * run on supported kernels only), and a missing feature is refused with
 * a message naming it and the release that brought it.
 */
#include <string.h>
#include "capture.h"
#include "probe.h"
#include "tap.h"

static bool yes(void)
{
	return true;
}

static bool no(void)
{
	return false;
}

/* Run features_check with stderr captured into buf. */
static int check_captured(const struct feature *f, size_t n, char *buf,
			  size_t len)
{
	struct capture c;
	int rc;

	capture_start(&c);
	rc = features_check(f, n);
	capture_stop(&c, buf, len);
	return rc;
}

int main(void)
{
	const struct feature present[] = { { "thing one", "1.0", yes },
					   { "thing two", "2.0", yes } };
	const struct feature missing[] = { { "thing one", "1.0", yes },
					   { "the other thing", "5.99", no },
					   { "a third thing", "6.0", no } };
	char out[512];

	CHECK_EQ(features_check_kernel(), 0,
		 "this kernel has every feature edgefw probes");
	CHECK_EQ(check_captured(present, 2, out, sizeof(out)), 0,
		 "all present: accepted");
	CHECK(out[0] == '\0', "all present: nothing printed");
	CHECK_EQ(check_captured(missing, 3, out, sizeof(out)), -1,
		 "one missing: refused");
	CHECK(strstr(out, "has no the other thing (Linux 5.99 and newer)") &&
		      strstr(out, "edgefw needs Linux " EDGEFW_MIN_KERNEL
				  " or newer"),
	      "one missing: named with its release and the minimum kernel");
	CHECK(!strstr(out, "a third thing") && strchr(out, '\n') &&
		      strchr(out, '\n') == strrchr(out, '\n'),
	      "one missing: one line, for the first missing feature only");
	return tap_done();
}
