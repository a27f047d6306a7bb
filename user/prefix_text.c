// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include "prefix_text.h"
#include "util.h"

struct reader {
	char label[PATH_MAX]; /* as printable() shows it */
	FILE *diag;
	unsigned int line;
	int errors;
};

static void error(struct reader *r, const char *fmt, const char *word,
		  unsigned int byte)
{
	if (r->errors++ >= PREFIX_ERRORS_SHOWN)
		return;
	fprintf(r->diag, "%s:%u: ", r->label, r->line);
	if (word)
		fprintf(r->diag, fmt, word);
	else
		fprintf(r->diag, fmt, byte);
	fputc('\n', r->diag);
}

/* What is wrong with a line's bytes; the part before a comment is ASCII. */
static bool line_ok(struct reader *r, const unsigned char *s, size_t n)
{
	const unsigned char *hash = memchr(s, '#', n);

	if (n > PREFIX_LINE_MAX) {
		error(r, "a line longer than %u bytes", NULL, PREFIX_LINE_MAX);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		bool in_comment = hash && s + i > hash;

		if (s[i] == '\0') {
			error(r, "a NUL byte: this is not a text file", NULL,
			      0);
			return false;
		}
		if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\r') ||
		    s[i] == 0x7f || (s[i] >= 0x80 && !in_comment)) {
			error(r, "a byte 0x%02x, which no prefix holds", NULL,
			      s[i]);
			return false;
		}
	}
	return true;
}

static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == ',';
}

static void parse_words(struct reader *r, const char *s, size_t n,
			struct prefix_list *out)
{
	char word[PREFIX_LINE_MAX + 1];
	size_t i = 0;

	while (i < n) {
		size_t start;
		char why[160];
		struct prefix p;

		if (is_separator(s[i])) {
			i++;
			continue;
		}
		for (start = i; i < n && !is_separator(s[i]); i++)
			;
		memcpy(word, s + start, i - start);
		word[i - start] = '\0';
		if (prefix_parse(word, &p, why, sizeof(why)) == 0)
			plist_add(out, &p);
		else
			error(r, "%s", why, 0);
	}
}

/* The text need not end in a NUL: every scan is bounded by len. */
int prefix_text_parse(const char *label, const char *text, size_t len,
		      struct prefix_list *out, FILE *diag)
{
	struct reader r = { .diag = diag };
	const char *s = text, *end = text + len;

	printable(label, r.label, sizeof(r.label));
	/* a prefix per 16 bytes: a long list is not copied as it grows */
	plist_reserve(out, len / 16 + 1);
	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		size_t n = (nl ? nl : end) - s;
		const char *hash = memchr(s, '#', n);

		r.line++;
		if (line_ok(&r, (const unsigned char *)s, n))
			parse_words(&r, s, hash ? (size_t)(hash - s) : n, out);
		s += n + 1;
	}
	if (r.errors > PREFIX_ERRORS_SHOWN)
		fprintf(diag, "%s: %d more errors not shown\n", r.label,
			r.errors - PREFIX_ERRORS_SHOWN);
	return r.errors;
}
