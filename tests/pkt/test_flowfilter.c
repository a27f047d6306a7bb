// SPDX-License-Identifier: GPL-2.0
/*
 * The flow filter in front of the flow tables, as the programs use it: a
 * flow they open passes its replies; a flow written into a table behind
 * their back has no bit, so its packets are the policy's until user space
 * rebuilds the filter from the tables; a rebuild after a flow went clears
 * its bit; and a filter not READY (a reload's beside an older edgefw's
 * flows) sends every packet to the tables. IPv4 and IPv6.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "flowfilter.h"
#include "pins.h"
#include "pkttest.h"
#include "tap.h"
#include "util.h"

static const char config_text[] =
	"interface ext0 role external\n"
	"interface int0 role internal address 10.1.0.10\n"
	"set partners { 203.0.113.0/24, 2001:db8:77::/48 }\n"
	"rule s2s-out external out tcp 5269 to partners\n";
static const char *const rule_names[] = { "s2s-out" };

struct family_case {
	const char *label, *self, *peer, *stranger;
	int table; /* env.flows_fd index */
};

static const struct family_case families[] = {
	{ "IPv4", SELF4, "203.0.113.5", "203.0.113.6", 0 },
	{ "IPv6", SELF6, "2001:db8:77::5", "2001:db8:77::6", 1 },
};

static int filter_fd(const struct env *e)
{
	return gen_map_fd(e->g, MAP_FLOW_FILTER);
}

static void rebuild(const struct env *e, const char *why)
{
	int err = flow_filter_rebuild(filter_fd(e), e->flows_fd[0],
				      e->flows_fd[1]);

	CHECK(err == 0, "%s: the rebuild succeeds (%s)", why,
	      err ? strerror(-err) : "0");
}

union key {
	struct edgefw_flow_key4 k4;
	struct edgefw_flow_key6 k6;
};

/* The key of remote:5269 <-> self:port on ext0; its size in 32-bit words. */
static size_t flow_key_of(const struct env *e, const struct family_case *f,
			  const char *remote, __u16 port, union key *u)
{
	struct edgefw_flow_key6 *k6 = &u->k6;
	struct edgefw_flow_key4 *k4 = &u->k4;

	memset(u, 0, sizeof(*u));
	if (f->table == 0) {
		inet_pton(AF_INET, f->self, &k4->local);
		inet_pton(AF_INET, remote, &k4->remote);
		k4->ifindex = e->g->ifaces[IF_EXT].st.ifindex;
		k4->local_port = htons(port);
		k4->remote_port = htons(5269);
		k4->proto = IPPROTO_TCP;
		return sizeof(*k4) / 4;
	}
	inet_pton(AF_INET6, f->self, &k6->local);
	inet_pton(AF_INET6, remote, &k6->remote);
	k6->ifindex = e->g->ifaces[IF_EXT].st.ifindex;
	k6->local_port = htons(port);
	k6->remote_port = htons(5269);
	k6->proto = IPPROTO_TCP;
	return sizeof(*k6) / 4;
}

struct flow_end {
	const char *remote;
	__u16 port;
};

/*
 * The bits the family's flows set in a half: those of each, counted once
 * where two share a word.
 */
static unsigned long long flows_bits(const struct env *e,
				     const struct family_case *f,
				     const struct flow_end *ends, int n,
				     __u32 log2)
{
	__u64 masks[4] = {};
	__u32 words[4];
	unsigned long long bits = 0;

	for (int i = 0; i < n && i < 4; i++) {
		union key u;
		size_t nr = flow_key_of(e, f, ends[i].remote, ends[i].port, &u);
		__u64 h = edgefw_flow_filter_hash((const __u32 *)&u, nr);

		words[i] = edgefw_flow_filter_word(log2, f->table, h);
		masks[i] = edgefw_flow_filter_mask(log2, 0, h);
		for (int j = 0; j < i; j++) {
			if (words[j] == words[i]) {
				masks[j] |= masks[i];
				masks[i] = 0;
			}
		}
	}
	for (int i = 0; i < n && i < 4; i++)
		bits += __builtin_popcountll(masks[i]);
	return bits;
}

/* The flow of remote:5269 <-> self:port on ext0, written directly. */
static void write_flow(const struct env *e, const struct family_case *f,
		       const char *remote, __u16 port, bool present)
{
	struct edgefw_flow v = {
		.seen_ns = clock_ns(CLOCK_MONOTONIC_COARSE),
		.state = EDGEFW_FLOW_ESTABLISHED,
		.opened_dir = EDGEFW_DIR_OUT,
	};
	union key u;
	int err;

	flow_key_of(e, f, remote, port, &u);
	err = present ? bpf_map_update_elem(e->flows_fd[f->table], &u, &v, 0)
		      : bpf_map_delete_elem(e->flows_fd[f->table], &u);
	if (err)
		tap_bail("cannot %s a flow: %s", present ? "write" : "delete",
			 strerror(errno));
}

static void ack_from(const struct env *e, const struct family_case *f,
		     const char *remote, __u16 port, const char *name,
		     enum expect expect, __u32 counted)
{
	struct pkt_spec s = { TCP(remote, 5269, f->self, port,
				  PKT_ACK | PKT_PSH) };
	char label[160];

	snprintf(label, sizeof(label), "%s: %s", f->label, name);
	check_spec(e, label, EXT_XDP, &s, expect, counted);
}

static void check_family(const struct env *e, const struct family_case *f)
{
	struct pkt_spec syn = { TCP(f->self, 40000, f->peer, 5269, PKT_SYN) };
	/* the programs' two flows, then the one written */
	const struct flow_end flows[] = { { f->peer, 40000 },
					  { f->peer, 40003 },
					  { f->stranger, 40001 } };
	struct flow_filter_fill fill;
	char label[160];
	__u64 state = 0;
	__u32 zero = 0;

	clear_flows(e);
	rebuild(e, "set-up");
	snprintf(label, sizeof(label),
		 "%s: a SYN out to a partner opens a flow", f->label);
	check_spec(e, label, EXT_TC, &syn, PASS, EDGEFW_VERDICT_RULE(0));
	ack_from(e, f, f->peer, 40000,
		 "the partner's answer passes as its reply", PASS,
		 EDGEFW_PASS_REPLY);
	/* and with the other half asked: an insert sets both */
	rebuild(e, "the other half");
	syn.sport = 40003;
	check_spec(e, label, EXT_TC, &syn, PASS, EDGEFW_VERDICT_RULE(0));
	ack_from(e, f, f->peer, 40003,
		 "with the other half asked, a new flow's answer passes too",
		 PASS, EDGEFW_PASS_REPLY);

	write_flow(e, f, f->stranger, 40001, true);
	ack_from(
		e, f, f->stranger, 40001,
		"a flow written behind the programs' back has no bits: its packet is the policy's",
		DROP, EDGEFW_DROP_POLICY);
	rebuild(e, "after the written flow");
	ack_from(e, f, f->stranger, 40001,
		 "after a rebuild the written flow's packet passes as a reply",
		 PASS, EDGEFW_PASS_REPLY);
	ack_from(e, f, f->peer, 40000,
		 "and the programs' own flow still passes after the rebuild",
		 PASS, EDGEFW_PASS_REPLY);

	write_flow(e, f, f->stranger, 40001, false);
	ack_from(
		e, f, f->stranger, 40001,
		"a flow that went: its bits send the packet on to the table, which has none",
		DROP, EDGEFW_DROP_POLICY);
	CHECK(flow_filter_read(filter_fd(e), &fill) == 0 && fill.ready &&
		      fill.set[f->table] ==
			      flows_bits(e, f, flows, 3,
					 __builtin_ctzll(fill.bits)),
	      "%s: before the rebuild the half asked has the bits of the three flows (%llu set of %llu)",
	      f->label, (unsigned long long)fill.set[f->table],
	      flows_bits(e, f, flows, 3, __builtin_ctzll(fill.bits)));
	rebuild(e, "after the flow went");
	CHECK(flow_filter_read(filter_fd(e), &fill) == 0 && fill.ready &&
		      fill.set[f->table] ==
			      flows_bits(e, f, flows, 2,
					 __builtin_ctzll(fill.bits)) &&
		      fill.set[!f->table] == 0,
	      "%s: a rebuild leaves the bits of the two flows left (%llu set of %llu; the other family %llu)",
	      f->label, (unsigned long long)fill.set[f->table],
	      flows_bits(e, f, flows, 2, __builtin_ctzll(fill.bits)),
	      (unsigned long long)fill.set[!f->table]);

	/* what a reload beside an older edgefw's flows starts from */
	if (bpf_map_update_elem(filter_fd(e), &zero, &state, 0))
		tap_bail("cannot clear the flow filter's state");
	write_flow(e, f, f->stranger, 40002, true);
	ack_from(
		e, f, f->stranger, 40002,
		"a filter not ready: every packet asks the table, and a flow without bits passes",
		PASS, EDGEFW_PASS_REPLY);
	CHECK(flow_filter_refresh(filter_fd(e), e->flows_fd[0], e->flows_fd[1],
				  &fill) == 1 &&
		      flow_filter_read(filter_fd(e), &fill) == 0 && fill.ready,
	      "%s: refresh rebuilds a filter that is not ready, and makes it ready",
	      f->label);
	ack_from(e, f, f->stranger, 40002,
		 "and then the flow passes through the filter", PASS,
		 EDGEFW_PASS_REPLY);
	CHECK(flow_filter_refresh(filter_fd(e), e->flows_fd[0], e->flows_fd[1],
				  &fill) == 0,
	      "%s: refresh leaves a ready filter with few bits set alone",
	      f->label);
}

int main(void)
{
	static struct generation g;
	struct flow_filter_fill fill;
	struct compiled cc;
	struct config c;
	struct env e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	make_namespace();
	load_config("flowfilter", config_text, rule_names, 1, &c, &cc, &g);
	e = make_env("", &c, &g);
	CHECK(flow_filter_read(filter_fd(&e), &fill) == 0 && fill.ready &&
		      fill.bits == 1ULL << edgefw_flow_filter_log2(
					   EDGEFW_FLOW_MAX_ENTRIES),
	      "a load makes the filter ready, %llu bits a family's half for %u flows",
	      (unsigned long long)fill.bits, EDGEFW_FLOW_MAX_ENTRIES);
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		check_family(&e, &families[i]);
	CHECK(flow_filter_read(e.flows_fd[0], &fill) == -EINVAL,
	      "a flow table is no flow filter: -EINVAL");
	gen_free(&g);
	compiled_free(&cc);
	config_free(&c);
	return tap_done();
}
