// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "drift.h"
#include "netlink.h"
#include "prefix_list.h"

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

/* The same addresses, whatever their order. */
static bool same_addrs(struct prefix *a, size_t na, struct prefix *b, size_t nb)
{
	if (na != nb)
		return false;
	if (!na)
		return true;
	qsort(a, na, sizeof(*a), cmp_prefix);
	qsort(b, nb, sizeof(*b), cmp_prefix);
	return !memcmp(a, b, na * sizeof(*a));
}

static bool iface_drifted(const struct cfg_iface *ifc,
			  const struct iface_state *s, char *why, size_t len)
{
	struct prefix now[EDGEFW_MAX_SELF_ADDRS + 1],
		was[EDGEFW_MAX_SELF_ADDRS];
	int ifindex = if_nametoindex(ifc->name), n;
	char err[160];

	if (ifindex != s->ifindex) {
		snprintf(why, len, "%s %s", ifc->name,
			 !s->ifindex ? "appeared"
			 : !ifindex  ? "went"
				     : "was created anew");
		return true;
	}
	if (!ifindex || ifc->addrs_given)
		return false;
	n = netlink_iface_addrs(ifindex, now, ARRAY_SIZE(now), err,
				sizeof(err));
	if (n < 0 || n > (int)EDGEFW_MAX_SELF_ADDRS) {
		/* the reload reports it: it reads them again */
		snprintf(why, len, "%s: %s", ifc->name,
			 n < 0 ? err : "more addresses than edgefw holds");
		return true;
	}
	memcpy(was, s->self, s->nr_self * sizeof(*was));
	if (same_addrs(now, n, was, s->nr_self))
		return false;
	snprintf(why, len, "the addresses of %s changed", ifc->name);
	return true;
}

bool machine_drifted(const struct config *c, const struct runtime_state *st,
		     char *why, size_t len)
{
	if (st->nr_ifaces != c->nr_ifaces) {
		snprintf(why, len,
			 "the loaded interfaces are not the config's");
		return true;
	}
	for (size_t i = 0; i < c->nr_ifaces; i++) {
		if (strcmp(c->ifaces[i].name, st->ifaces[i].name)) {
			snprintf(why, len,
				 "the loaded interfaces are not the config's");
			return true;
		}
		if (iface_drifted(&c->ifaces[i], &st->ifaces[i], why, len))
			return true;
	}
	return false;
}
