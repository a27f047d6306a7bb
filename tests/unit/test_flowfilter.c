// SPDX-License-Identifier: GPL-2.0
/*
 * The flow filter's rebuild against inserts that race it, on real maps:
 * an inserter thread does what the programs do (insert a flow, then set
 * its bit in both halves), over and over for the same flows taken out and
 * put back, while the main thread rebuilds again and again;
 * after every rebuild each flow of the table that was inserted before the
 * rebuild returned has its bit in the half asked (looked at while the
 * inserter waits between two flows: a flow's bit follows its insert, as
 * in the programs, and a look between the two finds it on its way; the
 * CI run of 2bdba18 failed so under the sanitizers), and a checker thread
 * finds the bit of every flow that stays in the table in the half asked
 * at every moment of the rebuilds. Also the layout's
 * sizes, and the hash's spread: the bits a table of random flows sets are
 * those of uniform hashing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
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
/*
 * The main thread's request that the inserter wait between two keys, and
 * the inserter's answer that it waits: a key it re-inserts has its bits
 * set only after the insert (as in the programs), so a check that ran
 * between the two would count a flow whose bits are on their way.
 */
static volatile int pause_asked, paused;
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

static __u64 hash_of(const struct edgefw_flow_key4 *k)
{
	return edgefw_flow_filter_hash((const __u32 *)k, sizeof(*k) / 4);
}

static __u64 *word_of(__u64 h)
{
	return &words[edgefw_flow_filter_word(log2_bits, 0, h)];
}

/* The key's bits in both halves: what bpf/flowfilter.h's insert sets. */
static __u64 both_halves(__u64 h)
{
	return edgefw_flow_filter_mask(log2_bits, 0, h) |
	       edgefw_flow_filter_mask(log2_bits, 1, h);
}

/* Whether word w holds the bits of hash h in the half state asks. */
static bool asked_has(__u64 state, __u64 w, __u64 h)
{
	__u64 m = edgefw_flow_filter_mask(log2_bits,
					  state & EDGEFW_FLOW_FILTER_ACTIVE, h);

	return (w & m) == m;
}

static void *inserter(void *arg)
{
	struct edgefw_flow v = { .state = EDGEFW_FLOW_ESTABLISHED };

	(void)arg;
	/* all the keys, then again each taken out and put back: churn */
	for (int i = 0; !stop; i = (i + 1) % NR_FLOWS) {
		struct edgefw_flow_key4 k = key_of(i);
		__u64 h = hash_of(&k);

		while (__atomic_load_n(&pause_asked, __ATOMIC_ACQUIRE) &&
		       !stop) {
			__atomic_store_n(&paused, 1, __ATOMIC_RELEASE);
			sched_yield();
		}
		__atomic_store_n(&paused, 0, __ATOMIC_RELEASE);

		bpf_map_delete_elem(flows4_fd, &k);
		if (bpf_map_update_elem(flows4_fd, &k, &v, BPF_NOEXIST))
			continue;
		/* bpf/flowfilter.h's flow_filter_add: after the insert */
		__atomic_fetch_or(word_of(h), both_halves(h), __ATOMIC_RELAXED);
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
			__u64 h = hash_of(&k);
			__u64 s = __atomic_load_n(&words[0], __ATOMIC_ACQUIRE);
			__u64 w = __atomic_load_n(word_of(h), __ATOMIC_ACQUIRE);

			if (!asked_has(s, w, h) &&
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
		__u64 h = hash_of(&k);

		if (bpf_map_update_elem(flows4_fd, &k, &v, BPF_NOEXIST))
			tap_bail("cannot insert a steady flow: %s",
				 strerror(errno));
		*word_of(h) |= both_halves(h);
	}
}

/* Once it returns, the inserter waits between two keys: none in flight. */
static void pause_inserter(void)
{
	__atomic_store_n(&pause_asked, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&paused, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* Going again before the next rebuild, which races with it. */
static void resume_inserter(void)
{
	__atomic_store_n(&pause_asked, 0, __ATOMIC_RELEASE);
	while (__atomic_load_n(&paused, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* Flows of keys below n in the table whose bit the half asked lacks. */
static int missing_bits(int n)
{
	__u64 state = __atomic_load_n(&words[0], __ATOMIC_ACQUIRE);
	struct edgefw_flow v;
	int missing = 0;

	for (int i = 0; i < n; i++) {
		struct edgefw_flow_key4 k = key_of(i);
		__u64 h = hash_of(&k);

		if (bpf_map_lookup_elem(flows4_fd, &k, &v) == 0 &&
		    !asked_has(state, *word_of(h), h))
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
	/* word 5 of 2^17, bits 3 and 7 of a half */
	__u64 h = 5ULL << 47 | 3ULL << 42 | 7ULL << 37;

	CHECK_EQ(edgefw_flow_filter_log2(EDGEFW_FLOW_MAX_ENTRIES), 22,
		 "262,144 flows: 2^22 bits a half, 16 a flow");
	CHECK_EQ(edgefw_flow_filter_log2(1000), 14,
		 "1,000 flows: 2^14 bits a half (1,024 flows' worth)");
	CHECK_EQ(edgefw_flow_filter_log2(1), 6,
		 "a flow table of one: two words a family");
	CHECK_EQ(
		edgefw_flow_filter_entries(22), 1 + 2 * 131072,
		"2^22 bits: the state word and two families' 131,072 words, each 32 bits of both halves");
	CHECK_EQ(edgefw_flow_filter_word(22, 1, h), 1 + 131072 + 5,
		 "the top 17 bits of the hash choose IPv6's word");
	CHECK_EQ(
		edgefw_flow_filter_mask(22, 0, h), 1ULL << 3 | 1ULL << 7,
		"the next ten its two bits in the first half, the word's low 32");
	CHECK_EQ(edgefw_flow_filter_mask(22, 1, h), 1ULL << 35 | 1ULL << 39,
		 "and in the second half, the word's high 32");
	CHECK_EQ(edgefw_flow_filter_log2(EDGEFW_FLOW_MAX_ENTRIES_LIMIT), 28,
		 "the largest flow table: 2^28 bits a half (64 MiB a family)");
}

/*
 * 262,144 random IPv4 flows in a half of 2^22 bits: a flow sets a given
 * bit with probability (1 - (31/32)^2) / 2^17, so 1 - (1 - that)^262144
 * of them are set, 11.578%; a key that is not a flow finds both its bits
 * set with probability 1.957% (the number of flows in a word is Poisson
 * with mean 2: the sum over it of 1/32 of the share of the word's bits
 * set, when the two bits coincide, and else of 1 - 2 (31/32)^2k +
 * (30/32)^2k).
 */
static void check_spread(void)
{
	struct edgefw_flow_key4 k = { .ifindex = 2, .proto = IPPROTO_TCP };
	size_t n = EDGEFW_FLOW_MAX_ENTRIES, set = 0, hits = 0;
	size_t probes = 1000000;
	__u32 log2 = edgefw_flow_filter_log2(n);
	__u64 *w = calloc(edgefw_flow_filter_entries(log2), 8);
	double want = (1ULL << log2) * 0.1157778, want_fp = 0.01957;

	srand(5269);
	k.local = htonl(0xc6336400 + 10);
	k.local_port = htons(5269);
	for (size_t i = 0; i < n; i++) {
		__u64 h;

		k.remote = (__u32)rand() ^ (__u32)rand() << 16;
		k.remote_port = (__u16)rand();
		h = edgefw_flow_filter_hash((const __u32 *)&k, 5);
		w[edgefw_flow_filter_word(log2, 0, h)] |=
			edgefw_flow_filter_mask(log2, 0, h);
	}
	for (size_t i = 0; i < edgefw_flow_filter_words(log2); i++)
		set += __builtin_popcountll(w[1 + i]);
	CHECK(set > want * 0.99 && set < want * 1.01,
	      "262,144 random flows set %zu of 2^22 bits; uniform hashing sets %.0f (within 1%%)",
	      set, want);
	k.local = htonl(0xc6336400 + 11); /* another address: no flow */
	for (size_t i = 0; i < probes; i++) {
		__u64 h, m;

		k.remote = (__u32)rand() ^ (__u32)rand() << 16;
		k.remote_port = (__u16)rand();
		h = edgefw_flow_filter_hash((const __u32 *)&k, 5);
		m = edgefw_flow_filter_mask(log2, 0, h);
		hits += (w[edgefw_flow_filter_word(log2, 0, h)] & m) == m;
	}
	CHECK(hits > probes * want_fp * 0.9 && hits < probes * want_fp * 1.1,
	      "of %zu keys without a flow, %zu (%.3f%%) find both bits set; uniform hashing: %.3f%% (within 10%%)",
	      probes, hits, 100.0 * hits / probes, 100 * want_fp);
	free(w);
}

static void check_racing_inserts(void)
{
	int worst = 0, flips = 0, failed = 0;
	pthread_t t, checker;

	/* room to spare: an LRU table evicts before it is full */
	make_maps(2 * (NR_FLOWS + NR_STEADY));
	CHECK(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd) == 0 &&
		      words[0] == (EDGEFW_FLOW_FILTER_READY | 1 |
				   EDGEFW_FLOW_FILTER_LAYOUT
					   << EDGEFW_FLOW_FILTER_LAYOUT_SHIFT),
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
		pause_inserter();
		missing = missing_bits(n);
		resume_inserter();
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
		"after every rebuild, every flow inserted before it returned has its bit in the half asked (looked at between two inserts)");
	CHECK(inserted == NR_FLOWS,
	      "the inserter went through all %d flows meanwhile", inserted);
	CHECK(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd) == 0 &&
		      missing_bits(inserted) == 0,
	      "and after the last, all %d", inserted);
	free_maps();
}

/* A filter ready in another layout is neither read nor built anew. */
static void check_other_layout(void)
{
	struct flow_filter_fill fill;
	__u64 other = EDGEFW_FLOW_FILTER_READY |
		      (EDGEFW_FLOW_FILTER_LAYOUT + 1)
			      << EDGEFW_FLOW_FILTER_LAYOUT_SHIFT;

	make_maps(1024);
	words[0] = other;
	words[1] = 1;
	CHECK_EQ(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd), -EPROTO,
		 "a filter ready in another layout is not built anew: -EPROTO");
	CHECK(words[0] == other && words[1] == 1, "... and is left as it was");
	CHECK_EQ(flow_filter_read(filter_fd, &fill), -EPROTO,
		 "... nor read: -EPROTO");
	CHECK_EQ(flow_filter_refresh(filter_fd, flows4_fd, flows6_fd, &fill),
		 -EPROTO, "... nor refreshed: -EPROTO");
	words[0] = 0;
	CHECK(flow_filter_rebuild(filter_fd, flows4_fd, flows6_fd) == 0 &&
		      EDGEFW_FLOW_FILTER_LAYOUT_OF(words[0]) ==
			      EDGEFW_FLOW_FILTER_LAYOUT,
	      "one not ready (new) is built anew in this layout");
	free_maps();
}

int main(void)
{
	check_layout();
	check_spread();
	check_other_layout();
	check_racing_inserts();
	return tap_done();
}
