// SPDX-License-Identifier: GPL-2.0
/*
 * Rate limits and the blocklist, through BPF_PROG_TEST_RUN, on a
 * generation loaded (not attached) for ext0 and int0 in a private network
 * namespace, as in test_packets.
 *
 * Rate limits are GCRA buckets that hold a time, the TAT; the data plane
 * compares it with bpf_ktime_get_ns(). The tests move time by rewriting
 * the TAT in rate_src or rate_total, never by sleeping, and run their
 * packets back to back (a fraction of a millisecond for a whole sequence)
 * so that no token refills on its own; a sequence that took longer than
 * one interval, because the machine was busy, runs again.
 *
 * Two threads pinned to CPU 0 and CPU 1 race for one bucket with
 * millions of packets each. The admitted total must stay within what the
 * bucket gives over the time measured around the run (one packet per CPU
 * aside), be no less than what it gives over the time one CPU spent in
 * the program, and be no more than the intervals the TAT moved: a token
 * taken twice shows as an admitted packet that did not move it.
 *
 * The blocklist is written with blockmap_sync(), as the CLI does: expiry
 * times converted to bpf_ktime_get_boot_ns()'s clock, each entry holding
 * the latest expiry of the entries covering it, control[0].nr_blocked set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps.h"
#include "packet.h"
#include "pkttest.h"
#include "blockmap.h"
#include "reasons.h"
#include "tap.h"

/* The small buckets: RATE per second, BURST at once. */
#define RATE 4
#define BURST 6
#define EXTRA 4 /* packets offered beyond the burst */

/* The buckets two CPUs race for. */
#define RACE_RATE 1000 /* per second: a token every millisecond */
#define RACE_BURST 500 /* half a second: longer pauses lose refills */
#define RACE_SLOW_BURST 200000 /* at 1/m: only the burst counts */
#define RACE_ROUNDS 5
#define RACE_ATTEMPTS 4 /* of a round whose threads did not overlap */
#define RACE_NS 200000000ULL /* the aim for one CPU's time in a round */
#define RACE_BUDGET_NS (20 * EDGEFW_NSEC_PER_SEC) /* after two rounds */
#define RACE_SLACK 2 /* one packet per CPU */

#define INT_SELF "10.1.0.10"

/* The limits come from the constants above, in the order of load(). */
static const char config_fmt[] =
	"mode %s\n"
	"interface ext0 role external\n"
	"interface int0 role internal address " INT_SELF "\n"
	"set partners { 203.0.113.0/24, 2001:db8:77::/48 }\n"
	"set frontends { 10.1.1.0/28 }\n"
	"rule syn-src external in tcp 5269 from partners to self"
	" limit %d/s burst %d per source\n"
	"rule udp-src external in udp 5300 from partners to self"
	" limit %d/s burst %d per source\n"
	"rule syn-total external in tcp 5270 from partners to self"
	" limit %d/s burst %d total\n"
	"rule race-src external in tcp 5271 from partners to self"
	" limit %d/s burst %d per source\n"
	"rule race-slow external in tcp 5272 from partners to self"
	" limit 1/m burst %d\n"
	"rule race-total external in tcp 5273 from partners to self"
	" limit %d/s burst %d total\n"
	"rule flood external in tcp 5274 to self limit 1/m burst 1 per source\n"
	"rule plain external in tcp 5280 from partners to self\n"
	"rule s2s-out external out tcp 5269 to partners\n"
	"rule gw-in internal in tcp 23456 from frontends to self\n"
	"policy external in drop\n"
	"policy external out drop\n"
	"policy internal in drop\n"
	"policy internal out pass\n";

enum {
	SYN_SRC,
	UDP_SRC,
	SYN_TOTAL,
	RACE_SRC,
	RACE_SLOW,
	RACE_TOTAL,
	FLOOD,
	PLAIN,
	S2S_OUT,
	GW_IN,
	NR_RULES
};
static const char *const rule_names[NR_RULES] = {
	"syn-src",    "udp-src", "syn-total", "race-src", "race-slow",
	"race-total", "flood",	 "plain",     "s2s-out",  "gw-in",
};

/* The generation's maps that these tests write. */
struct lenv {
	struct env e;
	int rate_src;
	int rate_total;
	int blocklist;
	int control;
};

static struct lenv make_lenv(const char *label, const struct config *c,
			     struct generation *g)
{
	struct edgefw_bpf *skel = g->ifaces[0].skel;

	return (struct lenv){
		.e = make_env(label, c, g),
		.rate_src = bpf_map__fd(skel->maps.rate_src),
		.rate_total = bpf_map__fd(skel->maps.rate_total),
		.blocklist = gen_map_fd(g, MAP_BLOCKLIST),
		.control = gen_map_fd(g, MAP_CONTROL),
	};
}

/* bpf_ktime_get_ns()'s clock */
static __u64 mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static int parse_addr(const char *text, union edgefw_addr *a, __u8 *family)
{
	memset(a, 0, sizeof(*a));
	if (strchr(text, ':')) {
		*family = EDGEFW_FAMILY_IPV6;
		return inet_pton(AF_INET6, text, a->b) == 1 ? 0 : -1;
	}
	*family = EDGEFW_FAMILY_IPV4;
	return inet_pton(AF_INET, text, &a->w[0]) == 1 ? 0 : -1;
}

static struct edgefw_rate_key rate_key(__u32 rule, const char *src)
{
	struct edgefw_rate_key key;

	memset(&key, 0, sizeof(key));
	key.rule = rule;
	if (parse_addr(src, &key.addr, &key.family))
		tap_bail("bad address %s", src);
	return key;
}

static unsigned long count_entries(int fd, size_t key_size)
{
	char key[64], next[64];
	unsigned long n = 0;
	void *prev = NULL;

	if (key_size > sizeof(key))
		tap_bail("key too large");
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* Fresh buckets and no flows: each test starts from nothing. */
static void reset_state(const struct lenv *l)
{
	__u64 zero = 0;

	clear_flows(&l->e);
	clear_map(l->rate_src, sizeof(struct edgefw_rate_key));
	for (__u32 r = 0; r < NR_RULES; r++) {
		if (bpf_map_update_elem(l->rate_total, &r, &zero, BPF_ANY))
			tap_bail("cannot reset rate_total[%u]: %s", r,
				 strerror(errno));
	}
}

/* Move a bucket's TAT back in time, as if ns had passed. */
static bool rewind_bucket(int fd, const void *key, __u64 ns)
{
	__u64 tat;

	if (bpf_map_lookup_elem(fd, key, &tat))
		return false;
	tat -= ns;
	return bpf_map_update_elem(fd, key, &tat, BPF_EXIST) == 0;
}

static __u64 slot_packets(const struct lenv *l, int iface, int dir,
			  __u32 verdict)
{
	struct edgefw_counter sum;
	int err = counters_read(l->e.counters_fd,
				EDGEFW_COUNTER_INDEX(iface, dir, verdict), 1,
				&sum);

	if (err)
		tap_bail("cannot read a counter: %s", strerror(-err));
	return sum.packets;
}

static __u64 ext_in(const struct lenv *l, __u32 verdict)
{
	return slot_packets(l, IF_EXT, EDGEFW_DIR_IN, verdict);
}

static void build(const struct pkt_spec *s, struct pkt *p)
{
	if (pkt_build(s, p))
		tap_bail("a packet of %s does not build", s->src);
}

/* One packet, checked as test_packets checks its cases. */
static void expect_packet(const struct lenv *l, enum where at,
			  const struct pkt_spec *s, enum expect expect,
			  __u32 counted, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void expect_packet(const struct lenv *l, enum where at,
			  const struct pkt_spec *s, enum expect expect,
			  __u32 counted, const char *fmt, ...)
{
	char name[200];
	struct pkt p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	build(s, &p);
	check_packet(&l->e, name, at, &p, expect, counted);
}

/* A connection attempt from src to ext0's own address. */
static struct pkt_spec syn_to(const char *src, int sport, int dport)
{
	return (struct pkt_spec){
		TCP(src, sport, strchr(src, ':') ? SELF6 : SELF4, dport,
		    PKT_SYN),
	};
}

#define LIMITED DROP, EDGEFW_DROP_RATELIMIT
#define ADMIT(rule) PASS, EDGEFW_VERDICT_RULE(rule)

/*
 * A sequence of packets run back to back, without reading counters in
 * between, so that it takes well under one interval of the small buckets
 * and no token refills on its own while it runs. The verdicts and counters
 * are checked afterwards: each packet's verdict, and every counter moved
 * by exactly the packets expected under it.
 */
#define SEQ_MAX 64
#define SEQ_ATTEMPTS 3

struct seq {
	const struct lenv *l;
	struct counters before, after;
	struct {
		char name[160];
		enum where at;
		enum expect expect;
		__u32 counted;
		__u32 retval;
		size_t len;
	} pk[SEQ_MAX];
	int n;
	__u64 t_first, elapsed;
};

static void seq_start(struct seq *q, const struct lenv *l)
{
	reset_state(l);
	q->l = l;
	q->n = 0;
	q->t_first = 0;
	read_counters(&l->e, &q->before);
}

static void seq_send(struct seq *q, enum where at, const struct pkt_spec *s,
		     enum expect expect, __u32 counted, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void seq_send(struct seq *q, enum where at, const struct pkt_spec *s,
		     enum expect expect, __u32 counted, const char *fmt, ...)
{
	va_list ap;
	struct pkt p;
	int err;

	if (q->n == SEQ_MAX)
		tap_bail("sequence too long");
	va_start(ap, fmt);
	vsnprintf(q->pk[q->n].name, sizeof(q->pk[q->n].name), fmt, ap);
	va_end(ap);
	build(s, &p);
	if (!q->t_first)
		q->t_first = mono_ns();
	if (places[at].dir == EDGEFW_DIR_IN)
		err = run_xdp(&q->l->e, places[at].iface, &p,
			      &q->pk[q->n].retval);
	else
		err = run_tc(&q->l->e, places[at].iface, &p,
			     &q->pk[q->n].retval);
	if (err)
		tap_bail("%s: BPF_PROG_TEST_RUN: %s", q->pk[q->n].name,
			 strerror(-err));
	q->pk[q->n].at = at;
	q->pk[q->n].expect = expect;
	q->pk[q->n].counted = counted;
	q->pk[q->n].len = p.len;
	q->n++;
}

/* Whether the sequence ran within ns of its first packet. */
static bool seq_end(struct seq *q, __u64 ns)
{
	q->elapsed = mono_ns() - q->t_first;
	read_counters(&q->l->e, &q->after);
	return q->elapsed < ns;
}

static void seq_check(struct seq *q, const char *what)
{
	static struct counters want;
	int others = 0;

	memset(&want, 0, sizeof(want));
	for (int i = 0; i < q->n; i++) {
		const struct place *pl = &places[q->pk[i].at];
		bool xdp = pl->dir == EDGEFW_DIR_IN;
		__u32 pass = xdp ? XDP_PASS : TC_ACT_OK;
		__u32 drop = xdp ? XDP_DROP : TC_ACT_SHOT;
		struct edgefw_counter *w =
			&want.slot[pl->iface][pl->dir][q->pk[i].counted];

		CHECK_EQ(q->pk[i].retval, q->pk[i].expect == PASS ? pass : drop,
			 "%s%s: %s: %s", q->l->e.label, pl->name, q->pk[i].name,
			 q->pk[i].expect == PASS ? "passes" : "dropped");
		w->packets++;
		w->bytes += q->pk[i].len;
	}
	for (int i = 0; i < NR_IFACES; i++) {
		for (int d = 0; d < EDGEFW_NR_DIRS; d++) {
			for (__u32 v = 0; v < EDGEFW_SLOTS_PER_DIR; v++) {
				const struct edgefw_counter *b, *a, *w;
				__u64 packets, bytes;
				char name[64];

				b = &q->before.slot[i][d][v];
				a = &q->after.slot[i][d][v];
				w = &want.slot[i][d][v];
				packets = a->packets - b->packets;
				bytes = a->bytes - b->bytes;
				verdict_name(&q->l->e, v, name, sizeof(name));
				if (w->packets) {
					CHECK(packets == w->packets &&
						      bytes == w->bytes,
					      "%s%s: %s %s %s moved by %llu packets, %llu bytes (got %llu, %llu)",
					      q->l->e.label, what,
					      iface_names[i], dir_name(d), name,
					      w->packets, w->bytes,
					      (unsigned long long)packets,
					      (unsigned long long)bytes);
				} else if (packets || bytes) {
					others++;
					tap_diag(
						"%s %s %s moved by %llu packets, %llu bytes",
						iface_names[i], dir_name(d),
						name,
						(unsigned long long)packets,
						(unsigned long long)bytes);
				}
			}
		}
	}
	CHECK(!others, "%s%s: no other counter moved", q->l->e.label, what);
}

/* How much a slot of ext0 ingress moved during a sequence. */
static unsigned long long slot_delta(const struct seq *q, __u32 verdict)
{
	return q->after.slot[IF_EXT][EDGEFW_DIR_IN][verdict].packets -
	       q->before.slot[IF_EXT][EDGEFW_DIR_IN][verdict].packets;
}

/* Whether the sequence must run again: it took longer than ns. */
static bool seq_again(struct seq *q, const char *what, __u64 ns, int attempt)
{
	if (seq_end(q, ns))
		return false;
	tap_diag(
		"%s: took %.1f ms, more than %.0f ms: tokens may have refilled on their own%s",
		what, q->elapsed / 1e6, ns / 1e6,
		attempt < SEQ_ATTEMPTS ? "; again" : "");
	return attempt < SEQ_ATTEMPTS;
}

#define INTERVAL_NS (EDGEFW_NSEC_PER_SEC / RATE)

/* A burst of BURST + EXTRA SYNs: BURST admitted, the rest limited. */
static void send_burst(struct seq *q, const char *what, const char *src,
		       int rule, int dport, int *sport)
{
	for (int i = 0; i < BURST + EXTRA; i++) {
		struct pkt_spec s = syn_to(src, (*sport)++, dport);

		if (i < BURST)
			seq_send(q, EXT_XDP, &s, ADMIT(rule),
				 "%s: SYN %d of %d from %s, within the burst",
				 what, i + 1, BURST + EXTRA, src);
		else
			seq_send(q, EXT_XDP, &s, LIMITED,
				 "%s: SYN %d of %d from %s, beyond the burst",
				 what, i + 1, BURST + EXTRA, src);
	}
}

/*
 * Per source: a burst, then one second's worth after one second, then
 * nothing; another source of the same family has its own bucket.
 */
static void check_per_source(const struct lenv *l, const char *family,
			     const char *src, const char *other)
{
	static struct seq q;
	struct edgefw_rate_key key = rate_key(SYN_SRC, src);
	bool rewound;
	char what[64];
	int attempt = 0;

	snprintf(what, sizeof(what), "per source %s", family);
	do {
		int sport = 33000;
		struct pkt_spec s;

		seq_start(&q, l);
		send_burst(&q, what, src, SYN_SRC, 5269, &sport);
		rewound = rewind_bucket(l->rate_src, &key, EDGEFW_NSEC_PER_SEC);
		for (int i = 0; i < RATE; i++) {
			s = syn_to(src, sport++, 5269);
			seq_send(
				&q, EXT_XDP, &s, ADMIT(SYN_SRC),
				"%s: one second later, SYN %d of the %d/s from %s",
				what, i + 1, RATE, src);
		}
		s = syn_to(src, sport++, 5269);
		seq_send(&q, EXT_XDP, &s, LIMITED,
			 "%s: one second later, SYN %d from %s is one too many",
			 what, RATE + 1, src);
		send_burst(&q, what, other, SYN_SRC, 5269, &sport);
		s = syn_to(src, sport++, 5269);
		seq_send(&q, EXT_XDP, &s, LIMITED,
			 "%s: %s is still limited after %s's burst", what, src,
			 other);
	} while (seq_again(&q, what, INTERVAL_NS, ++attempt));
	CHECK(rewound,
	      "%s: %s's bucket is in rate_src under {rule %d, family, address}; moved back by 1 s",
	      what, src, SYN_SRC);
	CHECK(q.elapsed < INTERVAL_NS,
	      "%s: ran in %.1f ms, within one interval (%llu ms)", what,
	      q.elapsed / 1e6, INTERVAL_NS / 1000000);
	seq_check(&q, what);
}

static struct pkt_spec tcp_flags_to(const char *src, int sport, __u8 flags)
{
	return (struct pkt_spec){ TCP(src, sport, SELF4, 5269, flags) };
}

/*
 * TCP counts what opens a flow: a SYN, and a segment without a flow that
 * picks a connection up (an ACK, a SYN-ACK, a FIN), which share the
 * SYNs' bucket; a RST opens nothing and takes no token.
 */
static void check_tcp_counts_openers(const struct lenv *l)
{
	static const struct {
		const char *name;
		__u8 flags;
	} pickups[] = {
		{ "ACK", PKT_ACK },
		{ "SYN-ACK", PKT_SYN | PKT_ACK },
		{ "FIN-ACK", PKT_FIN | PKT_ACK },
	};
	const char *src = "203.0.113.31";
	struct edgefw_rate_key key = rate_key(SYN_SRC, src);
	static struct seq q;
	bool no_bucket;
	int attempt = 0;
	__u64 tat;

	do {
		int sport = 34000;
		struct pkt_spec s;

		seq_start(&q, l);
		/* a new port each: no flow, the rule judges */
		for (int i = 0; i < BURST + EXTRA; i++) {
			s = tcp_flags_to(src, sport++, PKT_RST);
			seq_send(&q, EXT_XDP, &s, ADMIT(SYN_SRC),
				 "TCP: RST %d of %d from %s, not limited",
				 i + 1, BURST + EXTRA, src);
		}
		no_bucket = bpf_map_lookup_elem(l->rate_src, &key, &tat) &&
			    errno == ENOENT;
		for (int i = 0; i < BURST + EXTRA; i++) {
			const char *name =
				pickups[i % ARRAY_SIZE(pickups)].name;

			s = tcp_flags_to(
				src, sport++,
				pickups[i % ARRAY_SIZE(pickups)].flags);
			if (i < BURST)
				seq_send(
					&q, EXT_XDP, &s, ADMIT(SYN_SRC),
					"TCP: pickup %d of %d (%s) from %s, within the burst",
					i + 1, BURST + EXTRA, name, src);
			else
				seq_send(
					&q, EXT_XDP, &s, LIMITED,
					"TCP: pickup %d of %d (%s) from %s, beyond the burst",
					i + 1, BURST + EXTRA, name, src);
		}
		s = syn_to(src, sport++, 5269);
		seq_send(&q, EXT_XDP, &s, LIMITED,
			 "TCP: a SYN from %s after the pickups spent its burst",
			 src);
	} while (seq_again(&q, "TCP", INTERVAL_NS, ++attempt));
	CHECK(no_bucket, "TCP: %d RSTs from %s made no bucket", BURST + EXTRA,
	      src);
	seq_check(&q, "TCP");
}

static struct pkt_spec udp_to(const char *src, int sport)
{
	return (struct pkt_spec){ UDP(src, sport, SELF4, 5300) };
}

/*
 * UDP counts packets: those of one flow (same ports) as much as those of
 * new ones. A limited UDP packet must not pass as a reply of the flow its
 * predecessors opened.
 */
static void check_udp_counts_packets(const struct lenv *l)
{
	const char *src = "203.0.113.41";
	static struct seq q;
	int attempt = 0;
	int passed, limited;

	do {
		int sport = 35000;

		seq_start(&q, l);
		for (int i = 0; i < BURST + EXTRA; i++) {
			struct pkt_spec s = udp_to(src, sport++);

			if (i < BURST)
				seq_send(
					&q, EXT_XDP, &s, ADMIT(UDP_SRC),
					"UDP: packet %d of %d from %s (a new port each), within the burst",
					i + 1, BURST + EXTRA, src);
			else
				seq_send(
					&q, EXT_XDP, &s, LIMITED,
					"UDP: packet %d of %d from %s (a new port each), beyond the burst",
					i + 1, BURST + EXTRA, src);
		}
	} while (seq_again(&q, "UDP", INTERVAL_NS, ++attempt));
	seq_check(&q, "UDP, new ports");

	/*
	 * One flow: which slot counts the admitted packets after the first
	 * (rule or reply) is the data plane's choice; how many pass and how
	 * many are limited is not.
	 */
	src = "203.0.113.42";
	attempt = 0;
	do {
		seq_start(&q, l);
		for (int i = 0; i < BURST + EXTRA; i++) {
			struct pkt_spec s = udp_to(src, 36000);

			seq_send(&q, EXT_XDP, &s, i < BURST ? PASS : DROP, 0,
				 "UDP: packet %d of %d of one flow from %s",
				 i + 1, BURST + EXTRA, src);
		}
	} while (seq_again(&q, "UDP, one flow", INTERVAL_NS, ++attempt));
	passed = 0;
	for (int i = 0; i < q.n; i++)
		passed += q.pk[i].retval == XDP_PASS;
	limited = slot_delta(&q, EDGEFW_DROP_RATELIMIT);
	tap_diag(
		"UDP, one flow: %d passed: %llu counted by the rule, %llu as replies",
		passed, slot_delta(&q, EDGEFW_VERDICT_RULE(UDP_SRC)),
		slot_delta(&q, EDGEFW_PASS_REPLY));
	CHECK_EQ(passed, BURST,
		 "UDP: %d packets of one flow from %s: the burst, %d, passed",
		 BURST + EXTRA, src, BURST);
	CHECK_EQ(limited, EXTRA,
		 "UDP: %d packets of one flow from %s: %d dropped as ratelimit",
		 BURST + EXTRA, src, EXTRA);
}

/* total: one bucket for the rule, whoever sends. */
static void check_total(const struct lenv *l)
{
	static const char *const srcs[] = { "203.0.113.51", "203.0.113.52",
					    "2001:db8:77::51" };
	struct edgefw_rate_key key = rate_key(SYN_TOTAL, srcs[0]);
	bool in_total, per_source, rewound;
	__u32 rule = SYN_TOTAL;
	static struct seq q;
	int attempt = 0;
	__u64 tat;

	do {
		int sport = 37000;
		struct pkt_spec s;

		seq_start(&q, l);
		for (int i = 0; i < BURST; i++) {
			const char *src = srcs[i % ARRAY_SIZE(srcs)];

			s = syn_to(src, sport++, 5270);
			seq_send(&q, EXT_XDP, &s, ADMIT(SYN_TOTAL),
				 "total: SYN %d of the burst of %d, from %s",
				 i + 1, BURST, src);
		}
		for (size_t i = 0; i < ARRAY_SIZE(srcs); i++) {
			s = syn_to(srcs[i], sport++, 5270);
			seq_send(&q, EXT_XDP, &s, LIMITED,
				 "total: the burst is spent for %s too",
				 srcs[i]);
		}
		s = syn_to("2001:db8:77::59", sport++, 5270);
		seq_send(&q, EXT_XDP, &s, LIMITED,
			 "total: and for a source never seen before");
		in_total = !bpf_map_lookup_elem(l->rate_total, &rule, &tat) &&
			   tat > 0;
		per_source = !bpf_map_lookup_elem(l->rate_src, &key, &tat);
		rewound = rewind_bucket(l->rate_total, &rule,
					EDGEFW_NSEC_PER_SEC);
		for (int i = 0; i < RATE; i++) {
			char src[32];

			snprintf(src, sizeof(src), "203.0.113.%d", 60 + i);
			s = syn_to(src, sport++, 5270);
			seq_send(
				&q, EXT_XDP, &s, ADMIT(SYN_TOTAL),
				"total: one second later, SYN %d of the %d/s, from %s",
				i + 1, RATE, src);
		}
		s = syn_to(srcs[2], sport++, 5270);
		seq_send(&q, EXT_XDP, &s, LIMITED,
			 "total: one second later, SYN %d is one too many",
			 RATE + 1);
	} while (seq_again(&q, "total", INTERVAL_NS, ++attempt));
	CHECK(in_total, "total: the bucket is rate_total[%u]", rule);
	CHECK(!per_source, "total: no per-source bucket in rate_src");
	CHECK(rewound, "total: rate_total[%u] moved back by 1 s", rule);
	CHECK(q.elapsed < INTERVAL_NS,
	      "total: ran in %.1f ms, within one interval (%llu ms)",
	      q.elapsed / 1e6, INTERVAL_NS / 1000000);
	seq_check(&q, "total");
}

/* ---------------------------------------------------------------------
 * Two CPUs racing for one bucket.
 */

struct racer {
	pthread_t tid;
	int cpu;
	int prog_fd;
	const struct pkt *p;
	__u32 ifindex;
	__u32 repeat;
	pthread_barrier_t *start;
	__u64 t0, t1; /* CLOCK_MONOTONIC around the run */
	__u64 ns; /* the kernel's time in the run, without reschedules */
	int ran_on;
	int err;
};

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static void *race(void *arg)
{
	struct racer *r = arg;
	struct xdp_md ctx = {
		.data_end = r->p->len,
		.ingress_ifindex = r->ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = r->p->data,
		    .data_size_in = r->p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = r->repeat);

	r->err = pin_to(r->cpu);
	r->ran_on = sched_getcpu();
	pthread_barrier_wait(r->start);
	if (r->err)
		return NULL;
	r->t0 = mono_ns();
	if (bpf_prog_test_run_opts(r->prog_fd, &opts))
		r->err = -errno;
	r->t1 = mono_ns();
	r->ns = (__u64)opts.duration * r->repeat;
	return NULL;
}

static int xdp_fd(const struct lenv *l)
{
	return bpf_program__fd(l->e.g->ifaces[IF_EXT].skel->progs.edgefw_xdp);
}

/* How many runs of the program take about RACE_NS, on one CPU. */
static __u32 calibrate(const struct lenv *l, const struct pkt *p)
{
	struct xdp_md ctx = {
		.data_end = p->len,
		.ingress_ifindex = l->e.g->ifaces[IF_EXT].st.ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 200000);
	__u64 repeat;

	if (bpf_prog_test_run_opts(xdp_fd(l), &opts))
		tap_bail("BPF_PROG_TEST_RUN with repeat: %s", strerror(errno));
	repeat = RACE_NS / (opts.duration ? opts.duration : 1);
	if (repeat < 2 * RACE_SLOW_BURST)
		repeat = 2 * RACE_SLOW_BURST;
	if (repeat > 50000000)
		repeat = 50000000;
	tap_diag(
		"race: %u ns per packet on one CPU: %llu packets per CPU per round",
		opts.duration, (unsigned long long)repeat);
	return repeat;
}

/* A counter slot of ext0 ingress, CPU by CPU. */
static void slot_per_cpu(const struct lenv *l, __u32 verdict, __u64 *packets,
			 int ncpus)
{
	struct edgefw_counter per_cpu[ncpus];
	__u32 idx = EDGEFW_COUNTER_INDEX(IF_EXT, EDGEFW_DIR_IN, verdict);

	if (bpf_map_lookup_elem(l->e.counters_fd, &idx, per_cpu))
		tap_bail("cannot read counter %u: %s", idx, strerror(errno));
	for (int i = 0; i < ncpus; i++)
		packets[i] = per_cpu[i].packets;
}

struct race_kind {
	const char *name;
	int rule;
	int dport;
	unsigned int per_minute;
	unsigned int burst;
	bool total;
};

/* Tokens a bucket of kind k gives over ns: the burst, and the refills. */
static long long tokens(const struct race_kind *k, __u64 ns)
{
	return k->burst +
	       (long long)(ns * k->per_minute / (60 * EDGEFW_NSEC_PER_SEC));
}

/*
 * One round of two CPUs offering the same packets; whether both took
 * tokens (else one ran alone: the machine was busy, and it proves less).
 */
static bool race_round(const struct lenv *l, const struct race_kind *k,
		       int round, __u32 repeat)
{
	const int ncpus = libbpf_num_possible_cpus();
	const char *src = "203.0.113.71";
	const __u64 interval = 60 * EDGEFW_NSEC_PER_SEC / k->per_minute;
	struct edgefw_rate_key key = rate_key(k->rule, src);
	struct pkt_spec s = syn_to(src, 33000, k->dport);
	__u64 admitted, limited, t0, t1, elapsed, elapsed_min = 0, tat = 0;
	__u64 before[ncpus], after[ncpus], zero = 0;
	__u32 rule = k->rule;
	long long lo, hi, by_tat;
	pthread_barrier_t start;
	struct racer r[2];
	struct pkt p;
	char what[96];

	snprintf(what, sizeof(what), "race %s, round %d", k->name, round);
	build(&s, &p);
	clear_flows(&l->e);
	/* a full bucket */
	if (k->total) {
		if (bpf_map_update_elem(l->rate_total, &rule, &zero, BPF_ANY))
			tap_bail("cannot reset rate_total: %s",
				 strerror(errno));
	} else if (bpf_map_delete_elem(l->rate_src, &key) && errno != ENOENT) {
		tap_bail("cannot reset the bucket: %s", strerror(errno));
	}
	slot_per_cpu(l, EDGEFW_VERDICT_RULE(k->rule), before, ncpus);
	limited = ext_in(l, EDGEFW_DROP_RATELIMIT);

	pthread_barrier_init(&start, NULL, 3);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){
			.cpu = i,
			.prog_fd = xdp_fd(l),
			.p = &p,
			.ifindex = l->e.g->ifaces[IF_EXT].st.ifindex,
			.repeat = repeat,
			.start = &start,
		};
		if (pthread_create(&r[i].tid, NULL, race, &r[i]))
			tap_bail("pthread_create failed");
	}
	pthread_barrier_wait(&start);
	for (int i = 0; i < 2; i++)
		pthread_join(r[i].tid, NULL);
	pthread_barrier_destroy(&start);

	for (int i = 0; i < 2; i++) {
		if (r[i].err)
			tap_bail("%s: CPU %d: %s", what, i,
				 strerror(-r[i].err));
		if (r[i].ran_on != i)
			tap_bail("%s: the thread for CPU %d ran on CPU %d",
				 what, i, r[i].ran_on);
		if (r[i].ns > elapsed_min)
			elapsed_min = r[i].ns;
	}
	/* around the packets: each thread's own clock reads */
	t0 = r[0].t0 < r[1].t0 ? r[0].t0 : r[1].t0;
	t1 = r[0].t1 > r[1].t1 ? r[0].t1 : r[1].t1;
	elapsed = t1 - t0;
	slot_per_cpu(l, EDGEFW_VERDICT_RULE(k->rule), after, ncpus);
	admitted = 0;
	for (int i = 0; i < ncpus; i++)
		admitted += after[i] - before[i];
	limited = ext_in(l, EDGEFW_DROP_RATELIMIT) - limited;
	if (k->total)
		bpf_map_lookup_elem(l->rate_total, &rule, &tat);
	else
		bpf_map_lookup_elem(l->rate_src, &key, &tat);

	/*
	 * Upper: no more than the bucket gives over the whole measured time,
	 * one packet per CPU aside. Lower: no fewer than it gives over the
	 * time one CPU alone kept offering packets (the kernel's own count,
	 * which leaves out its reschedules): a refill while packets wait is
	 * never lost.
	 */
	hi = tokens(k, elapsed) + RACE_SLACK;
	lo = tokens(k, elapsed_min) - RACE_SLACK;
	if (lo < k->burst)
		lo = k->burst;
	/*
	 * The bucket's own account: each admitted packet moved its TAT by
	 * one interval, from no earlier than t0; a packet admitted without
	 * moving it was a token taken twice.
	 */
	by_tat = tat > t0 ? (long long)((tat - t0) / interval) : 0;
	tap_diag(
		"%s: %llu packets in %.1f ms (in the kernel: CPU 0 %.1f ms, CPU 1 %.1f ms): admitted %llu (CPU 0 %llu, CPU 1 %llu), bounds [%lld, %lld], TAT moved by %lld intervals",
		what, 2ULL * repeat, elapsed / 1e6, r[0].ns / 1e6,
		r[1].ns / 1e6, (unsigned long long)admitted,
		(unsigned long long)(after[0] - before[0]),
		(unsigned long long)(after[1] - before[1]), lo, hi, by_tat);
	CHECK_EQ(admitted + limited, 2ULL * repeat,
		 "%s: every packet was admitted or dropped as ratelimit", what);
	CHECK((long long)admitted <= hi,
	      "%s: admitted %llu <= burst %u + rate x %.3f s + %d", what,
	      (unsigned long long)admitted, k->burst, elapsed / 1e9,
	      RACE_SLACK);
	CHECK((long long)admitted >= lo,
	      "%s: admitted %llu >= burst %u + rate x %.3f s - %d: no refill lost",
	      what, (unsigned long long)admitted, k->burst, elapsed_min / 1e9,
	      RACE_SLACK);
	CHECK((long long)admitted <= by_tat + RACE_SLACK,
	      "%s: admitted %llu <= %lld intervals the TAT moved + %d: no token taken twice",
	      what, (unsigned long long)admitted, by_tat, RACE_SLACK);
	return after[0] > before[0] && after[1] > before[1];
}

/* A round again until both CPUs took tokens, a few times at most. */
static void race_until_raced(const struct lenv *l, const struct race_kind *k,
			     int round, __u32 repeat)
{
	bool raced = false;
	int attempt;

	for (attempt = 1; attempt <= RACE_ATTEMPTS && !raced; attempt++) {
		raced = race_round(l, k, round, repeat);
		if (!raced)
			tap_diag(
				"race %s, round %d: one CPU took every token (the other thread started late): again",
				k->name, round);
	}
	CHECK(raced, "race %s, round %d: both CPUs took tokens: they raced",
	      k->name, round);
}

static void check_races(const struct lenv *l)
{
	static const struct race_kind kinds[] = {
		/* all burst: every token is raced for */
		{ "per source 1/m burst " STR(RACE_SLOW_BURST), RACE_SLOW, 5272,
		  1, RACE_SLOW_BURST, false },
		{ "per source " STR(RACE_RATE) "/s burst " STR(RACE_BURST),
		  RACE_SRC, 5271, RACE_RATE * 60, RACE_BURST, false },
		{ "total " STR(RACE_RATE) "/s burst " STR(RACE_BURST),
		  RACE_TOTAL, 5273, RACE_RATE * 60, RACE_BURST, true },
	};
	struct pkt_spec s = syn_to("203.0.113.72", 33000, 5269);
	__u64 start = mono_ns();
	cpu_set_t allowed;
	__u32 repeat;
	struct pkt p;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) ||
	    !CPU_ISSET(0, &allowed) || !CPU_ISSET(1, &allowed))
		tap_bail("the race needs CPUs 0 and 1");
	build(&s, &p);
	repeat = calibrate(l, &p);
	for (int round = 1; round <= RACE_ROUNDS; round++) {
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
			race_until_raced(l, &kinds[k], round, repeat);
		/* other work on the machine can stretch a round a lot */
		if (round > 1 && mono_ns() - start > RACE_BUDGET_NS) {
			tap_diag("race: %d rounds, %.1f s: enough", round,
				 (mono_ns() - start) / 1e9);
			break;
		}
	}
}

/* ---------------------------------------------------------------------
 * A flood of spoofed sources: the per-source state stays bounded.
 */

static void flood_source(unsigned int i, char *buf, size_t len)
{
	/* 100.64.0.0/10: 2^22 addresses */
	snprintf(buf, len, "100.%u.%u.%u", 64 + (i >> 16), (i >> 8) & 0xff,
		 i & 0xff);
}

static void check_flood(const struct lenv *l)
{
	const unsigned int n = 2 * EDGEFW_RATE_SRC_MAX_ENTRIES;
	unsigned long most = 0, entries;
	unsigned int failed = 0, wrong = 0;
	char src[32], last[32];
	__u64 admitted;

	reset_state(l);
	admitted = ext_in(l, EDGEFW_VERDICT_RULE(FLOOD));
	for (unsigned int i = 0; i < n; i++) {
		struct pkt_spec s;
		__u32 retval;
		struct pkt p;

		flood_source(i, src, sizeof(src));
		s = syn_to(src, 33000, 5274);
		build(&s, &p);
		if (run_xdp(&l->e, IF_EXT, &p, &retval))
			failed++;
		else if (retval != XDP_PASS)
			wrong++;
		if ((i + 1) % (n / 8) == 0) {
			entries = count_entries(l->rate_src,
						sizeof(struct edgefw_rate_key));
			if (entries > most)
				most = entries;
			tap_diag("flood: after %u sources, rate_src holds %lu",
				 i + 1, entries);
		}
	}
	CHECK_EQ(failed, 0, "flood: %u SYNs from distinct sources ran", n);
	CHECK_EQ(wrong, 0, "flood: each source's first SYN was admitted");
	CHECK_EQ(ext_in(l, EDGEFW_VERDICT_RULE(FLOOD)) - admitted, n,
		 "flood: the rule's slot moved by %u", n);
	CHECK(most <= EDGEFW_RATE_SRC_MAX_ENTRIES,
	      "flood: rate_src never held more than %u entries (most: %lu)",
	      EDGEFW_RATE_SRC_MAX_ENTRIES, most);
	CHECK(most > EDGEFW_RATE_SRC_MAX_ENTRIES / 2,
	      "flood: rate_src did fill up (%lu entries), so the bound was tested",
	      most);

	flood_source(n - 1, last, sizeof(last));
	{
		struct pkt_spec s = syn_to(last, 33001, 5274);

		expect_packet(
			l, EXT_XDP, &s, LIMITED,
			"flood: afterwards, the latest source %s is still limited",
			last);
	}
	flood_source(n + 12345, src, sizeof(src));
	{
		struct pkt_spec s = syn_to(src, 33000, 5274);

		expect_packet(
			l, EXT_XDP, &s, ADMIT(FLOOD),
			"flood: afterwards, a fresh source %s is admitted",
			src);
		s = syn_to(src, 33001, 5274);
		expect_packet(
			l, EXT_XDP, &s, LIMITED,
			"flood: afterwards, the fresh source's second SYN is limited");
	}
	{
		struct pkt_spec s = syn_to("203.0.113.99", 33000, 5269);

		expect_packet(
			l, EXT_XDP, &s, ADMIT(SYN_SRC),
			"flood: afterwards, a partner's SYN on another rule is admitted");
	}
}

/* ---------------------------------------------------------------------
 * The blocklist.
 */

enum expiry { NEVER, EXPIRED, LATER };

static const struct block_def {
	const char *prefix;
	enum expiry expiry;
} blocks[] = {
	{ "203.0.113.5/32", NEVER },
	{ "203.0.113.128/26", NEVER },
	{ "2001:db8:77:1::/64", NEVER },
	{ "203.0.113.16/28", EXPIRED },
	{ "2001:db8:77:2::/64", EXPIRED },
	/* an expired entry inside an unexpired one */
	{ "203.0.113.64/27", LATER },
	{ "203.0.113.72/29", EXPIRED },
	{ "2001:db8:77:4::/64", LATER },
	{ "2001:db8:77:4:1::/80", EXPIRED },
	/* an expired entry inside an expired one */
	{ "203.0.113.32/28", EXPIRED },
	{ "203.0.113.40/30", EXPIRED },
	/* expired entries three and four deep inside an unexpired one */
	{ "203.0.113.224/27", NEVER },
	{ "203.0.113.244/32", EXPIRED },
	{ "203.0.113.244/31", EXPIRED },
	{ "203.0.113.244/30", EXPIRED },
	{ "203.0.113.236/32", EXPIRED },
	{ "203.0.113.236/31", EXPIRED },
	{ "203.0.113.236/30", EXPIRED },
	{ "203.0.113.232/29", EXPIRED },
	{ "10.1.1.8/29", NEVER }, /* front-ends, on int0 */
	{ SELF4 "/32", NEVER }, /* our own: egress must not care */
};

/*
 * Through blockmap_sync(), as the CLI writes them: it gives each entry the
 * latest expiry of the entries covering it, which the nesting cases need.
 */
static void write_blocks(const struct lenv *l)
{
	int64_t now_ms = wall_now_ms();
	struct blocks b = {};
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(blocks); i++) {
		struct block_entry e = { .added_ms = now_ms };
		char why[160];

		if (prefix_parse(blocks[i].prefix, &e.prefix, why, sizeof(why)))
			tap_bail("bad prefix %s: %s", blocks[i].prefix, why);
		if (blocks[i].expiry == EXPIRED)
			e.expires_ms = now_ms - 1000;
		else if (blocks[i].expiry == LATER)
			e.expires_ms = now_ms + 3600 * 1000;
		GROW(b.v, b.cap, b.n + 1);
		b.v[b.n++] = e;
	}
	err = blockmap_sync(l->blocklist, l->control, &b);
	if (err)
		tap_bail("cannot write the blocklist: %s", strerror(-err));
	blocks_free(&b);
}

static void set_nr_blocked(const struct lenv *l, __u32 n)
{
	struct edgefw_control ctl = { .nr_blocked = n };
	__u32 zero = 0;

	if (bpf_map_update_elem(l->control, &zero, &ctl, BPF_ANY))
		tap_bail("cannot write control: %s", strerror(errno));
}

struct block_case {
	const char *name;
	enum where at;
	struct pkt_spec pkt;
	enum expect expect;
	__u32 counted;
};

#define PLAIN_SYN(s) \
	TCP(s, 33000, strchr(s, ':') ? SELF6 : SELF4, 5280, PKT_SYN)

static const struct block_case block_cases[] = {
	{ "blocked address 203.0.113.5, a SYN the rule admits",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.5") },
	  DROP_AS(BLOCKED) },
	{ "its neighbour 203.0.113.4",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.4") },
	  BY_RULE(PLAIN) },
	{ "203.0.113.150 in blocked 203.0.113.128/26",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.150") },
	  DROP_AS(BLOCKED) },
	{ "203.0.113.127, just below the /26",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.127") },
	  BY_RULE(PLAIN) },
	{ "203.0.113.192, just above the /26",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.192") },
	  BY_RULE(PLAIN) },
	{ "2001:db8:77:1::5 in blocked 2001:db8:77:1::/64",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:1::5") },
	  DROP_AS(BLOCKED) },
	{ "2001:db8:77:3::5, outside every v6 entry",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:3::5") },
	  BY_RULE(PLAIN) },
	{ "blocked 203.0.113.5, a SYN of the rate-limited rule",
	  EXT_XDP,
	  { TCP("203.0.113.5", 33000, SELF4, 5269, PKT_SYN) },
	  DROP_AS(BLOCKED) },
	{ "blocked 203.0.113.5, a UDP packet to a closed port",
	  EXT_XDP,
	  { UDP("203.0.113.5", 33000, SELF4, 9999) },
	  DROP_AS(BLOCKED) },
	{ "blocked 203.0.113.5, ICMP fragmentation needed (IP, so blocked)",
	  EXT_XDP,
	  { ICMP("203.0.113.5", SELF4, 3, 4), .payload = 28 },
	  DROP_AS(BLOCKED) },
	/* ARP is not IP: the blocklist has nothing to say about it */
	{ "ARP request from blocked 203.0.113.5",
	  EXT_XDP,
	  { .arp = true, .src = "203.0.113.5", .dst = SELF4 },
	  PASS_AS(ESSENTIAL) },
	{ "ARP request from 203.0.113.150 in the blocked /26",
	  EXT_XDP,
	  { .arp = true, .src = "203.0.113.150", .dst = SELF4 },
	  PASS_AS(ESSENTIAL) },
	{ "203.0.113.20 in expired 203.0.113.16/28",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.20") },
	  BY_RULE(PLAIN) },
	{ "2001:db8:77:2::5 in expired 2001:db8:77:2::/64",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:2::5") },
	  BY_RULE(PLAIN) },
	{ "203.0.113.90 in 203.0.113.64/27, expiring in an hour",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.90") },
	  DROP_AS(BLOCKED) },
	{ "203.0.113.73 in expired /29 inside unexpired 203.0.113.64/27",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.73") },
	  DROP_AS(BLOCKED) },
	{ "2001:db8:77:4:1::5 in expired /80 inside unexpired /64",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:4:1::5") },
	  DROP_AS(BLOCKED) },
	{ "2001:db8:77:4:2::5 in the unexpired /64 only",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:4:2::5") },
	  DROP_AS(BLOCKED) },
	{ "203.0.113.41 in expired /30 inside expired 203.0.113.32/28",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.41") },
	  BY_RULE(PLAIN) },
	{ "203.0.113.244 in expired /32, /31, /30 inside 203.0.113.224/27",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.244") },
	  DROP_AS(BLOCKED) },
	{ "203.0.113.236 in expired /32, /31, /30, /29 inside 203.0.113.224/27",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.236") },
	  DROP_AS(BLOCKED) },
	/* every ingress, the internal one too */
	{ "front-end 10.1.1.9 in blocked 10.1.1.8/29",
	  INT_XDP,
	  { TCP("10.1.1.9", 40001, INT_SELF, 23456, PKT_SYN) },
	  DROP_AS(BLOCKED) },
	{ "front-end 10.1.1.5, not blocked",
	  INT_XDP,
	  { TCP("10.1.1.5", 40001, INT_SELF, 23456, PKT_SYN) },
	  BY_RULE(GW_IN) },
	/* egress: the blocklist is not consulted */
	{ "SYN from blocked self " SELF4 " to partner 203.0.113.150:5269",
	  EXT_TC,
	  { TCP(SELF4, 40000, "203.0.113.150", 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "forwarded packet from blocked 203.0.113.5 to the LAN",
	  INT_TC,
	  { TCP("203.0.113.5", 40000, "10.1.5.5", 443, PKT_SYN) },
	  PASS_AS(POLICY) },
};

/* With nr_blocked 0 the map is not read, whatever it holds. */
static const struct block_case unconsulted_cases[] = {
	{ "nr_blocked 0: 203.0.113.5, still in the map",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.5") },
	  BY_RULE(PLAIN) },
	{ "nr_blocked 0: 2001:db8:77:1::5, still in the map",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:1::5") },
	  BY_RULE(PLAIN) },
	{ "nr_blocked 0: front-end 10.1.1.9, still in the map",
	  INT_XDP,
	  { TCP("10.1.1.9", 40001, INT_SELF, 23456, PKT_SYN) },
	  BY_RULE(GW_IN) },
};

static const struct block_case monitor_block_cases[] = {
	{ "blocked address 203.0.113.5",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.5") },
	  MONITORED(BLOCKED) },
	{ "2001:db8:77:1::5 in blocked 2001:db8:77:1::/64",
	  EXT_XDP,
	  { PLAIN_SYN("2001:db8:77:1::5") },
	  MONITORED(BLOCKED) },
	{ "203.0.113.4, not blocked",
	  EXT_XDP,
	  { PLAIN_SYN("203.0.113.4") },
	  BY_RULE(PLAIN) },
};

static void check_block_cases(const struct lenv *l,
			      const struct block_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		reset_state(l);
		expect_packet(l, cases[i].at, &cases[i].pkt, cases[i].expect,
			      cases[i].counted, "blocklist: %s", cases[i].name);
	}
}

static void check_blocklist(const struct lenv *l)
{
	struct edgefw_rate_key key = rate_key(SYN_SRC, "203.0.113.5");
	__u64 tat;

	/* before any entry: what the blocked cases would otherwise get */
	reset_state(l);
	expect_packet(l, EXT_XDP,
		      &(struct pkt_spec){ PLAIN_SYN("203.0.113.5") },
		      ADMIT(PLAIN), "blocklist: empty: 203.0.113.5 admitted");
	write_blocks(l);
	check_block_cases(l, block_cases, ARRAY_SIZE(block_cases));
	CHECK(bpf_map_lookup_elem(l->rate_src, &key, &tat) && errno == ENOENT,
	      "blocklist: a blocked SYN took no token (no bucket in rate_src)");
	set_nr_blocked(l, 0);
	check_block_cases(l, unconsulted_cases, ARRAY_SIZE(unconsulted_cases));
	set_nr_blocked(l, ARRAY_SIZE(blocks));
	reset_state(l);
	expect_packet(l, EXT_XDP,
		      &(struct pkt_spec){ PLAIN_SYN("203.0.113.5") }, DROP,
		      EDGEFW_DROP_BLOCKED,
		      "blocklist: nr_blocked back: 203.0.113.5 blocked again");
}

/* Monitor mode: blocked and rate-limited packets pass, counted. */
static void check_monitor(const struct lenv *l)
{
	const char *src = "203.0.113.200";
	static struct seq q;
	int attempt = 0;

	write_blocks(l);
	check_block_cases(l, monitor_block_cases,
			  ARRAY_SIZE(monitor_block_cases));
	do {
		int sport = 33000;

		seq_start(&q, l);
		for (int i = 0; i < BURST + EXTRA; i++) {
			struct pkt_spec s = syn_to(src, sport++, 5269);

			if (i < BURST)
				seq_send(
					&q, EXT_XDP, &s, ADMIT(SYN_SRC),
					"SYN %d of %d from %s, within the burst",
					i + 1, BURST + EXTRA, src);
			else
				seq_send(
					&q, EXT_XDP, &s, PASS,
					EDGEFW_DROP_RATELIMIT,
					"SYN %d of %d from %s, beyond the burst: passes, counted as ratelimit",
					i + 1, BURST + EXTRA, src);
		}
	} while (seq_again(&q, "monitor", INTERVAL_NS, ++attempt));
	seq_check(&q, "rate limit");
}

static void load(const char *mode, struct config *c, struct compiled *cc,
		 struct generation *g)
{
	char text[sizeof(config_fmt) + 128];

	snprintf(text, sizeof(text), config_fmt, mode, RATE, BURST, RATE, BURST,
		 RATE, BURST, RACE_RATE, RACE_BURST, RACE_SLOW_BURST, RACE_RATE,
		 RACE_BURST);
	load_config(mode, text, rule_names, NR_RULES, c, cc, g);
}

int main(void)
{
	static struct generation g, mg;
	struct compiled cc, mcc;
	struct config c, mc;
	struct lenv l, ml;

	setvbuf(stdout, NULL, _IOLBF, 0);
	make_namespace();
	load("enforce", &c, &cc, &g);
	l = make_lenv("", &c, &g);

	check_per_source(&l, "v4", "203.0.113.21", "203.0.113.22");
	check_per_source(&l, "v6", "2001:db8:77::21", "2001:db8:77::22");
	check_tcp_counts_openers(&l);
	check_udp_counts_packets(&l);
	check_total(&l);
	check_races(&l);
	check_flood(&l);
	check_blocklist(&l);

	load("monitor", &mc, &mcc, &mg);
	ml = make_lenv("monitor: ", &mc, &mg);
	check_monitor(&ml);

	gen_free(&mg);
	compiled_free(&mcc);
	config_free(&mc);
	gen_free(&g);
	compiled_free(&cc);
	config_free(&c);
	return tap_done();
}
