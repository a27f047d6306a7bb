// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "blockmap.h"
#include "prefix_list.h"
#include "log.h"

int64_t wall_now(void)
{
	return time(NULL);
}

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * EDGEFW_NSEC_PER_SEC + ts.tv_nsec;
}

/* The data plane compares with bpf_ktime_get_boot_ns(): convert. */
static __u64 expiry_ns(int64_t expires)
{
	int64_t left;

	if (!expires)
		return 0;
	left = expires - wall_now();
	return boot_ns() + (left > 0 ? (__u64)left * EDGEFW_NSEC_PER_SEC : 0) +
	       1; /* never 0, which means "never" */
}

int blockmap_put(int map_fd, const struct block_entry *e)
{
	struct edgefw_set_key key;
	struct edgefw_block val = { .expires_ns = expiry_ns(e->expires) };

	prefix_set_key(&e->prefix, 0, &key);
	val.prefixlen = key.prefixlen;
	return bpf_map_update_elem(map_fd, &key, &val, BPF_ANY) ? -errno : 0;
}

int blockmap_del(int map_fd, const struct prefix *p)
{
	struct edgefw_set_key key;

	prefix_set_key(p, 0, &key);
	if (bpf_map_delete_elem(map_fd, &key) && errno != ENOENT)
		return -errno;
	return 0;
}

int blockmap_set_count(int control_fd, size_t n)
{
	struct edgefw_control ctl = { .nr_blocked = n };
	__u32 zero = 0;

	return bpf_map_update_elem(control_fd, &zero, &ctl, BPF_ANY) ? -errno
								     : 0;
}

int blockmap_fill(int map_fd, int control_fd, const struct blocks *b)
{
	for (size_t i = 0; i < b->n; i++) {
		int err = blockmap_put(map_fd, &b->v[i]);

		if (err) {
			char buf[PREFIX_STRLEN];

			prefix_format(&b->v[i].prefix, buf, sizeof(buf));
			log_err("cannot block %s: %s", buf, strerror(-err));
			return -1;
		}
	}
	if (blockmap_set_count(control_fd, b->n)) {
		log_err("cannot update the blocklist's control block: %s",
			strerror(errno));
		return -1;
	}
	return 0;
}

int blockmap_sync(int map_fd, int control_fd, const struct blocks *b)
{
	struct edgefw_set_key key, next, *prev = NULL;
	struct prefix_list stale = {};
	int err = 0;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		struct prefix p;

		key = next;
		prev = &key;
		prefix_from_set_key(&key, &p);
		if (!blocks_find((struct blocks *)b, &p))
			plist_add(&stale, &p);
	}
	for (size_t i = 0; i < stale.n && !err; i++)
		err = blockmap_del(map_fd, &stale.v[i]);
	for (size_t i = 0; i < b->n && !err; i++)
		err = blockmap_put(map_fd, &b->v[i]);
	if (!err)
		err = blockmap_set_count(control_fd, b->n);
	plist_free(&stale);
	return err;
}
