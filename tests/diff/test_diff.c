// SPDX-License-Identifier: GPL-2.0
/*
 * Differential testing: generated packets (tests/lib/pktgen.c) go through
 * the programs of a generation attached to ext0 and int0, with
 * BPF_PROG_TEST_RUN, and through the reference model (tests/lib/refmodel.c),
 * which knows README.md and the parsed config and nothing else. For every
 * packet, on each of the four hooks, the program's verdict and the one
 * counter it moved must be the model's: a pass or a drop, and the reason or
 * rule it was counted under, with the packet's bytes.
 *
 * Time: the model's clock is virtual and moves only in steps that the
 * generator draws, in quanta of PKTGEN_QUANTUM_NS. The data plane's
 * clocks run on their own, so each step moves every time stored in the
 * kernel's tables (flow timestamps, bucket TATs, block expiries) back by
 * the same amount (tests/lib/kstate.c). What remains between the two is
 * the real time that passes while a sequence runs, which only ever makes
 * the kernel's entries look older. Thresholds are kept far from the
 * quantum grid (flow timeouts and the refresh period at least
 * PKTGEN_MARGIN_NS off it, rate intervals on a grid of RATE_GRID_NS with
 * it, block lifetimes half a quantum off it), and a sequence starts from
 * empty tables and runs SEQ_PACKETS packets, so that real time stays
 * below those margins: SEQ_BUDGET_NS. A sequence that disagreed after
 * running longer than that (a busy machine) runs again.
 *
 * Usage: test_diff [-n PACKETS] [-s SEED] [-f FIRST]; or the environment's
 * EDGEFW_DIFF_PACKETS (1,000,000), EDGEFW_DIFF_SEED (drawn and printed),
 * EDGEFW_DIFF_FIRST (0: start at the sequence holding that packet).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kstate.h"
#include "pkttest.h"
#include "pktgen.h"
#include "refmodel.h"
#include "tap.h"

#define DEFAULT_PACKETS 1000000UL
#define SEQ_PACKETS 1000UL
#define MAX_REPORTS 3 /* disagreements shown before the run stops */
#define SEQ_TRIES 3 /* runs of a sequence that disagreed when too slow */
#define CONTEXT 12 /* steps before a disagreement that a report shows */
#define COVERAGE_MIN_PACKETS 100000UL

#define MSEC 1000000ULL
/* Real time a sequence may take: below every margin, a clock tick aside */
#define SEQ_BUDGET_NS (80 * MSEC)
/* The least distance of a rate limit's thresholds from the packets' times */
#define RATE_GRID_NS (100 * MSEC)
#define CLOCK_TICK_NS (10 * MSEC) /* HZ=100, the coarsest */

/*
 * Two ticks: the programs' copy of the coarse clock, which flows and slow
 * rate limits read, lags it by a tick more (bpf/clock.h).
 */
_Static_assert(SEQ_BUDGET_NS + 2 * CLOCK_TICK_NS <= RATE_GRID_NS &&
		       SEQ_BUDGET_NS + 2 * CLOCK_TICK_NS <= PKTGEN_MARGIN_NS &&
		       SEQ_BUDGET_NS + 2 * CLOCK_TICK_NS <=
			       PKTGEN_QUANTUM_NS / 2,
	       "a sequence's real time could reach a threshold");

/*
 * Two configs: enforce with the external side closed, and monitor with the
 * policies, fragment settings and ICMP errors the other way round. Addresses are given,
 * since the model reads no NIC. Rates are multiples of RATE_GRID_NS.
 */
static const struct diff_config {
	const char *name;
	unsigned int share; /* percent of the packets */
	const char *text;
} configs[] = {
	{ "enforce", 70,
	  "mode enforce\n"
	  "interface ext0 role external address 198.51.100.10, 198.51.100.12, 2001:db8:100::10\n"
	  "interface int0 role internal address 10.1.0.10, fd00::10\n"
	  "set partners { 203.0.113.0/24, 198.18.7.128/25, 198.18.9.9,\n"
	  "               2001:db8:77::/48, 2001:db8:78:1::/64, 2001:db8:7f::7 }\n"
	  "set frontends { 10.1.1.0/28, 10.1.1.32/27, fd00:1::/64 }\n"
	  "set resolvers { 192.0.2.53, 192.0.2.54, 2001:db8:99::53 }\n"
	  "set admins { 10.1.9.0/24, 10.1.9.128/25, fd00:9::/48 }\n"
	  "set partners2 { 198.18.9.0/24, 203.0.113.128/25, 2001:db8:7a::/48 }\n"
	  "rule s2s-in external in tcp 5269 from partners to self limit 2/s burst 3\n"
	  "rule s2s-in-b external in tcp 5269-5271 from 198.18.0.0/15 to self\n"
	  /* two indexed sets on a port, with other sources (5269) and alone (5272) */
	  "rule s2s-in-c external in tcp 5269,5272 from partners2 to self\n"
	  "rule s2s-in-d external in tcp 5272 from partners to self limit 2/s burst 3\n"
	  "rule s2s-out external out tcp 5269 to partners\n"
	  "rule dns-out external out udp,tcp 53 to resolvers limit 10/s burst 4 total\n"
	  "rule turn-in external in udp 3478,3479,49152-49160 to self limit 5/s burst 2 per source\n"
	  "rule ping-in external in icmp,icmpv6 from partners limit 1/s burst 2\n"
	  "rule ping-out external out icmp,icmpv6\n"
	  "rule gw-in internal in tcp 23456 from frontends to self\n"
	  "rule syslog-in internal in udp 514,1000-1010 from frontends to 10.1.0.0/24\n"
	  "rule admin-in internal in tcp,udp 22,161-162 from admins\n"
	  "rule icmp-int internal in icmpv6 from fd00::/8 to self limit 2/s total\n"
	  "rule smtp-out internal out tcp 25 to 10.1.5.5 limit 1/m burst 1 per source\n"
	  "policy external in drop\n"
	  "policy external out drop\n"
	  "policy internal in drop\n"
	  "policy internal out pass\n"
	  "fragments external drop\n"
	  "fragments internal pass\n"
	  "flows max 4096\n" },
	{ "monitor", 30,
	  "mode monitor\n"
	  "interface ext0 role external address 198.51.100.10, 2001:db8:100::10\n"
	  "interface int0 role internal address 10.1.0.10, fd00::10\n"
	  "set partners { 203.0.113.0/24, 2001:db8:77::/48 }\n"
	  "set frontends { 10.1.1.0/28, fd00:1::/64 }\n"
	  "rule s2s-in external in tcp 5269 from partners to self limit 1/s burst 2\n"
	  "rule any-udp external in udp to self limit 10/s burst 3 total\n"
	  "rule ping-in external in icmp from partners\n"
	  "rule web-out internal out tcp 80,443\n"
	  "rule gw-in internal in tcp 23456 from frontends to self limit 30/m burst 2\n"
	  "policy external in drop\n"
	  "policy external out pass\n"
	  "policy internal in pass\n"
	  "policy internal out drop\n"
	  "fragments external pass\n"
	  "fragments internal drop\n"
	  "icmp errors any\n"
	  "flows max 4096\n" },
};

struct options {
	unsigned long packets;
	uint64_t seed;
	unsigned long first;
};

/* One step as it ran, for the context of a report. */
struct ran {
	unsigned long index;
	struct pktgen_step step;
	bool judged; /* else the test run refuses the packet */
	struct ref_verdict model;
};

/* One config's run. */
struct run {
	const struct diff_config *dc;
	const struct options *o;
	struct config c;
	struct compiled cc;
	struct generation g;
	struct env e;
	struct kstate k;
	struct ref_model m;
	struct pktgen *gen;
	unsigned int nr_slots; /* reasons, then the config's rules */
	int ncpus;
	/* counters as last read, per place and per interface and direction */
	struct edgefw_counter last[4][EDGEFW_SLOTS_PER_DIR];
	struct edgefw_counter want[NR_IFACES][EDGEFW_NR_DIRS]
				  [EDGEFW_SLOTS_PER_DIR];
	struct ran ring[CONTEXT];
	unsigned long nr_ran;
	unsigned long verdicts[EDGEFW_SLOTS_PER_DIR];
	unsigned long judged, refused, mutated, advanced, retried;
	uint64_t slowest_ns; /* the longest a sequence took */
	unsigned long disagreements, stray_counts;
};

static unsigned long reports;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * EDGEFW_NSEC_PER_SEC + ts.tv_nsec;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Counter slots [0, n) of an interface and direction, summed over CPUs. */
static void read_slots(const struct run *r, int iface, int dir, unsigned int n,
		       struct edgefw_counter *out)
{
	__u32 first = EDGEFW_COUNTER_INDEX(iface, dir, 0), prev = first - 1;
	__u32 keys[EDGEFW_SLOTS_PER_DIR], next, count = n;
	static struct edgefw_counter vals[EDGEFW_SLOTS_PER_DIR * 64];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	/* a batch starts after the key it is given */
	if (bpf_map_lookup_batch(r->e.counters_fd, first ? &prev : NULL, &next,
				 keys, vals, &count, &opts) &&
	    errno != ENOENT)
		tap_bail("cannot read counters: %s", strerror(errno));
	if (count != n)
		tap_bail("read %u counters, not %u", count, n);
	for (unsigned int s = 0; s < n; s++) {
		out[s] = (struct edgefw_counter){};
		for (int cpu = 0; cpu < r->ncpus; cpu++) {
			out[s].packets += vals[s * r->ncpus + cpu].packets;
			out[s].bytes += vals[s * r->ncpus + cpu].bytes;
		}
	}
}

static const char *verdict_text(const struct run *r, __u32 slot, char *buf,
				size_t len)
{
	return verdict_name(&r->e, slot, buf, len);
}

/* "pass reply", "drop policy", "pass, rule s2s-in", "pass, counted as ..." */
static const char *model_text(const struct run *r, const struct ran *x,
			      char *buf, size_t len)
{
	char v[64];

	verdict_text(r, x->model.slot, v, sizeof(v));
	if (!x->judged)
		snprintf(buf, len, "not judged: the test run refuses it");
	else if (x->model.slot >= EDGEFW_NR_REASONS)
		snprintf(buf, len, "pass, %s", v);
	else if (x->model.pass && x->model.slot >= EDGEFW_FIRST_DROP)
		snprintf(buf, len, "pass, counted as %s (monitor)", v);
	else
		snprintf(buf, len, "%s", v);
	return buf;
}

static const char *retval_name(enum where at, __u32 retval)
{
	if (places[at].dir == EDGEFW_DIR_IN)
		return retval == XDP_PASS   ? "XDP_PASS"
		       : retval == XDP_DROP ? "XDP_DROP"
					    : "another XDP action";
	return retval == TC_ACT_OK     ? "TC_ACT_OK"
	       : retval == TC_ACT_SHOT ? "TC_ACT_SHOT"
				       : "another TC action";
}

static __u32 retval_of(enum where at, bool pass)
{
	if (places[at].dir == EDGEFW_DIR_IN)
		return pass ? XDP_PASS : XDP_DROP;
	return pass ? TC_ACT_OK : TC_ACT_SHOT;
}

static void describe_step(const struct run *r, const struct ran *x,
			  const char *prefix)
{
	const struct pktgen_step *s = &x->step;
	char text[512], v[128], blk[PREFIX_STRLEN];
	struct ref_pkt p;

	ref_parse(s->pkt.data, s->pkt.len, &p);
	ref_describe(&p, text, sizeof(text));
	if (s->advance_ns)
		tap_diag("%s%.1f s pass", prefix, s->advance_ns / 1e9);
	if (s->block_op) {
		prefix_format(&s->block, blk, sizeof(blk));
		if (s->block_op == PKTGEN_UNBLOCK)
			tap_diag("%sblock del %s", prefix, blk);
		else if (s->block_ttl_ns)
			tap_diag("%sblock add %s --ttl %.2fs", prefix, blk,
				 s->block_ttl_ns / 1e9);
		else
			tap_diag("%sblock add %s", prefix, blk);
	}
	tap_diag("%s#%lu %s, %s%s%s: %s -> model: %s", prefix, x->index,
		 places[s->at].name, s->kind, s->mutation ? ", " : "",
		 s->mutation ? s->mutation : "", text,
		 model_text(r, x, v, sizeof(v)));
}

/* Everything a reader needs to see what went wrong, and to get it again. */
static void report(struct run *r, const struct ran *x, unsigned long seq_first,
		   const char *program, const char *why)
{
	const struct pkt *pkt = &x->step.pkt;
	char line[1024];
	size_t n = 0;

	r->disagreements++;
	if (++reports > MAX_REPORTS)
		return;
	tap_diag("DISAGREEMENT %lu (config %s, seed %llu, packet %lu): %s",
		 reports, r->dc->name, (unsigned long long)r->o->seed, x->index,
		 why);
	describe_step(r, x, "  ");
	tap_diag("  model:   %s", model_text(r, x, line, sizeof(line)));
	tap_diag("  program: %s", program);
	refmodel_explain(&r->m, line, sizeof(line));
	tap_diag("  %s", line);
	for (size_t h = 0; h < pkt->nr_hdrs && n < sizeof(line); h++)
		n += snprintf(line + n, sizeof(line) - n, "%s%s %zu+%zu",
			      h ? ", " : "", pkt->hdrs[h].name,
			      pkt->hdrs[h].off, pkt->hdrs[h].len);
	tap_diag("  built as: %s; %zu bytes sent", line, pkt->len);
	tap_hexdump(pkt->data, pkt->len);
	tap_diag("  the sequence so far, from packet %lu:", seq_first);
	for (unsigned long i = r->nr_ran > CONTEXT ? r->nr_ran - CONTEXT : 0;
	     i + 1 < r->nr_ran; i++)
		describe_step(r, &r->ring[i % CONTEXT], "    ");
	tap_diag(
		"  again: EDGEFW_DIFF_SEED=%llu EDGEFW_DIFF_PACKETS=%lu EDGEFW_DIFF_FIRST=%lu",
		(unsigned long long)r->o->seed, r->o->packets, x->index);
}

/* What moved among a place's first nr_slots counters since the last read. */
struct moved {
	unsigned int n;
	__u32 slot; /* the last one that moved */
	__u64 packets, bytes; /* its move */
	char text[512];
};

static void counters_moved(struct run *r, enum where at, struct moved *mv)
{
	const struct place *pl = &places[at];
	struct edgefw_counter now[EDGEFW_SLOTS_PER_DIR];
	size_t n = 0;
	char v[64];

	read_slots(r, pl->iface, pl->dir, r->nr_slots, now);
	memset(mv, 0, sizeof(*mv));
	for (unsigned int i = 0; i < r->nr_slots; i++) {
		__u64 dp = now[i].packets - r->last[at][i].packets;
		__u64 db = now[i].bytes - r->last[at][i].bytes;

		if (!dp && !db)
			continue;
		mv->n++;
		mv->slot = i;
		mv->packets = dp;
		mv->bytes = db;
		if (n < sizeof(mv->text))
			n += snprintf(mv->text + n, sizeof(mv->text) - n,
				      "%s%s by %llu packets, %llu bytes",
				      n ? "; " : "",
				      verdict_text(r, i, v, sizeof(v)),
				      (unsigned long long)dp,
				      (unsigned long long)db);
	}
	if (!mv->n)
		snprintf(mv->text, sizeof(mv->text), "no counter");
	memcpy(r->last[at], now, r->nr_slots * sizeof(now[0]));
}

/*
 * Run one step at its place and compare. Returns false on a disagreement,
 * reported unless the sequence is to run again.
 */
static bool run_step(struct run *r, struct ran *x, unsigned long seq_first,
		     bool may_retry, uint64_t seq_start)
{
	const struct pktgen_step *s = &x->step;
	const struct place *pl = &places[s->at];
	const char *refused = test_run_refuses(s->at, &s->pkt);
	char program[700], why[160];
	struct moved mv;
	__u32 retval = 0;
	bool ok;
	int err;

	x->judged = !refused;
	if (refused) {
		r->refused++;
	} else {
		x->model = refmodel_judge(&r->m, pl->iface, pl->dir,
					  s->pkt.data, s->pkt.len, NULL);
		r->judged++;
		r->verdicts[x->model.slot]++;
		r->want[pl->iface][pl->dir][x->model.slot].packets++;
		r->want[pl->iface][pl->dir][x->model.slot].bytes += s->pkt.len;
	}
	if (pl->dir == EDGEFW_DIR_IN)
		err = run_xdp(&r->e, pl->iface, &s->pkt, &retval);
	else
		err = run_tc(&r->e, pl->iface, &s->pkt, &retval);
	counters_moved(r, s->at, &mv);

	if (refused) {
		/* it never reached the program: there is nothing to judge */
		ok = err == -EINVAL && !mv.n;
		snprintf(why, sizeof(why), "the test run should refuse it: %s",
			 refused);
		snprintf(program, sizeof(program),
			 "BPF_PROG_TEST_RUN: %s; moved %s",
			 err ? strerror(-err) : "ran it", mv.text);
	} else if (err) {
		ok = false;
		snprintf(why, sizeof(why), "BPF_PROG_TEST_RUN failed");
		snprintf(program, sizeof(program), "BPF_PROG_TEST_RUN: %s",
			 strerror(-err));
	} else {
		bool same_verdict = retval == retval_of(s->at, x->model.pass);

		ok = same_verdict && mv.n == 1 && mv.slot == x->model.slot &&
		     mv.packets == 1 && mv.bytes == s->pkt.len;
		snprintf(why, sizeof(why), "%s",
			 same_verdict ? "the counters differ"
				      : "the verdicts differ");
		snprintf(program, sizeof(program), "%s, moved %s",
			 retval_name(s->at, retval), mv.text);
	}
	if (ok)
		return true;
	if (!may_retry || now_ns() - seq_start <= SEQ_BUDGET_NS)
		report(r, x, seq_first, program, why);
	return false;
}

/* Every counter of both interfaces and directions, as the sequence began. */
static void snapshot(struct run *r,
		     struct edgefw_counter all[NR_IFACES][EDGEFW_NR_DIRS]
					      [EDGEFW_SLOTS_PER_DIR])
{
	for (int i = 0; i < NR_IFACES; i++) {
		for (int d = 0; d < EDGEFW_NR_DIRS; d++)
			read_slots(r, i, d, EDGEFW_SLOTS_PER_DIR, all[i][d]);
	}
	for (int at = 0; at < 4; at++)
		memcpy(r->last[at], all[places[at].iface][places[at].dir],
		       sizeof(r->last[at]));
	memset(r->want, 0, sizeof(r->want));
}

/*
 * After a sequence: no counter anywhere moved but for the packets judged,
 * as the model counted them. A count outside the slots that run_step
 * reads, or on another interface, shows here.
 */
static bool
counters_agree(struct run *r,
	       struct edgefw_counter before[NR_IFACES][EDGEFW_NR_DIRS]
					   [EDGEFW_SLOTS_PER_DIR])
{
	static struct edgefw_counter after[NR_IFACES][EDGEFW_NR_DIRS]
					  [EDGEFW_SLOTS_PER_DIR];
	bool ok = true;
	char v[64];

	for (int i = 0; i < NR_IFACES; i++) {
		for (int d = 0; d < EDGEFW_NR_DIRS; d++) {
			read_slots(r, i, d, EDGEFW_SLOTS_PER_DIR, after[i][d]);
			for (__u32 s = 0; s < EDGEFW_SLOTS_PER_DIR; s++) {
				const struct edgefw_counter *w =
					&r->want[i][d][s];
				__u64 dp = after[i][d][s].packets -
					   before[i][d][s].packets;
				__u64 db = after[i][d][s].bytes -
					   before[i][d][s].bytes;

				if (dp == w->packets && db == w->bytes)
					continue;
				ok = false;
				tap_diag(
					"%s %s %s moved by %llu packets, %llu bytes; the model counted %llu, %llu",
					iface_names[i], dir_name(d),
					verdict_text(r, s, v, sizeof(v)),
					(unsigned long long)dp,
					(unsigned long long)db,
					(unsigned long long)w->packets,
					(unsigned long long)w->bytes);
			}
		}
	}
	return ok;
}

enum outcome { AGREED, DISAGREED, TOO_SLOW };

/* One sequence: empty tables on both sides, then its steps. */
static enum outcome run_sequence(struct run *r, uint64_t seed,
				 unsigned long first, unsigned long count,
				 bool may_retry)
{
	static struct edgefw_counter before[NR_IFACES][EDGEFW_NR_DIRS]
					   [EDGEFW_SLOTS_PER_DIR];
	uint64_t start;

	kstate_reset(&r->k);
	refmodel_reset(&r->m);
	pktgen_start(r->gen, seed);
	snapshot(r, before);
	r->nr_ran = 0;
	start = now_ns();
	for (unsigned long i = 0; i < count; i++) {
		struct ran *x = &r->ring[r->nr_ran++ % CONTEXT];
		struct pktgen_step *s = &x->step;

		x->index = first + i;
		pktgen_next(r->gen, s);
		if (s->advance_ns) {
			refmodel_advance(&r->m, s->advance_ns);
			kstate_age(&r->k, s->advance_ns);
			r->advanced++;
		}
		if (s->block_op == PKTGEN_BLOCK) {
			refmodel_block(&r->m, &s->block, s->block_ttl_ns);
			kstate_block(&r->k, &s->block, s->block_ttl_ns);
		} else if (s->block_op == PKTGEN_UNBLOCK) {
			refmodel_unblock(&r->m, &s->block);
			kstate_unblock(&r->k, &s->block);
		}
		r->mutated += !!s->mutation;
		if (!run_step(r, x, first, may_retry, start))
			return may_retry && now_ns() - start > SEQ_BUDGET_NS
				       ? TOO_SLOW
				       : DISAGREED;
	}
	if (now_ns() - start > r->slowest_ns)
		r->slowest_ns = now_ns() - start;
	if (!counters_agree(r, before)) {
		r->stray_counts++;
		return DISAGREED;
	}
	return AGREED;
}

/*
 * The thresholds of the config's rate limits, on the grid that their
 * intervals make with the quantum: they must stay RATE_GRID_NS apart from
 * any time a packet can come at.
 */
static void check_rate_grid(const struct config *c)
{
	for (size_t i = 0; i < c->nr_rules; i++) {
		const struct rate_limit *l = &c->rules[i].limit;
		__u64 a, b;

		if (l->kind == EDGEFW_LIMIT_NONE)
			continue;
		a = (__u64)l->unit * EDGEFW_NSEC_PER_SEC;
		if (a % l->rate)
			tap_bail("rule %s: 1/rate is no whole ns",
				 c->rules[i].name);
		a /= l->rate;
		b = PKTGEN_QUANTUM_NS;
		while (b) {
			__u64 t = a % b;

			a = b;
			b = t;
		}
		if (a < RATE_GRID_NS)
			tap_bail(
				"rule %s: its interval meets the clock's quantum on a %llu ns grid",
				c->rules[i].name, (unsigned long long)a);
	}
}

/*
 * The veths carry nothing but what a test sends: without IPv6, no
 * neighbour discovery or MLD of their own reaches the attached programs
 * (the config gives the addresses; the model reads no NIC).
 */
static void quiet_links(void)
{
	run("for i in ext0 ext0p int0 int0p; do "
	    "sysctl -qw net.ipv6.conf.$i.disable_ipv6=1; done");
}

static bool attached(const struct run *r)
{
	for (int i = 0; i < NR_IFACES; i++) {
		const struct gen_iface *gi = &r->g.ifaces[i];
		struct bpf_prog_info xdp = {}, tc = {};
		__u32 len = sizeof(xdp);
		bool native = false;

		bpf_obj_get_info_by_fd(
			bpf_program__fd(gi->skel->progs.edgefw_xdp), &xdp,
			&len);
		len = sizeof(tc);
		bpf_obj_get_info_by_fd(
			bpf_program__fd(gi->skel->progs.edgefw_tc), &tc, &len);
		if (query_xdp_prog(gi->st.ifindex, &native) != xdp.id ||
		    !native || query_tc_prog(gi->st.ifindex) != tc.id)
			return false;
	}
	return true;
}

static void setup(struct run *r)
{
	load_config(r->dc->name, r->dc->text, NULL, 0, &r->c, &r->cc, &r->g);
	check_rate_grid(&r->c);
	r->e = make_env("", &r->c, &r->g);
	r->ncpus = libbpf_num_possible_cpus();
	if (r->ncpus <= 0 || r->ncpus > 64)
		tap_bail("%d CPUs: the counter reads hold 64", r->ncpus);
	r->nr_slots = EDGEFW_NR_REASONS + r->c.nr_rules;
	if (gen_attach(&r->g, XDP_MODE_NATIVE))
		tap_bail("cannot attach the %s generation", r->dc->name);
	CHECK(attached(r),
	      "%s: the programs judged are those attached (native XDP, TC egress) to ext0 and int0",
	      r->dc->name);
	kstate_init(&r->k, &r->e);
	refmodel_init(&r->m, &r->c);
	r->gen = pktgen_new(&r->c);
}

static void teardown(struct run *r)
{
	pktgen_free(r->gen);
	refmodel_free(&r->m);
	kstate_free(&r->k);
	gen_detach(&r->g);
	gen_free(&r->g);
	compiled_free(&r->cc);
	config_free(&r->c);
}

/* Whether the config can give the verdict of slot s at all. */
static bool reachable(const struct run *r, unsigned int s)
{
	return s != EDGEFW_PASS_RELATED ||
	       r->c.icmp_errors == EDGEFW_ICMP_ERRORS_RELATED;
}

/* Every reason, and every rule, was the model's verdict at least once. */
static void check_coverage(const struct run *r, unsigned long packets)
{
	unsigned int missing = 0;
	char line[2048], v[64];
	size_t n = 0;

	for (unsigned int s = 0; s < r->nr_slots; s++) {
		missing += !r->verdicts[s] && reachable(r, s);
		if (n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, "%s%s %lu",
				      s ? ", " : "",
				      verdict_text(r, s, v, sizeof(v)),
				      r->verdicts[s]);
	}
	tap_diag("%s: the model's verdicts: %s", r->dc->name, line);
	if (packets < COVERAGE_MIN_PACKETS) {
		tap_diag(
			"%s: %u of %u verdicts never met (too few packets to check)",
			r->dc->name, missing, r->nr_slots);
		return;
	}
	CHECK(!missing,
	      "%s: the packets met all %u verdicts, every reason and rule (%u never)",
	      r->dc->name, r->nr_slots, missing);
}

/*
 * Packets [first, end) of the run, this config's share, from the sequence
 * that holds the first packet asked for.
 */
static void run_config(struct run *r, unsigned long first, unsigned long end)
{
	unsigned long from = r->o->first > first ? r->o->first : first;
	unsigned long seq, done = 0;
	uint64_t t0 = now_ns();
	double seconds;

	from = first + (from - first) / SEQ_PACKETS * SEQ_PACKETS;
	for (seq = from; seq < end && reports < MAX_REPORTS;
	     seq += SEQ_PACKETS) {
		unsigned long n = end - seq < SEQ_PACKETS ? end - seq
							  : SEQ_PACKETS;
		uint64_t seed = mix(r->o->seed, seq);
		enum outcome out = TOO_SLOW;

		for (int t = 0; t < SEQ_TRIES && out == TOO_SLOW; t++) {
			r->retried += t > 0;
			out = run_sequence(r, seed, seq, n, t + 1 < SEQ_TRIES);
		}
		done += n;
	}
	seconds = (now_ns() - t0) / 1e9;
	tap_diag(
		"%s: %lu packets in %.1f s, %.0f packets/s: %lu judged, %lu refused by the test run, %lu mutated, %lu clock steps",
		r->dc->name, done, seconds, done / seconds, r->judged,
		r->refused, r->mutated, r->advanced);
	tap_diag(
		"%s: the slowest sequence took %.1f ms of real time (budget %llu ms); %lu ran again",
		r->dc->name, r->slowest_ns / 1e6,
		(unsigned long long)(SEQ_BUDGET_NS / MSEC), r->retried);
	CHECK(!r->disagreements && done == end - from,
	      "%s: programs and model agree on every packet (%lu of %lu run, %lu disagreements)",
	      r->dc->name, done, end - from, r->disagreements);
	CHECK(!r->stray_counts,
	      "%s: no counter moved but for the packets judged, as judged",
	      r->dc->name);
	check_coverage(r, done);
}

static unsigned long env_number(const char *name, unsigned long fallback)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : fallback;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	int opt;

	o->packets = env_number("EDGEFW_DIFF_PACKETS", DEFAULT_PACKETS);
	o->seed = env_number("EDGEFW_DIFF_SEED", mix(time(NULL), getpid()));
	o->first = env_number("EDGEFW_DIFF_FIRST", 0);
	while ((opt = getopt(argc, argv, "n:s:f:")) != -1) {
		switch (opt) {
		case 'n':
			o->packets = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'f':
			o->first = strtoul(optarg, NULL, 0);
			break;
		default:
			tap_bail(
				"usage: test_diff [-n PACKETS] [-s SEED] [-f FIRST]");
		}
	}
}

int main(int argc, char **argv)
{
	static struct run runs[ARRAY_SIZE(configs)];
	struct options o;
	unsigned long first = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_options(argc, argv, &o);
	tap_diag("seed %llu, %lu packets (EDGEFW_DIFF_SEED=%llu repeats them)",
		 (unsigned long long)o.seed, o.packets,
		 (unsigned long long)o.seed);
	make_namespace();
	quiet_links();
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		struct run *r = &runs[i];
		unsigned long end = o.packets;

		if (i + 1 < ARRAY_SIZE(configs))
			end = first + o.packets / 100 * configs[i].share;
		r->dc = &configs[i];
		r->o = &o;
		if (o.first >= end || reports >= MAX_REPORTS) {
			tap_diag("%s: not run (%s)", r->dc->name,
				 o.first >= end
					 ? "before the first packet"
					 : "stopped after disagreements");
		} else {
			setup(r);
			run_config(r, first, end);
			teardown(r);
		}
		first = end;
	}
	return tap_done();
}
