/* SPDX-License-Identifier: GPL-2.0 */
/* Attaching the programs to an interface, and finding them there again. */
#ifndef EDGEFW_ATTACH_H
#define EDGEFW_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

/* edgefw's tc egress filter: first in line, with a handle of its own. */
#define EDGEFW_TC_PRIORITY 1
#define EDGEFW_TC_HANDLE 0xedf

enum xdp_mode {
	XDP_MODE_AUTO, /* native, else generic with a warning */
	XDP_MODE_NATIVE,
	XDP_MODE_GENERIC,
};

int xdp_mode_parse(const char *s, enum xdp_mode *mode);

/*
 * Attach as a bpf_link; returns the link fd, or -1 after saying why.
 * *native tells which mode was used.
 */
int attach_xdp(const char *ifname, int ifindex, int prog_fd, enum xdp_mode mode,
	       bool *native);

/* Point an attached XDP link at another program, atomically. */
int replace_xdp(const char *ifname, int link_fd, int prog_fd);

/*
 * Add edgefw's filter to the clsact egress hook, creating the qdisc if
 * needed (*qdisc_created says so). replace: swap the program of an
 * existing filter atomically instead.
 */
int attach_tc(const char *ifname, int ifindex, int prog_fd, bool replace,
	      bool *qdisc_created);

/* Remove the filter, and the qdisc if edgefw created it. */
int detach_tc(const char *ifname, int ifindex, bool qdisc_created);

/* Program ids attached now, 0 when none. */
__u32 query_tc_prog(int ifindex);
__u32 query_xdp_prog(int ifindex, bool *native);

#endif
