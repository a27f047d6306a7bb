// SPDX-License-Identifier: GPL-2.0
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blocklist.h"
#include "jsonutil.h"
#include "statefile.h"
#include "util.h"

/*
 * 1 had "added" in seconds; 2 keeps every time in ms ("added_ms"); 3
 * records who added each entry ("added_by", a uid). The entries of a
 * file older than 3 are root's: only root could block then.
 */
#define BLOCKS_FILE_VERSION 3

/* Entry i of "blocks", of a file of the version given. */
static bool block_parse(json_object *o, size_t i, int64_t version,
			struct block_entry *b, struct sf_err *e)
{
	char text[INET6_ADDRSTRLEN + 8], why[160], buf[PREFIX_STRLEN];

	memset(b, 0, sizeof(*b));
	e->at[0] = '\0';
	if (!json_object_is_type(o, json_type_object))
		return sf_fail(e, "\"blocks\"[%zu] is %s, not an object", i,
			       sf_type(o));
	sf_at(e, "\"blocks\"[%zu]: ", i);
	if (!sf_string(o, "prefix", text, sizeof(text), e))
		return false;
	if (prefix_parse(text, &b->prefix, why, sizeof(why)))
		return sf_fail(e, "\"prefix\": %s", why);
	prefix_format(&b->prefix, buf, sizeof(buf));
	sf_at(e, "\"blocks\"[%zu] (%s): ", i, buf);
	if (!sf_int(o, "expires_ms", 0, STATEFILE_TIME_MAX_MS, &b->expires_ms,
		    e) ||
	    !sf_string(o, "reason", b->reason, sizeof(b->reason), e))
		return false;
	if (strpbrk(b->reason, "\n\r"))
		return sf_fail(e, "\"reason\" is more than one line");
	if (version > 2) {
		int64_t uid;

		if (!sf_int(o, "added_by", 0, UINT32_MAX - 1, &uid, e))
			return false;
		b->added_by = (uint32_t)uid;
	}
	if (version > 1)
		return sf_int(o, "added_ms", 0, STATEFILE_TIME_MAX_MS,
			      &b->added_ms, e);
	if (!sf_int(o, "added", 0, STATEFILE_TIME_MAX_MS / 1000, &b->added_ms,
		    e))
		return false;
	b->added_ms *= 1000;
	return true;
}

static int cmp_block(const void *a, const void *b)
{
	return prefix_cmp(&((const struct block_entry *)a)->prefix,
			  &((const struct block_entry *)b)->prefix);
}

int blocks_parse(const char *text, size_t len, struct blocks *b,
		 struct sf_err *e)
{
	json_object *root, *arr;
	int64_t version;
	size_t n = 0;

	memset(b, 0, sizeof(*b));
	root = statefile_parse(text, len, 1, BLOCKS_FILE_VERSION, &version, e);
	if (!root)
		return -1;
	arr = sf_member(root, "blocks", json_type_array, e);
	if (arr)
		n = json_object_array_length(arr);
	if (n > EDGEFW_BLOCK_MAX_ENTRIES)
		sf_fail(e,
			"\"blocks\" has %zu entries, more than the blocklist holds (%u)",
			n, EDGEFW_BLOCK_MAX_ENTRIES);
	for (size_t i = 0; !e->failed && i < n; i++) {
		GROW(b->v, b->cap, b->n + 1);
		if (block_parse(json_object_array_get_idx(arr, i), i, version,
				&b->v[b->n], e))
			b->n++;
	}
	json_object_put(root);
	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_block);
	for (size_t i = 1; !e->failed && i < b->n; i++) {
		char buf[PREFIX_STRLEN];

		if (prefix_cmp(&b->v[i - 1].prefix, &b->v[i].prefix))
			continue;
		prefix_format(&b->v[i].prefix, buf, sizeof(buf));
		e->at[0] = '\0';
		sf_fail(e, "\"blocks\" lists %s twice", buf);
	}
	if (e->failed) {
		blocks_free(b);
		return -1;
	}
	return 0;
}

static int parse_file(const char *text, size_t len, void *b, struct sf_err *e)
{
	return blocks_parse(text, len, b, e);
}

int blocks_read(const struct paths *p, struct blocks *b)
{
	memset(b, 0, sizeof(*b));
	return statefile_load(p->blocks_file, parse_file, b);
}

json_object *blocks_json(const struct blocks *b)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array_ext(b->n);

	json_object_object_add(root, "version",
			       json_object_new_int(BLOCKS_FILE_VERSION));
	for (size_t i = 0; i < b->n; i++) {
		const struct block_entry *e = &b->v[i];
		json_object *o = json_object_new_object();
		char buf[PREFIX_STRLEN];

		prefix_format(&e->prefix, buf, sizeof(buf));
		json_object_object_add(o, "prefix",
				       json_object_new_string(buf));
		json_object_object_add(o, "expires_ms",
				       json_object_new_int64(e->expires_ms));
		json_object_object_add(o, "added_ms",
				       json_object_new_int64(e->added_ms));
		json_object_object_add(o, "added_by",
				       json_object_new_int64(e->added_by));
		json_object_object_add(o, "reason",
				       json_object_new_string(e->reason));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "blocks", arr);
	return root;
}

int blocks_write(const struct paths *p, const struct blocks *b)
{
	return statefile_write(p, p->blocks_file, blocks_json(b));
}

void blocks_free(struct blocks *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

struct blocks blocks_copy(const struct blocks *b)
{
	struct blocks c = { .n = b->n, .cap = b->n };

	c.v = xcalloc(b->n, sizeof(*c.v));
	if (b->n)
		memcpy(c.v, b->v, b->n * sizeof(*c.v));
	return c;
}

struct block_entry *blocks_find(const struct blocks *b, const struct prefix *p)
{
	for (size_t i = 0; i < b->n; i++) {
		if (!prefix_cmp(&b->v[i].prefix, p))
			return &b->v[i];
	}
	return NULL;
}

bool block_reason_valid(const char *reason)
{
	return strlen(reason) < BLOCK_REASON_LEN && !strpbrk(reason, "\n\r");
}

bool blocks_put(struct blocks *b, const struct block_entry *e)
{
	struct block_entry *old = blocks_find(b, &e->prefix);

	if (old) {
		*old = *e;
		return true;
	}
	GROW(b->v, b->cap, b->n + 1);
	b->v[b->n++] = *e;
	return false;
}

bool blocks_remove(struct blocks *b, const struct prefix *p)
{
	struct block_entry *e = blocks_find(b, p);

	if (!e)
		return false;
	*e = b->v[--b->n];
	return true;
}

int64_t block_seconds_left(const struct block_entry *e, int64_t now_ms)
{
	return (e->expires_ms - now_ms + 500) / 1000;
}

void block_owner_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char scratch[1024];

	if (uid == 0)
		snprintf(buf, len, "root");
	else if (!getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) &&
		 found)
		snprintf(buf, len, "%s", pw.pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned int)uid);
}

size_t blocks_prune(struct blocks *b, int64_t now_ms)
{
	size_t out = 0, n = b->n;

	for (size_t i = 0; i < n; i++) {
		if (b->v[i].expires_ms && b->v[i].expires_ms <= now_ms)
			continue;
		b->v[out++] = b->v[i];
	}
	b->n = out;
	return n - out;
}
