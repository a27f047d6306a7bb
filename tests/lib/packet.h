/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small packet builder for tests: Ethernet, up to two VLAN tags, then
 * ARP, or IPv4 with options or IPv6 with a chain of extension headers,
 * carrying TCP, UDP, ICMP or ICMPv6. Lengths and checksums are right
 * unless a knob breaks them on purpose, and the builder records where each
 * header lies, so that a test can cut the packet at any header boundary.
 */
#ifndef EDGEFW_TEST_PACKET_H
#define EDGEFW_TEST_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_LEN 1024
#define PKT_MAX_VLANS 3 /* one more than the data plane parses */
#define PKT_MAX_EXT 12 /* IPv6 extension headers of one packet */
#define PKT_MAX_PAYLOAD 512
#define PKT_MAX_HDRS (5 + PKT_MAX_VLANS + PKT_MAX_EXT + 1)

/* TCP flags, as in the 14th byte of the header. */
#define PKT_FIN 0x01
#define PKT_SYN 0x02
#define PKT_RST 0x04
#define PKT_PSH 0x08
#define PKT_ACK 0x10

/*
 * Knobs that override a header field are 0 to leave the field right, or
 * PKT_SET(v) to write v there, 0 included.
 */
#define PKT_SET(v) (0x100 | (v))

enum pkt_frag {
	PKT_NOT_FRAGMENT,
	PKT_FRAG_FIRST, /* offset 0, more fragments follow: L4 header here */
	PKT_FRAG_LATER, /* offset > 0: data only, no L4 header */
};

struct pkt_vlan {
	uint16_t tpid; /* ETH_P_8021Q or ETH_P_8021AD; 0: no tag */
	uint16_t vid;
};

struct pkt_spec {
	struct pkt_vlan vlan[PKT_MAX_VLANS]; /* outer tag first */
	uint16_t ethertype; /* after the tags; 0: that of the payload */
	bool arp; /* an ARP request from src for dst (IPv4 text) */
	const char *src, *dst; /* IPv4 or IPv6 text; the family follows */
	uint8_t ttl; /* TTL or hop limit; 0: 64 */
	uint8_t ipv4_opt_words; /* IPv4 options (NOPs), in 32-bit words */
	/*
	 * IPv6 extension headers in order: IPPROTO_HOPOPTS (8 bytes),
	 * _DSTOPTS (16), _ROUTING (24, a segment routing header), _FRAGMENT
	 * (8), _AH (24), or one of the rarer kinds that share the generic
	 * layout, _MH, 139 (HIP), 140 (shim6), 253 and 254 (8 bytes). A
	 * fragment header in a packet that is not a fragment is an atomic
	 * fragment (RFC 6946); a fragment that lists none gets one at the end
	 * of the chain.
	 */
	uint8_t ext[PKT_MAX_EXT];
	size_t nr_ext;
	enum pkt_frag frag;
	uint8_t proto; /* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	uint16_t sport, dport;
	uint8_t tcp_flags; /* PKT_SYN | PKT_ACK ... */
	uint8_t icmp_type, icmp_code; /* an echo's identifier is sport */
	/*
	 * ICMP errors: the packet they quote, the IP packet this spec
	 * builds (its Ethernet header and tags left out), cut to quote_len
	 * bytes (0: whole), before any payload.
	 */
	const struct pkt_spec *quote;
	uint16_t quote_len;
	uint16_t payload; /* bytes of data after the L4 header */
	uint16_t pad_to; /* zero-pad the frame to this length, as on a wire */

	/* Knobs that break the packet on purpose. */
	uint16_t ip_version; /* PKT_SET(v): the version nibble */
	uint16_t ihl; /* PKT_SET(v): IPv4 header length in words */
	uint16_t tcp_doff; /* PKT_SET(v): TCP data offset in words */
	int ip_len_adjust; /* added to the IPv4 total / IPv6 payload length */
	int udp_len_adjust; /* added to the UDP length */
};

/* Where one header of a built packet lies. */
struct pkt_hdr {
	const char *name; /* "Ethernet", "VLAN tag 1", "IPv4 options", ... */
	size_t off;
	size_t len;
};

struct pkt {
	uint8_t data[PKT_MAX_LEN];
	size_t len;
	struct pkt_hdr hdrs[PKT_MAX_HDRS]; /* in packet order */
	size_t nr_hdrs;
	int family; /* 4 or 6; 0 for ARP and other ethertypes */
	size_t l3_off; /* of the IP header */
};

/*
 * Build the packet of a spec. Returns 0, or -1 when the spec cannot be
 * built (a bad address, too many headers, too much payload).
 */
int pkt_build(const struct pkt_spec *s, struct pkt *p);

/*
 * Cut the packet to len bytes. With fit_lengths the IP header, when it is
 * whole, is rewritten to declare the shorter length, so that only the cut
 * header is wrong; without, the IP header still claims the full length.
 */
void pkt_truncate(struct pkt *p, size_t len, bool fit_lengths);

#endif
