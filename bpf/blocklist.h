/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dynamic blocklist, checked first on ingress. While it is empty the
 * check is one array read; an expired entry is ignored, and a shorter
 * prefix that also covers the source is looked up in its place.
 */
#ifndef EDGEFW_BPF_BLOCKLIST_H
#define EDGEFW_BPF_BLOCKLIST_H

#include "maps.h"
#include "parse.h"

/* Nested entries looked through past expired ones; more is unusual. */
#define BLOCK_NESTING 4

static __always_inline bool blocklist_empty(void)
{
	__u32 zero = 0;
	struct edgefw_control *ctl = bpf_map_lookup_elem(&control, &zero);

	return !ctl || !ctl->nr_blocked;
}

static __always_inline bool blocked(const struct packet *p)
{
	struct edgefw_set_key key = {
		.family = p->family,
		.addr = p->src,
	};
	__u64 now = 0;
	int i;

	if (blocklist_empty())
		return false;
	key.prefixlen =
		EDGEFW_SET_KEY_BITS(p->family == EDGEFW_FAMILY_IPV4 ? 32 : 128);
	for (i = 0; i < BLOCK_NESTING; i++) {
		struct edgefw_block *b = bpf_map_lookup_elem(&blocklist, &key);

		if (!b)
			return false;
		if (!b->expires_ns)
			return true;
		if (!now)
			now = bpf_ktime_get_boot_ns();
		if (now < b->expires_ns)
			return true;
		/* expired: does a shorter prefix cover the source too? */
		if (b->prefixlen <= EDGEFW_SET_KEY_BITS(0))
			return false;
		key.prefixlen = b->prefixlen - 1;
	}
	return false;
}

#endif
