// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "edgefw.h"
#include "flowfilter.h"
#include "log.h"
#include "maps.h"
#include "pins.h"

struct mapped_filter {
	uint64_t *w;
	size_t len;
	unsigned int log2;
};

/* The log2 whose layout has max_entries words, or 0. */
static unsigned int log2_of(uint32_t max_entries)
{
	for (unsigned int log2 = EDGEFW_FLOW_FILTER_HALF_WORD_LOG2 + 1;
	     log2 <= 32; log2++) {
		if (edgefw_flow_filter_entries(log2) == max_entries)
			return log2;
		if (edgefw_flow_filter_entries(log2) > max_entries)
			break;
	}
	return 0;
}

/* READY in this layout, or not yet READY (a new filter). */
static bool state_fits(uint64_t state)
{
	return !(state & EDGEFW_FLOW_FILTER_READY) ||
	       EDGEFW_FLOW_FILTER_LAYOUT_OF(state) == EDGEFW_FLOW_FILTER_LAYOUT;
}

static int filter_map(int fd, struct mapped_filter *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	m->log2 = log2_of(info.max_entries);
	if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != 8 ||
	    !(info.map_flags & BPF_F_MMAPABLE) || !m->log2)
		return -EINVAL;
	m->len = ((size_t)info.max_entries * 8 + page - 1) / page * page;
	m->w = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m->w == MAP_FAILED)
		return -errno;
	if (!state_fits(__atomic_load_n(&m->w[0], __ATOMIC_ACQUIRE))) {
		munmap(m->w, m->len);
		return -EPROTO;
	}
	return 0;
}

bool flow_filter_fits(int filter_fd, uint32_t max_flows)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0;
	__u64 state;

	if (!max_flows || bpf_obj_get_info_by_fd(filter_fd, &info, &len))
		return true; /* the load that uses it will say */
	if (!bpf_map_lookup_elem(filter_fd, &zero, &state) &&
	    !state_fits(state))
		return false;
	return (info.map_flags & BPF_F_MMAPABLE) &&
	       info.max_entries == edgefw_flow_filter_entries(
					   edgefw_flow_filter_log2(max_flows));
}

static uint64_t *words_of(const struct mapped_filter *m, unsigned int ipv6)
{
	return m->w + 1 + ipv6 * edgefw_flow_filter_words(m->log2);
}

int flow_filter_read(int filter_fd, struct flow_filter_fill *out)
{
	struct mapped_filter m;
	uint64_t state;
	int err = filter_map(filter_fd, &m);

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	state = __atomic_load_n(&m.w[0], __ATOMIC_ACQUIRE);
	out->ready = state & EDGEFW_FLOW_FILTER_READY;
	out->half = state & EDGEFW_FLOW_FILTER_ACTIVE;
	out->bits = (uint64_t)1 << m.log2;
	for (unsigned int ipv6 = 0; ipv6 < 2; ipv6++) {
		const uint64_t *w = words_of(&m, ipv6);

		for (size_t i = 0; i < edgefw_flow_filter_words(m.log2); i++)
			out->set[ipv6] += __builtin_popcountll(
				__atomic_load_n(&w[i], __ATOMIC_RELAXED) &
				EDGEFW_FLOW_FILTER_HALF_BITS(out->half));
	}
	munmap(m.w, m.len);
	return 0;
}

struct filling {
	const struct mapped_filter *m;
	unsigned int ipv6, half;
	size_t key_words;
};

static void set_bits_of(const void *key, void *ctx)
{
	const struct filling *f = ctx;
	__u32 w[sizeof(struct edgefw_flow_key6) / 4];
	uint64_t h;

	memcpy(w, key, f->key_words * 4);
	h = edgefw_flow_filter_hash(w, f->key_words);
	__atomic_fetch_or(
		&f->m->w[edgefw_flow_filter_word(f->m->log2, f->ipv6, h)],
		edgefw_flow_filter_mask(f->m->log2, f->half, h),
		__ATOMIC_RELAXED);
}

int flow_filter_rebuild(int filter_fd, int flows4_fd, int flows6_fd)
{
	const int flows_fd[2] = { flows4_fd, flows6_fd };
	const size_t key_words[2] = { sizeof(struct edgefw_flow_key4) / 4,
				      sizeof(struct edgefw_flow_key6) / 4 };
	struct mapped_filter m;
	unsigned int other;
	int err = filter_map(filter_fd, &m);

	if (err)
		return err;
	other = !(__atomic_load_n(&m.w[0], __ATOMIC_ACQUIRE) &
		  EDGEFW_FLOW_FILTER_ACTIVE);
	/*
	 * Cleared before the walk: a bit that an insert set and this clears
	 * belongs to a flow that is in its table before the walk begins.
	 * An AND: the same words hold the half asked, which inserts set.
	 */
	for (unsigned int ipv6 = 0; ipv6 < 2; ipv6++) {
		uint64_t *w = words_of(&m, ipv6);

		for (size_t i = 0; i < edgefw_flow_filter_words(m.log2); i++)
			__atomic_fetch_and(&w[i],
					   ~EDGEFW_FLOW_FILTER_HALF_BITS(other),
					   __ATOMIC_RELAXED);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned int ipv6 = 0; ipv6 < 2 && !err; ipv6++) {
		struct filling f = { &m, ipv6, other, key_words[ipv6] };

		err = map_walk(flows_fd[ipv6], set_bits_of, &f);
	}
	if (!err)
		__atomic_store_n(
			&m.w[0],
			EDGEFW_FLOW_FILTER_READY | other |
				EDGEFW_FLOW_FILTER_LAYOUT
					<< EDGEFW_FLOW_FILTER_LAYOUT_SHIFT,
			__ATOMIC_SEQ_CST);
	munmap(m.w, m.len);
	return err;
}

int flow_filter_refresh(int filter_fd, int flows4_fd, int flows6_fd,
			struct flow_filter_fill *before)
{
	int err = flow_filter_read(filter_fd, before);

	if (err)
		return err;
	if (before->ready && before->set[0] <= before->bits / 4 &&
	    before->set[1] <= before->bits / 4)
		return 0;
	err = flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd);
	return err ? err : 1;
}

#define FILTER_MAP_BITS \
	(MAP_BIT(MAP_FLOW_FILTER) | MAP_BIT(MAP_FLOWS4) | MAP_BIT(MAP_FLOWS6))

int flow_filter_refresh_pinned(const struct paths *p,
			       struct flow_filter_fill *before)
{
	struct map_fds m;
	int rc;

	memset(before, 0, sizeof(*before));
	if (pins_open_maps(p, FILTER_MAP_BITS, PINS_MISSING_OK, &m))
		return errno == ENOENT ? 0 : -1;
	rc = flow_filter_refresh(m.fd[MAP_FLOW_FILTER], m.fd[MAP_FLOWS4],
				 m.fd[MAP_FLOWS6], before);
	if (rc == -EPROTO) {
		log_err("%s/flow_filter is an older edgefw's (another layout): 'edgefw reload' replaces it",
			p->pin_dir);
		rc = -1;
	} else if (rc < 0) {
		log_err("cannot refresh the flow filter: %s", strerror(-rc));
		rc = -1;
	}
	map_fds_close(&m);
	return rc;
}
