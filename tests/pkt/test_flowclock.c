// SPDX-License-Identifier: GPL-2.0
/*
 * The flows' clock (bpf/flows.h: the coarse clock, read once a jiffy and
 * kept): a flow the programs open carries the coarse clock's time, a
 * later flow a later time (the copy follows the clock), a flow whose time
 * is a little ahead of the clock, as another CPU's may be, is live, and
 * one far ahead (no time of this boot's clock) is gone. IPv4 and IPv6.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "pkttest.h"
#include "tap.h"
#include "util.h"

static const char config_text[] =
	"interface ext0 role external\n"
	"interface int0 role internal address 10.1.0.10\n"
	"set peers { 192.0.2.0/24, 2001:db8:55::/48 }\n"
	"rule federation-out external out tcp 5269 to peers\n";
static const char *const rule_names[] = { "federation-out" };

/* How far the copy may lag the coarse clock: a tick at HZ=100, twice. */
#define LAG_NS (20 * 1000000LL)

struct family_case {
	const char *label, *self, *peer;
	int table; /* env.flows_fd index */
	size_t key_size;
};

static const struct family_case families[] = {
	{ "IPv4", SELF4, "192.0.2.7", 0, sizeof(struct edgefw_flow_key4) },
	{ "IPv6", SELF6, "2001:db8:55::7", 1, sizeof(struct edgefw_flow_key6) },
};

/* The table's only flow, after clear_flows and the SYN that opened it. */
static struct edgefw_flow only_flow(const struct env *e,
				    const struct family_case *f, void *key)
{
	struct edgefw_flow v;
	int fd = e->flows_fd[f->table];

	if (bpf_map_get_next_key(fd, NULL, key) ||
	    bpf_map_lookup_elem(fd, key, &v))
		tap_bail("%s: the SYN opened no flow: %s", f->label,
			 strerror(errno));
	return v;
}

static void check_spec(const struct env *e, const char *label, enum where at,
		       const struct pkt_spec *s, enum expect expect,
		       __u32 counted)
{
	struct pkt p;

	if (pkt_build(s, &p))
		tap_bail("cannot build the packet of %s", label);
	check_packet(e, label, at, &p, expect, counted);
}

/* A SYN out to the peer from port: it opens the table's only flow. */
static struct edgefw_flow open_flow(const struct env *e,
				    const struct family_case *f, __u16 port,
				    void *key, __s64 *before, __s64 *after)
{
	struct pkt_spec syn = { TCP(f->self, port, f->peer, 5269, PKT_SYN) };
	char label[160];

	clear_flows(e);
	snprintf(label, sizeof(label), "%s: a SYN out to a peer opens a flow",
		 f->label);
	*before = clock_ns(CLOCK_MONOTONIC_COARSE);
	check_spec(e, label, EXT_TC, &syn, PASS, EDGEFW_VERDICT_RULE(0));
	*after = clock_ns(CLOCK_MONOTONIC_COARSE);
	return only_flow(e, f, key);
}

/* The peer's answer on the flow whose time is now + ahead_ns. */
static void answer_ahead(const struct env *e, const struct family_case *f,
			 const void *key, struct edgefw_flow v, __s64 ahead_ns,
			 const char *name, enum expect expect, __u32 counted)
{
	struct pkt_spec ack = { TCP(f->peer, 5269, f->self, 40000,
				    PKT_ACK | PKT_PSH) };
	char label[160];

	v.seen_ns = clock_ns(CLOCK_MONOTONIC_COARSE) + ahead_ns;
	if (bpf_map_update_elem(e->flows_fd[f->table], key, &v, BPF_EXIST))
		tap_bail("cannot write a flow: %s", strerror(errno));
	snprintf(label, sizeof(label), "%s: %s", f->label, name);
	check_spec(e, label, EXT_XDP, &ack, expect, counted);
}

static void check_family(const struct env *e, const struct family_case *f)
{
	unsigned char key[sizeof(struct edgefw_flow_key6)];
	struct edgefw_flow first, later;
	__s64 before, after, before2, after2;
	struct timespec pause = { 0, 3 * LAG_NS };

	first = open_flow(e, f, 40000, key, &before, &after);
	CHECK((__s64)first.seen_ns >= before - LAG_NS &&
		      (__s64)first.seen_ns <= after,
	      "%s: its time is the coarse clock's (%lld ns from the clock read before the SYN; it may lag %lld ms)",
	      f->label, (long long)((__s64)first.seen_ns - before),
	      (long long)(LAG_NS / 1000000));

	/* three lags: the jiffy has changed, whatever HZ */
	nanosleep(&pause, NULL);
	later = open_flow(e, f, 40000, key, &before2, &after2);
	CHECK(later.seen_ns > first.seen_ns &&
		      (__s64)later.seen_ns >= before2 - LAG_NS &&
		      (__s64)later.seen_ns <= after2,
	      "%s: a flow opened %lld ms later has the clock's later time (%lld ns after the first)",
	      f->label, (long long)(3 * LAG_NS / 1000000),
	      (long long)(later.seen_ns - first.seen_ns));

	answer_ahead(
		e, f, key, later, LAG_NS * 2,
		"a flow whose time is 40 ms ahead of the clock (another CPU's) is live: the answer passes",
		PASS, EDGEFW_PASS_REPLY);
	answer_ahead(
		e, f, key, later, 10 * (__s64)EDGEFW_NSEC_PER_SEC,
		"a flow whose time is 10 s ahead is no flow of this clock's: the answer is the policy's",
		DROP, EDGEFW_DROP_POLICY);
}

int main(void)
{
	static struct generation g;
	struct compiled cc;
	struct config c;
	struct env e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	make_namespace();
	load_config("flowclock", config_text, rule_names, 1, &c, &cc, &g);
	e = make_env("", &c, &g);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		check_family(&e, &families[i]);
	gen_free(&g);
	compiled_free(&cc);
	config_free(&c);
	return tap_done();
}
