/* SPDX-License-Identifier: GPL-2.0 */
/* What the kernel knows of an interface, read through libnl-route. */
#ifndef EDGEFW_NETLINK_H
#define EDGEFW_NETLINK_H

#include <stddef.h>
#include "addr.h"

/*
 * The IPv4 and IPv6 addresses of an interface: fills up to max of them and
 * returns how many it has (possibly more than max), or -1 with the reason
 * in err.
 */
int netlink_iface_addrs(int ifindex, struct prefix *out, size_t max, char *err,
			size_t errlen);

#endif
