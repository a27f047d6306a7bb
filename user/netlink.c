// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include "netlink.h"

static bool to_prefix(struct nl_addr *local, struct prefix *p)
{
	int family = nl_addr_get_family(local);
	unsigned int len = nl_addr_get_len(local);

	memset(p, 0, sizeof(*p));
	if (family == AF_INET && len == 4)
		p->family = EDGEFW_FAMILY_IPV4;
	else if (family == AF_INET6 && len == 16)
		p->family = EDGEFW_FAMILY_IPV6;
	else
		return false;
	memcpy(p->addr.b, nl_addr_get_binary_addr(local), len);
	p->len = family_bits(p->family);
	return true;
}

int netlink_iface_addrs(int ifindex, struct prefix *out, size_t max, char *err,
			size_t errlen)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nl_sock *sk;
	int n = 0, rc;

	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(err, errlen, "cannot allocate a netlink socket");
		return -1;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = rtnl_addr_alloc_cache(sk, &cache);
	if (rc < 0) {
		snprintf(err, errlen, "cannot read addresses: %s",
			 nl_geterror(rc));
		nl_socket_free(sk);
		return -1;
	}
	for (obj = nl_cache_get_first(cache); obj;
	     obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;
		struct nl_addr *local = rtnl_addr_get_local(a);
		struct prefix p;

		if (rtnl_addr_get_ifindex(a) != ifindex || !local ||
		    !to_prefix(local, &p))
			continue;
		if ((size_t)n < max)
			out[n] = p;
		n++;
	}
	nl_cache_free(cache);
	nl_socket_free(sk);
	return n;
}
