/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow filter's user space side (edgefw.h): how full the half the
 * programs ask is, and building the other half anew from the flow tables
 * so that the bits of flows that went leave it. One builder at a time:
 * callers hold the state lock.
 */
#ifndef EDGEFW_FLOWFILTER_H
#define EDGEFW_FLOWFILTER_H

#include <stdbool.h>
#include <stdint.h>

struct flow_filter_fill {
	bool ready; /* the programs ask it */
	unsigned int half; /* the half they ask */
	uint64_t bits; /* of a family's half */
	uint64_t set[2]; /* bits set in it, IPv4 and IPv6 */
};

/*
 * Whether a pinned filter is of this layout for a flow table of max_flows
 * (its size, and its state word's version once READY); what cannot be
 * read is left to the load that uses it (true).
 */
bool flow_filter_fits(int filter_fd, uint32_t max_flows);

/*
 * 0, or -errno (not an edgefw flow filter: -EINVAL; a READY one of
 * another layout: -EPROTO, as from every function here).
 */
int flow_filter_read(int filter_fd, struct flow_filter_fill *out);

/*
 * Clear the half the programs do not ask, set the bit of every flow of
 * the tables in it, then make it the one asked. Inserts meanwhile set
 * their bits in both halves, so no flow is ever missing from the half
 * asked. 0, or -errno with the half asked unchanged.
 */
int flow_filter_rebuild(int filter_fd, int flows4_fd, int flows6_fd);

/*
 * Rebuild when the programs do not ask the filter yet, or when a family's
 * half has more than a quarter of its bits set (about one in sixteen of
 * the packets without a flow then finds both its bits set and goes on to
 * the table). *before: the fill it found. 1 after a rebuild, 0 when none
 * was needed, or -errno.
 */
int flow_filter_refresh(int filter_fd, int flows4_fd, int flows6_fd,
			struct flow_filter_fill *before);

/*
 * flow_filter_refresh on the running edgefw's pinned maps, under the
 * state lock that p's caller holds; *before: the fill it found. 1 after a
 * rebuild, 0 when none was needed or nothing is loaded, -1 after
 * reporting.
 */
struct paths;
int flow_filter_refresh_pinned(const struct paths *p,
			       struct flow_filter_fill *before);

#endif
