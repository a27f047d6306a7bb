// SPDX-License-Identifier: GPL-2.0
/*
 * Set membership as the programs see it: a rule admits SYNs from a set of
 * random IPv4 and IPv6 prefixes of every length, crowded into a few
 * networks (nested prefixes, partly covered /24s, /32 networks with more
 * lengths than an index head holds, prefixes under /32). Every prefix's
 * edges and random addresses of its networks go through the XDP program,
 * which must admit exactly the addresses an LPM lookup finds in the set:
 * once with the set in an index slot, once declared after as many other
 * sets that rules name as there are slots, which leaves it none: it
 * answers from its filter and trie.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "pkttest.h"
#include "edgefw.skel.h"
#include "prefixgen.h"
#include "tap.h"
#include "util.h"

#define NR_PREFIXES 1600
#define NR_DECOYS EDGEFW_INDEX_SLOTS /* sets that take the slots first */
#define V6_NETS 200 /* /32s from 2001:db8::/32 on: four prefixes in each */

static struct prefix prefixes[NR_PREFIXES];
static struct lpm big_lpm; /* what the programs must admit */

/* IPv4 prefixes of /16 or longer go into 198.18.0.0/15. */
static void crowd4(struct prefix *p)
{
	if (p->family == EDGEFW_FAMILY_IPV4 && p->len >= 16) {
		p->addr.b[0] = 198;
		p->addr.b[1] = 18 + rand() % 2;
	}
}

static void make_prefixes(void)
{
	char err[128];
	size_t n = 0;

	/* a network with one length more than a head holds */
	for (unsigned int len = 33; len <= 33 + EDGEFW_SET6_HEAD_LENS; len++) {
		prefix_parse("2001:db9::/48", &prefixes[n], err, sizeof(err));
		prefixes[n++].len = len;
	}
	prefix_parse("2001:db8:100::/40", &prefixes[n++], err, sizeof(err));
	prefix_parse("2001:db8::/32", &prefixes[n++], err, sizeof(err));
	prefix_parse("2001:dbc::/30", &prefixes[n++], err, sizeof(err));
	while (n < NR_PREFIXES) {
		prefixes[n] = n % 2 ? random_prefix6(n % 40 ? 33 : 20, V6_NETS)
				    : random_prefix4(n % 40 ? 22 : 12);
		crowd4(&prefixes[n++]);
	}
	lpm_build(&big_lpm, prefixes, NR_PREFIXES);
}

/* Set big, admitted by rule big-in; the decoy sets come first or last. */
static char *config_text(bool decoys_first)
{
	size_t cap = 64 * NR_PREFIXES + 4096, len = 0;
	char *text = xcalloc(cap, 1);

	len += snprintf(text + len, cap - len,
			"interface ext0 role external\n"
			"interface int0 role internal address 10.1.0.10\n"
			"rule big-in external in tcp 5269 from big to self\n");
	for (int d = 0; d < NR_DECOYS; d++)
		len += snprintf(
			text + len, cap - len,
			"rule decoy%d-in external in tcp %d from decoy%d to self\n",
			d, 6000 + d, d);
	for (int d = 0; decoys_first && d < NR_DECOYS; d++)
		len += snprintf(text + len, cap - len,
				"set decoy%d { 192.0.2.%d }\n", d, d);
	len += snprintf(text + len, cap - len, "set big {");
	for (size_t i = 0; i < NR_PREFIXES; i++) {
		char p[PREFIX_STRLEN];

		prefix_format(&prefixes[i], p, sizeof(p));
		len += snprintf(text + len, cap - len, "%s %s", i ? "," : "",
				p);
	}
	len += snprintf(text + len, cap - len, " }\n");
	for (int d = 0; !decoys_first && d < NR_DECOYS; d++)
		len += snprintf(text + len, cap - len,
				"set decoy%d { 192.0.2.%d }\n", d, d);
	snprintf(text + len, cap - len,
		 "policy external in drop\npolicy external out pass\n"
		 "policy internal in drop\npolicy internal out pass\n");
	return text;
}

/*
 * The load filled the IPv6 cache: an entry for each INLINE and ALL head
 * but those whose entry another took (a few of the 65,536).
 */
static void check_cache_filled(const struct edgefw_bpf *skel, size_t heads)
{
	int fd = bpf_map__fd(skel->maps.set6_cache);
	struct edgefw_set6_cached e;
	size_t held = 0;

	for (__u32 i = 0; i < EDGEFW_SET6_CACHE_ENTRIES; i++)
		held += !bpf_map_lookup_elem(fd, &i, &e) && e.tag;
	CHECK(held <= heads && held * 10 >= heads * 9,
	      "indexed: the IPv6 cache holds %zu of the %zu INLINE and ALL heads",
	      held, heads);
}

/* The IPv6 index of set 0 has heads of every kind and lengths under /32. */
static void check_index_shapes(const struct generation *g)
{
	const struct edgefw_bpf *skel = g->ifaces[IF_EXT].skel;
	int heads_fd = bpf_map__fd(skel->maps.set6_heads);
	__u32 filter_key = EDGEFW_FILTER_KEY(0, EDGEFW_FAMILY_IPV6);
	size_t nr[EDGEFW_SET6_MANY + 1] = {};
	__u64 key, *prev = NULL, next;
	struct edgefw_set_filter f = {};
	struct edgefw_set6_head head;

	while (!bpf_map_get_next_key(heads_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(heads_fd, &key, &head) &&
		    head.state <= EDGEFW_SET6_MANY)
			nr[head.state]++;
	}
	bpf_map_lookup_elem(bpf_map__fd(skel->maps.set_filter), &filter_key,
			    &f);
	check_cache_filled(skel, nr[EDGEFW_SET6_INLINE] + nr[EDGEFW_SET6_ALL]);
	CHECK(nr[EDGEFW_SET6_INLINE] >= 10 && nr[EDGEFW_SET6_LENS] >= 10 &&
		      nr[EDGEFW_SET6_ALL] && nr[EDGEFW_SET6_MANY] &&
		      f.short6_lens,
	      "indexed: the IPv6 index has %zu INLINE, %zu LENS, %zu ALL and %zu MANY /32 heads, lengths under /32 0x%x",
	      nr[EDGEFW_SET6_INLINE], nr[EDGEFW_SET6_LENS], nr[EDGEFW_SET6_ALL],
	      nr[EDGEFW_SET6_MANY], f.short6_lens);
}

/* How many keys of set the trie of g holds. */
static size_t trie_keys_of(const struct generation *g, unsigned int set)
{
	int fd = bpf_map__fd(g->ifaces[IF_EXT].skel->maps.sets);
	struct edgefw_set_key key, next, *prev = NULL;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n += key.set == set;
	}
	return n;
}

/* What ext0's XDP program does with a SYN from addr to its port 5269. */
static __u32 syn_verdict(const struct env *e, const union edgefw_addr *addr,
			 __u8 family, char *text, size_t len)
{
	struct prefix src = { .addr = *addr,
			      .family = family,
			      .len = family_bits(family) };
	struct pkt_spec s = { TCP(text, 33000,
				  family == EDGEFW_FAMILY_IPV4 ? SELF4 : SELF6,
				  5269, PKT_SYN) };
	struct pkt p;
	__u32 retval;

	prefix_format(&src, text, len);
	if (pkt_build(&s, &p) || run_xdp(e, IF_EXT, &p, &retval))
		tap_bail("a SYN from %s does not run", text);
	return retval;
}

/* A SYN from a to ext0:5269; 1 when it goes against the LPM answer. */
static int wrong(const struct env *e, __u8 family, u128 a)
{
	union edgefw_addr addr = addr_from_u128(a, family);
	bool member = lpm_holds(&big_lpm, family, a);
	char text[PREFIX_STRLEN];
	__u32 retval = syn_verdict(e, &addr, family, text, sizeof(text));

	if (retval == (member ? XDP_PASS : XDP_DROP))
		return 0;
	tap_diag("%s: %s, expected %s", text,
		 retval == XDP_PASS ? "admitted" : "dropped",
		 member ? "admitted" : "dropped");
	return 1;
}

/*
 * The program's own read of the IPv6 cache (the unit test runs the same C
 * in user space; this is the BPF build of it): an INLINE head of slot
 * that the cache holds answers alone once set6_heads loses it, and not
 * while its entry's count is odd or the entry names another key.
 */
static void check_cache_read(const struct env *e, const struct generation *g,
			     unsigned int slot)
{
	const struct edgefw_bpf *skel = g->ifaces[IF_EXT].skel;
	int heads_fd = bpf_map__fd(skel->maps.set6_heads);
	int cache_fd = bpf_map__fd(skel->maps.set6_cache);
	struct edgefw_set6_cached entry, changed;
	struct edgefw_set6_head head;
	__u64 key, *prev = NULL, next;
	union edgefw_addr a;
	char text[PREFIX_STRLEN];
	bool found = false;
	__u32 idx;

	while (!found && !bpf_map_get_next_key(heads_fd, prev, &next)) {
		key = next;
		prev = &key;
		idx = edgefw_set6_cache_index(key);
		found = key >> 32 == slot &&
			!bpf_map_lookup_elem(heads_fd, &key, &head) &&
			head.state == EDGEFW_SET6_INLINE &&
			!bpf_map_lookup_elem(cache_fd, &idx, &entry) &&
			entry.tag == (key | EDGEFW_SET6_CACHED);
	}
	if (!found)
		tap_bail("no INLINE head of slot %u in the IPv6 cache", slot);
	/* the first inline prefix's first address */
	a.w[0] = htonl((__u32)key);
	memcpy(&a.w[1], head.tail[0], sizeof(head.tail[0]));
	CHECK(syn_verdict(e, &a, EDGEFW_FAMILY_IPV6, text, sizeof(text)) ==
			      XDP_PASS &&
		      !bpf_map_delete_elem(heads_fd, &key) &&
		      syn_verdict(e, &a, EDGEFW_FAMILY_IPV6, text,
				  sizeof(text)) == XDP_PASS,
	      "indexed: %s is admitted, and still with its /32's head gone from set6_heads: the cache answers",
	      text);
	changed = entry;
	changed.seq = entry.seq + 1;
	CHECK(!bpf_map_update_elem(cache_fd, &idx, &changed, BPF_ANY) &&
		      syn_verdict(e, &a, EDGEFW_FAMILY_IPV6, text,
				  sizeof(text)) == XDP_DROP,
	      "indexed: ... not while the entry's count is odd (a write under way): set6_heads, which lacks it, answers");
	changed.seq = entry.seq + 2;
	changed.tag = (key ^ 1ULL << 32) | EDGEFW_SET6_CACHED;
	CHECK(!bpf_map_update_elem(cache_fd, &idx, &changed, BPF_ANY) &&
		      syn_verdict(e, &a, EDGEFW_FAMILY_IPV6, text,
				  sizeof(text)) == XDP_DROP,
	      "indexed: ... nor while the entry names another slot's /32");
	CHECK(!bpf_map_update_elem(cache_fd, &idx, &entry, BPF_ANY) &&
		      !bpf_map_update_elem(heads_fd, &key, &head,
					   BPF_NOEXIST) &&
		      syn_verdict(e, &a, EDGEFW_FAMILY_IPV6, text,
				  sizeof(text)) == XDP_PASS,
	      "indexed: ... and again once the entry and the head are back");
}

static void check_membership(const char *how, bool decoys_first)
{
	static const char *const names[] = { "big-in" };
	char *text = config_text(decoys_first);
	size_t probes = 0, members = 0, nr_big = 0;
	int edge_wrong = 0, random_wrong = 0, big;
	struct compiled cc;
	struct generation g;
	struct config c;
	struct env e;

	load_config(how, text, names, ARRAY_SIZE(names), &c, &cc, &g);
	e = make_env("", &c, &g);
	CHECK_EQ(compiled_index_slot(&cc, config_find_set(&c, "big")) ==
			 EDGEFW_NO_INDEX_SLOT,
		 decoys_first, "%s: set big has %s index slot", how,
		 decoys_first ? "no" : "an");
	if (!decoys_first)
		check_index_shapes(&g);
	/* an index answers alone: the trie holds only the other sets */
	big = config_find_set(&c, "big");
	for (size_t i = 0; i < cc.nr_set_keys; i++)
		nr_big += cc.set_keys[i].set == big;
	CHECK(nr_big > NR_PREFIXES / 2 &&
		      trie_keys_of(&g, big) == (decoys_first ? nr_big : 0),
	      "%s: the trie holds %s of set big's %zu prefixes", how,
	      decoys_first ? "all" : "none", nr_big);
	for (size_t i = 0; i < NR_PREFIXES; i++) {
		const struct prefix *p = &prefixes[i];
		u128 first = addr_to_u128(&p->addr, p->family);
		u128 last = prefix_last(p);
		u128 edges[] = { first, last, first - 1, last + 1 };

		for (size_t j = 0; j < ARRAY_SIZE(edges); j++) {
			if (p->family == EDGEFW_FAMILY_IPV4)
				edges[j] &= 0xffffffff;
			edge_wrong += wrong(&e, p->family, edges[j]);
			members += lpm_holds(&big_lpm, p->family, edges[j]);
			probes++;
		}
	}
	for (int i = 0; i < 4000; i++) {
		struct prefix net = i % 2 ? random_prefix6(32, V6_NETS + 2)
					  : random_prefix4(16);

		crowd4(&net);
		net.len = net.family == EDGEFW_FAMILY_IPV4 ? 16 : 32;
		random_wrong += wrong(&e, net.family, random_in_prefix(&net));
	}
	CHECK_EQ(
		edge_wrong, 0,
		"%s: %zu first, last and neighbouring addresses of the prefixes (%zu in the set) admitted exactly when the set holds them",
		how, probes, members);
	CHECK_EQ(
		random_wrong, 0,
		"%s: 4000 random addresses of the prefixes' networks admitted exactly when the set holds them",
		how);
	if (!decoys_first)
		check_cache_read(
			&e, &g,
			compiled_index_slot(&cc, config_find_set(&c, "big")));
	gen_free(&g);
	compiled_free(&cc);
	config_free(&c);
	free(text);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	srand(5269);
	make_namespace();
	make_prefixes();
	check_membership("indexed", false);
	check_membership("trie", true);
	lpm_free(&big_lpm);
	return tap_done();
}
