// SPDX-License-Identifier: GPL-2.0
/*
 * The libraries opened on first use (user/dynlib.h): each of edgefw's
 * tables loads from the library installed here, with every function it
 * names; a library that is missing, or lacks a function, is an error that
 * names it, and the next call tries again.
 */
#include <string.h>
#include "lazylibs.h"
#include "tap.h"

/* libc's strlen, through a table of our own */
#define LIBC_FUNCTIONS(X) X(size_t, strlen, (const char *))
#define ABSENT_FUNCTIONS(X)               \
	X(size_t, strlen, (const char *)) \
	X(int, edgefw_no_such_function, (void))
DYNLIB_DECLARE(libc, LIBC_FUNCTIONS);
DYNLIB_DEFINE(libc, "libc.so.6", "", LIBC_FUNCTIONS)
DYNLIB_DECLARE(absent, ABSENT_FUNCTIONS);
DYNLIB_DEFINE(absent, "libc.so.6", "", ABSENT_FUNCTIONS)
DYNLIB_DECLARE(nolib, LIBC_FUNCTIONS);
DYNLIB_DEFINE(nolib, "libedgefw-no-such-library.so.1", "", LIBC_FUNCTIONS)

static void test_edgefw_tables(void)
{
	char err[256] = "";
	const struct curl_api *curl = curl_api(err, sizeof(err));
	const struct ub_api *ub = ub_api(err, sizeof(err));
	const struct ldns_api *ldns = ldns_api(err, sizeof(err));
	const struct mhd_api *mhd = mhd_api(err, sizeof(err));

	CHECK(curl && ub && ldns && mhd,
	      "libcurl, libunbound, libldns and libmicrohttpd load with every function edgefw calls%s%s",
	      err[0] ? ": " : "", err);
	if (!curl || !ub || !ldns || !mhd)
		return;
	CHECK(!strcmp(curl->easy_strerror(CURLE_OK), "No error"),
	      "a libcurl function answers through its table: '%s'",
	      curl->easy_strerror(CURLE_OK));
	CHECK(!strcmp(ub->strerror(UB_NOERROR), "no error"),
	      "a libunbound function answers through its table: '%s'",
	      ub->strerror(UB_NOERROR));
	CHECK(curl_api(err, sizeof(err)) == curl,
	      "asked again, the same table (loaded once)");
}

static void test_own_tables(void)
{
	static const char missing[] =
		"cannot load libedgefw-no-such-library.so.1: libedgefw-no-such-library.so.1: cannot open shared object file";
	char err[256] = "";
	const struct libc_api *libc = libc_api(err, sizeof(err));

	CHECK(libc && libc->strlen("edgefw") == 6,
	      "a table of libc's strlen loads and calls it%s%s",
	      err[0] ? ": " : "", err);

	CHECK(!absent_api(err, sizeof(err)),
	      "a library without one of the table's functions: refused");
	CHECK(!strcmp(err,
		      "cannot load libc.so.6: it has no edgefw_no_such_function"),
	      "... naming the library and the function: '%s'", err);

	CHECK(!nolib_api(err, sizeof(err)),
	      "a library that is not installed: refused");
	CHECK(!strncmp(err, missing, strlen(missing)),
	      "... naming it, with dlopen's reason: '%s'", err);
	err[0] = '\0';
	CHECK(!nolib_api(err, sizeof(err)) && err[0],
	      "asked again: tried again, and refused again with its reason");
}

int main(void)
{
	test_edgefw_tables();
	test_own_tables();
	return tap_done();
}
