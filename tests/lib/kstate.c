// SPDX-License-Identifier: GPL-2.0
/* A generation's flows, rate buckets and blocks on a virtual clock. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "blockmap.h"
#include "kstate.h"
#include "tap.h"
#include "util.h"

#define NSEC_PER_MSEC 1000000ULL

void kstate_init(struct kstate *k, const struct env *e)
{
	memset(k, 0, sizeof(*k));
	k->e = e;
	/* one map of each for every interface of a generation */
	k->rate_src_fd = gen_map_fd(e->g, MAP_RATE_SRC);
	k->rate_total_fd = gen_map_fd(e->g, MAP_RATE_TOTAL);
	k->blocklist_fd = gen_map_fd(e->g, MAP_BLOCKLIST);
	k->control_fd = gen_map_fd(e->g, MAP_CONTROL);
}

void kstate_free(struct kstate *k)
{
	blocks_free(&k->blocks);
}

static void sync_blocks(struct kstate *k)
{
	int err = blockmap_sync(k->blocklist_fd, k->control_fd, &k->blocks);

	if (err)
		tap_bail("cannot write the blocklist: %s", strerror(-err));
}

/* A TAT at or before now is a full bucket: 0 says so for any now. */
static void set_total_tat(struct kstate *k, __u32 rule, __u64 tat)
{
	if (bpf_map_update_elem(k->rate_total_fd, &rule, &tat, BPF_ANY))
		tap_bail("cannot write rate_total[%u]: %s", rule,
			 strerror(errno));
}

void kstate_reset(struct kstate *k)
{
	clear_flows(k->e);
	clear_map(k->rate_src_fd, sizeof(struct edgefw_rate_key));
	for (__u32 r = 0; r < k->e->c->nr_rules; r++) {
		if (k->e->c->rules[r].limit.kind == EDGEFW_LIMIT_TOTAL)
			set_total_tat(k, r, 0);
	}
	if (k->blocks.n) {
		k->blocks.n = 0;
		sync_blocks(k);
	}
}

static __u64 earlier(__u64 tat, __u64 ns)
{
	return tat > ns ? tat - ns : 0;
}

void kstate_age(struct kstate *k, __u64 ns)
{
	__u64 tat;

	if (ns % NSEC_PER_MSEC)
		tap_bail(
			"block expiries keep milliseconds: cannot age by %llu ns",
			(unsigned long long)ns);
	age_flows_ns(k->e, ns);
	age_map_times(k->rate_src_fd, sizeof(struct edgefw_rate_key),
		      sizeof(__u64), 0, ns, true);
	for (__u32 r = 0; r < k->e->c->nr_rules; r++) {
		if (k->e->c->rules[r].limit.kind != EDGEFW_LIMIT_TOTAL)
			continue;
		if (bpf_map_lookup_elem(k->rate_total_fd, &r, &tat))
			tap_bail("cannot read rate_total[%u]: %s", r,
				 strerror(errno));
		set_total_tat(k, r, earlier(tat, ns));
	}
	if (!k->blocks.n)
		return;
	/*
	 * Moved in the CLI's own terms, then written as the CLI writes them:
	 * blockmap_sync converts each expiry to the data plane's clock.
	 * 1 ms after the epoch is long past; 0 would mean "never".
	 */
	for (size_t i = 0; i < k->blocks.n; i++) {
		struct block_entry *b = &k->blocks.v[i];

		if (b->expires_ms)
			b->expires_ms =
				b->expires_ms > (int64_t)(ns / NSEC_PER_MSEC) +
							1
					? b->expires_ms -
						  (int64_t)(ns / NSEC_PER_MSEC)
					: 1;
	}
	sync_blocks(k);
}

void kstate_block(struct kstate *k, const struct prefix *p, __u64 ttl_ns)
{
	struct block_entry *b = blocks_find(&k->blocks, p);

	if (!b) {
		GROW(k->blocks.v, k->blocks.cap, k->blocks.n + 1);
		b = &k->blocks.v[k->blocks.n++];
	}
	memset(b, 0, sizeof(*b));
	b->prefix = *p;
	b->added_ms = wall_now_ms();
	if (ttl_ns)
		b->expires_ms = wall_now_ms() + ttl_ns / NSEC_PER_MSEC;
	sync_blocks(k);
}

void kstate_unblock(struct kstate *k, const struct prefix *p)
{
	struct block_entry *b = blocks_find(&k->blocks, p);

	if (!b)
		return;
	*b = k->blocks.v[--k->blocks.n];
	sync_blocks(k);
}
