/* SPDX-License-Identifier: GPL-2.0 */
/* What bench/gen.c tells its XDP program, bench/gen.bpf.c, before loading. */
#ifndef EDGEFW_BENCH_GEN_H
#define EDGEFW_BENCH_GEN_H

#include <linux/types.h>

struct gen_config {
	__u32 out_ifindex; /* the veth every frame is sent out of */
	__u32 spoof_source; /* nonzero: a new non-partner source per frame */
};

#endif
