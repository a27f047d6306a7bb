/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet classes of bench/testrun.c, named for the path each takes
 * through edgefw, which the harness checks after every measurement
 * (bench/README.md, testrun). Included by testrun.c alone.
 */
#ifndef EDGEFW_BENCH_TESTRUN_CLASSES_H
#define EDGEFW_BENCH_TESTRUN_CLASSES_H

#include <stdbool.h>
#include <netinet/in.h>
#include "packet.h"

/* The matrix's addresses, as in examples/lync-xmpp.conf and the tests. */
#define SELF4 "198.51.100.10"
#define SELF6 "2001:db8:100::10"
#define PARTNER4 "203.0.113.5"
#define PARTNER6 "2001:db8:77::5"
#define STRANGER4 "192.0.2.66"

/*
 * Many partner sources: the bench's config adds 198.18.0.0/15 (RFC 2544)
 * to the partners, since 203.0.113.0/24 holds 256; in IPv6 the last 32
 * bits of 2001:db8:77::1:0 and on. A flood's sources are scattered over
 * 64.0.0.0/2, far from every partner.
 */
#define MANY_PARTNER4 0xc6120000U /* 198.18.0.0 */
#define MANY_PARTNER6_LOW 0x00010000U
#define FLOOD_BASE4 0x40000000U
#define FLOOD_MASK4 0x3fffffffU
/* A SYN flood from 64k sources; partners with a bucket each, which the
 * rate table (EDGEFW_RATE_SRC_MAX_ENTRIES, an LRU) holds with room. */
#define FLOOD_SOURCES 65536
#define PARTNER_SOURCES 32768
#define NEW_SOURCES 65536

/* What the harness prepares for a class and checks it did. */
enum class_kind {
	/*
	 * a rule admits the SYN and takes its source's bucket; no flow:
	 * the host's SYN-ACK opens it on egress (KIND_ANSWER)
	 */
	KIND_ADMITTED,
	/* the same, from a source the rate table has no bucket for */
	KIND_NEW_SOURCE,
	/* the source's bucket is spent: a ratelimit drop */
	KIND_OVER_LIMIT,
	/* a packet of a flow that exists */
	KIND_ESTABLISHED,
	/* dropped by the policy, no state touched */
	KIND_FLOOD,
	/*
	 * egress: the host's SYN-ACK to a SYN that a rule admits, no flow
	 * yet; the rules asked for the mirrored SYN, the flow opened
	 */
	KIND_ANSWER,
};

/*
 * Where a class's drop event goes; EVENTS_NONE: nobody listens.
 * EVENTS_SAMPLER: the daemon's sampler alone listens (its lease held, its
 * samples ring read), as whenever the daemon runs; its low rate is spent
 * at once, so the path is the sampler's bucket refusing.
 */
enum events_path { EVENTS_NONE, EVENTS_LIMITED, EVENTS_SENT, EVENTS_SAMPLER };

struct class
{
	const char *name;
	const char *path; /* the path it takes, for the report */
	struct pkt_spec spec;
	enum class_kind kind;
	bool many; /* a source per run from many, not one packet repeated */
	enum events_path events;
};

#define TCP(s, d, sp, dp, fl)                                                \
	{                                                                    \
		.src = (s), .dst = (d), .proto = IPPROTO_TCP, .sport = (sp), \
		.dport = (dp), .tcp_flags = (fl)                             \
	}
#define VLAN_TCP(s, d, sp, dp, fl)                                   \
	{                                                            \
		.vlan = { { 0x8100, 100 } }, .src = (s), .dst = (d), \
		.proto = IPPROTO_TCP, .sport = (sp), .dport = (dp),  \
		.tcp_flags = (fl)                                    \
	}

/*
 * A partner class in IPv4, IPv6 and 802.1Q, one source and many: from the
 * partner to the host (ingress), or, mirrored, from the host to the
 * partner (egress: the partner's address is then the destination).
 */
#define PARTNER_CLASS_OF(label, what, k, fl, src4, dst4, src6, dst6, sp, dp) \
	{ .name = label " v4",                                               \
	  .path = what,                                                      \
	  .spec = TCP(src4, dst4, sp, dp, fl),                               \
	  .kind = k },                                                       \
		{ .name = label " v6",                                       \
		  .path = what,                                              \
		  .spec = TCP(src6, dst6, sp, dp, fl),                       \
		  .kind = k },                                               \
		{ .name = label " 802.1Q",                                   \
		  .path = what,                                              \
		  .spec = VLAN_TCP(src4, dst4, sp, dp, fl),                  \
		  .kind = k },                                               \
		{ .name = label " v4, many sources",                         \
		  .path = what,                                              \
		  .spec = TCP(src4, dst4, sp, dp, fl),                       \
		  .kind = k,                                                 \
		  .many = true },                                            \
		{ .name = label " v6, many sources",                         \
		  .path = what,                                              \
		  .spec = TCP(src6, dst6, sp, dp, fl),                       \
		  .kind = k,                                                 \
		  .many = true },                                            \
	{                                                                    \
		.name = label " 802.1Q, many sources", .path = what,         \
		.spec = VLAN_TCP(src4, dst4, sp, dp, fl), .kind = k,         \
		.many = true                                                 \
	}
#define PARTNER_CLASS(label, what, k, fl)                                      \
	PARTNER_CLASS_OF(label, what, k, fl, PARTNER4, SELF4, PARTNER6, SELF6, \
			 40001, 5269)
#define HOST_CLASS(label, what, k, fl)                                         \
	PARTNER_CLASS_OF(label, what, k, fl, SELF4, PARTNER4, SELF6, PARTNER6, \
			 5269, 40001)

#define FLOOD_CLASS(label, what, ...)                                 \
	{ .name = label,                                              \
	  .path = what,                                               \
	  .spec = __VA_ARGS__,                                        \
	  .kind = KIND_FLOOD },                                       \
	{                                                             \
		.name = label ", many sources", .path = what,         \
		.spec = __VA_ARGS__, .kind = KIND_FLOOD, .many = true \
	}

static const struct class classes[] = {
	PARTNER_CLASS(
		"partner SYN admitted",
		"rule, bucket taken, no flow (the host's SYN-ACK opens it)",
		KIND_ADMITTED, PKT_SYN),
	/* new sources are many by nature: a source per run */
	{ .name = "partner SYN, new source v4",
	  .path = "rule, new bucket, no flow (the host's SYN-ACK opens it)",
	  .spec = TCP(PARTNER4, SELF4, 40001, 5269, PKT_SYN),
	  .kind = KIND_NEW_SOURCE,
	  .many = true },
	{ .name = "partner SYN, new source v6",
	  .path = "rule, new bucket, no flow (the host's SYN-ACK opens it)",
	  .spec = TCP(PARTNER6, SELF6, 40001, 5269, PKT_SYN),
	  .kind = KIND_NEW_SOURCE,
	  .many = true },
	{ .name = "partner SYN, new source 802.1Q",
	  .path = "rule, new bucket, no flow (the host's SYN-ACK opens it)",
	  .spec = VLAN_TCP(PARTNER4, SELF4, 40001, 5269, PKT_SYN),
	  .kind = KIND_NEW_SOURCE,
	  .many = true },
	PARTNER_CLASS("partner SYN over its limit", "rule, bucket spent: drop",
		      KIND_OVER_LIMIT, PKT_SYN),
	PARTNER_CLASS("established", "flow", KIND_ESTABLISHED, PKT_ACK),
	/*
	 * The other half of a partner's new connection, on egress: the
	 * host's SYN-ACK to the admitted SYN above, which opens the flow.
	 */
	HOST_CLASS(
		"SYN-ACK answering an admitted SYN",
		"egress: no flow, the mirrored SYN admitted by a rule, flow opened established",
		KIND_ANSWER, PKT_SYN | PKT_ACK),
	FLOOD_CLASS("non-partner SYN to 5269", "flood: set miss",
		    TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN)),
	/*
	 * The flood with a monitor running: its events over the limit
	 * (any config's, once the burst is spent), or all sent, which
	 * needs a config whose limit a CPU cannot reach (stage-testrun.sh
	 * reloads one: events rate 1000000000/s burst 1000000).
	 */
	{ .name = "non-partner SYN to 5269, listener, over the limit",
	  .path = "flood: set miss, event suppressed by the limit",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN),
	  .kind = KIND_FLOOD,
	  .events = EVENTS_LIMITED },
	{ .name = "non-partner SYN to 5269, listener, event sent",
	  .path = "flood: set miss, event to the ring",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN),
	  .kind = KIND_FLOOD,
	  .events = EVENTS_SENT },
	/* the production cost of the flood while the daemon runs */
	{ .name = "non-partner SYN to 5269, listener, daemon's sampler",
	  .path = "flood: set miss, sample suppressed by the sampler's limit",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN),
	  .kind = KIND_FLOOD,
	  .events = EVENTS_SAMPLER },
	FLOOD_CLASS("closed port", "flood: no rule for the port",
		    TCP(PARTNER4, SELF4, 40005, 443, PKT_SYN)),
	FLOOD_CLASS("spoofed reply", "flood: flow miss",
		    TCP(PARTNER4, SELF4, 5269, 40006, PKT_SYN | PKT_ACK)),
	FLOOD_CLASS("UDP", "flood: flow miss, no rule",
		    { .src = STRANGER4,
		      .dst = SELF4,
		      .proto = IPPROTO_UDP,
		      .sport = 40007,
		      .dport = 5269 }),
	FLOOD_CLASS("ICMP echo", "flood: no rule",
		    { .src = STRANGER4,
		      .dst = SELF4,
		      .proto = IPPROTO_ICMP,
		      .icmp_type = 8 }),
};

#endif
