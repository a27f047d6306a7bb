/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state files (sets.json, blocklist.json in the state directory,
 * state.json in the runtime directory): JSON objects with a version,
 * replaced atomically, and refused whole when anything in them is not
 * what edgefw writes, never half-read. A refusal names the file and
 * says what is wrong where ("blocks"[3]: "expires_ms" is missing).
 *
 * Each file has a reader from text (what the fuzzers and unit tests
 * call) and one from the file, which reads it whole and calls the other.
 */
#ifndef EDGEFW_STATEFILE_H
#define EDGEFW_STATEFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "paths.h"
#include "prefix_list.h"

/* The latest a time in a state file may be: 9999-12-31T23:59:59.999Z. */
#define STATEFILE_TIME_MAX_MS 253402300799999LL

/* What is wrong with a state file, and where: the first problem found. */
struct sf_err {
	char at[160]; /* where the values now checked lie, or "" */
	char why[512];
	bool failed;
};

/* Records at followed by the message, unless a problem is recorded; false. */
bool sf_fail(struct sf_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets where the values checked next lie, e.g. "set \"partners\": ". */
void sf_at(struct sf_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What v is: "an array", "a string", "null", ... */
const char *sf_type(json_object *v);

/*
 * Member key of object o, of the type asked for: NULL after recording
 * that it is missing or of another type.
 */
json_object *sf_member(json_object *o, const char *key, json_type type,
		       struct sf_err *e);
bool sf_int(json_object *o, const char *key, int64_t min, int64_t max,
	    int64_t *out, struct sf_err *e);
bool sf_bool(json_object *o, const char *key, bool *out, struct sf_err *e);
/* A string of at most len - 1 bytes into dst. */
bool sf_string(json_object *o, const char *key, char *dst, size_t len,
	       struct sf_err *e);

/*
 * The prefixes of the array member key (strings) into l, sorted: a
 * string that is no prefix, and a prefix listed twice, are recorded.
 */
bool sf_prefixes(json_object *o, const char *key, struct prefix_list *l,
		 struct sf_err *e);

/*
 * The root object of a state file's text, of a version from oldest to
 * newest (in *version); NULL after recording why not.
 */
json_object *statefile_parse(const char *text, size_t len, int64_t oldest,
			     int64_t newest, int64_t *version,
			     struct sf_err *e);

/*
 * Read the state file at path whole and parse it into out: 0, 1 when
 * there is no such file, -1 with e saying why it was refused (the file
 * cannot be read, or parse found it wrong and freed what it had read).
 */
int statefile_read(const char *path,
		   int (*parse)(const char *text, size_t len, void *out,
				struct sf_err *e),
		   void *out, struct sf_err *e);

/* Report path as corrupt, saying why and what the operator can do. */
void statefile_refuse(const char *path, const char *why);

/*
 * statefile_read, a refusal reported with statefile_refuse: 0 (when there
 * is no such file too), or -1.
 */
int statefile_load(const char *path,
		   int (*parse)(const char *text, size_t len, void *out,
				struct sf_err *e),
		   void *out);

/*
 * Write root (consumed) to path in the state directory, which is created
 * if missing; temporary files of writers killed earlier go. 0, or -1
 * after reporting.
 */
int statefile_write(const struct paths *p, const char *path, json_object *root);

/* The same, for a text written without json-c (len bytes of text). */
int statefile_write_text(const struct paths *p, const char *path,
			 const char *text, size_t len);

#endif
