/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dynamic blocklist, checked first on ingress. While it is empty the
 * check is one array read. An entry's expiry already accounts for the
 * shorter entries that cover it (user space writes the longest), so the
 * longest match alone decides.
 */
#ifndef EDGEFW_BPF_BLOCKLIST_H
#define EDGEFW_BPF_BLOCKLIST_H

#include "keyword.h"
#include "maps.h"
#include "parse.h"

static __always_inline bool blocklist_empty(void)
{
	__u32 zero = 0;
	struct edgefw_control *ctl = bpf_map_lookup_elem(&control, &zero);

	return !ctl || !ctl->nr_blocked;
}

static __always_inline bool blocked(const struct packet *p)
{
	struct edgefw_set_key key;
	struct edgefw_block *b;

	if (blocklist_empty())
		return false;
	set_key_of(&key, 0, p->family, &p->src);
	b = bpf_map_lookup_elem(&blocklist, &key);
	return b && (!b->expires_ns || bpf_ktime_get_boot_ns() < b->expires_ns);
}

#endif
