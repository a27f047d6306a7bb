// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel feature check: every probe of this kernel passes (the tests
 * run on supported kernels only), and a missing feature is refused with
 * a message naming it and the release that brought it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO), rc;
	size_t got;

	if (!tmp || saved < 0)
		tap_bail("cannot capture stderr");
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	rc = features_check(f, n);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	got = fread(buf, 1, len - 1, tmp);
	buf[got] = '\0';
	fclose(tmp);
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
