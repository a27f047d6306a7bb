/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink events of links and addresses, as a file descriptor to poll:
 * the daemon learns that interfaces or addresses changed the moment the
 * kernel says so, with no polling loop. It learns that something
 * changed, not what: the daemon compares the machine with what is loaded
 * (drift.h), which also covers events lost to a full socket buffer.
 */
#ifndef EDGEFW_WATCH_H
#define EDGEFW_WATCH_H

#include <stdbool.h>

struct watch;

/* NULL after reporting. */
struct watch *watch_open(void);
void watch_close(struct watch *w);
int watch_fd(const struct watch *w);

/*
 * Read what is pending: 1 when a link or an address changed, 0 when
 * nothing did, -1 when events were lost (the socket overran; logged):
 * the caller resyncs from the kernel's state either way.
 */
int watch_read(struct watch *w);

#endif
