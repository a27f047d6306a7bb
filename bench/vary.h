/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What bench/testrun.c tells bench/vary.bpf.c: how to make each run of a
 * BPF_PROG_TEST_RUN batch another packet. The kernel runs one buffer
 * --repeat times without copying it again, so the wrapper rewrites the
 * remote end (an ingress packet's source, an egress packet's destination)
 * in place before it tail-calls the program measured.
 */
#ifndef EDGEFW_BENCH_VARY_H
#define EDGEFW_BENCH_VARY_H

#include <linux/types.h>

#define VARY_MAX_OFF 128 /* the headers the classes vary lie before this */

struct vary_config {
	/*
	 * Sources cycled through, one a run; 0: the packet's own. Source i
	 * writes the 32-bit word at addr_off (network byte order): base + i,
	 * or, scattered, base | (i * VARY_SCATTER & mask).
	 */
	__u32 sources;
	__u32 scatter;
	__u32 addr_off;
	__u32 base;
	__u32 mask;
	/*
	 * Remote ports, one a pass over the sources: port_base + pass %
	 * ports, written at port_off; ports 0: the packet's own.
	 */
	__u32 port_off;
	__u32 ports;
	__u32 port_base;
	__u64 runs; /* so far: the wrapper counts them */
};

/* Knuth's multiplicative hash: a bijection of the 32-bit numbers. */
#define VARY_SCATTER 2654435761U

#endif
