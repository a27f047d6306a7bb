// SPDX-License-Identifier: GPL-2.0
/*
 * Drop events (bpf/events.h), through BPF_PROG_TEST_RUN on a generation
 * loaded (not attached) for ext0 and int0 in a private network namespace,
 * as in test_packets. The test is the listener: it sets the lease in
 * events_ctl as `edgefw monitor` does and reads the generation's events
 * ring after each packet.
 *
 *   fields    drops of every reason the config can give (policy on v4, v6,
 *             802.1Q, QinQ, ICMP, egress; ratelimit with its rule; a
 *             fragment; malformed): every field of the event is the
 *             packet's; passes give no event.
 *   listener  no lease, no event and no counter moves; a lease run out
 *             (a monitor killed with SIGKILL) is cleared by the next drop.
 *   readers   the daemon's sampler beside edgefw monitor: no lease, nothing
 *             in either ring; the sampler's lease alone, the samples ring
 *             gets the event and the events ring nothing; both, each ring
 *             gets it; the sampler's lease run out is cleared, the
 *             monitor's kept. Under the limit config each reader spends
 *             its own bucket: neither starves the other.
 *   limit     monitor mode, `events rate 1/m burst B`: a burst of drops on
 *             one CPU gives B / CPUs events, the rest counted as suppressed
 *             by the limit; every event says monitor.
 *   ring      a ring nobody reads fills: the drops beyond it are counted
 *             as ring_full, and the program goes on judging.
 *
 * The whole test runs on CPU 0, so that one CPU's bucket is spent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "maps.h"
#include "packet.h"
#include "pins.h"
#include "pkttest.h"
#include "tap.h"

#define INT_SELF "10.1.0.10"
#define PARTNER4 "203.0.113.21"
#define STRANGER4 "192.0.2.66"
#define STRANGER6 "2001:db8:99::66"
#define FIELD_TOKENS 200 /* a CPU's tokens in the fields config */
#define LIMIT_TOKENS 8 /* and in the limit config */
#define LIMIT_BURST 50 /* drops offered to the limit config */
#define SAMPLE_TOKENS 4 /* the sampler's tokens in the limit config */
#define MAX_EVENTS 64

/* %s: the mode; %u: the events' burst for all CPUs, then the samples'. */
static const char config_fmt[] =
	"mode %s\n"
	"interface ext0 role external\n"
	"interface int0 role internal address " INT_SELF "\n"
	"set partners { 203.0.113.0/24, 2001:db8:77::/48 }\n"
	"rule syn-in external in tcp 5269 from partners to self"
	" limit 1/m burst 1 per source\n"
	"rule dns-out external out udp 53\n"
	"policy external in drop\n"
	"policy external out drop\n"
	"fragments external drop\n"
	"events rate 1/m burst %u sample 1/m burst %u\n";

static const char *const rule_names[] = { "syn-in", "dns-out" };
enum { RULE_SYN_IN, RULE_DNS_OUT };

struct listener {
	const struct env *e;
	struct ring_buffer *rb;
	int ctl_fd, cpu_fd;
	struct edgefw_event got[MAX_EVENTS];
	int n;
	/* the daemon's samples ring, when the test reads it too */
	struct ring_buffer *samples;
	int nr_samples;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct listener *l = ctx;

	CHECK_EQ(size, sizeof(struct edgefw_event), "an event's size");
	if (l->n < MAX_EVENTS && size >= sizeof(struct edgefw_event))
		memcpy(&l->got[l->n], data, sizeof(struct edgefw_event));
	l->n++;
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct listener *l = ctx;

	(void)data;
	CHECK_EQ(size, sizeof(struct edgefw_event), "a sample's size");
	l->nr_samples++;
	return 0;
}

static void set_leases(const struct listener *l, __u64 monitor, __u64 sampler)
{
	struct edgefw_events_ctl ctl = { .listen_until_ns = monitor,
					 .sample_until_ns = sampler };
	__u32 zero = 0;

	if (bpf_map_update_elem(l->ctl_fd, &zero, &ctl, BPF_ANY))
		tap_bail("cannot write events_ctl: %s", strerror(errno));
}

static void set_lease(const struct listener *l, __u64 until)
{
	set_leases(l, until, 0);
}

static struct edgefw_events_ctl leases(const struct listener *l)
{
	struct edgefw_events_ctl ctl;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(l->ctl_fd, &zero, &ctl))
		tap_bail("cannot read events_ctl: %s", strerror(errno));
	return ctl;
}

static __u64 lease(const struct listener *l)
{
	return leases(l).listen_until_ns;
}

static struct events_counts reader_counts(const struct listener *l,
					  enum edgefw_events_reader r)
{
	struct events_counts c;

	if (events_counts_read(l->cpu_fd, r, &c))
		tap_bail("cannot read events_cpu");
	return c;
}

static struct events_counts counts(const struct listener *l)
{
	return reader_counts(l, EDGEFW_READER_MONITOR);
}

static void listen_on(struct listener *l, const struct env *e)
{
	memset(l, 0, sizeof(*l));
	l->e = e;
	l->ctl_fd = gen_map_fd(e->g, MAP_EVENTS_CTL);
	l->cpu_fd = gen_map_fd(e->g, MAP_EVENTS_CPU);
	l->rb = ring_buffer__new(gen_map_fd(e->g, MAP_EVENTS), on_event, l,
				 NULL);
	if (!l->rb)
		tap_bail("cannot read the events ring: %s", strerror(errno));
	set_lease(l, clock_ns(CLOCK_MONOTONIC_COARSE) +
			     3600 * EDGEFW_NSEC_PER_SEC);
}

/* Run a packet and collect the events it gave. */
static void send_pkt(struct listener *l, enum where at, const struct pkt *p,
		     __u32 *retval)
{
	int err;

	l->n = 0;
	l->nr_samples = 0;
	err = places[at].dir == EDGEFW_DIR_IN
		      ? run_xdp(l->e, places[at].iface, p, retval)
		      : run_tc(l->e, places[at].iface, p, retval);
	if (err)
		tap_bail("test run at %s: %s", places[at].name, strerror(-err));
	if (ring_buffer__consume(l->rb) < 0)
		tap_bail("cannot consume the events ring");
	if (l->samples && ring_buffer__consume(l->samples) < 0)
		tap_bail("cannot consume the samples ring");
}

/* The test reads the daemon's samples ring too. */
static void sample_on(struct listener *l)
{
	l->samples = ring_buffer__new(gen_map_fd(l->e->g, MAP_SAMPLES),
				      on_sample, l, NULL);
	if (!l->samples)
		tap_bail("cannot read the samples ring: %s", strerror(errno));
}

static void listener_free(struct listener *l)
{
	ring_buffer__free(l->rb);
	ring_buffer__free(l->samples);
}

static void build(const struct pkt_spec *s, struct pkt *p)
{
	if (pkt_build(s, p))
		tap_bail("a packet spec does not build");
}

static void to_addr(const char *text, union edgefw_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!text)
		return;
	if (inet_pton(strchr(text, ':') ? AF_INET6 : AF_INET, text, a) != 1)
		tap_bail("bad address %s", text);
}

struct field_case {
	const char *name;
	enum where at;
	struct pkt_spec spec;
	__u8 reason;
	__u16 rule; /* EDGEFW_EVENT_NO_RULE */
	size_t truncate; /* 0: whole */
	bool no_ports; /* ports not parsed (a later fragment, malformed) */
	bool no_ip; /* dropped before its IP header was read */
};

#define NO_RULE .rule = EDGEFW_EVENT_NO_RULE

static const struct field_case drops[] = {
	{ "policy v4 SYN",
	  EXT_XDP,
	  { TCP(STRANGER4, 40001, SELF4, 5269, PKT_SYN) },
	  EDGEFW_DROP_POLICY,
	  NO_RULE },
	{ "policy v6 SYN-ACK",
	  EXT_XDP,
	  { TCP(STRANGER6, 40002, SELF6, 5270, PKT_SYN | PKT_ACK),
	    .payload = 100 },
	  EDGEFW_DROP_POLICY,
	  NO_RULE },
	{ "policy v4 802.1Q",
	  EXT_XDP,
	  { .vlan = { { ETH_P_8021Q, 100 } },
	    TCP(STRANGER4, 40003, SELF4, 5269, PKT_SYN) },
	  EDGEFW_DROP_POLICY,
	  NO_RULE },
	{ "policy v6 QinQ",
	  EXT_XDP,
	  { .vlan = { { ETH_P_8021AD, 300 }, { ETH_P_8021Q, 4001 } },
	    UDP(STRANGER6, 40004, SELF6, 5060) },
	  EDGEFW_DROP_POLICY,
	  NO_RULE },
	/* an echo's identifier stands for both ports (flows key on it) */
	{ "policy v4 ICMP echo",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, 8, 0), .sport = 777, .dport = 777 },
	  EDGEFW_DROP_POLICY,
	  NO_RULE },
	{ "policy egress v4 UDP",
	  EXT_TC,
	  { UDP(SELF4, 40005, STRANGER4, 123) },
	  EDGEFW_DROP_POLICY,
	  NO_RULE },
	{ "fragment v4 later",
	  EXT_XDP,
	  { UDP(STRANGER4, 40006, SELF4, 53), .frag = PKT_FRAG_LATER },
	  EDGEFW_DROP_FRAGMENT,
	  NO_RULE,
	  .no_ports = true },
	{ "ratelimit v4 second SYN",
	  EXT_XDP,
	  { TCP(PARTNER4, 40007, SELF4, 5269, PKT_SYN) },
	  EDGEFW_DROP_RATELIMIT,
	  .rule = RULE_SYN_IN },
	{ "malformed: TCP header cut",
	  EXT_XDP,
	  { TCP(STRANGER4, 40008, SELF4, 5269, PKT_SYN) },
	  EDGEFW_DROP_MALFORMED,
	  NO_RULE,
	  .truncate = 14 + 20 + 10,
	  .no_ports = true },
};

static void check_event(const struct env *e, const char *name,
			const struct edgefw_event *ev,
			const struct field_case *c, const struct pkt *p,
			bool monitor)
{
	__u32 ifindex = e->g->ifaces[places[c->at].iface].st.ifindex;
	union edgefw_addr src, dst;
	int nr_vlans = 0;

	to_addr(c->no_ip ? NULL : c->spec.src, &src);
	to_addr(c->no_ip ? NULL : c->spec.dst, &dst);
	while (nr_vlans < 2 && c->spec.vlan[nr_vlans].tpid)
		nr_vlans++;
	CHECK(ev->time_ns > 0, "%s: time", name);
	CHECK(!memcmp(&ev->src, &src, sizeof(src)), "%s: src", name);
	CHECK(!memcmp(&ev->dst, &dst, sizeof(dst)), "%s: dst", name);
	CHECK_EQ(ev->ifindex, ifindex, "%s: ifindex", name);
	CHECK_EQ(ev->slot, places[c->at].iface, "%s: interface slot", name);
	CHECK_EQ(ev->rule, c->rule, "%s: rule", name);
	CHECK_EQ(ntohs(ev->sport), c->no_ports ? 0 : c->spec.sport, "%s: sport",
		 name);
	CHECK_EQ(ntohs(ev->dport), c->no_ports ? 0 : c->spec.dport, "%s: dport",
		 name);
	CHECK_EQ(ev->nr_vlans, nr_vlans, "%s: VLAN tags", name);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(ntohs(ev->vlan_tci[i]) & 0xfff,
			 i < nr_vlans ? c->spec.vlan[i].vid : 0,
			 "%s: VLAN id %d", name, i);
	CHECK_EQ(ev->dir, places[c->at].dir, "%s: direction", name);
	CHECK_EQ(ev->reason, c->reason, "%s: reason", name);
	CHECK_EQ(ev->flags, monitor ? EDGEFW_EVENT_MONITOR : 0, "%s: flags",
		 name);
	CHECK_EQ(ev->family, c->no_ip ? 0 : p->family, "%s: family", name);
	CHECK_EQ(ev->proto, c->no_ip ? 0 : c->spec.proto, "%s: protocol", name);
	CHECK_EQ(ev->tcp_flags,
		 c->spec.proto == IPPROTO_TCP && !c->no_ports
			 ? c->spec.tcp_flags
			 : 0,
		 "%s: TCP flags", name);
	CHECK_EQ(ev->icmp_type,
		 c->spec.proto == IPPROTO_ICMP ? c->spec.icmp_type : 0,
		 "%s: ICMP type", name);
	CHECK_EQ(ev->icmp_code,
		 c->spec.proto == IPPROTO_ICMP ? c->spec.icmp_code : 0,
		 "%s: ICMP code", name);
	CHECK_EQ(ev->frag, c->spec.frag, "%s: fragment", name);
	CHECK_EQ(ev->len, p->len, "%s: length", name);
	CHECK_EQ(ev->config_tag, config_tag(e->c->hash), "%s: config tag",
		 name);
}

static void check_fields(const struct env *e)
{
	struct pkt_spec admitted = { TCP(PARTNER4, 40007, SELF4, 5269,
					 PKT_SYN) };
	struct listener l;
	struct pkt p;
	__u32 rv;

	listen_on(&l, e);
	/* the partner's first SYN spends its bucket: the second is dropped */
	build(&admitted, &p);
	send_pkt(&l, EXT_XDP, &p, &rv);
	CHECK_EQ(rv, XDP_PASS, "fields: the partner's first SYN passes");
	CHECK_EQ(l.n, 0, "fields: no event for a pass (a rule's)");
	for (size_t i = 0; i < sizeof(drops) / sizeof(drops[0]); i++) {
		const struct field_case *c = &drops[i];

		build(&c->spec, &p);
		if (c->truncate)
			pkt_truncate(&p, c->truncate, true);
		send_pkt(&l, c->at, &p, &rv);
		CHECK_EQ(rv,
			 places[c->at].dir == EDGEFW_DIR_IN ? XDP_DROP
							    : TC_ACT_SHOT,
			 "fields: %s: dropped", c->name);
		if (!CHECK_EQ(l.n, 1, "fields: %s: one event", c->name))
			continue;
		check_event(e, c->name, &l.got[0], c, &p, false);
	}
	{
		static const struct pkt_spec passes[] = {
			{ .arp = true, .src = "198.51.100.1", .dst = SELF4 },
			{ UDP(SELF4, 40010, "198.51.100.53", 53) },
			{ UDP("198.51.100.53", 53, SELF4, 40010) },
		};
		static const enum where at[] = { EXT_XDP, EXT_TC, EXT_XDP };

		for (size_t i = 0; i < 3; i++) {
			build(&passes[i], &p);
			send_pkt(&l, at[i], &p, &rv);
			CHECK_EQ(
				l.n, 0,
				"fields: pass %zu (ARP, a rule, a reply) gives no event",
				i);
		}
	}
	listener_free(&l);
}

static void check_listener(const struct env *e)
{
	struct pkt_spec drop = { TCP(STRANGER4, 41000, SELF4, 5269, PKT_SYN) };
	struct events_counts before, after;
	struct listener l;
	struct pkt p;
	__u32 rv;

	listen_on(&l, e);
	build(&drop, &p);
	set_lease(&l, 0);
	before = counts(&l);
	send_pkt(&l, EXT_XDP, &p, &rv);
	after = counts(&l);
	CHECK_EQ(rv, XDP_DROP, "listener: none: the packet is dropped");
	CHECK_EQ(l.n, 0, "listener: none: no event");
	CHECK(!memcmp(&before, &after, sizeof(before)),
	      "listener: none: no counter moved");

	/* a monitor killed with SIGKILL: its lease runs out */
	set_lease(&l, clock_ns(CLOCK_MONOTONIC_COARSE) - 1);
	send_pkt(&l, EXT_XDP, &p, &rv);
	CHECK_EQ(l.n, 0, "listener: lease run out: no event");
	CHECK_EQ(lease(&l), 0, "listener: lease run out: cleared by the drop");
	after = counts(&l);
	CHECK(!memcmp(&before, &after, sizeof(before)),
	      "listener: lease run out: no counter moved");

	set_lease(&l,
		  clock_ns(CLOCK_MONOTONIC_COARSE) + EDGEFW_EVENTS_LEASE_NS);
	send_pkt(&l, EXT_XDP, &p, &rv);
	CHECK_EQ(l.n, 1, "listener: a live lease: the event");
	listener_free(&l);
}

static void check_limit(const struct env *e)
{
	struct pkt_spec drop = { TCP(STRANGER4, 42000, SELF4, 5269, PKT_SYN) };
	struct events_counts before, after;
	struct listener l;
	int events = 0, monitor = 0;
	struct pkt p;
	__u32 rv;

	listen_on(&l, e);
	before = counts(&l);
	for (int i = 0; i < LIMIT_BURST; i++) {
		drop.sport = 42000 + i;
		build(&drop, &p);
		send_pkt(&l, EXT_XDP, &p, &rv);
		CHECK_EQ(rv, XDP_PASS, "limit: monitor mode: drop %d passes",
			 i);
		events += l.n;
		for (int k = 0; k < l.n && k < MAX_EVENTS; k++) {
			monitor += l.got[k].flags == EDGEFW_EVENT_MONITOR &&
				   ntohs(l.got[k].sport) == 42000 + i;
		}
	}
	after = counts(&l);
	CHECK_EQ(events, LIMIT_TOKENS,
		 "limit: %d drops give the bucket's %d events", LIMIT_BURST,
		 LIMIT_TOKENS);
	CHECK_EQ(monitor, events,
		 "limit: every event is the monitor-mode drop it was sent for");
	CHECK_EQ(after.emitted - before.emitted, LIMIT_TOKENS,
		 "limit: the emitted counter");
	CHECK_EQ(after.limited - before.limited, LIMIT_BURST - LIMIT_TOKENS,
		 "limit: the suppressed counter moved by the rest");
	CHECK_EQ(after.ring_full, before.ring_full,
		 "limit: the ring never full");
	listener_free(&l);
}

/* A ring nobody reads: the drops beyond it are counted, never stall. */
static void check_ring_full(const struct env *e)
{
	struct pkt_spec drop = { TCP(STRANGER4, 43000, SELF4, 5269, PKT_SYN) };
	struct events_counts before, after;
	struct listener l;
	struct pkt p;
	int repeat =
		EDGEFW_EVENTS_RING_BYTES / sizeof(struct edgefw_event) + 1000;
	struct xdp_md ctx = {
		.ingress_ifindex = e->g->ifaces[IF_EXT].st.ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	listen_on(&l, e);
	build(&drop, &p);
	ctx.data_end = p.len;
	opts.data_in = p.data;
	opts.data_size_in = p.len;
	before = counts(&l);
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(e->g->ifaces[IF_EXT].skel->progs.edgefw_xdp),
		    &opts))
		tap_bail("test run: %s", strerror(errno));
	after = counts(&l);
	CHECK_EQ(opts.retval, XDP_DROP, "ring: the drops are judged");
	CHECK(after.ring_full - before.ring_full >= 1000,
	      "ring: a full ring's drops counted (%llu of %d)",
	      (unsigned long long)(after.ring_full - before.ring_full), repeat);
	CHECK_EQ(after.emitted - before.emitted + after.ring_full -
			 before.ring_full,
		 repeat, "ring: every drop either sent or counted");
	CHECK(after.emitted - before.emitted <
		      EDGEFW_EVENTS_RING_BYTES / sizeof(struct edgefw_event),
	      "ring: no more sent than the ring holds");
	listener_free(&l);
}

/* The daemon's sampler beside edgefw monitor: each reader its own ring. */
static void check_readers(const struct env *e)
{
	struct pkt_spec drop = { TCP(STRANGER4, 44000, SELF4, 5269, PKT_SYN) };
	struct events_counts mon0, smp0, mon1, smp1;
	__u64 live =
		clock_ns(CLOCK_MONOTONIC_COARSE) + 3600 * EDGEFW_NSEC_PER_SEC;
	struct edgefw_events_ctl ctl;
	struct listener l;
	struct pkt p;
	__u32 rv;

	listen_on(&l, e);
	sample_on(&l);
	build(&drop, &p);

	set_leases(&l, 0, 0);
	mon0 = reader_counts(&l, EDGEFW_READER_MONITOR);
	smp0 = reader_counts(&l, EDGEFW_READER_SAMPLER);
	send_pkt(&l, EXT_XDP, &p, &rv);
	mon1 = reader_counts(&l, EDGEFW_READER_MONITOR);
	smp1 = reader_counts(&l, EDGEFW_READER_SAMPLER);
	CHECK_EQ(rv, XDP_DROP, "readers: none: dropped");
	CHECK_EQ(l.n + l.nr_samples, 0,
		 "readers: none: nothing in either ring");
	CHECK(!memcmp(&mon0, &mon1, sizeof(mon0)) &&
		      !memcmp(&smp0, &smp1, sizeof(smp0)),
	      "readers: none: no counter moved");

	set_leases(&l, 0, live);
	send_pkt(&l, EXT_XDP, &p, &rv);
	CHECK_EQ(l.nr_samples, 1,
		 "readers: the sampler's lease alone: a sample");
	CHECK_EQ(l.n, 0, "readers: the sampler's lease alone: no event");
	mon0 = reader_counts(&l, EDGEFW_READER_MONITOR);
	smp0 = reader_counts(&l, EDGEFW_READER_SAMPLER);
	CHECK(!memcmp(&mon0, &mon1, sizeof(mon0)),
	      "readers: the sampler's lease alone: monitor's counters still");
	CHECK_EQ(smp0.emitted - smp1.emitted, 1,
		 "readers: the sampler's lease alone: its emitted counter");

	set_leases(&l, live, live);
	send_pkt(&l, EXT_XDP, &p, &rv);
	CHECK_EQ(l.n, 1, "readers: both leases: the event");
	CHECK_EQ(l.nr_samples, 1, "readers: both leases: and the sample");

	/* the daemon killed with SIGKILL: its lease runs out, monitor's not */
	set_leases(&l, live, clock_ns(CLOCK_MONOTONIC_COARSE) - 1);
	send_pkt(&l, EXT_XDP, &p, &rv);
	ctl = leases(&l);
	CHECK_EQ(l.n, 1, "readers: the sampler's lease run out: the event");
	CHECK_EQ(l.nr_samples, 0, "readers: ...and no sample");
	CHECK_EQ(ctl.sample_until_ns, 0,
		 "readers: ...its lease cleared by the drop");
	CHECK_EQ(ctl.listen_until_ns, live, "readers: ...monitor's kept");
	set_leases(&l, 0, 0);
	listener_free(&l);
}

/* Under the limit: each reader spends its own bucket. */
static void check_readers_limit(const struct env *e)
{
	struct pkt_spec drop = { TCP(STRANGER4, 45000, SELF4, 5269, PKT_SYN) };
	__u64 live =
		clock_ns(CLOCK_MONOTONIC_COARSE) + 3600 * EDGEFW_NSEC_PER_SEC;
	struct events_counts smp0, smp1;
	int events = 0, samples = 0;
	struct listener l;
	struct pkt p;
	__u32 rv;

	listen_on(&l, e);
	sample_on(&l);
	set_leases(&l, live, live);
	smp0 = reader_counts(&l, EDGEFW_READER_SAMPLER);
	for (int i = 0; i < LIMIT_BURST; i++) {
		drop.sport = 45000 + i;
		build(&drop, &p);
		send_pkt(&l, EXT_XDP, &p, &rv);
		events += l.n;
		samples += l.nr_samples;
	}
	smp1 = reader_counts(&l, EDGEFW_READER_SAMPLER);
	/* check_limit spent monitor's bucket already: this is its rest */
	CHECK_EQ(
		events, 0,
		"readers under the limit: monitor's spent bucket gives no event");
	CHECK_EQ(
		samples, SAMPLE_TOKENS,
		"readers under the limit: the sampler's own bucket gives its %d samples",
		SAMPLE_TOKENS);
	CHECK_EQ(smp1.limited - smp0.limited, LIMIT_BURST - SAMPLE_TOKENS,
		 "readers under the limit: the sampler's suppressed counter");
	set_leases(&l, 0, 0);
	listener_free(&l);
}

static void load(const char *mode, unsigned int burst,
		 unsigned int sample_burst, struct config *c,
		 struct compiled *cc, struct generation *g)
{
	char text[sizeof(config_fmt) + 64];

	snprintf(text, sizeof(text), config_fmt, mode, burst, sample_burst);
	load_config(mode, text, rule_names, 2, c, cc, g);
}

int main(void)
{
	static struct generation g, mg, rg;
	struct compiled cc, mcc, rcc;
	struct config c, mc, rc;
	struct env e, me, re;
	int nr_cpus = libbpf_num_possible_cpus();
	cpu_set_t cpus;

	setvbuf(stdout, NULL, _IOLBF, 0);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (nr_cpus <= 0 || sched_setaffinity(0, sizeof(cpus), &cpus))
		tap_bail("cannot run on CPU 0 alone: %s", strerror(errno));
	make_namespace();

	load("enforce", FIELD_TOKENS * nr_cpus, FIELD_TOKENS * nr_cpus, &c, &cc,
	     &g);
	e = make_env("", &c, &g);
	check_fields(&e);
	check_listener(&e);
	check_readers(&e);

	load("monitor", LIMIT_TOKENS * nr_cpus, SAMPLE_TOKENS * nr_cpus, &mc,
	     &mcc, &mg);
	me = make_env("monitor: ", &mc, &mg);
	check_limit(&me);
	check_readers_limit(&me);

	load("enforce", 1000000, 1000000, &rc, &rcc, &rg);
	re = make_env("", &rc, &rg);
	check_ring_full(&re);

	gen_free(&rg);
	compiled_free(&rcc);
	config_free(&rc);
	gen_free(&mg);
	compiled_free(&mcc);
	config_free(&mc);
	gen_free(&g);
	compiled_free(&cc);
	config_free(&c);
	return tap_done();
}
