/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lists of prefixes as text, as `edgefw set add -f FILE` reads them:
 * prefixes separated by blanks, commas or line ends, '#' to the end of a
 * line a comment.
 */
#ifndef EDGEFW_PREFIX_TEXT_H
#define EDGEFW_PREFIX_TEXT_H

#include <stdio.h>
#include "prefix_list.h"

#define PREFIX_LINE_MAX 1024 /* bytes of one line, its end aside */
#define PREFIX_ERRORS_SHOWN 20

/*
 * The prefixes of len bytes of text into out. Every line is checked: a
 * NUL byte, a line longer than PREFIX_LINE_MAX, a control byte, or a
 * byte beyond ASCII outside a comment is an error, and so is a word that
 * is no prefix. Errors go to diag as "LABEL:LINE: why", the first
 * PREFIX_ERRORS_SHOWN of them; returns how many there were.
 */
int prefix_text_parse(const char *label, const char *text, size_t len,
		      struct prefix_list *out, FILE *diag);

#endif
