/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool-queue.json in the state directory: the pool's writes that etcd
 * could not take when they were made (README, Pool: degraded), in the
 * order they were made, written to etcd in that order once it answers.
 * A block's write keeps its expiry: its lease is what is left of it
 * then, and one that ran out meanwhile is dropped, never resurrected.
 */
#ifndef EDGEFW_POOL_QUEUE_H
#define EDGEFW_POOL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "paths.h"
#include "statefile.h"

/* At most this many writes wait: past it the oldest are dropped, said so. */
#define POOL_QUEUE_MAX 100000

struct pool_write {
	char *key;
	char *value; /* NULL: delete the key */
	int64_t expires_ms; /* a block's expiry (its lease); 0: none */
};

struct pool_queue {
	struct pool_write *v;
	size_t n, cap;
};

int pool_queue_parse(const char *text, size_t len, struct pool_queue *q,
		     struct sf_err *e);
json_object *pool_queue_json(const struct pool_queue *q);

/* 0 (a missing file: empty), or -1 after reporting it refused. */
int pool_queue_read(const struct paths *p, struct pool_queue *q);
/* The queue written, or the file removed when it is empty. */
int pool_queue_write(const struct paths *p, const struct pool_queue *q);

/* A copy of the write at the end (value NULL: a delete). */
void pool_queue_push(struct pool_queue *q, const char *key, const char *value,
		     int64_t expires_ms);
void pool_queue_free(struct pool_queue *q);

#endif
