// SPDX-License-Identifier: GPL-2.0
/*
 * The flow filter's rebuild against inserts that race it, on real maps:
 * an inserter thread does what the programs do (insert a flow, then set
 * its bit in both halves), over and over for the same flows taken out and
 * put back, while the main thread rebuilds again and again;
 * after every rebuild each flow of the table that was inserted before the
 * rebuild returned has its bit in the half asked, and a checker thread
 * finds the bit of every flow that stays in the table in the half asked
 * at every moment of the rebuilds. Also the layout's
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
#define NR_STEADY 4096 /* keys NR_FLOWS.. stay in the table throughout */
#define NR_REBUILDS 100

static int filter_fd, flows4_fd, flows6_fd;
static __u32 log2_bits;
static __u64 *words;
static size_t words_len;
static volatile int inserted; /* keys 0..inserted-1 are in, bits set */
static volatile int stop;
static long steady_checks, steady_missing;

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
		__atomic_fetch_or(
			&words[edgefw_flow_filter_word(log2_bits, 0, bit)],
			edgefw_flow_filter_mask(0, bit) |
				edgefw_flow_filter_mask(1, bit),
			__ATOMIC_RELAXED);
		if (i + 1 > inserted)
			__atomic_store_n(&inserted, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/*
 * What the programs see meanwhile: a steady flow whose bit the half asked
 * lacks, at any moment of a rebuild. A miss counts only when the state
 * word did not change around it: the half read was asked all along.
 */
static void *steady_checker(void *arg)
{
	(void)arg;
	while (!stop) {
		for (int i = NR_FLOWS; i < NR_FLOWS + NR_STEADY; i++) {
			struct edgefw_flow_key4 k = key_of(i);
			__u32 bit = bit_of(&k);
			__u64 s = __atomic_load_n(&words[0], __ATOMIC_ACQUIRE);
			__u64 w =
				__atomic_load_n(&words[edgefw_flow_filter_word(
							log2_bits, 0, bit)],
						__ATOMIC_ACQUIRE);

			if (!(w &
			      edgefw_flow_filter_mask(
				      s & EDGEFW_FLOW_FILTER_ACTIVE, bit)) &&
			    __atomic_load_n(&words[0], __ATOMIC_ACQUIRE) == s)
				steady_missing++;
			steady_checks++;
		}
	}
	return NULL;
}

static void insert_steady(void)
{
	struct edgefw_flow v = { .state = EDGEFW_FLOW_ESTABLISHED };

	for (int i = NR_FLOWS; i < NR_FLOWS + NR_STEADY; i++) {
		struct edgefw_flow_key4 k = key_of(i);
		__u32 bit = bit_of(&k);

		if (bpf_map_update_elem(flows4_fd, &k, &v, BPF_NOEXIST))
			tap_bail("cannot insert a steady flow: %s",
				 strerror(errno));
		words[edgefw_flow_filter_word(log2_bits, 0, bit)] |=
			edgefw_flow_filter_mask(0, bit) |
			edgefw_flow_filter_mask(1, bit);
	}
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
		__u64 w = words[edgefw_flow_filter_word(log2_bits, 0, bit)];

		if (bpf_map_lookup_elem(flows4_fd, &k, &v) == 0 &&
		    !(w & edgefw_flow_filter_mask(
				  state & EDGEFW_FLOW_FILTER_ACTIVE, bit)))
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
	CHECK_EQ(
		edgefw_flow_filter_entries(21), 1 + 2 * 65536,
		"2^21 bits: the state word and two families' 65,536 words, each 32 bits of both halves");
	CHECK_EQ(edgefw_flow_filter_word(21, 1, 32 * 5 + 3), 1 + 65536 + 5,
		 "the word of IPv6's bit 163");
	CHECK_EQ(edgefw_flow_filter_mask(1, 32 * 5 + 3), 1ULL << 35,
		 "bit 163 of the second half: bit 3 of the word's high 32");
	CHECK_EQ(edgefw_flow_filter_mask(0, 32 * 5 + 3), 1ULL << 3,
		 "bit 163 of the first half: bit 3 of the word's low 32");
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
	pthread_t t, checker;

	/* room to spare: an LRU table evicts before it is full */
	make_maps(2 * (NR_FLOWS + NR_STEADY));
	CHECK(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd) == 0 &&
		      words[0] == (EDGEFW_FLOW_FILTER_READY | 1),
	      "a rebuild of empty tables makes half 1 ready");
	insert_steady();
	pthread_create(&t, NULL, inserter, NULL);
	pthread_create(&checker, NULL, steady_checker, NULL);
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
	pthread_join(checker, NULL);
	CHECK(steady_checks > 100L * NR_STEADY,
	      "the checker looked %ld times at the steady flows' bits during the rebuilds",
	      steady_checks);
	CHECK_EQ(
		steady_missing, 0,
		"during the rebuilds, every steady flow has its bit in the half asked at every look");
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
