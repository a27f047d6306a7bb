// SPDX-License-Identifier: GPL-2.0
/*
 * The flows' clock (bpf/flows.h: the coarse clock, read once a jiffy and
 * kept): a flow the programs open carries the coarse clock's time, a
 * later flow a later time (the copy follows the clock), a flow whose time
 * is a little ahead of the clock, as another CPU's may be, is live to its
 * answers and to ICMP errors about it, and one far ahead (no time of this
 * boot's clock) is gone. IPv4 and IPv6.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
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
	const char *label, *self, *peer, *router;
	int table; /* env.flows_fd index */
	__u8 icmp_proto, too_big, too_big_code; /* "packet too big" */
};

static const struct family_case families[] = {
	{ "IPv4", SELF4, "192.0.2.7", "203.0.113.1", 0, IPPROTO_ICMP,
	  ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED },
	{ "IPv6", SELF6, "2001:db8:55::7", "2001:db8:99::1", 1, IPPROTO_ICMPV6,
	  ICMP6_PACKET_TOO_BIG, 0 },
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

/* Our SYN out to the peer from port 40000: it opens the flow. */
static struct pkt_spec our_syn(const struct family_case *f)
{
	return (struct pkt_spec){ TCP(f->self, 40000, f->peer, 5269, PKT_SYN) };
}

/* The table's only flow, opened by our SYN; the clock around it. */
static struct edgefw_flow open_flow(const struct env *e,
				    const struct family_case *f, void *key,
				    __s64 *before, __s64 *after)
{
	struct pkt_spec syn = our_syn(f);
	char label[160];

	clear_flows(e);
	snprintf(label, sizeof(label), "%s: a SYN out to a peer opens a flow",
		 f->label);
	*before = clock_ns(CLOCK_MONOTONIC_COARSE);
	check_spec(e, label, EXT_TC, &syn, PASS, EDGEFW_VERDICT_RULE(0));
	*after = clock_ns(CLOCK_MONOTONIC_COARSE);
	return only_flow(e, f, key);
}

/*
 * With the flow's time now + ahead_ns: a router's "packet too big" quoting
 * our SYN, and the peer's answer.
 */
static void flow_ahead(const struct env *e, const struct family_case *f,
		       const void *key, struct edgefw_flow v, __s64 ahead_ns,
		       const char *name, bool live)
{
	struct pkt_spec syn = our_syn(f);
	struct pkt_spec answer = { TCP(f->peer, 5269, f->self, 40000,
				       PKT_ACK | PKT_PSH) };
	struct pkt_spec too_big = { .src = f->router,
				    .dst = f->self,
				    .proto = f->icmp_proto,
				    .icmp_type = f->too_big,
				    .icmp_code = f->too_big_code,
				    .quote = &syn };
	char label[200];

	v.seen_ns = clock_ns(CLOCK_MONOTONIC_COARSE) + ahead_ns;
	if (bpf_map_update_elem(e->flows_fd[f->table], key, &v, BPF_EXIST))
		tap_bail("cannot write a flow: %s", strerror(errno));
	/* the error first: the answer makes the flow established, and now */
	snprintf(label, sizeof(label), "%s: %s: a router's error about it %s",
		 f->label, name, live ? "passes" : "is the policy's");
	check_spec(e, label, EXT_XDP, &too_big, live ? PASS : DROP,
		   live ? EDGEFW_PASS_RELATED : EDGEFW_DROP_POLICY);
	snprintf(label, sizeof(label), "%s: %s: the peer's answer %s", f->label,
		 name, live ? "passes" : "is the policy's");
	check_spec(e, label, EXT_XDP, &answer, live ? PASS : DROP,
		   live ? EDGEFW_PASS_REPLY : EDGEFW_DROP_POLICY);
}

static void check_family(const struct env *e, const struct family_case *f)
{
	unsigned char key[sizeof(struct edgefw_flow_key6)];
	struct edgefw_flow first, later;
	__s64 before, after, before2, after2;
	struct timespec pause = { 0, 3 * LAG_NS };

	first = open_flow(e, f, key, &before, &after);
	CHECK((__s64)first.seen_ns >= before - LAG_NS &&
		      (__s64)first.seen_ns <= after,
	      "%s: its time is the coarse clock's (%lld ns from the clock read before the SYN; it may lag %lld ms)",
	      f->label, (long long)((__s64)first.seen_ns - before),
	      (long long)(LAG_NS / 1000000));

	/* three lags: the jiffy has changed, whatever HZ */
	nanosleep(&pause, NULL);
	later = open_flow(e, f, key, &before2, &after2);
	CHECK(later.seen_ns > first.seen_ns &&
		      (__s64)later.seen_ns >= before2 - LAG_NS &&
		      (__s64)later.seen_ns <= after2,
	      "%s: a flow opened %lld ms later has the clock's later time (%lld ns after the first)",
	      f->label, (long long)(3 * LAG_NS / 1000000),
	      (long long)(later.seen_ns - first.seen_ns));

	flow_ahead(
		e, f, key, later, LAG_NS * 2,
		"a flow whose time is 40 ms ahead of the clock (another CPU's) is live",
		true);
	flow_ahead(e, f, key, later, 10 * (__s64)EDGEFW_NSEC_PER_SEC,
		   "a flow whose time is 10 s ahead is no flow of this clock's",
		   false);
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
