// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "log.h"
#include "set6cache.h"

int set6_cache_map(int fd, struct set6_cache *c)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);

	c->e = NULL;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		log_err("cannot read the IPv6 index's cache: %s",
			strerror(errno));
		return -1;
	}
	/* the data plane finds an entry by a hash of this many */
	if (info.type != BPF_MAP_TYPE_ARRAY ||
	    info.value_size != sizeof(*c->e) ||
	    info.max_entries != EDGEFW_SET6_CACHE_ENTRIES ||
	    !(info.map_flags & BPF_F_MMAPABLE)) {
		log_err("the IPv6 index's cache is not this edgefw's (%u entries of %u bytes; this edgefw's are %u of %zu, mapped): 'edgefw reload' replaces it",
			info.max_entries, info.value_size,
			EDGEFW_SET6_CACHE_ENTRIES, sizeof(*c->e));
		return -1;
	}
	c->len = ((size_t)info.max_entries * sizeof(*c->e) + page - 1) / page *
		 page;
	c->e = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->e == MAP_FAILED) {
		c->e = NULL;
		log_err("cannot map the IPv6 index's cache: %s",
			strerror(errno));
		return -1;
	}
	return 0;
}

void set6_cache_unmap(struct set6_cache *c)
{
	if (c->e)
		munmap(c->e, c->len);
	c->e = NULL;
}

/*
 * The seqlock's writer: seq odd, then the entry, then seq even again,
 * each store ordered after the one before it (the fences are barriers
 * for the CPU where it reorders stores, and for the compiler).
 */
static void entry_write(struct edgefw_set6_cached *e,
			const struct edgefw_set6_cached *to)
{
	__u32 seq = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&e->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->tag = to->tag;
	e->nr = to->nr;
	memcpy(e->tail, to->tail, sizeof(e->tail));
	memcpy(e->mask, to->mask, sizeof(e->mask));
	__atomic_store_n(&e->seq, seq + 2, __ATOMIC_RELEASE);
}

bool set6_cache_entry(__u64 key, const struct edgefw_set6_head *head,
		      struct edgefw_set6_cached *out)
{
	*out = (struct edgefw_set6_cached){ .tag = key | EDGEFW_SET6_CACHED,
					    .nr = 1 };
	if (head->state == EDGEFW_SET6_ALL)
		return true;
	if (head->state != EDGEFW_SET6_INLINE || !head->nr ||
	    head->nr > EDGEFW_SET6_INLINE_MAX)
		return false;
	out->nr = head->nr;
	for (int i = 0; i < head->nr; i++) {
		for (int w = 0; w < EDGEFW_SET6_TAIL_WORDS; w++) {
			__u32 mask =
				edgefw_mask_word_be(head->inline_len[i], w + 1);

			out->mask[i][w] = mask;
			out->tail[i][w] = head->tail[i][w] & mask;
		}
	}
	return true;
}

static bool same_entry(const struct edgefw_set6_cached *a,
		       const struct edgefw_set6_cached *b)
{
	return a->tag == b->tag && a->nr == b->nr &&
	       !memcmp(a->tail, b->tail, sizeof(a->tail)) &&
	       !memcmp(a->mask, b->mask, sizeof(a->mask));
}

void set6_cache_put(struct set6_cache *c, __u64 key,
		    const struct edgefw_set6_head *head)
{
	struct edgefw_set6_cached *e = &c->e[edgefw_set6_cache_index(key)];
	struct edgefw_set6_cached to;

	if (!set6_cache_entry(key, head, &to)) {
		set6_cache_drop(c, key);
		return;
	}
	if (e->tag != to.tag && e->tag)
		return; /* another key's */
	if (!same_entry(e, &to))
		entry_write(e, &to);
}

void set6_cache_drop(struct set6_cache *c, __u64 key)
{
	static const struct edgefw_set6_cached none;
	struct edgefw_set6_cached *e = &c->e[edgefw_set6_cache_index(key)];

	if (e->tag == (key | EDGEFW_SET6_CACHED))
		entry_write(e, &none);
}
