/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference model's reading of a frame: step 1 ("Parse") of README.md's
 * "How a packet is judged", written from the README and the RFCs, not from
 * bpf/parse.h. It reads raw bytes, so mutated frames get the same scrutiny
 * as built ones.
 */
#ifndef EDGEFW_TEST_REFPARSE_H
#define EDGEFW_TEST_REFPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "edgefw.h"

enum ref_kind {
	REF_MALFORMED, /* truncated or inconsistent */
	REF_ARP,
	REF_OTHER_L2, /* neither IP nor ARP */
	REF_IP,
};

enum ref_frag {
	REF_WHOLE,
	REF_FIRST_FRAG, /* offset 0, more follow: the L4 header is here */
	REF_LATER_FRAG, /* offset > 0: no L4 header */
};

struct ref_pkt {
	enum ref_kind kind;
	const char *why; /* REF_MALFORMED: the check that failed */
	unsigned int nr_vlans;
	uint16_t ethertype; /* after the tags */
	uint8_t family; /* EDGEFW_FAMILY_IPV4 or _IPV6 */
	union edgefw_addr src, dst; /* IPv4 in w[0], the rest zero */
	uint8_t hop_limit; /* TTL or hop limit */
	unsigned int nr_ext; /* IPv6 extension headers walked */
	enum ref_frag frag;
	uint8_t proto; /* the upper layer */
	bool has_ports; /* TCP or UDP, header read */
	uint16_t sport, dport; /* host byte order */
	uint8_t tcp_flags;
	bool has_icmp; /* ICMP in IPv4 or ICMPv6 in IPv6, header read */
	uint8_t icmp_type, icmp_code;
	bool has_echo; /* an echo request or reply: its identifier */
	uint16_t echo_id;
	/* an ICMP error: the packet it quotes, when whole enough to name */
	struct ref_quote {
		bool valid; /* its IP header and 8 bytes after it */
		uint8_t proto;
		union edgefw_addr src, dst;
		uint16_t sport, dport; /* TCP, UDP; an echo's identifier */
	} quote;
};

/* An echo request (ICMP 8, ICMPv6 128); reply: an echo reply (0, 129). */
bool ref_is_echo(const struct ref_pkt *p, bool reply);

void ref_parse(const uint8_t *frame, size_t len, struct ref_pkt *p);

/* One line: "IPv4 TCP 203.0.113.5:33000 > 198.51.100.10:5269 [S] ...". */
void ref_describe(const struct ref_pkt *p, char *buf, size_t len);

#endif
