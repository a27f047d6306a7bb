// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "etcd_json.h"
#include "log.h"
#include "pool_queue.h"
#include "util.h"

#define POOL_QUEUE_VERSION 1

void pool_queue_push(struct pool_queue *q, const char *key, const char *value,
		     int64_t expires_ms)
{
	GROW(q->v, q->cap, q->n + 1);
	q->v[q->n].key = xstrdup(key);
	q->v[q->n].value = value ? xstrdup(value) : NULL;
	q->v[q->n].expires_ms = expires_ms;
	q->n++;
}

void pool_queue_free(struct pool_queue *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->v[i].key);
		free(q->v[i].value);
	}
	free(q->v);
	memset(q, 0, sizeof(*q));
}

static bool write_parse(json_object *o, struct pool_queue *q, struct sf_err *e)
{
	char key[ETCD_KEY_MAX + 1];
	json_object *v;
	int64_t expires;
	const char *value = NULL;

	if (!sf_string(o, "key", key, sizeof(key), e) ||
	    !sf_int(o, "expires_ms", 0, STATEFILE_TIME_MAX_MS, &expires, e))
		return false;
	if (json_object_object_get_ex(o, "value", &v) && v) {
		if (!json_object_is_type(v, json_type_string))
			return sf_fail(e, "\"value\" is %s, not a string",
				       sf_type(v));
		if (json_object_get_string_len(v) > ETCD_VALUE_MAX)
			return sf_fail(e, "\"value\" is longer than %d bytes",
				       ETCD_VALUE_MAX);
		value = json_object_get_string(v);
	}
	pool_queue_push(q, key, value, expires);
	return true;
}

int pool_queue_parse(const char *text, size_t len, struct pool_queue *q,
		     struct sf_err *e)
{
	json_object *root, *arr;
	int64_t version;
	size_t n;

	memset(q, 0, sizeof(*q));
	root = statefile_parse(text, len, 1, POOL_QUEUE_VERSION, &version, e);
	if (!root)
		return -1;
	arr = sf_member(root, "writes", json_type_array, e);
	if (!arr)
		goto fail;
	n = json_object_array_length(arr);
	if (n > POOL_QUEUE_MAX) {
		sf_fail(e, "\"writes\" holds %zu, more than %d", n,
			POOL_QUEUE_MAX);
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		sf_at(e, "\"writes\"[%zu]: ", i);
		if (!json_object_is_type(o, json_type_object)) {
			sf_fail(e, "is %s, not an object", sf_type(o));
			goto fail;
		}
		if (!write_parse(o, q, e))
			goto fail;
	}
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	pool_queue_free(q);
	return -1;
}

json_object *pool_queue_json(const struct pool_queue *q)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array_ext(q->n);

	json_object_object_add(root, "version",
			       json_object_new_int(POOL_QUEUE_VERSION));
	for (size_t i = 0; i < q->n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "key",
				       json_object_new_string(q->v[i].key));
		json_object_object_add(
			o, "value",
			q->v[i].value ? json_object_new_string(q->v[i].value)
				      : NULL);
		json_object_object_add(
			o, "expires_ms",
			json_object_new_int64(q->v[i].expires_ms));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "writes", arr);
	return root;
}

static int parse_file(const char *text, size_t len, void *out, struct sf_err *e)
{
	return pool_queue_parse(text, len, out, e);
}

int pool_queue_read(const struct paths *p, struct pool_queue *q)
{
	memset(q, 0, sizeof(*q));
	return statefile_load(p->pool_queue, parse_file, q);
}

int pool_queue_write(const struct paths *p, const struct pool_queue *q)
{
	if (q->n == 0) {
		if (unlink(p->pool_queue) && errno != ENOENT) {
			log_err("cannot remove %s: %s", p->pool_queue,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	return statefile_write(p, p->pool_queue, pool_queue_json(q));
}
