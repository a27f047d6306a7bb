/* SPDX-License-Identifier: GPL-2.0 */
/* Bulk map updates and per-CPU counter sums. */
#ifndef EDGEFW_MAPS_H
#define EDGEFW_MAPS_H

#include <stddef.h>
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

/* The counter summed over all CPUs. */
int counter_read(int fd, __u32 index, struct edgefw_counter *sum);

#endif
