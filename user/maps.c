// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps.h"
#include "util.h"

/* Bounds the time one syscall holds the kernel busy. */
#define BATCH_MAX 65536

int map_update_many(int fd, const void *keys, const void *values, size_t n,
		    size_t key_size, size_t value_size, size_t *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const char *k = keys, *v = values;

	*done = 0;
	while (*done < n) {
		__u32 count = n - *done > BATCH_MAX ? BATCH_MAX : n - *done;
		int err = bpf_map_update_batch(fd, k + *done * key_size,
					       v + *done * value_size, &count,
					       &opts);

		*done += count;
		if (err)
			return -errno;
	}
	return 0;
}

int map_delete_many(int fd, const void *keys, size_t n, size_t key_size,
		    size_t *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	const char *k = keys;

	*done = 0;
	while (*done < n) {
		__u32 count = n - *done > BATCH_MAX ? BATCH_MAX : n - *done;
		int err = bpf_map_delete_batch(fd, k + *done * key_size, &count,
					       &opts);

		*done += count;
		if (err)
			return -errno;
	}
	return 0;
}

void map_batch_reserve(struct map_batch *b, size_t n)
{
	if (n <= b->cap)
		return;
	b->cap = n;
	b->keys = xrealloc(b->keys, b->cap, b->key_size);
	if (b->value_size)
		b->values = xrealloc(b->values, b->cap, b->value_size);
}

void map_batch_add(struct map_batch *b, const void *key, const void *value)
{
	if (b->n == b->cap)
		map_batch_reserve(b, b->cap ? b->cap * 2 : 256);
	memcpy((char *)b->keys + b->n * b->key_size, key, b->key_size);
	if (b->value_size)
		memcpy((char *)b->values + b->n * b->value_size, value,
		       b->value_size);
	b->n++;
}

void map_batch_free(struct map_batch *b)
{
	free(b->keys);
	free(b->values);
	b->keys = b->values = NULL;
	b->n = b->cap = 0;
}

int map_batch_update(int fd, const struct map_batch *b)
{
	size_t done;

	return map_update_many(fd, b->keys, b->values, b->n, b->key_size,
			       b->value_size, &done);
}

int map_batch_delete(int fd, const struct map_batch *b)
{
	const char *keys = b->keys;
	size_t done;
	int err;

	/* a kernel batch stops at the first missing key: skip it, go on */
	for (size_t from = 0; from < b->n; from += done + 1) {
		err = map_delete_many(fd, keys + from * b->key_size,
				      b->n - from, b->key_size, &done);
		if (!err)
			return 0;
		if (err != -ENOENT)
			return err;
	}
	return 0;
}

/*
 * Elements first to first + n - 1 of an array map (a per-CPU one: value_size
 * is all CPUs' values), in kernel batches.
 */
static int read_range(int fd, __u32 first, size_t n, size_t value_size,
		      void *values)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 *keys = xcalloc(n < BATCH_MAX ? n : BATCH_MAX, sizeof(*keys));
	__u32 prev = first - 1;
	size_t done = 0;
	int err = 0;

	while (done < n && !err) {
		__u32 count = n - done > BATCH_MAX ? BATCH_MAX : n - done;

		/* an array's batch starts after the key in_batch names */
		if (bpf_map_lookup_batch(fd, first + done ? &prev : NULL, &prev,
					 keys,
					 (char *)values + done * value_size,
					 &count, &opts) &&
		    (errno != ENOENT || !count))
			err = -errno;
		else if (!count)
			err = -EIO; /* an array has every element */
		done += count;
	}
	free(keys);
	return err;
}

/* Per-CPU values are padded to 8 bytes: a counter needs none. */
_Static_assert(sizeof(struct edgefw_counter) % 8 == 0, "no padding");

int counters_read(int fd, __u32 first, size_t n, struct edgefw_counter *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct edgefw_counter *per_cpu;
	int err;

	if (ncpus < 0)
		return ncpus;
	memset(out, 0, n * sizeof(*out));
	per_cpu = xcalloc(n * ncpus, sizeof(*per_cpu));
	err = read_range(fd, first, n, ncpus * sizeof(*per_cpu), per_cpu);
	for (size_t i = 0; !err && i < n; i++) {
		for (int cpu = 0; cpu < ncpus; cpu++) {
			const struct edgefw_counter *c =
				&per_cpu[i * ncpus + cpu];

			out[i].packets += c->packets;
			out[i].bytes += c->bytes;
		}
	}
	free(per_cpu);
	return err;
}

/*
 * Keys this close share one batch: a call costs about as much as copying
 * this many values more.
 */
#define READ_KEYS_GAP 64

int map_read_keys(int fd, const __u32 *keys, size_t n, size_t value_size,
		  void *values)
{
	char *span = NULL;
	size_t cap = 0;
	int err = 0;

	for (size_t i = 0, j; i < n && !err; i = j) {
		size_t len;

		for (j = i + 1; j < n && keys[j] - keys[j - 1] <= READ_KEYS_GAP;
		     j++)
			;
		len = (size_t)(keys[j - 1] - keys[i]) + 1;
		GROW(span, cap, len * value_size);
		err = read_range(fd, keys[i], len, value_size, span);
		for (size_t k = i; k < j && !err; k++)
			memcpy((char *)values + k * value_size,
			       span + (size_t)(keys[k] - keys[i]) * value_size,
			       value_size);
	}
	free(span);
	return err;
}

/* Entries copied per call while walking: a bucket never holds more. */
#define WALK_BATCH 4096

int map_walk(int fd, void (*fn)(const void *key, void *ctx), void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	__u64 in = 0, out = 0; /* a hash table's batch token: a bucket */
	void *keys, *values;
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	keys = xcalloc(WALK_BATCH, info.key_size);
	values = xcalloc(WALK_BATCH, info.value_size);
	for (bool first = true;; first = false) {
		__u32 count = WALK_BATCH;

		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys,
					   values, &count, &opts);
		if (err)
			err = -errno;
		for (__u32 i = 0; i < count && (!err || err == -ENOENT); i++)
			fn((const char *)keys + (size_t)i * info.key_size, ctx);
		if (err == -ENOENT) { /* the last buckets were read */
			err = 0;
			break;
		}
		if (err)
			break;
		in = out;
	}
	free(keys);
	free(values);
	return err;
}

static void count_one(const void *key, void *ctx)
{
	(void)key;
	++*(uint64_t *)ctx;
}

int map_count_entries(int fd, uint64_t *n)
{
	*n = 0;
	return map_walk(fd, count_one, n);
}

__u32 map_max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}
