/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for edgefw's C tests: one "ok N - what" or "not ok N - what"
 * line per check, "1..N" at the end, and an exit status that says whether
 * every check passed. tests/run.sh reads it.
 */
#ifndef EDGEFW_TAP_H
#define EDGEFW_TAP_H

#include <stdbool.h>
#include <stddef.h>

#define CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Equality of two integers, printing both on failure. */
#define CHECK_EQ(got, want, ...)                                              \
	tap_check_eq((long long)(got), (long long)(want), __FILE__, __LINE__, \
		     __VA_ARGS__)

bool tap_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool tap_check_eq(long long got, long long want, const char *file, int line,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bytes as diagnostic lines, 16 to a line after their offset. */
void tap_hexdump(const void *data, size_t len);

/* A setup step failed: say why and end the test as failed. */
void tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Print the plan; the process exit status. */
int tap_done(void);

#endif
