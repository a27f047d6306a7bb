// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw's data plane, packet by packet, through BPF_PROG_TEST_RUN: the
 * programs of examples/lync-xmpp.conf are loaded (not attached) for two
 * veth interfaces in a private network namespace, and every case runs one
 * packet through one of them. A case passes when the program returns the
 * expected verdict and counted the packet, once and with its length, under
 * the expected reason or rule, and under nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "compile.h"
#include "config.h"
#include "edgefw.h"
#include "loader.h"
#include "packet.h"
#include "pkttest.h"
#include "tap.h"

/*
 * The addresses of the matrix; see examples/lync-xmpp.conf. ext0's,
 * SELF4 and SELF6, are in pkttest.h.
 */
#define PARTNER4 "203.0.113.5" /* in set partners */
#define PARTNER4_B "203.0.113.6"
#define PARTNER6 "2001:db8:77::5"
#define STRANGER4 "192.0.2.66" /* on the internet, not a partner */
#define STRANGER6 "2001:db8:99::66"
#define RESOLVER4 "192.0.2.53"
#define RESOLVER6 "2001:db8:99::53"
#define INT_SELF "10.1.0.10" /* int0, from the config */
#define FRONTEND "10.1.1.5" /* in set frontends */
#define LAN_HOST "10.1.2.7" /* on the LAN, not a front-end */
#define LAN_SERVICE "10.1.5.5"
#define LINK_LOCAL "fe80::1"
#define SOLICITED_NODE "ff02::1:ff00:10"
#define ALL_NODES "ff02::1"

static const char config_fmt[] =
	"mode %s\n"
	"interface ext0 role external\n"
	"interface int0 role internal address " INT_SELF "\n"
	"set partners { 203.0.113.0/24, 2001:db8:77::/48 }\n"
	"set frontends { 10.1.1.0/28 }\n"
	"rule xmpp-s2s-in  external in  tcp 5269  from partners  to self\n"
	"rule xmpp-s2s-out external out tcp 5269  to partners\n"
	"rule xmpp-gw-in   internal in  tcp 23456 from frontends to self\n"
	"rule dns-out      external out udp,tcp 53\n"
	"policy external in  drop\n"
	"policy external out drop\n"
	"policy internal in  drop\n"
	"policy internal out pass\n"
	"fragments external drop\n"
	"%s";

/* The config's rules, in their order there. */
enum { S2S_IN, S2S_OUT, GW_IN, DNS_OUT, NR_RULES };
static const char *const rule_names[NR_RULES] = { "xmpp-s2s-in", "xmpp-s2s-out",
						  "xmpp-gw-in", "dns-out" };

struct pkt_case {
	const char *name;
	enum where at;
	struct pkt_spec pkt;
	enum expect expect; /* what the program returns */
	__u32 counted; /* the counter slot: a reason or EDGEFW_VERDICT_RULE */
	bool keeps_flows; /* sees the flows of the cases before it */
	unsigned int flows_aged; /* seconds every flow is aged by first */
};

/* Shorthands for the tables. */
#define PARTNER_SYN4 TCP(PARTNER4, 33000, SELF4, 5269, PKT_SYN)
#define PARTNER_SYN6 TCP(PARTNER6, 33000, SELF6, 5269, PKT_SYN)
#define FRONTEND_SYN TCP(FRONTEND, 40001, INT_SELF, 23456, PKT_SYN)
#define DOT1Q .vlan = { { ETH_P_8021Q, 100 } }
#define QINQ .vlan = { { ETH_P_8021AD, 200 }, { ETH_P_8021Q, 100 } }
#define EXT_HDRS(...) \
	.ext = { __VA_ARGS__ }, .nr_ext = sizeof((uint8_t[]){ __VA_ARGS__ })

#define THEN .keeps_flows = true
/* The flows of the cases before, as they would be seconds later. */
#define AFTER(seconds) .keeps_flows = true, .flows_aged = (seconds)
#define TIMEOUT_S(state) (EDGEFW_FLOW_TIMEOUT_##state / EDGEFW_NSEC_PER_SEC)

/* ICMP types and codes the data plane singles out. */
#define ICMP_UNREACH 3
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_ECHO_REQUEST 8
#define ICMP_ECHO_REPLY 0
#define ICMP_TIME_EXCEEDED 11
#define ICMP6_DEST_UNREACH 1
#define ICMP6_ECHO_REPLY 129
#define ICMP6_PKT_TOO_BIG 2
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_MLD1_REPORT 131
#define ICMP6_MLD2_REPORT 143
#define ND_ROUTER_ADVERT 134
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136

#define ROUTER4 "192.0.2.1" /* a router on the path */
#define ROUTER6 "2001:db8:99::1"
#define OUR_SYN4 TCP(SELF4, 40100, PARTNER4, 5269, PKT_SYN)
#define OUR_SYN6 TCP(SELF6, 40100, PARTNER6, 5269, PKT_SYN)

/* What ICMP errors quote. */
static const struct pkt_spec our_syn4 = { OUR_SYN4 };
static const struct pkt_spec our_syn6 = { OUR_SYN6 };
static const struct pkt_spec our_other_syn4 = { TCP(SELF4, 40101, PARTNER4,
						    5269, PKT_SYN) };
static const struct pkt_spec partner_syn4 = { PARTNER_SYN4 };
static const struct pkt_spec our_dns4 = { UDP(SELF4, 53000, RESOLVER4, 53) };
static const struct pkt_spec our_echo4 = {
	ICMP(INT_SELF, LAN_HOST, ICMP_ECHO_REQUEST, 0), .sport = 77
};

static const struct pkt_case enforce_cases[] = {
	/* The matrix: a partner's connection to the Access Edge. */
	{ "partner SYN v4 to self:5269",
	  EXT_XDP,
	  { PARTNER_SYN4 },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6 to self:5269",
	  EXT_XDP,
	  { PARTNER_SYN6 },
	  BY_RULE(S2S_IN) },
	/* the /48's edges: 2001:db8::/32 has a head in the IPv6 index */
	{ "last partner of 2001:db8:77::/48 SYN v6 to self:5269",
	  EXT_XDP,
	  { TCP("2001:db8:77:ffff:ffff:ffff:ffff:ffff", 33000, SELF6, 5269,
		PKT_SYN) },
	  BY_RULE(S2S_IN) },
	{ "2001:db8:78::, beside the partners' /48, SYN v6 to self:5269",
	  EXT_XDP,
	  { TCP("2001:db8:78::", 33000, SELF6, 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner SYN v4, 802.1Q",
	  EXT_XDP,
	  { PARTNER_SYN4, DOT1Q },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, 802.1Q",
	  EXT_XDP,
	  { PARTNER_SYN6, DOT1Q },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v4, QinQ 802.1ad+802.1Q",
	  EXT_XDP,
	  { PARTNER_SYN4, QINQ },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, QinQ 802.1ad+802.1Q",
	  EXT_XDP,
	  { PARTNER_SYN6, QINQ },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v4, two 802.1Q tags",
	  EXT_XDP,
	  { PARTNER_SYN4, .vlan = { { ETH_P_8021Q, 7 }, { ETH_P_8021Q, 8 } } },
	  BY_RULE(S2S_IN) },
	/* short frames are padded on the wire: IP says less than the frame */
	{ "partner SYN v4, Ethernet padding to 60 bytes",
	  EXT_XDP,
	  { PARTNER_SYN4, .pad_to = 60 },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, hop-by-hop options",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_HOPOPTS) },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, destination options",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_DSTOPTS) },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, routing header",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_ROUTING) },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, AH",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_AH) },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, hop-by-hop+routing+dest+AH",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_HOPOPTS, IPPROTO_ROUTING,
				   IPPROTO_DSTOPTS, IPPROTO_AH) },
	  BY_RULE(S2S_IN) },
	/* RFC 6946: offset 0 and no more fragments is a whole packet */
	{ "partner SYN v6, atomic fragment",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_FRAGMENT) },
	  BY_RULE(S2S_IN) },

	/* What the matrix does not admit on ext0. */
	{ "non-partner SYN v4 to self:5269",
	  EXT_XDP,
	  { TCP(STRANGER4, 33000, SELF4, 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "non-partner SYN v6 to self:5269",
	  EXT_XDP,
	  { TCP(STRANGER6, 33000, SELF6, 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner SYN v4 to self:5270",
	  EXT_XDP,
	  { TCP(PARTNER4, 33000, SELF4, 5270, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner SYN v4 to self:443",
	  EXT_XDP,
	  { TCP(PARTNER4, 33000, SELF4, 443, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner SYN v6 to self:5270",
	  EXT_XDP,
	  { TCP(PARTNER6, 33000, SELF6, 5270, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner SYN v4 to 198.51.100.99:5269 (not self)",
	  EXT_XDP,
	  { TCP(PARTNER4, 33000, "198.51.100.99", 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner SYN v6 to 2001:db8:100::99:5269 (not self)",
	  EXT_XDP,
	  { TCP(PARTNER6, 33000, "2001:db8:100::99", 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	/* the first 32 bits of an IPv6 address are not an IPv4 address */
	{ "partner SYN v6 to c633:640a:: (ext0's IPv4 address as IPv6)",
	  EXT_XDP,
	  { TCP(PARTNER6, 33000, "c633:640a::", 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "SYN v6 from cb00:7105:: (a partner's IPv4 address as IPv6)",
	  EXT_XDP,
	  { TCP("cb00:7105::", 33000, SELF6, 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "partner UDP v4 to self:5269 (the rule says tcp)",
	  EXT_XDP,
	  { UDP(PARTNER4, 33000, SELF4, 5269) },
	  DROP_AS(POLICY) },
	{ "partner UDP v6 to self:5269 (the rule says tcp)",
	  EXT_XDP,
	  { UDP(PARTNER6, 33000, SELF6, 5269) },
	  DROP_AS(POLICY) },
	{ "front-end SYN to 10.1.0.10:23456 arriving on ext0",
	  EXT_XDP,
	  { FRONTEND_SYN },
	  DROP_AS(POLICY) },
	{ "LLDP frame (neither IP nor ARP)",
	  EXT_XDP,
	  { PARTNER_SYN4, .ethertype = 0x88cc },
	  DROP_AS(POLICY) },
	{ "three VLAN tags",
	  EXT_XDP,
	  { PARTNER_SYN4, QINQ, .ethertype = ETH_P_8021Q },
	  DROP_AS(MALFORMED) },

	/* The internal side: the XMPP gateway from the front-ends. */
	{ "front-end SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { FRONTEND_SYN },
	  BY_RULE(GW_IN) },
	{ "front-end SYN to 10.1.0.10:23456, 802.1Q",
	  INT_XDP,
	  { FRONTEND_SYN, DOT1Q },
	  BY_RULE(GW_IN) },
	{ "front-end SYN to 10.1.0.10:23456, QinQ, IHL 15",
	  INT_XDP,
	  { FRONTEND_SYN, QINQ, .ipv4_opt_words = 10 },
	  BY_RULE(GW_IN) },
	{ "LAN host (not a front-end) SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { TCP(LAN_HOST, 40001, INT_SELF, 23456, PKT_SYN) },
	  DROP_AS(POLICY) },
	/* the /28 lies inside a /24: the set's IPv4 index holds its hosts */
	{ "last front-end of 10.1.1.0/28 (10.1.1.15) SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { TCP("10.1.1.15", 40001, INT_SELF, 23456, PKT_SYN) },
	  BY_RULE(GW_IN) },
	{ "10.1.1.16, beside the front-ends' /28, SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { TCP("10.1.1.16", 40001, INT_SELF, 23456, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "front-end SYN to 10.1.0.11:23456 (not self)",
	  INT_XDP,
	  { TCP(FRONTEND, 40001, "10.1.0.11", 23456, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "front-end SYN to 10.1.0.10:23457",
	  INT_XDP,
	  { TCP(FRONTEND, 40001, INT_SELF, 23457, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "front-end UDP to 10.1.0.10:23456 (the rule says tcp)",
	  INT_XDP,
	  { UDP(FRONTEND, 40001, INT_SELF, 23456) },
	  DROP_AS(POLICY) },
	{ "partner SYN to ext0's self:5269 arriving on int0",
	  INT_XDP,
	  { PARTNER_SYN4 },
	  DROP_AS(POLICY) },
	{ "edge to a LAN service (internal out: pass)",
	  INT_TC,
	  { TCP(INT_SELF, 41000, LAN_SERVICE, 443, PKT_SYN) },
	  PASS_AS(POLICY) },

	/* Egress on ext0. */
	{ "SYN v4 self:40000 to partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "SYN v6 self:40000 to partner:5269",
	  EXT_TC,
	  { TCP(SELF6, 40000, PARTNER6, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "SYN v4 self:40000 to non-partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40000, STRANGER4, 5269, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "SYN v4 self:40000 to partner:443",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 443, PKT_SYN) },
	  DROP_AS(POLICY) },
	{ "DNS query udp v4 self:53000 to a resolver:53",
	  EXT_TC,
	  { UDP(SELF4, 53000, RESOLVER4, 53) },
	  BY_RULE(DNS_OUT) },
	{ "DNS query udp v6 self:53000 to a resolver:53",
	  EXT_TC,
	  { UDP(SELF6, 53000, RESOLVER6, 53) },
	  BY_RULE(DNS_OUT) },
	{ "DNS query tcp v4 self:53000 to a resolver:53",
	  EXT_TC,
	  { TCP(SELF4, 53000, RESOLVER4, 53, PKT_SYN) },
	  BY_RULE(DNS_OUT) },

	/* Inconsistent headers. */
	/*
	 * Bad IHLs under TCP, UDP and ICMP: the bytes a short IHL puts where
	 * the L4 header should be look malformed only by chance.
	 */
	{ "IPv4 IHL 4, TCP",
	  EXT_XDP,
	  { PARTNER_SYN4, .ihl = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 0, TCP",
	  EXT_XDP,
	  { PARTNER_SYN4, .ihl = PKT_SET(0) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 4, UDP",
	  EXT_XDP,
	  { UDP(PARTNER4, 33000, SELF4, 5269), .ihl = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 1, UDP",
	  EXT_XDP,
	  { UDP(PARTNER4, 33000, SELF4, 5269), .ihl = PKT_SET(1) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 4, ICMP",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, ICMP_ECHO_REQUEST, 0), .payload = 32,
	    .ihl = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 4, UDP",
	  INT_TC,
	  { UDP(INT_SELF, 41000, LAN_SERVICE, 514), .ihl = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 4",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN), .ihl = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 4",
	  INT_XDP,
	  { FRONTEND_SYN, .ihl = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 IHL 15 without the options",
	  EXT_XDP,
	  { PARTNER_SYN4, .ihl = PKT_SET(15) },
	  DROP_AS(MALFORMED) },
	{ "IPv4 total length 1 byte beyond the packet",
	  EXT_XDP,
	  { PARTNER_SYN4, .ip_len_adjust = 1 },
	  DROP_AS(MALFORMED) },
	{ "IPv4 total length 1 byte beyond the packet",
	  INT_TC,
	  { TCP(INT_SELF, 41000, LAN_SERVICE, 443, PKT_SYN),
	    .ip_len_adjust = 1 },
	  DROP_AS(MALFORMED) },
	/* the rest of the frame is padding, whatever it looks like */
	{ "IPv4 total length ends before the TCP header",
	  EXT_XDP,
	  { PARTNER_SYN4, .ip_len_adjust = -20 },
	  DROP_AS(MALFORMED) },
	{ "IPv6 payload length ends before the TCP header",
	  EXT_XDP,
	  { PARTNER_SYN6, .ip_len_adjust = -20 },
	  DROP_AS(MALFORMED) },
	{ "IPv4 total length below the IPv4 header",
	  EXT_XDP,
	  { PARTNER_SYN4, .ip_len_adjust = -21 },
	  DROP_AS(MALFORMED) },
	{ "IPv6 payload length 1 byte beyond the packet",
	  EXT_XDP,
	  { PARTNER_SYN6, .ip_len_adjust = 1 },
	  DROP_AS(MALFORMED) },
	{ "IPv6 payload length 1 byte beyond the packet",
	  EXT_TC,
	  { TCP(SELF6, 40000, PARTNER6, 5269, PKT_SYN), .ip_len_adjust = 1 },
	  DROP_AS(MALFORMED) },
	{ "TCP data offset 4, v4",
	  EXT_XDP,
	  { PARTNER_SYN4, .tcp_doff = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "TCP data offset 0, v4",
	  EXT_XDP,
	  { PARTNER_SYN4, .tcp_doff = PKT_SET(0) },
	  DROP_AS(MALFORMED) },
	{ "TCP data offset 4, v6",
	  EXT_XDP,
	  { PARTNER_SYN6, .tcp_doff = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "TCP data offset 15, beyond the packet",
	  EXT_XDP,
	  { PARTNER_SYN4, .tcp_doff = PKT_SET(15) },
	  DROP_AS(MALFORMED) },
	{ "TCP data offset 4",
	  INT_XDP,
	  { FRONTEND_SYN, .tcp_doff = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "version 6 in an IPv4 frame",
	  EXT_XDP,
	  { PARTNER_SYN4, .ip_version = PKT_SET(6) },
	  DROP_AS(MALFORMED) },
	{ "version 5 in an IPv4 frame",
	  EXT_XDP,
	  { PARTNER_SYN4, .ip_version = PKT_SET(5) },
	  DROP_AS(MALFORMED) },
	{ "version 4 in an IPv6 frame",
	  EXT_XDP,
	  { PARTNER_SYN6, .ip_version = PKT_SET(4) },
	  DROP_AS(MALFORMED) },
	{ "UDP length 7",
	  EXT_XDP,
	  { UDP(PARTNER4, 33000, SELF4, 5269), .udp_len_adjust = -1 },
	  DROP_AS(MALFORMED) },
	{ "UDP length 1 byte beyond the packet",
	  EXT_XDP,
	  { UDP(PARTNER4, 33000, SELF4, 5269), .udp_len_adjust = 1 },
	  DROP_AS(MALFORMED) },
	{ "UDP length 1 byte beyond the packet",
	  EXT_TC,
	  { UDP(SELF4, 53000, RESOLVER4, 53), .udp_len_adjust = 1 },
	  DROP_AS(MALFORMED) },

	/* Fragments: dropped on the external role, by default passed on
	 * the internal one, where a first fragment is judged by the rules.
	 */
	{ "first fragment v4 of a partner SYN",
	  EXT_XDP,
	  { PARTNER_SYN4, .frag = PKT_FRAG_FIRST },
	  DROP_AS(FRAGMENT) },
	{ "later fragment v4 from a partner",
	  EXT_XDP,
	  { PARTNER_SYN4, .frag = PKT_FRAG_LATER },
	  DROP_AS(FRAGMENT) },
	{ "first fragment v6 of a partner SYN",
	  EXT_XDP,
	  { PARTNER_SYN6, .frag = PKT_FRAG_FIRST },
	  DROP_AS(FRAGMENT) },
	{ "later fragment v6 from a partner",
	  EXT_XDP,
	  { PARTNER_SYN6, .frag = PKT_FRAG_LATER },
	  DROP_AS(FRAGMENT) },
	{ "first fragment v6 after a hop-by-hop header",
	  EXT_XDP,
	  { PARTNER_SYN6, EXT_HDRS(IPPROTO_HOPOPTS, IPPROTO_FRAGMENT),
	    .frag = PKT_FRAG_FIRST },
	  DROP_AS(FRAGMENT) },
	{ "later fragment v4 from a front-end",
	  INT_XDP,
	  { FRONTEND_SYN, .frag = PKT_FRAG_LATER },
	  PASS_AS(FRAGMENT) },
	{ "later fragment v4 from a LAN host",
	  INT_XDP,
	  { TCP(LAN_HOST, 40001, INT_SELF, 23456, PKT_SYN),
	    .frag = PKT_FRAG_LATER },
	  PASS_AS(FRAGMENT) },
	{ "later fragment v6",
	  INT_XDP,
	  { UDP("fd00::7", 40001, "fd00::10", 23456), .frag = PKT_FRAG_LATER },
	  PASS_AS(FRAGMENT) },
	{ "first fragment v4: front-end SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { FRONTEND_SYN, .frag = PKT_FRAG_FIRST },
	  BY_RULE(GW_IN) },
	{ "first fragment v4: LAN host SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { TCP(LAN_HOST, 40001, INT_SELF, 23456, PKT_SYN),
	    .frag = PKT_FRAG_FIRST },
	  DROP_AS(POLICY) },
	/* a first fragment's UDP length counts the whole datagram */
	{ "first fragment v4: UDP longer than the fragment, to a LAN service",
	  INT_TC,
	  { UDP(INT_SELF, 40000, LAN_SERVICE, 514), .payload = 64,
	    .udp_len_adjust = 1400, .frag = PKT_FRAG_FIRST },
	  PASS_AS(POLICY) },
	{ "first fragment v6: UDP longer than the fragment",
	  INT_TC,
	  { UDP("fd00::10", 40000, "fd00::7", 514), .payload = 64,
	    .udp_len_adjust = 1400, .frag = PKT_FRAG_FIRST },
	  PASS_AS(POLICY) },
	{ "UDP longer than the datagram, not a fragment",
	  INT_TC,
	  { UDP(INT_SELF, 40000, LAN_SERVICE, 514), .payload = 64,
	    .udp_len_adjust = 1400 },
	  DROP_AS(MALFORMED) },
	{ "first fragment v6 (no v6 rule on int0)",
	  INT_XDP,
	  { TCP("fd00::7", 40001, "fd00::10", 23456, PKT_SYN),
	    .frag = PKT_FRAG_FIRST },
	  DROP_AS(POLICY) },

	/* What a host needs to keep its links and path MTU working. */
	{ "ARP request",
	  EXT_XDP,
	  { .arp = true, .src = "198.51.100.1", .dst = SELF4 },
	  PASS_AS(ESSENTIAL) },
	{ "ARP request, 802.1Q",
	  EXT_XDP,
	  { .arp = true, .src = "198.51.100.1", .dst = SELF4, DOT1Q },
	  PASS_AS(ESSENTIAL) },
	{ "ARP request",
	  INT_XDP,
	  { .arp = true, .src = FRONTEND, .dst = INT_SELF },
	  PASS_AS(ESSENTIAL) },
	{ "ARP request of our own",
	  EXT_TC,
	  { .arp = true, .src = SELF4, .dst = "198.51.100.1" },
	  PASS_AS(ESSENTIAL) },
	{ "ND neighbour solicitation, hop limit 255",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, SOLICITED_NODE, ND_NEIGHBOR_SOLICIT, 0),
	    .ttl = 255, .payload = 16 },
	  PASS_AS(ESSENTIAL) },
	{ "ND neighbour advertisement, hop limit 255",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, ALL_NODES, ND_NEIGHBOR_ADVERT, 0), .ttl = 255,
	    .payload = 16 },
	  PASS_AS(ESSENTIAL) },
	{ "ND router advertisement, hop limit 255",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, ALL_NODES, ND_ROUTER_ADVERT, 0), .ttl = 255,
	    .payload = 8 },
	  PASS_AS(ESSENTIAL) },
	{ "ND neighbour solicitation, hop limit 64",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, SOLICITED_NODE, ND_NEIGHBOR_SOLICIT, 0),
	    .payload = 16 },
	  DROP_AS(POLICY) },
	{ "ND neighbour advertisement, hop limit 64",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, ALL_NODES, ND_NEIGHBOR_ADVERT, 0),
	    .payload = 16 },
	  DROP_AS(POLICY) },
	{ "ND neighbour solicitation, hop limit 255",
	  INT_XDP,
	  { ICMP6(LINK_LOCAL, SOLICITED_NODE, ND_NEIGHBOR_SOLICIT, 0),
	    .ttl = 255, .payload = 16 },
	  PASS_AS(ESSENTIAL) },
	{ "ND neighbour advertisement of our own, hop limit 255",
	  EXT_TC,
	  { ICMP6("fe80::10", LINK_LOCAL, ND_NEIGHBOR_ADVERT, 0), .ttl = 255,
	    .payload = 16 },
	  PASS_AS(ESSENTIAL) },
	{ "MLDv2 report, hop limit 1, hop-by-hop header",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, "ff02::16", ICMP6_MLD2_REPORT, 0), .ttl = 1,
	    EXT_HDRS(IPPROTO_HOPOPTS), .payload = 4 },
	  PASS_AS(ESSENTIAL) },
	{ "MLDv1 report, hop limit 1",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, "ff02::1:ff00:10", ICMP6_MLD1_REPORT, 0),
	    .ttl = 1, EXT_HDRS(IPPROTO_HOPOPTS), .payload = 16 },
	  PASS_AS(ESSENTIAL) },
	{ "MLDv2 report, hop limit 64",
	  EXT_XDP,
	  { ICMP6(LINK_LOCAL, "ff02::16", ICMP6_MLD2_REPORT, 0),
	    EXT_HDRS(IPPROTO_HOPOPTS), .payload = 4 },
	  DROP_AS(POLICY) },
	/*
	 * ICMP errors pass when the packet they quote belongs to a tracked
	 * flow (icmp errors related, the default); others meet the rules.
	 */
	{ "ICMP fragmentation needed about no flow of ours",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .payload = 28 },
	  DROP_AS(POLICY) },
	{ "ICMP fragmentation needed about no flow of ours",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .payload = 28 },
	  DROP_AS(POLICY) },
	{ "ICMPv6 packet too big about no flow of ours",
	  EXT_XDP,
	  { ICMP6(STRANGER6, SELF6, ICMP6_PKT_TOO_BIG, 0), .payload = 48 },
	  DROP_AS(POLICY) },
	{ "ICMP port unreachable about no flow of ours",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, ICMP_UNREACH, ICMP_PORT_UNREACH),
	    .payload = 28 },
	  DROP_AS(POLICY) },
	{ "related: SYN self:40100 to partner:5269",
	  EXT_TC,
	  { OUR_SYN4 },
	  BY_RULE(S2S_OUT) },
	{ "related: a router's fragmentation needed quoting that SYN",
	  EXT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &our_syn4 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related: the same quoting the IP header and 8 bytes of TCP",
	  EXT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &our_syn4, .quote_len = 28 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related: a port unreachable quoting it",
	  EXT_XDP,
	  { ICMP(PARTNER4, SELF4, ICMP_UNREACH, ICMP_PORT_UNREACH),
	    .quote = &our_syn4 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related: a time exceeded quoting it",
	  EXT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_TIME_EXCEEDED, 0), .quote = &our_syn4 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related: the quote cut short of its ports",
	  EXT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &our_syn4, .quote_len = 22 },
	  DROP_AS(POLICY),
	  THEN },
	{ "related: quoting a port of ours with no flow",
	  EXT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &our_other_syn4 },
	  DROP_AS(POLICY),
	  THEN },
	{ "related: on int0, where the flow is not",
	  INT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &our_syn4 },
	  DROP_AS(POLICY),
	  THEN },
	{ "related: 1 s after the flow timed out",
	  EXT_XDP,
	  { ICMP(ROUTER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &our_syn4 },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(NEW) + 1) },
	{ "related v6: SYN self:40100 to partner:5269",
	  EXT_TC,
	  { OUR_SYN6 },
	  BY_RULE(S2S_OUT) },
	{ "related v6: a router's packet too big quoting that SYN",
	  EXT_XDP,
	  { ICMP6(ROUTER6, SELF6, ICMP6_PKT_TOO_BIG, 0), .quote = &our_syn6 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related v6: a destination unreachable quoting it",
	  EXT_XDP,
	  { ICMP6(ROUTER6, SELF6, ICMP6_DEST_UNREACH, 0), .quote = &our_syn6 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related: a partner's SYN to self:5269",
	  EXT_XDP,
	  { PARTNER_SYN4 },
	  BY_RULE(S2S_IN) },
	{ "related: our SYN-ACK to it",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "related: our fragmentation needed to the partner, quoting it",
	  EXT_TC,
	  { ICMP(SELF4, PARTNER4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .quote = &partner_syn4 },
	  PASS_AS(RELATED),
	  THEN },
	{ "related: a DNS query self:53000 to the resolver",
	  EXT_TC,
	  { UDP(SELF4, 53000, RESOLVER4, 53) },
	  BY_RULE(DNS_OUT) },
	{ "related: the resolver's port unreachable quoting it",
	  EXT_XDP,
	  { ICMP(RESOLVER4, SELF4, ICMP_UNREACH, ICMP_PORT_UNREACH),
	    .quote = &our_dns4 },
	  PASS_AS(RELATED),
	  THEN },

	/* Echo requests are flows: their replies pass, nothing else. */
	{ "echo: our request to a LAN host (policy internal out pass)",
	  INT_TC,
	  { ICMP(INT_SELF, LAN_HOST, ICMP_ECHO_REQUEST, 0), .sport = 77,
	    .payload = 32 },
	  PASS_AS(POLICY) },
	{ "echo: its reply",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_ECHO_REPLY, 0), .sport = 77,
	    .payload = 32 },
	  PASS_AS(REPLY),
	  THEN },
	{ "echo: a reply with another identifier",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_ECHO_REPLY, 0), .sport = 78,
	    .payload = 32 },
	  DROP_AS(POLICY),
	  THEN },
	{ "echo: a request from the LAN host with our identifier",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_ECHO_REQUEST, 0), .sport = 77,
	    .payload = 32 },
	  DROP_AS(POLICY),
	  THEN },
	{ "echo: a time exceeded quoting our request",
	  INT_XDP,
	  { ICMP(LAN_SERVICE, INT_SELF, ICMP_TIME_EXCEEDED, 0),
	    .quote = &our_echo4 },
	  PASS_AS(RELATED),
	  THEN },
	{ "echo: the reply 1 s after its flow timed out",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_ECHO_REPLY, 0), .sport = 77,
	    .payload = 32 },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(ICMP) + 1) },
	{ "echo v6: our request",
	  INT_TC,
	  { ICMP6("fd00::10", "fd00::7", ICMP6_ECHO_REQUEST, 0), .sport = 9,
	    .payload = 32 },
	  PASS_AS(POLICY) },
	{ "echo v6: its reply",
	  INT_XDP,
	  { ICMP6("fd00::7", "fd00::10", ICMP6_ECHO_REPLY, 0), .sport = 9,
	    .payload = 32 },
	  PASS_AS(REPLY),
	  THEN },
	{ "ICMP echo request",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, ICMP_ECHO_REQUEST, 0), .payload = 32 },
	  DROP_AS(POLICY) },
	{ "ICMP echo request from a partner",
	  EXT_XDP,
	  { ICMP(PARTNER4, SELF4, ICMP_ECHO_REQUEST, 0), .payload = 32 },
	  DROP_AS(POLICY) },
	{ "ICMPv6 echo request",
	  EXT_XDP,
	  { ICMP6(STRANGER6, SELF6, ICMP6_ECHO_REQUEST, 0), .payload = 32 },
	  DROP_AS(POLICY) },
	{ "ICMP echo request",
	  INT_XDP,
	  { ICMP(FRONTEND, INT_SELF, ICMP_ECHO_REQUEST, 0), .payload = 32 },
	  DROP_AS(POLICY) },

	/* A partner's port 5269 to our ports, with no flow of ours. */
	{ "spoofed reply: partner:5269 to self:40000, ACK",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_ACK) },
	  DROP_AS(POLICY) },
	{ "spoofed reply: partner:5269 to self:40000, SYN-ACK",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY) },
	{ "spoofed reply: partner:5269 to self:40000, v6 SYN-ACK",
	  EXT_XDP,
	  { TCP(PARTNER6, 5269, SELF6, 40000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY) },
	{ "spoofed reply: partner:5269 to self:40000, RST",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_RST) },
	  DROP_AS(POLICY) },

	/* An outbound connection and its replies. */
	{ "outbound: SYN self:40000 to partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "outbound: partner's SYN-ACK",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "outbound: our ACK",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "outbound: partner's data",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_ACK | PKT_PSH),
	    .payload = 100 },
	  PASS_AS(REPLY),
	  THEN },
	{ "outbound: SYN-ACK from another port of the partner",
	  EXT_XDP,
	  { TCP(PARTNER4, 5270, SELF4, 40000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
	{ "outbound: SYN-ACK from another partner",
	  EXT_XDP,
	  { TCP(PARTNER4_B, 5269, SELF4, 40000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
	{ "outbound: a SYN into the flow is no reply",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_SYN) },
	  DROP_AS(POLICY),
	  THEN },
	{ "outbound: then a SYN to non-partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40001, STRANGER4, 5269, PKT_SYN) },
	  DROP_AS(POLICY),
	  THEN },
	{ "outbound v6: SYN self:40000 to partner:5269",
	  EXT_TC,
	  { TCP(SELF6, 40000, PARTNER6, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "outbound v6: partner's SYN-ACK",
	  EXT_XDP,
	  { TCP(PARTNER6, 5269, SELF6, 40000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "outbound v6: SYN-ACK from another port of the partner",
	  EXT_XDP,
	  { TCP(PARTNER6, 5270, SELF6, 40000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
	{ "DNS: query self:53000 to a resolver:53",
	  EXT_TC,
	  { UDP(SELF4, 53000, RESOLVER4, 53) },
	  BY_RULE(DNS_OUT) },
	{ "DNS: the resolver's answer",
	  EXT_XDP,
	  { UDP(RESOLVER4, 53, SELF4, 53000), .payload = 64 },
	  PASS_AS(REPLY),
	  THEN },
	{ "DNS: an answer to another port",
	  EXT_XDP,
	  { UDP(RESOLVER4, 53, SELF4, 53001), .payload = 64 },
	  DROP_AS(POLICY),
	  THEN },
	{ "DNS: an answer from another resolver",
	  EXT_XDP,
	  { UDP("192.0.2.54", 53, SELF4, 53000), .payload = 64 },
	  DROP_AS(POLICY),
	  THEN },

	{ "DNS: a TCP packet from the resolver's port 53 to the query's",
	  EXT_XDP,
	  { TCP(RESOLVER4, 53, SELF4, 53000, PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },

	/*
	 * Flows time out, sooner before the handshake completes, after FIN
	 * and for UDP; each packet runs as if that much later.
	 */
	{ "timeouts: SYN self:40000 to partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "timeouts: SYN-ACK 1 s after an unanswered SYN's timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(NEW) + 1) },
	{ "timeouts: SYN self:40000 to partner:5269, again",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "timeouts: SYN-ACK 1 s before that timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(NEW) - 1) },
	{ "timeouts: data 1 s before the established timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(ESTABLISHED) - 1) },
	{ "timeouts: FIN 1 s before the established timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_FIN | PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(ESTABLISHED) - 1) },
	{ "timeouts: ACK 1 s after the closing timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40000, PKT_ACK) },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(CLOSING) + 1) },
	{ "timeouts: SYN self:40002 to partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40002, PARTNER4, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "timeouts: SYN-ACK to self:40002",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40002, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "timeouts: RST from the partner",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40002, PKT_RST | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "timeouts: ACK 1 s before the reset timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40002, PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(RESET) - 1) },
	{ "timeouts: ACK 1 s after the reset timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40002, PKT_ACK) },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(RESET) + 1) },
	{ "timeouts: SYN self:40001 to partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40001, PARTNER4, 5269, PKT_SYN) },
	  BY_RULE(S2S_OUT) },
	{ "timeouts: SYN-ACK",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40001, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "timeouts: data 1 s after the established timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 5269, SELF4, 40001, PKT_ACK) },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(ESTABLISHED) + 1) },
	{ "timeouts: DNS query",
	  EXT_TC,
	  { UDP(SELF4, 53000, RESOLVER4, 53) },
	  BY_RULE(DNS_OUT) },
	{ "timeouts: DNS answer 1 s before the UDP timeout",
	  EXT_XDP,
	  { UDP(RESOLVER4, 53, SELF4, 53000), .payload = 64 },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(UDP) - 1) },
	{ "timeouts: DNS answer 1 s after the UDP timeout",
	  EXT_XDP,
	  { UDP(RESOLVER4, 53, SELF4, 53000), .payload = 64 },
	  DROP_AS(POLICY),
	  AFTER(TIMEOUT_S(UDP) + 1) },

	/*
	 * A segment without a flow that a rule admits picks its connection
	 * up (its flow went, e.g. evicted): until the other side answers,
	 * the flow lives as an unanswered SYN's does, then as any
	 * established connection's.
	 */
	{ "pickup: partner ACK to self:5269 without a flow",
	  EXT_XDP,
	  { TCP(PARTNER4, 33100, SELF4, 5269, PKT_ACK) },
	  BY_RULE(S2S_IN) },
	{ "pickup: the next ACK 1 s after an unanswered SYN's timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 33100, SELF4, 5269, PKT_ACK) },
	  BY_RULE(S2S_IN),
	  AFTER(TIMEOUT_S(NEW) + 1) },
	{ "pickup: our answer 1 s before that timeout",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33100, PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(NEW) - 1) },
	{ "pickup: answered, data 1 s before the established timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 33100, SELF4, 5269, PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(ESTABLISHED) - 1) },
	{ "pickup: v6, partner ACK to self:5269 without a flow",
	  EXT_XDP,
	  { TCP(PARTNER6, 33100, SELF6, 5269, PKT_ACK) },
	  BY_RULE(S2S_IN) },
	{ "pickup: v6, the next ACK 1 s after an unanswered SYN's timeout",
	  EXT_XDP,
	  { TCP(PARTNER6, 33100, SELF6, 5269, PKT_ACK) },
	  BY_RULE(S2S_IN),
	  AFTER(TIMEOUT_S(NEW) + 1) },
	{ "pickup: a RST without a flow is admitted and opens none",
	  EXT_XDP,
	  { TCP(PARTNER4, 33101, SELF4, 5269, PKT_RST) },
	  BY_RULE(S2S_IN) },
	{ "pickup: our answer to that RST has no flow to pass on",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33101, PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },

	/*
	 * An inbound connection: XDP admits its SYN, and our SYN-ACK on TC
	 * opens its flow when the inbound rules admit the SYN it answers.
	 */
	{ "inbound: partner SYN to self:5269",
	  EXT_XDP,
	  { PARTNER_SYN4 },
	  BY_RULE(S2S_IN) },
	{ "inbound: our SYN-ACK",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "inbound: partner's ACK",
	  EXT_XDP,
	  { TCP(PARTNER4, 33000, SELF4, 5269, PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "inbound: our SYN-ACK to another port of the partner: its SYN is admitted too",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33001, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "inbound: our SYN-ACK from a port no inbound rule names",
	  EXT_TC,
	  { TCP(SELF4, 5270, PARTNER4, 33000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
	{ "inbound: our SYN-ACK to a stranger",
	  EXT_TC,
	  { TCP(SELF4, 5269, STRANGER4, 33000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
	{ "inbound: our SYN-ACK with RST is no answer",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33002, PKT_SYN | PKT_ACK | PKT_RST) },
	  DROP_AS(POLICY),
	  THEN },
	{ "inbound: a SYN makes no flow: partner SYN from port 33003",
	  EXT_XDP,
	  { TCP(PARTNER4, 33003, SELF4, 5269, PKT_SYN) },
	  BY_RULE(S2S_IN) },
	{ "inbound: our RST to it, as from a closed port, opens no flow",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33003, PKT_RST | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "inbound: our RST to a stranger",
	  EXT_TC,
	  { TCP(SELF4, 5269, STRANGER4, 33003, PKT_RST | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
	{ "inbound: the partner's ACK before our answer meets its rule",
	  EXT_XDP,
	  { TCP(PARTNER4, 33003, SELF4, 5269, PKT_ACK) },
	  BY_RULE(S2S_IN),
	  THEN },
	/* A new connection on the ports of a closing one: our SYN-ACK */
	{ "reuse: partner SYN from port 33004",
	  EXT_XDP,
	  { TCP(PARTNER4, 33004, SELF4, 5269, PKT_SYN) },
	  BY_RULE(S2S_IN) },
	{ "reuse: our SYN-ACK",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33004, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "reuse: the partner's FIN",
	  EXT_XDP,
	  { TCP(PARTNER4, 33004, SELF4, 5269, PKT_FIN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "reuse: a new SYN on the same ports",
	  EXT_XDP,
	  { TCP(PARTNER4, 33004, SELF4, 5269, PKT_SYN) },
	  BY_RULE(S2S_IN),
	  THEN },
	{ "reuse: our SYN-ACK makes the closing flow established",
	  EXT_TC,
	  { TCP(SELF4, 5269, PARTNER4, 33004, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "reuse: the partner's ACK, after a closing flow's timeout",
	  EXT_XDP,
	  { TCP(PARTNER4, 33004, SELF4, 5269, PKT_ACK) },
	  PASS_AS(REPLY),
	  AFTER(TIMEOUT_S(CLOSING) + 1) },
	{ "inbound v6: partner SYN to self:5269",
	  EXT_XDP,
	  { PARTNER_SYN6 },
	  BY_RULE(S2S_IN) },
	{ "inbound v6: our SYN-ACK",
	  EXT_TC,
	  { TCP(SELF6, 5269, PARTNER6, 33000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	{ "gateway: front-end SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { FRONTEND_SYN },
	  BY_RULE(GW_IN) },
	{ "gateway: our SYN-ACK",
	  INT_TC,
	  { TCP(INT_SELF, 23456, FRONTEND, 40001, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },

	/* The internal egress policy passes, and records the flow. */
	{ "internal: SYN to a LAN service",
	  INT_TC,
	  { TCP(INT_SELF, 41000, LAN_SERVICE, 443, PKT_SYN) },
	  PASS_AS(POLICY) },
	{ "internal: the service's SYN-ACK",
	  INT_XDP,
	  { TCP(LAN_SERVICE, 443, INT_SELF, 41000, PKT_SYN | PKT_ACK) },
	  PASS_AS(REPLY),
	  THEN },
	/* A reply belongs to the interface its flow was opened on. */
	{ "internal: the same SYN-ACK arriving on ext0",
	  EXT_XDP,
	  { TCP(LAN_SERVICE, 443, INT_SELF, 41000, PKT_SYN | PKT_ACK) },
	  DROP_AS(POLICY),
	  THEN },
};

/* The same config in monitor mode: would-be drops pass, and are counted. */
static const struct pkt_case monitor_cases[] = {
	{ "partner SYN v4 to self:5269",
	  EXT_XDP,
	  { PARTNER_SYN4 },
	  BY_RULE(S2S_IN) },
	{ "non-partner SYN v4 to self:5269",
	  EXT_XDP,
	  { TCP(STRANGER4, 33000, SELF4, 5269, PKT_SYN) },
	  MONITORED(POLICY) },
	{ "non-partner SYN v6 to self:5269",
	  EXT_XDP,
	  { TCP(STRANGER6, 33000, SELF6, 5269, PKT_SYN) },
	  MONITORED(POLICY) },
	{ "IPv4 IHL 4",
	  EXT_XDP,
	  { PARTNER_SYN4, .ihl = PKT_SET(4) },
	  MONITORED(MALFORMED) },
	{ "IPv6 payload length beyond the packet",
	  EXT_XDP,
	  { PARTNER_SYN6, .ip_len_adjust = 1 },
	  MONITORED(MALFORMED) },
	{ "later fragment v4 from a partner",
	  EXT_XDP,
	  { PARTNER_SYN4, .frag = PKT_FRAG_LATER },
	  MONITORED(FRAGMENT) },
	{ "LAN host SYN to 10.1.0.10:23456",
	  INT_XDP,
	  { TCP(LAN_HOST, 40001, INT_SELF, 23456, PKT_SYN) },
	  MONITORED(POLICY) },
	{ "SYN v4 self:40000 to non-partner:5269",
	  EXT_TC,
	  { TCP(SELF4, 40000, STRANGER4, 5269, PKT_SYN) },
	  MONITORED(POLICY) },
	{ "IPv4 total length beyond the packet",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN), .ip_len_adjust = 1 },
	  MONITORED(MALFORMED) },
};

/* icmp errors any: path-MTU errors pass from anyone, as essentials. */
static const struct pkt_case icmp_any_cases[] = {
	{ "ICMP fragmentation needed",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .payload = 28 },
	  PASS_AS(ESSENTIAL) },
	{ "ICMP fragmentation needed",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_UNREACH, ICMP_FRAG_NEEDED),
	    .payload = 28 },
	  PASS_AS(ESSENTIAL) },
	{ "ICMPv6 packet too big",
	  EXT_XDP,
	  { ICMP6(STRANGER6, SELF6, ICMP6_PKT_TOO_BIG, 0), .payload = 48 },
	  PASS_AS(ESSENTIAL) },
	{ "SYN self:40100 to partner:5269",
	  EXT_TC,
	  { OUR_SYN4 },
	  BY_RULE(S2S_OUT) },
	{ "a port unreachable quoting it: the rules judge it",
	  EXT_XDP,
	  { ICMP(PARTNER4, SELF4, ICMP_UNREACH, ICMP_PORT_UNREACH),
	    .quote = &our_syn4 },
	  DROP_AS(POLICY),
	  THEN },
	{ "echo: our request still opens a flow",
	  INT_TC,
	  { ICMP(INT_SELF, LAN_HOST, ICMP_ECHO_REQUEST, 0), .sport = 77,
	    .payload = 32 },
	  PASS_AS(POLICY) },
	{ "echo: its reply",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_ECHO_REPLY, 0), .sport = 77,
	    .payload = 32 },
	  PASS_AS(REPLY),
	  THEN },
};

/*
 * Packets cut one byte short of the end of each of their headers. The
 * whole packet runs first, with the verdict given here, so that a cut one
 * drops for the cut and not for what the packet is.
 */
static const struct pkt_case truncation_bases[] = {
	{ "partner SYN v4, QinQ, IHL 7",
	  EXT_XDP,
	  { PARTNER_SYN4, QINQ, .ipv4_opt_words = 2 },
	  BY_RULE(S2S_IN) },
	{ "partner SYN v6, QinQ, 5 extension headers",
	  EXT_XDP,
	  { PARTNER_SYN6, QINQ,
	    EXT_HDRS(IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
		     IPPROTO_DSTOPTS, IPPROTO_AH) },
	  BY_RULE(S2S_IN) },
	{ "partner UDP v4",
	  EXT_XDP,
	  { UDP(PARTNER4, 33000, SELF4, 5269) },
	  DROP_AS(POLICY) },
	{ "partner UDP v6, 802.1Q, hop-by-hop",
	  EXT_XDP,
	  { UDP(PARTNER6, 33000, SELF6, 5269), DOT1Q,
	    EXT_HDRS(IPPROTO_HOPOPTS) },
	  DROP_AS(POLICY) },
	{ "ICMP fragmentation needed",
	  EXT_XDP,
	  { ICMP(STRANGER4, SELF4, ICMP_UNREACH, ICMP_FRAG_NEEDED) },
	  DROP_AS(POLICY) }, /* about no flow */
	{ "ICMPv6 packet too big, destination options",
	  EXT_XDP,
	  { ICMP6(STRANGER6, SELF6, ICMP6_PKT_TOO_BIG, 0),
	    EXT_HDRS(IPPROTO_DSTOPTS) },
	  DROP_AS(POLICY) }, /* about no flow */
	{ "SYN v4 to partner:5269, 802.1Q, IHL 6",
	  EXT_TC,
	  { TCP(SELF4, 40000, PARTNER4, 5269, PKT_SYN), DOT1Q,
	    .ipv4_opt_words = 1 },
	  BY_RULE(S2S_OUT) },
	{ "SYN v6 to partner:5269, QinQ, 4 extension headers",
	  EXT_TC,
	  { TCP(SELF6, 40000, PARTNER6, 5269, PKT_SYN), QINQ,
	    EXT_HDRS(IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
		     IPPROTO_AH) },
	  BY_RULE(S2S_OUT) },
	{ "DNS query udp v4",
	  EXT_TC,
	  { UDP(SELF4, 53000, RESOLVER4, 53) },
	  BY_RULE(DNS_OUT) },
	{ "DNS query udp v6, routing header",
	  EXT_TC,
	  { UDP(SELF6, 53000, RESOLVER6, 53), EXT_HDRS(IPPROTO_ROUTING) },
	  BY_RULE(DNS_OUT) },
	{ "ICMP fragmentation needed",
	  EXT_TC,
	  { ICMP(SELF4, STRANGER4, ICMP_UNREACH, ICMP_FRAG_NEEDED) },
	  DROP_AS(POLICY) }, /* about no flow */
	{ "ICMPv6 packet too big",
	  EXT_TC,
	  { ICMP6(SELF6, STRANGER6, ICMP6_PKT_TOO_BIG, 0) },
	  DROP_AS(POLICY) }, /* about no flow */
	{ "front-end SYN, QinQ, IHL 6",
	  INT_XDP,
	  { FRONTEND_SYN, QINQ, .ipv4_opt_words = 1 },
	  BY_RULE(GW_IN) },
	{ "TCP v6, hop-by-hop, AH",
	  INT_XDP,
	  { TCP("fd00::7", 40001, "fd00::10", 23456, PKT_SYN),
	    EXT_HDRS(IPPROTO_HOPOPTS, IPPROTO_AH) },
	  DROP_AS(POLICY) },
	{ "ICMP fragmentation needed, 802.1Q",
	  INT_XDP,
	  { ICMP(LAN_HOST, INT_SELF, ICMP_UNREACH, ICMP_FRAG_NEEDED), DOT1Q },
	  DROP_AS(POLICY) }, /* about no flow */
	{ "SYN to a LAN service, 802.1Q",
	  INT_TC,
	  { TCP(INT_SELF, 41000, LAN_SERVICE, 443, PKT_SYN), DOT1Q },
	  PASS_AS(POLICY) },
	{ "UDP v6 to a LAN service, destination options",
	  INT_TC,
	  { UDP("fd00::10", 41000, "fd00::5", 514), EXT_HDRS(IPPROTO_DSTOPTS) },
	  PASS_AS(POLICY) },
	{ "ICMPv6 echo request, 802.1Q",
	  INT_TC,
	  { ICMP6("fd00::10", "fd00::5", ICMP6_ECHO_REQUEST, 0), DOT1Q },
	  PASS_AS(POLICY) },
};

/* extra: statements after the config's, "" for none */
static void load_generation(const char *name, const char *mode,
			    const char *extra, struct config *c,
			    struct compiled *cc, struct generation *g)
{
	char text[sizeof(config_fmt) + 64];

	snprintf(text, sizeof(text), config_fmt, mode, extra);
	load_config(name, text, rule_names, NR_RULES, c, cc, g);
}

static bool has_self_addr(const struct iface_state *st, const char *text)
{
	union edgefw_addr a = {};
	__u8 family = strchr(text, ':') ? EDGEFW_FAMILY_IPV6
					: EDGEFW_FAMILY_IPV4;

	inet_pton(family == EDGEFW_FAMILY_IPV4 ? AF_INET : AF_INET6, text, &a);
	for (size_t i = 0; i < st->nr_self; i++) {
		if (st->self[i].family == family &&
		    !memcmp(&st->self[i].addr, &a, sizeof(a)))
			return true;
	}
	return false;
}

/* The verifier's work per program, for the run log, and its bound. */
static void report_verified_insns(const char *label, struct generation *g)
{
	for (int i = 0; i < NR_IFACES; i++) {
		struct edgefw_bpf *skel = g->ifaces[i].skel;
		const struct {
			const char *kind;
			int fd;
		} progs[] = {
			{ "XDP", bpf_program__fd(skel->progs.edgefw_xdp) },
			{ "TC", bpf_program__fd(skel->progs.edgefw_tc) },
		};

		for (size_t j = 0; j < ARRAY_SIZE(progs); j++) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (bpf_obj_get_info_by_fd(progs[j].fd, &info, &len)) {
				CHECK(false, "%s%s %s: program info: %s", label,
				      iface_names[i], progs[j].kind,
				      strerror(errno));
				continue;
			}
			tap_diag("%s%s %s: %u verified instructions", label,
				 iface_names[i], progs[j].kind,
				 info.verified_insns);
			CHECK(info.verified_insns > 0 &&
				      info.verified_insns < 1000000,
			      "%s%s %s: verified in fewer than 1,000,000 instructions",
			      label, iface_names[i], progs[j].kind);
		}
	}
}

/*
 * Such a frame cannot reach the program: check that it does not, rather
 * than report a verdict that was never taken.
 */
static void check_refused(const struct env *e, const char *name, enum where at,
			  const struct pkt *p, const char *why)
{
	static struct counters before, after;
	char label[256];
	__u32 retval;
	int err;

	snprintf(label, sizeof(label), "%s%s: %s", e->label, places[at].name,
		 name);
	err = run_packet(e, at, p, &retval, &before, &after);
	CHECK_EQ(err, -EINVAL,
		 "%s: not judged: the kernel's test run refuses %s", label,
		 why);
	CHECK(!others_moved(e, &before, &after, at, NO_SLOT),
	      "%s: no counter moved", label);
}

static void check_case(const struct env *e, const struct pkt_case *c)
{
	struct pkt p;

	if (!c->keeps_flows)
		clear_flows(e);
	if (c->flows_aged)
		age_flows(e, c->flows_aged);
	if (pkt_build(&c->pkt, &p)) {
		CHECK(false, "%s: the packet of the case builds", c->name);
		return;
	}
	check_packet(e, c->name, c->at, &p, c->expect, c->counted);
}

static void check_cases(const struct env *e, const struct pkt_case *cases,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_case(e, &cases[i]);
}

/* IPv4 options: every header length the IHL can declare above 5. */
static void check_ipv4_options(const struct env *e)
{
	for (int ihl = 6; ihl <= 15; ihl++) {
		struct pkt_case c = {
			.at = EXT_XDP,
			.pkt = { PARTNER_SYN4, .ipv4_opt_words = ihl - 5 },
			BY_RULE(S2S_IN),
		};
		char name[64];

		snprintf(name, sizeof(name),
			 "partner SYN v4, IHL %d (%d bytes of options)", ihl,
			 (ihl - 5) * 4);
		c.name = name;
		check_case(e, &c);
	}
}

/*
 * The longest chain of IPv6 extension headers the data plane walks, and
 * one header more, which is malformed.
 */
static void check_ipv6_ext_hdr_limit(const struct env *e)
{
	static const uint8_t kinds[] = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
					 IPPROTO_FRAGMENT, IPPROTO_AH };
	const size_t max = EDGEFW_IPV6_MAX_EXT_HDRS;

	_Static_assert(EDGEFW_IPV6_MAX_EXT_HDRS < PKT_MAX_EXT,
		       "the packet builder cannot build the chain");
	for (size_t n = max; n <= max + 1; n++) {
		struct pkt_case c = {
			.at = EXT_XDP,
			.pkt = { PARTNER_SYN6, .nr_ext = n },
			.expect = n <= max ? PASS : DROP,
			.counted = n <= max ? EDGEFW_VERDICT_RULE(S2S_IN)
					    : EDGEFW_DROP_MALFORMED,
		};
		char name[64];

		for (size_t i = 0; i < n; i++)
			c.pkt.ext[i] = i < sizeof(kinds) ? kinds[i]
							 : IPPROTO_DSTOPTS;
		snprintf(name, sizeof(name),
			 "partner SYN v6, %zu extension headers", n);
		c.name = name;
		check_case(e, &c);
	}
}

/*
 * Each header of a packet cut one byte short of its end. A cut after the
 * IP header runs twice: once with the IP length still claiming the whole
 * packet, once with it fitted to the cut, so that the header's own bounds
 * check is what has to catch it.
 */
static void check_truncations(const struct env *e, const struct pkt_case *c)
{
	struct pkt whole;

	clear_flows(e);
	if (pkt_build(&c->pkt, &whole)) {
		CHECK(false, "%s: the packet of the case builds", c->name);
		return;
	}
	check_packet(e, c->name, c->at, &whole, c->expect, c->counted);

	for (size_t h = 0; h < whole.nr_hdrs; h++) {
		const struct pkt_hdr *hdr = &whole.hdrs[h];
		size_t cut = hdr->off + hdr->len - 1;
		bool after_ip = whole.family && hdr->off > whole.l3_off;

		if (!strcmp(hdr->name, "data"))
			continue;
		for (int fit = 0; fit <= after_ip; fit++) {
			struct pkt p = whole;
			const char *refused;
			char name[160];

			pkt_truncate(&p, cut, fit);
			snprintf(name, sizeof(name),
				 "%s, cut in the %s (%zu of %zu bytes)%s",
				 c->name, hdr->name, cut, whole.len,
				 fit ? ", IP length fitted" : "");
			clear_flows(e);
			refused = test_run_refuses(c->at, &p);
			if (refused)
				check_refused(e, name, c->at, &p, refused);
			else
				check_packet(e, name, c->at, &p, DROP,
					     EDGEFW_DROP_MALFORMED);
		}
	}
}

int main(void)
{
	struct config c, mc;
	struct compiled cc, mcc;
	static struct generation g, mg;
	struct env e, me;

	setvbuf(stdout, NULL, _IOLBF, 0);
	make_namespace();

	load_generation("enforce", "enforce", "", &c, &cc, &g);
	e = make_env("", &c, &g);
	CHECK(has_self_addr(&g.ifaces[IF_EXT].st, SELF4) &&
		      has_self_addr(&g.ifaces[IF_EXT].st, SELF6),
	      "ext0's addresses %s and %s read from the NIC", SELF4, SELF6);
	report_verified_insns("", &g);

	check_cases(&e, enforce_cases, ARRAY_SIZE(enforce_cases));
	check_ipv4_options(&e);
	check_ipv6_ext_hdr_limit(&e);
	for (size_t i = 0; i < ARRAY_SIZE(truncation_bases); i++)
		check_truncations(&e, &truncation_bases[i]);

	load_generation("monitor", "monitor", "", &mc, &mcc, &mg);
	me = make_env("monitor: ", &mc, &mg);
	report_verified_insns("monitor: ", &mg);
	check_cases(&me, monitor_cases, ARRAY_SIZE(monitor_cases));
	gen_free(&mg);
	compiled_free(&mcc);
	config_free(&mc);

	load_generation("icmp errors any", "enforce", "icmp errors any\n", &mc,
			&mcc, &mg);
	me = make_env("icmp errors any: ", &mc, &mg);
	check_cases(&me, icmp_any_cases, ARRAY_SIZE(icmp_any_cases));

	gen_free(&mg);
	compiled_free(&mcc);
	config_free(&mc);
	gen_free(&g);
	compiled_free(&cc);
	config_free(&c);
	return tap_done();
}
