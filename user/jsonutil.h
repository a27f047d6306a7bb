/* SPDX-License-Identifier: GPL-2.0 */
/* Typed reads of JSON object members: false when absent or of another type. */
#ifndef EDGEFW_JSONUTIL_H
#define EDGEFW_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "addr.h"

const char *json_get_string(json_object *o, const char *key);
bool json_get_int(json_object *o, const char *key, int64_t *out);
bool json_get_bool(json_object *o, const char *key, bool *out);
json_object *json_get_array(json_object *o, const char *key);
json_object *json_get_object(json_object *o, const char *key);

/* Copy a string member into dst; false if absent or too long. */
bool json_copy_string(json_object *o, const char *key, char *dst, size_t len);

/* Prefixes as an array of strings ("192.0.2.0/24", "2001:db8::1"). */
json_object *json_prefixes(const struct prefix *v, size_t n);

/* Parse a whole file; NULL with *why set when unreadable or malformed. */
json_object *json_read_file(const char *path, const char **why);

/* Write o to path atomically (see write_file_atomic), mode 0600. */
int json_write_file(const char *path, json_object *o);

#endif
