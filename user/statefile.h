/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state directory's files (sets.json, blocklist.json): JSON objects
 * with a version, replaced atomically, and refused whole when they do not
 * parse or have an unknown version, never half-read.
 */
#ifndef EDGEFW_STATEFILE_H
#define EDGEFW_STATEFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "paths.h"
#include "prefix_list.h"

/*
 * The root object of path, of a version from oldest to newest (in
 * *version); NULL when the file is missing (*missing), or after reporting
 * it corrupt.
 */
json_object *statefile_read(const char *path, int64_t oldest, int64_t newest,
			    int64_t *version, bool *missing);

/* Report path as corrupt, saying why and what the operator can do. */
void statefile_refuse(const char *path, const char *why);

/*
 * Write root (consumed) to path in the state directory, which is created
 * if missing; temporary files of writers killed earlier go. 0, or -1
 * after reporting.
 */
int statefile_write(const struct paths *p, const char *path, json_object *root);

/* A JSON array of prefixes (json_prefixes) as a sorted list. */
bool statefile_parse_prefixes(json_object *arr, struct prefix_list *l);

#endif
