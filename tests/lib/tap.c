// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "tap.h"

static int run, failed;

static void vreport(bool ok, const char *fmt, va_list ap)
{
	printf("%sok %d - ", ok ? "" : "not ", ++run);
	vprintf(fmt, ap);
	putchar('\n');
	if (!ok)
		failed++;
}

bool tap_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   at %s:%d\n", file, line);
	fflush(stdout);
	return ok;
}

bool tap_check_eq(long long got, long long want, const char *file, int line,
		  const char *fmt, ...)
{
	va_list ap;
	bool ok = got == want;

	va_start(ap, fmt);
	vreport(ok, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   at %s:%d: got %lld, want %lld\n", file, line, got,
		       want);
	fflush(stdout);
	return ok;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void tap_hexdump(const void *data, size_t len)
{
	const unsigned char *b = data;

	for (size_t off = 0; off < len; off += 16) {
		printf("#   %04zx ", off);
		for (size_t i = off; i < off + 16 && i < len; i++)
			printf(" %02x", b[i]);
		putchar('\n');
	}
	fflush(stdout);
}

void tap_bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(1);
}

int tap_done(void)
{
	printf("1..%d\n", run);
	if (failed)
		printf("# %d of %d checks failed\n", failed, run);
	return failed || !run ? 1 : 0;
}
