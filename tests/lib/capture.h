/* SPDX-License-Identifier: GPL-2.0 */
/* What code under test prints on stderr, for the checks of its messages. */
#ifndef EDGEFW_TEST_CAPTURE_H
#define EDGEFW_TEST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct capture {
	FILE *file;
	int saved_fd; /* the real stderr */
};

/* From now on stderr goes to c; bails out if it cannot. */
void capture_start(struct capture *c);

/* stderr is back; what went to c is in buf, cut to len - 1 and ended. */
void capture_stop(struct capture *c, char *buf, size_t len);

/* Stops c: whether what went to it holds want; its first line in line. */
bool capture_holds(struct capture *c, const char *want, char *line, size_t len);

#endif
