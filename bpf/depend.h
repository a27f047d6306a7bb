/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An address dependency (memory-barriers.txt): a load from an address
 * plus addr_dep(x) comes after the load that gave x, also where CPUs
 * reorder loads (arm64), with no barrier the BPF instruction set lacks.
 * addr_dep() is 0, computed from x out of the compiler's sight, so that
 * the instructions keep the dependency. Included by code the unit tests
 * also run in user space (tests/lib/bpf_shim.h), where a map's value is
 * a copy and no order is to keep.
 */
#ifndef EDGEFW_BPF_DEPEND_H
#define EDGEFW_BPF_DEPEND_H

#include <linux/types.h>

static __always_inline __u64 addr_dep(__u64 x)
{
	__u64 dep;

#ifdef __bpf__
	asm volatile("%0 = %1; %0 &= 0" : "=r"(dep) : "r"(x));
#else
	dep = 0;
	asm volatile("" : "+r"(dep) : "r"(x));
#endif
	return dep;
}

#endif
