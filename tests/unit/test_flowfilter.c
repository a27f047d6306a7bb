// SPDX-License-Identifier: GPL-2.0
/*
 * The flow filter's rebuild against inserts that race it, on real maps:
 * an inserter thread does what the programs do (insert a flow, then set
 * its bit in both halves), over and over for the same flows taken out and
 * put back, while the main thread rebuilds again and again;
 * after every rebuild each flow of the table that was inserted before the
 * rebuild returned has its bit in the half asked. Also the layout's
 * sizes, and the hash's spread: the bits a table of random flows sets are
 * those of uniform hashing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "edgefw.h"
#include "flowfilter.h"
#include "tap.h"

#define NR_FLOWS 16384
#define NR_REBUILDS 100

static int filter_fd, flows4_fd, flows6_fd;
static __u32 log2_bits;
static __u64 *words;
static size_t words_len;
static volatile int inserted; /* keys 0..inserted-1 are in, bits set */
static volatile int stop;

static struct edgefw_flow_key4 key_of(int i)
{
	return (struct edgefw_flow_key4){
		.local = htonl(0xc6336400 + 10),
		.remote = htonl(0x0a000000 + (__u32)i),
		.ifindex = 3,
		.local_port = htons(5269),
		.remote_port = htons(40000 + i % 20000),
		.proto = IPPROTO_TCP,
	};
}

static __u32 bit_of(const struct edgefw_flow_key4 *k)
{
	return edgefw_flow_filter_bit((const __u32 *)k, sizeof(*k) / 4,
				      log2_bits);
}

static void *inserter(void *arg)
{
	struct edgefw_flow v = { .state = EDGEFW_FLOW_ESTABLISHED };

	(void)arg;
	/* all the keys, then again each taken out and put back: churn */
	for (int i = 0; !stop; i = (i + 1) % NR_FLOWS) {
		struct edgefw_flow_key4 k = key_of(i);
		__u32 bit = bit_of(&k);

		bpf_map_delete_elem(flows4_fd, &k);
		if (bpf_map_update_elem(flows4_fd, &k, &v, BPF_NOEXIST))
			continue;
		/* bpf/flowfilter.h's flow_filter_add: after the insert */
		for (int half = 0; half < 2; half++)
			__atomic_fetch_or(&words[edgefw_flow_filter_word(
						  log2_bits, 0, half, bit)],
					  1ULL << (bit & 63), __ATOMIC_RELAXED);
		if (i + 1 > inserted)
			__atomic_store_n(&inserted, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Flows of keys below n in the table whose bit the half asked lacks. */
static int missing_bits(int n)
{
	__u64 state = __atomic_load_n(&words[0], __ATOMIC_ACQUIRE);
	struct edgefw_flow v;
	int missing = 0;

	for (int i = 0; i < n; i++) {
		struct edgefw_flow_key4 k = key_of(i);
		__u32 bit = bit_of(&k);
		__u64 w = words[edgefw_flow_filter_word(
			log2_bits, 0, state & EDGEFW_FLOW_FILTER_ACTIVE, bit)];

		if (bpf_map_lookup_elem(flows4_fd, &k, &v) == 0 &&
		    !(w >> (bit & 63) & 1))
			missing++;
	}
	return missing;
}

static void make_maps(__u32 max_flows)
{
	LIBBPF_OPTS(bpf_map_create_opts, mmapable, .map_flags = BPF_F_MMAPABLE);
	long page = sysconf(_SC_PAGESIZE);
	__u32 entries;

	log2_bits = edgefw_flow_filter_log2(max_flows);
	entries = edgefw_flow_filter_entries(log2_bits);
	filter_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "flow_filter", 4, 8,
				   entries, &mmapable);
	flows4_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "flows4",
				   sizeof(struct edgefw_flow_key4),
				   sizeof(struct edgefw_flow), max_flows, NULL);
	flows6_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "flows6",
				   sizeof(struct edgefw_flow_key6),
				   sizeof(struct edgefw_flow), max_flows, NULL);
	if (filter_fd < 0 || flows4_fd < 0 || flows6_fd < 0)
		tap_bail("cannot create the maps: %s", strerror(errno));
	words_len = ((size_t)entries * 8 + page - 1) / page * page;
	words = mmap(NULL, words_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     filter_fd, 0);
	if (words == MAP_FAILED)
		tap_bail("cannot map the filter: %s", strerror(errno));
}

static void free_maps(void)
{
	munmap(words, words_len);
	close(filter_fd);
	close(flows4_fd);
	close(flows6_fd);
}

static void check_layout(void)
{
	CHECK_EQ(edgefw_flow_filter_log2(EDGEFW_FLOW_MAX_ENTRIES), 21,
		 "262,144 flows: 2^21 bits a half, 8 a flow");
	CHECK_EQ(edgefw_flow_filter_log2(1000), 13,
		 "1,000 flows: 2^13 bits a half (1,024 flows' worth)");
	CHECK_EQ(edgefw_flow_filter_entries(21), 1 + 4 * 32768,
		 "2^21 bits: the state word and four halves of 32,768 words");
	CHECK_EQ(edgefw_flow_filter_word(21, 1, 1, 64 * 5 + 3),
		 1 + 3 * 32768 + 5,
		 "the word of bit 323 of IPv6's second half");
	CHECK_EQ(edgefw_flow_filter_log2(EDGEFW_FLOW_MAX_ENTRIES_LIMIT), 27,
		 "the largest flow table: 2^27 bits a half (16 MiB)");
}

/* 262,144 random IPv4 flows in 2^21 bits: 1 - e^(-1/8) of them set. */
static void check_spread(void)
{
	struct edgefw_flow_key4 k = { .ifindex = 2, .proto = IPPROTO_TCP };
	size_t n = EDGEFW_FLOW_MAX_ENTRIES, set = 0;
	__u32 log2 = edgefw_flow_filter_log2(n);
	__u64 *bits = calloc((1ULL << log2) / 64, 8);
	double want = (1ULL << log2) * 0.117503; /* 1 - e^(-1/8) */

	srand(5269);
	for (size_t i = 0; i < n; i++) {
		__u32 bit;

		k.local = htonl(0xc6336400 + 10);
		k.remote = (__u32)rand() ^ (__u32)rand() << 16;
		k.local_port = htons(5269);
		k.remote_port = (__u16)rand();
		bit = edgefw_flow_filter_bit((const __u32 *)&k, 5, log2);
		bits[bit / 64] |= 1ULL << (bit % 64);
	}
	for (size_t i = 0; i < (1ULL << log2) / 64; i++)
		set += __builtin_popcountll(bits[i]);
	CHECK(set > want * 0.99 && set < want * 1.01,
	      "262,144 random flows set %zu of 2^21 bits; uniform hashing sets %.0f (within 1%%)",
	      set, want);
	free(bits);
}

static void check_racing_inserts(void)
{
	int worst = 0, flips = 0, failed = 0;
	pthread_t t;

	make_maps(NR_FLOWS);
	CHECK(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd) == 0 &&
		      words[0] == (EDGEFW_FLOW_FILTER_READY | 1),
	      "a rebuild of empty tables makes half 1 ready");
	pthread_create(&t, NULL, inserter, NULL);
	for (int r = 0; r < NR_REBUILDS; r++) {
		__u64 before = words[0];
		int n, missing;

		if (flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd))
			failed++;
		flips += (words[0] ^ before) == EDGEFW_FLOW_FILTER_ACTIVE;
		n = __atomic_load_n(&inserted, __ATOMIC_ACQUIRE);
		missing = missing_bits(n);
		if (missing > worst)
			worst = missing;
	}
	stop = 1;
	pthread_join(t, NULL);
	CHECK_EQ(failed, 0, "%d rebuilds while flows are inserted succeed",
		 NR_REBUILDS);
	CHECK_EQ(flips, NR_REBUILDS, "each rebuild flips the half asked");
	CHECK_EQ(
		worst, 0,
		"after every rebuild, every flow inserted before it returned has its bit in the half asked");
	CHECK(inserted == NR_FLOWS,
	      "the inserter went through all %d flows meanwhile", inserted);
	CHECK(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd) == 0 &&
		      missing_bits(inserted) == 0,
	      "and after the last, all %d", inserted);
	free_maps();
}

int main(void)
{
	check_layout();
	check_spread();
	check_racing_inserts();
	return tap_done();
}
