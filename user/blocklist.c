// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "blocklist.h"
#include "jsonutil.h"
#include "statefile.h"
#include "util.h"

/* 1 had "added" in seconds; 2 keeps every time in ms ("added_ms"). */
#define BLOCKS_FILE_VERSION 2

static bool block_parse(json_object *o, int64_t version, struct block_entry *e)
{
	char text[PREFIX_STRLEN], why[160];

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(o, json_type_object) ||
	    !json_copy_string(o, "prefix", text, sizeof(text)) ||
	    prefix_parse(text, &e->prefix, why, sizeof(why)) ||
	    !json_get_int(o, "expires_ms", &e->expires_ms) ||
	    e->expires_ms < 0 ||
	    !json_copy_string(o, "reason", e->reason, sizeof(e->reason)))
		return false;
	if (version == 1) {
		if (!json_get_int(o, "added", &e->added_ms))
			return false;
		e->added_ms *= 1000;
		return true;
	}
	return json_get_int(o, "added_ms", &e->added_ms);
}

static int cmp_block(const void *a, const void *b)
{
	return prefix_cmp(&((const struct block_entry *)a)->prefix,
			  &((const struct block_entry *)b)->prefix);
}

int blocks_read(const struct paths *p, struct blocks *b)
{
	json_object *root, *arr;
	int64_t version;
	bool missing, ok;

	memset(b, 0, sizeof(*b));
	root = statefile_read(p->blocks_file, 1, BLOCKS_FILE_VERSION, &version,
			      &missing);
	if (!root)
		return missing ? 0 : -1;
	arr = json_get_array(root, "blocks");
	ok = arr;
	for (size_t i = 0; ok && i < json_object_array_length(arr); i++) {
		GROW(b->v, b->cap, b->n + 1);
		ok = block_parse(json_object_array_get_idx(arr, i), version,
				 &b->v[b->n]);
		b->n += ok;
	}
	json_object_put(root);
	if (b->n)
		qsort(b->v, b->n, sizeof(*b->v), cmp_block);
	for (size_t i = 1; ok && i < b->n; i++)
		ok = prefix_cmp(&b->v[i - 1].prefix, &b->v[i].prefix) != 0;
	if (!ok) {
		statefile_refuse(
			p->blocks_file,
			"an entry without a valid prefix, expiry, time added and reason, or a prefix listed twice");
		blocks_free(b);
		return -1;
	}
	return 0;
}

int blocks_write(const struct paths *p, const struct blocks *b)
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
		json_object_object_add(o, "reason",
				       json_object_new_string(e->reason));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "blocks", arr);
	return statefile_write(p, p->blocks_file, root);
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
