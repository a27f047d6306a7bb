/* SPDX-License-Identifier: GPL-2.0 */
/* Bulk map updates, per-CPU counter sums, entry counts. */
#ifndef EDGEFW_MAPS_H
#define EDGEFW_MAPS_H

#include <stddef.h>
#include <stdint.h>
#include "edgefw.h"

/*
 * Write n entries in kernel batches. Returns 0, or -errno with *done set
 * to the number of entries written before the one that failed.
 */
int map_update_many(int fd, const void *keys, const void *values, size_t n,
		    size_t key_size, size_t value_size, size_t *done);

/* Delete n keys in kernel batches; *done as for map_update_many. */
int map_delete_many(int fd, const void *keys, size_t n, size_t key_size,
		    size_t *done);

/* Entries gathered for one map write; value_size 0 for keys alone. */
struct map_batch {
	void *keys, *values;
	size_t n, cap, key_size, value_size;
};

void map_batch_add(struct map_batch *b, const void *key, const void *value);
/* Room for n entries in all, so that adding them moves nothing. */
void map_batch_reserve(struct map_batch *b, size_t n);
void map_batch_free(struct map_batch *b);

/* map_update_many of the whole batch: 0 or -errno. */
int map_batch_update(int fd, const struct map_batch *b);

/*
 * Delete the batch's keys; keys already gone are no error, as after an
 * undo that follows a failed write. 0 or -errno.
 */
int map_batch_delete(int fd, const struct map_batch *b);

/*
 * Counters first to first + n - 1 of a per-CPU counter array, each summed
 * over the CPUs, in kernel batches. 0 or -errno.
 */
int counters_read(int fd, __u32 first, size_t n, struct edgefw_counter *out);

/*
 * The elements of an array map at keys[0..n), which ascend, into
 * values[0..n): nearby keys in one kernel batch, so that a few keys cost
 * a few calls and many keys about one read of the map. 0 or -errno.
 */
int map_read_keys(int fd, const __u32 *keys, size_t n, size_t value_size,
		  void *values);

/*
 * fn(key, ctx) for each key of a hash table, read in kernel batches (the
 * table is walked, not locked: entries come and go meanwhile, and one
 * there all along is seen). 0 or -errno.
 */
int map_walk(int fd, void (*fn)(const void *key, void *ctx), void *ctx);

/* A map's max_entries, or 0 when its fd says nothing. */
__u32 map_max_entries(int fd);

/* The entries of a hash table, as map_walk sees them. 0 or -errno. */
int map_count_entries(int fd, uint64_t *n);

#endif
