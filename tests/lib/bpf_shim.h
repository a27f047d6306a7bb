/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the set index lookups of bpf/ (set4index.h, set6index.h) take from
 * a BPF program, in user space, so that the unit tests run the data
 * plane's own code against kernel maps (shim_map.h). Include it before
 * them, and keep <bpf/bpf.h> out of that file: libbpf's
 * bpf_map_lookup_elem(fd, key, value) has the helper's name.
 */
#ifndef EDGEFW_TEST_BPF_SHIM_H
#define EDGEFW_TEST_BPF_SHIM_H

#include <errno.h>
#include <sys/cdefs.h> /* __always_inline, as bpf_helpers.h has it */
#include "shim_map.h"

#define bpf_map_lookup_elem(map, key) shim_map_lookup(map, key)

/* The helper's contract: callback(i, ctx) until it returns non-zero. */
static inline long bpf_loop(__u32 nr_loops,
			    long (*callback)(__u32 i, void *ctx), void *ctx,
			    __u64 flags)
{
	__u32 i;

	if (flags)
		return -EINVAL;
	for (i = 0; i < nr_loops; i++) {
		if (callback(i, ctx))
			return i + 1;
	}
	return i;
}

#endif
