/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The coarse clock (the last tick's monotonic time), read once a jiffy
 * and kept: jiffies is one load (the verifier inlines bpf_jiffies64), the
 * clock a helper call, about 4 ns of a packet's cost (issue 15). The
 * flows' times and the slow rate limits keep time with it. One copy for
 * all CPUs: a per-CPU one cost 2-3 ns more, and this one is written once
 * a tick.
 *
 * A CPU that reads the clock between a tick's jiffy and its time keeps
 * the last tick's time for a jiffy: the copy lags the coarse clock by a
 * tick at most, and one CPU's copy may be a tick behind another's.
 */
#ifndef EDGEFW_BPF_CLOCK_H
#define EDGEFW_BPF_CLOCK_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "depend.h"

struct coarse_clock_copy {
	__u64 jiffy;
	__u64 ns; /* the coarse clock, read in that jiffy */
};

static struct coarse_clock_copy coarse_clock_copy;

/*
 * The time is stored before the jiffy, which the exchange (fully ordered)
 * publishes. A reader's load of the time has an address that depends on
 * its load of the jiffy (depend.h), which orders the two where CPUs
 * reorder loads: a reader that sees a jiffy sees its time, not an older
 * one.
 */
static __always_inline __u64 coarse_clock(void)
{
	__u64 jiffy = bpf_jiffies64();
	__u64 seen = *(volatile __u64 *)&coarse_clock_copy.jiffy;
	__u64 ns;

	if (seen != jiffy) {
		ns = bpf_ktime_get_coarse_ns();
		*(volatile __u64 *)&coarse_clock_copy.ns = ns;
		__sync_lock_test_and_set(&coarse_clock_copy.jiffy, jiffy);
		return ns;
	}
	return *(volatile __u64 *)((char *)&coarse_clock_copy.ns +
				   addr_dep(seen));
}

#endif
