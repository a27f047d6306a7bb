/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz harnesses (fuzz_NAME.c: LLVMFuzzerTestOneInput) share.
 * Each is built as a libFuzzer fuzzer (make fuzz) and as a replay of the
 * files it is given (make tests, replay.c). A property that does not hold
 * aborts, which both report as a crash with the input.
 */
#ifndef EDGEFW_FUZZ_H
#define EDGEFW_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "statefile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the parsers' messages go: nowhere. */
static inline FILE *fuzz_diag(void)
{
	static FILE *devnull;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	return devnull;
}

#define FUZZ_ASSERT(cond)                                               \
	do {                                                            \
		if (!(cond)) {                                          \
			fprintf(stderr, "%s:%d: property failed: %s\n", \
				__FILE__, __LINE__, #cond);             \
			abort();                                        \
		}                                                       \
	} while (0)

/* The input as a C string (it ends at a NUL byte if it holds one). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = xcalloc(size + 1, 1);

	memcpy(s, data, size);
	return s;
}

/* A state file's reader from text and writer to JSON (statefile.h). */
struct fuzz_state_file {
	size_t size; /* of what parse fills */
	int (*parse)(const char *text, size_t len, void *out, struct sf_err *e);
	json_object *(*json)(const void *in);
	void (*free)(void *in); /* NULL: nothing to free */
};

static inline void fuzz_nothing_to_free(void *in)
{
	(void)in;
}

/*
 * A state file's text: refused with a reason, or read; then what was
 * read, as edgefw would write it, reads back the same (it writes the same
 * text again).
 */
static inline void fuzz_state_file(const struct fuzz_state_file *f,
				   const uint8_t *data, size_t size)
{
	void *first = xcalloc(1, f->size), *again = xcalloc(1, f->size);
	struct sf_err e = {}, e2 = {};
	json_object *j, *j2;
	const char *text;

	if (f->parse((const char *)data, size, first, &e)) {
		FUZZ_ASSERT(e.failed && e.why[0]);
		goto out;
	}
	FUZZ_ASSERT(!e.failed);
	j = f->json(first);
	text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	FUZZ_ASSERT(f->parse(text, strlen(text), again, &e2) == 0);
	j2 = f->json(again);
	FUZZ_ASSERT(!strcmp(text, json_object_to_json_string_ext(
					  j2, JSON_C_TO_STRING_PRETTY)));
	json_object_put(j2);
	json_object_put(j);
	if (f->free)
		f->free(again);
out:
	if (f->free)
		f->free(first);
	free(again);
	free(first);
}

/*
 * The harness of a state file whose reader fills a struct of type: its
 * reader from text, its writer to JSON and what frees what it read.
 */
#define FUZZ_STATE_FILE(type, parse_fn, json_fn, free_fn)                      \
	static int parse(const char *text, size_t len, void *out,              \
			 struct sf_err *e)                                     \
	{                                                                      \
		return parse_fn(text, len, out, e);                            \
	}                                                                      \
	static json_object *to_json(const void *in)                            \
	{                                                                      \
		return json_fn(in);                                            \
	}                                                                      \
	static void release(void *in)                                          \
	{                                                                      \
		free_fn(in);                                                   \
	}                                                                      \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)           \
	{                                                                      \
		static const struct fuzz_state_file f = { sizeof(type), parse, \
							  to_json, release };  \
		fuzz_state_file(&f, data, size);                               \
		return 0;                                                      \
	}

#endif
