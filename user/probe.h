/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What edgefw needs of the kernel, probed before loading: a missing feature
 * is named with the release that brought it, instead of a verifier dump.
 */
#ifndef EDGEFW_PROBE_H
#define EDGEFW_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* The oldest kernel edgefw is tested on (vm-tests). */
#define EDGEFW_MIN_KERNEL "6.1"

struct feature {
	const char *what; /* "BPF atomic compare-and-exchange" */
	const char *since; /* the release that brought it */
	bool (*present)(void);
};

/* 0 when every feature is present; otherwise names the first missing. */
int features_check(const struct feature *features, size_t n);

/* What edgefw's programs and loader use. */
int features_check_kernel(void);

#endif
