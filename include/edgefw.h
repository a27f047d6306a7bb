/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI between edgefw's BPF programs and its user space: every map key
 * and value, verdict reason and limit that both sides use is defined here
 * and nowhere else.
 */
#ifndef EDGEFW_H
#define EDGEFW_H

#include <linux/types.h>

/* Limits of one loaded configuration. */
#define EDGEFW_MAX_IFACES 32
#define EDGEFW_MAX_RULES 256 /* rule ids are __u8 */
#define EDGEFW_MAX_SETS 1024 /* named sets plus one per inline prefix */
#define EDGEFW_MAX_CLASSES 1024 /* candidate lists; a power of two */
#define EDGEFW_MAX_CANDIDATES 15 /* rules that may share one port */
#define EDGEFW_MAX_SELF_ADDRS 16 /* addresses of one interface */
#define EDGEFW_IPV6_MAX_EXT_HDRS 8 /* longer chains are malformed */

/* Sizes of the maps. */
#define EDGEFW_SET_MAX_ENTRIES (1U << 22) /* all sets together */
#define EDGEFW_BLOCK_MAX_ENTRIES (1U << 20)
#define EDGEFW_RATE_SRC_MAX_ENTRIES (1U << 16) /* per-source buckets, LRU */
#define EDGEFW_FLOW_MAX_ENTRIES (1U << 18) /* default; config: flows max N */
#define EDGEFW_FLOW_MIN_ENTRIES 1024
#define EDGEFW_FLOW_MAX_ENTRIES_LIMIT (1U << 24)
#define EDGEFW_PORT_KEYS (2U << 16) /* tcp and udp, 65536 ports each */

/* Rate limits this slow or slower use the coarse clock (see edgefw_rule). */
#define EDGEFW_COARSE_CLOCK_NS (20 * 1000000ULL)

/* Flow timeouts, after the conntrack and RFC 5382 defaults. */
#define EDGEFW_NSEC_PER_SEC 1000000000ULL
#define EDGEFW_FLOW_TIMEOUT_NEW (120 * EDGEFW_NSEC_PER_SEC)
#define EDGEFW_FLOW_TIMEOUT_ESTABLISHED (7440 * EDGEFW_NSEC_PER_SEC)
#define EDGEFW_FLOW_TIMEOUT_CLOSING (120 * EDGEFW_NSEC_PER_SEC) /* FIN */
#define EDGEFW_FLOW_TIMEOUT_RESET (10 * EDGEFW_NSEC_PER_SEC) /* RST */
#define EDGEFW_FLOW_TIMEOUT_UDP (60 * EDGEFW_NSEC_PER_SEC)
#define EDGEFW_FLOW_TIMEOUT_ICMP (30 * EDGEFW_NSEC_PER_SEC) /* echo */
/* A live flow's timestamp is rewritten at most this often. */
#define EDGEFW_FLOW_REFRESH_NS EDGEFW_NSEC_PER_SEC

enum edgefw_dir {
	EDGEFW_DIR_IN, /* XDP, ingress */
	EDGEFW_DIR_OUT, /* TC, egress */
	EDGEFW_NR_DIRS,
};

enum edgefw_role {
	EDGEFW_ROLE_EXTERNAL,
	EDGEFW_ROLE_INTERNAL,
	EDGEFW_NR_ROLES,
};

/* The index of a (role, direction) pair in struct edgefw_port_classes. */
#define EDGEFW_ROLEDIR(role, dir) ((role)*EDGEFW_NR_DIRS + (dir))
#define EDGEFW_NR_ROLEDIRS (EDGEFW_NR_ROLES * EDGEFW_NR_DIRS)

enum edgefw_mode {
	EDGEFW_MODE_ENFORCE,
	EDGEFW_MODE_MONITOR, /* count would-be drops, drop nothing */
};

enum edgefw_action {
	EDGEFW_ACT_DROP,
	EDGEFW_ACT_PASS,
};

/*
 * ICMP errors (unreachable, time exceeded, parameter problem, packet too
 * big): RELATED passes those that quote a packet of a tracked flow, as
 * conntrack does; ANY passes path-MTU errors from anyone (and the rules
 * judge the rest), as edgefw did before it tracked them.
 */
enum edgefw_icmp_errors {
	EDGEFW_ICMP_ERRORS_RELATED,
	EDGEFW_ICMP_ERRORS_ANY,
};

/*
 * Why a packet was passed or dropped. A verdict is a counter slot: either
 * one of these reasons or EDGEFW_NR_REASONS + the id of the admitting rule.
 */
enum edgefw_reason {
	EDGEFW_PASS_REPLY, /* part of a tracked flow */
	EDGEFW_PASS_RELATED, /* an ICMP error about a tracked flow */
	EDGEFW_PASS_ESSENTIAL, /* ARP, neighbour discovery, MLD, PMTU errors */
	EDGEFW_PASS_FRAGMENT, /* non-first fragment, fragments allowed */
	EDGEFW_PASS_POLICY, /* no rule matched, the policy passes */
	EDGEFW_DROP_MALFORMED,
	EDGEFW_DROP_FRAGMENT,
	EDGEFW_DROP_BLOCKED, /* source on the blocklist */
	EDGEFW_DROP_RATELIMIT, /* the admitting rule's limit is spent */
	EDGEFW_DROP_POLICY,
	EDGEFW_NR_REASONS,
};

#define EDGEFW_FIRST_DROP EDGEFW_DROP_MALFORMED
#define EDGEFW_VERDICT_RULE(id) (EDGEFW_NR_REASONS + (id))

/* Whether a verdict drops the packet (in monitor mode: would drop it). */
static inline int edgefw_verdict_drops(__u32 verdict)
{
	return verdict >= EDGEFW_FIRST_DROP && verdict < EDGEFW_NR_REASONS;
}

/* TCP flags as the header's flags byte holds them (RFC 9293). */
#define EDGEFW_TCP_FIN 0x01
#define EDGEFW_TCP_SYN 0x02
#define EDGEFW_TCP_RST 0x04
#define EDGEFW_TCP_ACK 0x10

/* Counters: one slot per (interface, direction, reason or rule). */
#define EDGEFW_SLOTS_PER_DIR (EDGEFW_NR_REASONS + EDGEFW_MAX_RULES)
#define EDGEFW_COUNTER_INDEX(iface, dir, verdict) \
	(((iface)*EDGEFW_NR_DIRS + (dir)) * EDGEFW_SLOTS_PER_DIR + (verdict))
#define EDGEFW_NR_COUNTERS \
	(EDGEFW_MAX_IFACES * EDGEFW_NR_DIRS * EDGEFW_SLOTS_PER_DIR)

struct edgefw_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * What each rule's rate limit dropped, per (interface, direction, rule):
 * the counters count these as EDGEFW_DROP_RATELIMIT of the interface and
 * direction, which does not say whose limit it was.
 */
#define EDGEFW_LIMITED_INDEX(iface, dir, rule) \
	(((iface)*EDGEFW_NR_DIRS + (dir)) * EDGEFW_MAX_RULES + (rule))
#define EDGEFW_NR_LIMITED \
	(EDGEFW_MAX_IFACES * EDGEFW_NR_DIRS * EDGEFW_MAX_RULES)

/* An IPv4 address is stored in w[0], the rest zero. */
union edgefw_addr {
	__u8 b[16];
	__u32 w[4];
};

enum edgefw_family {
	EDGEFW_FAMILY_IPV4 = 4,
	EDGEFW_FAMILY_IPV6 = 6,
};

/*
 * The key of the LPM tries: the sets (one trie for all of them) and the
 * blocklist (set 0). The set id and the family are the first 32 bits of
 * the matched data, so a lookup only ever matches its own set and family;
 * prefixlen is 32 + the address prefix length.
 */
struct edgefw_set_key {
	__u32 prefixlen;
	__u16 set;
	__u8 family;
	__u8 pad;
	union edgefw_addr addr;
};

#define EDGEFW_SET_KEY_BITS(addr_bits) (32 + (addr_bits))

/*
 * A blocklist entry; expired entries are ignored until user space prunes.
 * expires_ns is the latest expiry of the entry and of the shorter entries
 * that cover it, so that the longest match alone decides.
 */
struct edgefw_block {
	__u64 expires_ns; /* bpf_ktime_get_boot_ns() time; 0: never */
};

/*
 * Drop events (bpf/events.h): what the data plane drops (in monitor mode:
 * would drop), streamed to its readers through ring buffers while they
 * listen. A BPF ring buffer has one consumer, so each reader has its own
 * ring, lease and buckets: `edgefw monitor` the events ring, the daemon's
 * drop summary (its top sources) the smaller samples ring, at a lower
 * rate. Each CPU keeps its own token bucket per reader (no shared write
 * on the packet path): a config's `events rate R/s burst B sample R/s
 * burst B` is divided among the possible CPUs. What a bucket refuses, and
 * what a full ring refuses, is counted per CPU and reader.
 */
enum edgefw_events_reader {
	EDGEFW_READER_MONITOR, /* edgefw monitor: ring events */
	EDGEFW_READER_SAMPLER, /* the daemon's drop summary: ring samples */
	EDGEFW_NR_READERS,
};

#define EDGEFW_EVENTS_RATE 1000 /* a second, all CPUs together */
#define EDGEFW_EVENTS_BURST 1000
#define EDGEFW_EVENTS_RING_BYTES (1U << 20) /* about 11,900 events */
#define EDGEFW_SAMPLES_RATE 100 /* a second, all CPUs together */
#define EDGEFW_SAMPLES_BURST 100
/* about 780 samples: the daemon drains them as they come */
#define EDGEFW_SAMPLES_RING_BYTES (1U << 16)
/* How long a reader's lease runs; the reader renews it every second. */
#define EDGEFW_EVENTS_LEASE_NS (5 * EDGEFW_NSEC_PER_SEC)

/*
 * The readers' leases, in one map value: a drop reads both in one look
 * while nobody listens. Each is 0 while its reader is away, else its
 * lease, in the time of bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC_
 * COARSE). The map is mmapped: each reader stores its own word alone
 * (an 8-byte atomic store), never the other's. A reader killed without
 * clearing its word is found out when its lease runs out: the data plane
 * then clears it (compare-and-swap), and the drop path is back to one
 * look.
 */
struct edgefw_events_ctl {
	__u64 listen_until_ns; /* EDGEFW_READER_MONITOR */
	__u64 sample_until_ns; /* EDGEFW_READER_SAMPLER */
};

/*
 * Per CPU and reader (the events_cpu map's key): the bucket and what it
 * and the ring let through or not.
 */
struct edgefw_events_cpu {
	__u64 tat_ns; /* GCRA: when this CPU's bucket is full again */
	__u64 emitted;
	__u64 limited; /* suppressed: the bucket was empty */
	__u64 ring_full; /* suppressed: the ring had no room */
};

#define EDGEFW_EVENT_NO_RULE 0xffff

/* struct edgefw_event.flags */
#define EDGEFW_EVENT_MONITOR 0x01 /* monitor mode: a would-be drop */

/* One dropped packet, as the ring buffer carries it. */
struct edgefw_event {
	__u64 time_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	union edgefw_addr src; /* as parsed; zero where parsing stopped */
	union edgefw_addr dst;
	__u32 ifindex;
	/* the generation's config: the first 32 bits of its SHA-256 */
	__u32 config_tag;
	__u32 len; /* the packet's length in bytes */
	__u16 slot; /* the interface's index in the config */
	/* the rule whose limit was spent (ratelimit), else EDGEFW_EVENT_NO_RULE */
	__u16 rule;
	__u16 sport; /* network byte order; an ICMP echo: its identifier */
	__u16 dport;
	__u16 vlan_tci[2]; /* network byte order, outer tag first */
	__u8 dir; /* enum edgefw_dir */
	__u8 reason; /* a drop reason (enum edgefw_reason) */
	__u8 flags; /* EDGEFW_EVENT_* */
	__u8 family; /* enum edgefw_family; 0 before an IP header was read */
	__u8 proto;
	__u8 tcp_flags;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 nr_vlans; /* 0-2: the tags in vlan_tci */
	__u8 frag; /* 0 not a fragment, 1 a first fragment, 2 a later one */
	__u8 pad[6];
};

/* Shared state that user space keeps for the data plane. */
struct edgefw_control {
	__u32 nr_blocked; /* blocklist entries; 0 skips the lookup */
	__u32 pad;
};

/*
 * Set filters: per (set, family), one bit for each value of a short digest
 * of an address's first 32 bits: the top 10 bits of an IPv4 address, a
 * fold of the first 32 bits of an IPv6 address. A prefix sets the bits of
 * every digest it covers (an IPv6 prefix shorter than 32 bits sets all).
 * A clear bit proves an address is not in the set for the price of one
 * array read: a flood from addresses far from every partner stops there,
 * before the LPM lookup. Bits are only ever set while a set is live.
 */
#define EDGEFW_FILTER_BITS 1024
#define EDGEFW_FILTER_KEY(set, family) \
	((set)*2 + ((family) == EDGEFW_FAMILY_IPV6))

struct edgefw_set_filter {
	__u64 bits[EDGEFW_FILTER_BITS / 64];
	/*
	 * The IPv6 filter of a set with an index slot: a bit per prefix
	 * length under /32 that the set holds (see the IPv6 index). Here the
	 * lookup that filters an address brings it along.
	 */
	__u32 short6_lens;
	__u32 pad;
};

/* first_word: the address's first 32 bits, in host byte order */
static inline __u32 edgefw_filter_bit(__u8 family, __u32 first_word)
{
	if (family == EDGEFW_FAMILY_IPV4)
		return first_word >> 22;
	return (first_word ^ (first_word >> 10) ^ (first_word >> 20)) &
	       (EDGEFW_FILTER_BITS - 1);
}

/* Whether filter f lets an address through; a clear bit proves it out. */
static inline __u32 edgefw_filter_passes(const struct edgefw_set_filter *f,
					 __u8 family, __u32 first_word)
{
	__u32 bit = edgefw_filter_bit(family, first_word);

	return f->bits[(bit / 64) & (EDGEFW_FILTER_BITS / 64 - 1)] >>
		       (bit % 64) &
	       1;
}

/*
 * Set indexes: what a set's prefixes cover, in a few lookups whatever the
 * set's size (the LPM trie's lookups grow with its depth). The first
 * EDGEFW_INDEX_SLOTS config sets that rules name get a slot, with an IPv4
 * and an IPv6 index; the other sets and inline prefixes use the set
 * filter and the trie.
 *
 * IPv4: set4_by24 (array): two bits per /24 network, 32 per word: NONE,
 * ALL (a prefix of /24 or shorter covers it), or SOME (only longer
 * prefixes lie in it). For SOME, set4_bits (hash, by slot and /24) holds
 * one bit per address of the /24. The bit patterns OR: ALL | SOME is ALL.
 */
/*
 * 4 MiB of set4_by24 for each slot a config uses: 16 let a port's 15
 * candidate rules each name an indexed set.
 */
#define EDGEFW_INDEX_SLOTS 16
#define EDGEFW_NO_INDEX_SLOT 0xff
#define EDGEFW_SET4_WORDS_PER_SLOT (1U << 19) /* 2^24 networks / 32 */
/* partly covered /24s of all slots; the hash table's buckets take 16 B each */
#define EDGEFW_SET4_MAX_PARTS (1U << 20)

enum edgefw_set4_state {
	EDGEFW_SET4_NONE = 0,
	EDGEFW_SET4_SOME = 2,
	EDGEFW_SET4_ALL = 3,
};

/*
 * Where the IPv4 index keeps an address, for both sides. addr: host byte
 * order; net24: an address's /24 network, its first 24 bits; word: the
 * index of a word in a slot's part of set4_by24.
 */
#define EDGEFW_SET4_NET24(addr) ((addr) >> 8)
#define EDGEFW_SET4_NETS_PER_WORD 32
#define EDGEFW_SET4_WORD_OF(net24) ((net24) / EDGEFW_SET4_NETS_PER_WORD)
#define EDGEFW_SET4_WORD_KEY(slot, word) ((__u32)(slot) << 19 | (word))
/* net24's two bits in the word that holds them */
#define EDGEFW_SET4_SHIFT(net24) ((net24) % EDGEFW_SET4_NETS_PER_WORD * 2)
#define EDGEFW_SET4_STATE(word, net24) ((word) >> EDGEFW_SET4_SHIFT(net24) & 3)
#define EDGEFW_SET4_PART_KEY(slot, net24) ((__u32)(slot) << 24 | (net24))

/*
 * set4_any (array): a bit per /24 network, set where any slot's state is
 * not NONE. Read once for a packet, it answers every indexed candidate of
 * an address that no indexed set holds, as a flood's mostly are: one read
 * of 2 MiB where each candidate would read its own slot's word. (Keeping
 * the slots' words of a /24 side by side instead spread each address's
 * reads over every slot's memory, and cost a flood from many sources
 * 80-130 ns: bench/README.md.)
 */
#define EDGEFW_SET4_ANY_NETS_PER_WORD 64
#define EDGEFW_SET4_ANY_WORDS (1U << 18) /* 2^24 networks / 64 */
#define EDGEFW_SET4_ANY_WORD(net24) ((net24) / EDGEFW_SET4_ANY_NETS_PER_WORD)
#define EDGEFW_SET4_ANY_SHIFT(net24) ((net24) % EDGEFW_SET4_ANY_NETS_PER_WORD)

struct edgefw_set4_bits {
	__u64 w[4]; /* a bit per address of the /24 */
};

#define EDGEFW_SET4_BIT_WORD(addr) ((addr) >> 6 & 3)
#define EDGEFW_SET4_BIT_SHIFT(addr) ((addr) % 64)

/* bits: of addr's /24 */
static inline __u32 edgefw_set4_holds(const struct edgefw_set4_bits *bits,
				      __u32 addr)
{
	__u64 word = bits->w[EDGEFW_SET4_BIT_WORD(addr)];

	return word >> EDGEFW_SET4_BIT_SHIFT(addr) & 1;
}

/*
 * IPv6: a prefix of /32 or longer lies in one /32 network, and partner
 * lists put few prefixes in any one of them. set6_heads (hash, by slot and
 * /32) says of a network: ALL (a /32 prefix covers it); INLINE, with its
 * few prefixes in the head itself; LENS, with the lengths of its prefixes,
 * each then one exact lookup in set6_prefixes (hash, by slot, length and
 * network); or MANY when it has more lengths than a head lists, with a
 * bit per length from /33 to /128 instead. Prefixes shorter than /32 are
 * rare: the set's IPv6 filter has a bit for each such length present
 * (short6_lens), each again one exact lookup. A /32 without a head holds
 * nothing. The index is complete: the trie holds no prefix of an indexed
 * set.
 */
#define EDGEFW_SET6_INLINE_MAX 2
#define EDGEFW_SET6_HEAD_LENS 14
/* MANY: bit (len - 33) for each length from 33 to 128 */
#define EDGEFW_SET6_MANY_FIRST 33
#define EDGEFW_SET6_MANY_LENS (128 - EDGEFW_SET6_MANY_FIRST + 1)
/* of all slots: the hash tables' buckets take 16 B each */
#define EDGEFW_SET6_MAX_HEADS (1U << 20)
#define EDGEFW_SET6_MAX_PREFIXES (1U << 20)

enum edgefw_set6_state {
	EDGEFW_SET6_INLINE = 1,
	EDGEFW_SET6_LENS,
	EDGEFW_SET6_ALL,
	EDGEFW_SET6_MANY,
};

/* net32: the address's first 32 bits, host byte order */
#define EDGEFW_SET6_HEAD_KEY(slot, net32) ((__u64)(slot) << 32 | (net32))

/*
 * 28 B: with its 8 B key and the kernel's 56 B of element header and
 * free-list node, a head takes 96 B of the allocator (kmalloc-96), where
 * the 48 B head with whole INLINE addresses took 128. An INLINE prefix
 * keeps only the address words after the first, which the key holds.
 */
#define EDGEFW_SET6_TAIL_WORDS 3

struct edgefw_set6_head {
	union {
		/* INLINE: words 1-3 of prefix i, network order */
		__u32 tail[EDGEFW_SET6_INLINE_MAX][EDGEFW_SET6_TAIL_WORDS];
		__u8 len[EDGEFW_SET6_HEAD_LENS]; /* LENS: longest first */
		__u8 many[(EDGEFW_SET6_MANY_LENS + 7) / 8]; /* MANY */
	};
	__u8 state; /* enum edgefw_set6_state */
	__u8 nr; /* INLINE: prefixes; LENS: lengths */
	__u8 inline_len[EDGEFW_SET6_INLINE_MAX]; /* INLINE: of prefix i */
};

_Static_assert(sizeof(((struct edgefw_set6_head *)0)->many) <=
		       EDGEFW_SET6_HEAD_LENS,
	       "a MANY head's bits fit where a LENS head's lengths are");
_Static_assert(sizeof(struct edgefw_set6_head) <= 32,
	       "a head of at most 32 B: 96 B of the allocator with its key");

/*
 * set6_cache (array, mmapped): the answer for a (slot, /32) in front of
 * set6_heads, whose hash lookup, with the compare of an INLINE head's
 * prefixes, cost an IPv6 partner's SYN about 5 ns more than the array's
 * read (issue 15). An entry holds the head of one key, at the index its
 * key hashes to, if the head is INLINE or ALL: each of its (up to two)
 * prefixes as words 1-3 and their masks; ALL is one prefix with no bit
 * past the /32. A key whose entry another holds, or whose head lists
 * lengths, is in set6_heads alone, which holds every head. User space
 * rewrites an entry in place, so a reader could see half of the old and
 * half of the new: a seqlock guards it. seq is odd while user space
 * writes; a reader that sees it odd, or changed across its reads of the
 * entry, asks set6_heads.
 */
#define EDGEFW_SET6_CACHE_LOG2 16
#define EDGEFW_SET6_CACHE_ENTRIES (1U << EDGEFW_SET6_CACHE_LOG2)
/* in tag: the entry holds a head (a zeroed entry holds none) */
#define EDGEFW_SET6_CACHED (1ULL << 63)

struct edgefw_set6_cached {
	__u64 tag; /* EDGEFW_SET6_HEAD_KEY | EDGEFW_SET6_CACHED, or 0 */
	__u32 seq;
	__u32 nr; /* prefixes: 1 or 2 */
	/* network byte order */
	__u32 tail[EDGEFW_SET6_INLINE_MAX][EDGEFW_SET6_TAIL_WORDS];
	__u32 mask[EDGEFW_SET6_INLINE_MAX][EDGEFW_SET6_TAIL_WORDS];
};

_Static_assert(sizeof(struct edgefw_set6_cached) == 64,
	       "an entry is a cache line: the mapped array starts on a page");

/* The entry of a head's key (EDGEFW_SET6_HEAD_KEY). */
static inline __u32 edgefw_set6_cache_index(__u64 head_key)
{
	return (__u32)((head_key * 0x9e3779b97f4a7c15ULL) >>
		       (64 - EDGEFW_SET6_CACHE_LOG2));
}

struct edgefw_set6_key {
	__u8 slot;
	__u8 len;
	__u16 pad;
	union edgefw_addr net; /* the bits past len cleared */
};

/*
 * The mask of bits of word w (0-3) within the first len, host byte order.
 * Branch-free: the verifier follows one path whatever len is, where
 * branches would make it follow three per word of every lookup.
 */
static inline __u32 edgefw_mask_word(unsigned int len, unsigned int w)
{
	__s32 bits = (__s32)len - (__s32)(w * 32);

	bits &= ~(bits >> 31); /* at least 0 */
	bits = 32 + ((bits - 32) & ((bits - 32) >> 31)); /* at most 32 */
	return (__u32)(0xffffffffULL << (32 - bits));
}

/* edgefw_mask_word() in network byte order, as addresses are kept. */
static inline __u32 edgefw_mask_word_be(unsigned int len, unsigned int w)
{
	__u32 mask = edgefw_mask_word(len, w);

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	mask = __builtin_bswap32(mask);
#endif
	return mask;
}

/* The key of set6_prefixes for a's prefix of length len in slot's set. */
static inline void edgefw_set6_key_of(struct edgefw_set6_key *key, __u8 slot,
				      const union edgefw_addr *a, __u32 len)
{
	int w;

	*key = (struct edgefw_set6_key){ .slot = slot, .len = len };
	for (w = 0; w < 4; w++)
		key->net.w[w] = a->w[w] & edgefw_mask_word_be(len, w);
}

/* Peers of a rule: a set id, or one of these. */
#define EDGEFW_PEER_ANY 0xffff
#define EDGEFW_PEER_SELF 0xfffe

/* Port classes: key (proto index << 16 | port), a class per role/dir. */
enum edgefw_port_proto {
	EDGEFW_PORT_TCP,
	EDGEFW_PORT_UDP,
};

#define EDGEFW_PORT_KEY(proto, port) ((__u32)(proto) << 16 | (port))

struct edgefw_port_classes {
	__u16 class_id[EDGEFW_NR_ROLEDIRS]; /* 0: no rule can match */
};

/* The candidate rules of a class, tried in config order. */
struct edgefw_class {
	__u8 nr_rules;
	__u8 flags; /* EDGEFW_CLASS_* */
	__u8 rule[EDGEFW_MAX_CANDIDATES];
};

/*
 * What the compiler knows of a class's candidates. Some read an IPv4
 * index: set4_any is asked first, once for all of them. Even for one such
 * candidate it is the cheaper read for a flood from many sources (half
 * the size of a slot's words: 3-4 ns, bench/README.md), for one read more
 * on a partner's packet. Every one reads an IPv4 index: where set4_any
 * says no indexed set holds the source, no candidate can admit it, and
 * the candidates are not looked at.
 */
#define EDGEFW_CLASS_ASK_ANY4 1
#define EDGEFW_CLASS_ALL_INDEXED 2

enum edgefw_limit {
	EDGEFW_LIMIT_NONE,
	EDGEFW_LIMIT_PER_SOURCE, /* a bucket per (rule, source address) */
	EDGEFW_LIMIT_TOTAL, /* one bucket for the rule */
};

/*
 * Rate limits are GCRA token buckets: a bucket is the time at which it
 * would be full again (its theoretical arrival time, TAT). A packet may go
 * while the TAT is no more than burst_ns ahead of now, and moves it by
 * interval_ns.
 */
struct edgefw_rule {
	__u16 from; /* set id, EDGEFW_PEER_ANY or EDGEFW_PEER_SELF */
	__u16 to;
	__u8 limit; /* enum edgefw_limit */
	/*
	 * Slow limits (an interval of EDGEFW_COARSE_CLOCK_NS or more) keep
	 * time with the coarse clock as the programs keep it (bpf/clock.h),
	 * a tick's precision, two at worst: much cheaper, and exact on
	 * average. Faster ones need bpf_ktime_get_ns().
	 */
	__u8 coarse_clock;
	__u8 from_slot; /* index slot of the from set, or NO_INDEX_SLOT */
	__u8 to_slot;
	__u64 interval_ns; /* 1 / rate */
	__u64 burst_ns; /* (burst - 1) * interval_ns */
};

struct edgefw_rate_key {
	__u32 rule;
	__u8 family;
	__u8 pad[3];
	union edgefw_addr addr;
};

/*
 * What one program instance knows about its interface; it lives in the
 * program's read-only data, next to the rules and classes.
 */
struct edgefw_iface_config {
	__u32 ifindex;
	__u16 slot; /* index of the interface in the counters */
	__u8 role;
	__u8 mode;
	__u8 policy[EDGEFW_NR_DIRS]; /* enum edgefw_action */
	__u8 fragments; /* enum edgefw_action */
	__u8 icmp_errors; /* enum edgefw_icmp_errors */
	/* own addresses by family: a packet compares only its own kind */
	__u8 nr_self4;
	__u8 nr_self6;
	__u8 flow_filter_log2; /* bits of a half of the flow filter; 0: none */
	__u32 self4[EDGEFW_MAX_SELF_ADDRS];
	union edgefw_addr self6[EDGEFW_MAX_SELF_ADDRS];
	/* class of ICMP and ICMPv6 per direction; they have no ports */
	__u16 icmp_class[EDGEFW_NR_DIRS][2];
	/*
	 * Drop events: one CPU's bucket (0: events off, and the verifier
	 * removes them), and the config's tag (struct edgefw_event).
	 */
	__u32 config_tag;
	__u64 events_interval_ns;
	__u64 events_burst_ns;
	/* the same for the samples of the daemon's drop summary */
	__u64 sample_interval_ns;
	__u64 sample_burst_ns;
};

/*
 * Flows, one table per family: the smaller IPv4 key hashes faster. The
 * key is seen from this host, so one entry serves both ways; it holds the
 * interface, so a flow's packets pass only where it was opened (an
 * internal flow is no way in from the external side).
 */
#define EDGEFW_FLOW_KEY_TAIL                       \
	__u32 ifindex;                             \
	__u16 local_port; /* network byte order */ \
	__u16 remote_port;                         \
	__u8 proto;                                \
	__u8 pad[3]

struct edgefw_flow_key4 {
	__u32 local;
	__u32 remote;
	EDGEFW_FLOW_KEY_TAIL;
};

struct edgefw_flow_key6 {
	union edgefw_addr local;
	union edgefw_addr remote;
	EDGEFW_FLOW_KEY_TAIL;
};

enum edgefw_flow_state {
	EDGEFW_FLOW_NEW, /* opening SYN seen */
	EDGEFW_FLOW_ESTABLISHED, /* the other side answered */
	EDGEFW_FLOW_CLOSING, /* FIN seen */
	EDGEFW_FLOW_UDP,
	EDGEFW_FLOW_RESET, /* RST seen */
	EDGEFW_FLOW_ICMP, /* an echo request: its replies pass */
};

struct edgefw_flow {
	__u64 seen_ns; /* bpf_ktime_get_coarse_ns() of the last refresh */
	__u8 state;
	__u8 opened_dir; /* the direction of the packet that opened it */
	__u8 pad[6];
};

/*
 * The flow filter: before a flow table is asked, two bits per hash of the
 * key, which every insert sets. A clear bit means no flow, so a spoofed
 * reply or a UDP packet from anywhere costs a read of a table that stays
 * in cache instead of a hash table's lookup, two cache misses in a big
 * table. 16 bits per flow of the table in each of two halves (1 MiB a
 * family at 262,144 flows): a full table sets about 12% of them, and
 * about 2% of the packets without a flow still find both their bits set.
 * A flow that goes leaves its bits, which only sends packets on to the
 * table; user space builds the other half anew from the tables when too
 * many bits are set, then asks that half instead (user/flowfilter.c).
 *
 * An array of 64-bit words: word 0 the state, then IPv4's words, then
 * IPv6's. A word holds 32 bits of each half, the low 32 bits half 0's,
 * the high 32 half 1's, and a key's two bits lie in one word: an insert
 * sets them in both halves with one atomic OR of one cache line, and a
 * lookup reads that line. Lookups test the active half once user space
 * has made it READY (it holds the bits of every flow of the tables).
 */
#define EDGEFW_FLOW_FILTER_ACTIVE 1ULL /* the half asked: 0 or 1 */
#define EDGEFW_FLOW_FILTER_READY 2ULL
/*
 * The layout's version, in the state word's second byte, which user space
 * writes with READY: it builds no filter of another layout anew (its bits
 * would lie where this layout's programs do not look), and a reload
 * replaces one.
 */
#define EDGEFW_FLOW_FILTER_LAYOUT_SHIFT 8
#define EDGEFW_FLOW_FILTER_LAYOUT 1ULL
#define EDGEFW_FLOW_FILTER_LAYOUT_OF(state) \
	((state) >> EDGEFW_FLOW_FILTER_LAYOUT_SHIFT & 0xff)
#define EDGEFW_FLOW_FILTER_BITS_PER_FLOW_LOG2 4
#define EDGEFW_FLOW_FILTER_HALF_WORD_LOG2 5 /* a half's bits in a word */

/* The bits of a half for a flow table of max_flows: two words at least. */
static inline __u32 edgefw_flow_filter_log2(__u32 max_flows)
{
	__u32 log2 = EDGEFW_FLOW_FILTER_HALF_WORD_LOG2 + 1;

	while ((1ULL << log2) <
	       (__u64)max_flows << EDGEFW_FLOW_FILTER_BITS_PER_FLOW_LOG2)
		log2++;
	return log2;
}

/* A family's words. */
static inline __u32 edgefw_flow_filter_words(__u32 log2)
{
	return 1U << (log2 - EDGEFW_FLOW_FILTER_HALF_WORD_LOG2);
}

static inline __u32 edgefw_flow_filter_entries(__u32 log2)
{
	return 1 + 2 * edgefw_flow_filter_words(log2);
}

/*
 * A flow key's hash: multiply-add over its 32-bit words, a distinct odd
 * multiplier each. Its top bits, the best mixed, choose the word and then
 * the two bits. The keys' padding is zero wherever they are made.
 */
static inline __u64 edgefw_flow_filter_hash(const __u32 *w, __u32 nr_words)
{
	__u64 h = 0;
	__u32 i;

	for (i = 0; i < nr_words; i++)
		h += (__u64)w[i] * (0x9e3779b97f4a7c15ULL * (2 * i + 1));
	return h;
}

/* The word of hash h in the family's filter (ipv6: 0, 1). */
static inline __u32 edgefw_flow_filter_word(__u32 log2, __u32 ipv6, __u64 h)
{
	return 1 + ipv6 * edgefw_flow_filter_words(log2) +
	       (__u32)(h >> (64 - (log2 - EDGEFW_FLOW_FILTER_HALF_WORD_LOG2)));
}

/* The two bits of hash h in half (0, 1) of its word. */
static inline __u64 edgefw_flow_filter_mask(__u32 log2, __u32 half, __u64 h)
{
	__u32 below = 64 - (log2 - EDGEFW_FLOW_FILTER_HALF_WORD_LOG2);
	__u64 bits = 1ULL << (h >> (below - 5) & 31) |
		     1ULL << (h >> (below - 10) & 31);

	return bits << (32 * half);
}

/* The bits of half h (0, 1) of a word: the low 32 or the high 32. */
#define EDGEFW_FLOW_FILTER_HALF_BITS(h) (0xffffffffULL << (32 * (h)))

_Static_assert(sizeof(struct edgefw_flow_key4) % 4 == 0 &&
		       sizeof(struct edgefw_flow_key6) % 4 == 0,
	       "flow keys hash as 32-bit words");

#endif /* EDGEFW_H */
