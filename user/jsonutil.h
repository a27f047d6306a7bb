/* SPDX-License-Identifier: GPL-2.0 */
/* JSON text in and out: whole documents, arrays of prefixes. */
#ifndef EDGEFW_JSONUTIL_H
#define EDGEFW_JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "addr.h"

/* Prefixes as an array of strings ("192.0.2.0/24", "2001:db8::1"). */
json_object *json_prefixes(const struct prefix *v, size_t n);

/*
 * Parse len bytes of text, which must hold one JSON document (blanks may
 * follow it); NULL with *why saying what is wrong and where.
 */
json_object *json_parse_text(const char *text, size_t len, const char **why);

/* o as edgefw's files hold it: pretty, '/' unescaped (o keeps the text). */
const char *json_file_text(json_object *o);

/* Write o to path atomically (see write_file_atomic), mode 0600. */
int json_write_file(const char *path, json_object *o);

#endif
