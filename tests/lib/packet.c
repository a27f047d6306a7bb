// SPDX-License-Identifier: GPL-2.0
/*
 * The packet builder of packet.h. Headers are written field by field at
 * byte offsets, in network byte order, so no unaligned struct access is
 * ever made whatever the tags and options in front of a header.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/if_ether.h>
#include "packet.h"

#define ETH_HDR_LEN 14
#define VLAN_HDR_LEN 4
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define TCP_HDR_LEN 20
#define UDP_HDR_LEN 8
#define ICMP_HDR_LEN 8 /* type, code, checksum and 4 bytes every one has */
#define ARP_LEN 28

#define IPV4_MF 0x2000
#define IPV6_FRAG_MF 0x0001
/* Later fragments start here: 1480 bytes, the payload of a 1500 MTU. */
#define LATER_FRAG_OFFSET 1480
#define LATER_FRAG_DATA 8 /* bytes of a later fragment without payload */

static const uint8_t src_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t dst_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t broadcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff,
						 0xff, 0xff, 0xff };

static void put8(struct pkt *p, size_t off, uint8_t v)
{
	p->data[off] = v;
}

static void put16(struct pkt *p, size_t off, uint16_t v)
{
	p->data[off] = v >> 8;
	p->data[off + 1] = v & 0xff;
}

static void put32(struct pkt *p, size_t off, uint32_t v)
{
	put16(p, off, v >> 16);
	put16(p, off + 2, v & 0xffff);
}

/* Append a header of len zero bytes; returns its offset. */
static size_t add_hdr(struct pkt *p, const char *name, size_t len)
{
	size_t off = p->len;

	memset(p->data + off, 0, len);
	p->len += len;
	p->hdrs[p->nr_hdrs++] = (struct pkt_hdr){ name, off, len };
	return off;
}

/* A knob's value, or the right one when the knob is not set. */
static unsigned int knob(uint16_t setting, unsigned int right)
{
	return setting ? setting & 0xff : right;
}

/* The Internet checksum (RFC 1071), continued from sum. */
static uint32_t csum_add(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Extension headers with the generic layout of RFC 8200 section 4 only. */
#define IPPROTO_HIP 139
#define IPPROTO_SHIM6 140
#define IPPROTO_EXP1 253
#define IPPROTO_EXP2 254

static size_t ipv6_ext_len(uint8_t type)
{
	switch (type) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_FRAGMENT:
	case IPPROTO_MH:
	case IPPROTO_HIP:
	case IPPROTO_SHIM6:
	case IPPROTO_EXP1:
	case IPPROTO_EXP2:
		return 8;
	case IPPROTO_DSTOPTS:
		return 16;
	case IPPROTO_ROUTING:
	case IPPROTO_AH:
		return 24;
	}
	return 0;
}

static const char *ipv6_ext_name(uint8_t type)
{
	switch (type) {
	case IPPROTO_HOPOPTS:
		return "hop-by-hop options";
	case IPPROTO_DSTOPTS:
		return "destination options";
	case IPPROTO_ROUTING:
		return "routing header";
	case IPPROTO_FRAGMENT:
		return "fragment header";
	case IPPROTO_AH:
		return "AH";
	case IPPROTO_MH:
		return "mobility header";
	case IPPROTO_HIP:
		return "HIP header";
	case IPPROTO_SHIM6:
		return "shim6 header";
	}
	return "experimental header";
}

static bool spec_valid(const struct pkt_spec *s)
{
	if (s->nr_ext > PKT_MAX_EXT || s->ipv4_opt_words > 10 ||
	    s->payload > PKT_MAX_PAYLOAD || s->pad_to > PKT_MAX_LEN)
		return false;
	for (size_t i = 0; i < s->nr_ext; i++) {
		if (!ipv6_ext_len(s->ext[i]))
			return false;
	}
	return true;
}

static void add_ethernet(struct pkt *p, const struct pkt_spec *s,
			 uint16_t ethertype)
{
	size_t off = add_hdr(p, "Ethernet", ETH_HDR_LEN);
	static const char *const tag_names[PKT_MAX_VLANS] = { "VLAN tag 1",
							      "VLAN tag 2",
							      "VLAN tag 3" };

	memcpy(p->data + off, s->arp ? broadcast_mac : dst_mac, ETH_ALEN);
	memcpy(p->data + off + ETH_ALEN, src_mac, ETH_ALEN);
	/* Each tag's TPID sits in the type field of what comes before it. */
	for (int i = 0; i < PKT_MAX_VLANS && s->vlan[i].tpid; i++) {
		put16(p, p->len - 2, s->vlan[i].tpid);
		off = add_hdr(p, tag_names[i], VLAN_HDR_LEN);
		put16(p, off, s->vlan[i].vid & 0xfff);
	}
	put16(p, p->len - 2, s->ethertype ? s->ethertype : ethertype);
}

static void add_arp(struct pkt *p, const uint8_t *spa, const uint8_t *tpa)
{
	size_t off = add_hdr(p, "ARP", ARP_LEN);

	put16(p, off, 1); /* Ethernet */
	put16(p, off + 2, ETH_P_IP);
	put8(p, off + 4, ETH_ALEN);
	put8(p, off + 5, 4);
	put16(p, off + 6, 1); /* request */
	memcpy(p->data + off + 8, src_mac, ETH_ALEN);
	memcpy(p->data + off + 14, spa, 4);
	memcpy(p->data + off + 24, tpa, 4);
}

static void add_ipv4(struct pkt *p, const struct pkt_spec *s,
		     const uint8_t *src, const uint8_t *dst)
{
	size_t off = add_hdr(p, "IPv4 header", IPV4_HDR_LEN);
	uint16_t frag_off = 0;

	p->l3_off = off;
	put8(p, off,
	     knob(s->ip_version, 4) << 4 | knob(s->ihl, 5 + s->ipv4_opt_words));
	put16(p, off + 4, 0x4242); /* identification */
	if (s->frag == PKT_FRAG_FIRST)
		frag_off = IPV4_MF;
	else if (s->frag == PKT_FRAG_LATER)
		frag_off = LATER_FRAG_OFFSET / 8;
	put16(p, off + 6, frag_off);
	put8(p, off + 8, s->ttl ? s->ttl : 64);
	put8(p, off + 9, s->proto);
	memcpy(p->data + off + 12, src, 4);
	memcpy(p->data + off + 16, dst, 4);
	if (s->ipv4_opt_words) {
		off = add_hdr(p, "IPv4 options", s->ipv4_opt_words * 4);
		memset(p->data + off, 1, s->ipv4_opt_words * 4); /* NOP */
	}
}

static void add_ipv6_ext(struct pkt *p, const struct pkt_spec *s, uint8_t type,
			 const uint8_t *dst)
{
	size_t len = ipv6_ext_len(type);
	size_t off = add_hdr(p, ipv6_ext_name(type), len);

	switch (type) {
	case IPPROTO_ROUTING:
		/* segment routing (RFC 8754), one segment, none left */
		put8(p, off + 1, len / 8 - 1);
		put8(p, off + 2, 4);
		memcpy(p->data + off + 8, dst, 16);
		break;
	case IPPROTO_FRAGMENT:
		if (s->frag == PKT_FRAG_FIRST)
			put16(p, off + 2, IPV6_FRAG_MF);
		else if (s->frag == PKT_FRAG_LATER)
			put16(p, off + 2, LATER_FRAG_OFFSET);
		put32(p, off + 4, 0x42424242);
		break;
	case IPPROTO_AH:
		put8(p, off + 1, len / 4 - 2);
		put32(p, off + 4, 0x1000); /* SPI */
		put32(p, off + 8, 1); /* sequence number */
		break;
	default: /* options, and the kinds whose body does not matter here */
		put8(p, off + 1, len / 8 - 1);
		put8(p, off + 2, 1); /* PadN over the rest */
		put8(p, off + 3, len - 4);
		break;
	}
}

/* Returns the offset of the last "next header" field of the chain. */
static size_t add_ipv6(struct pkt *p, const struct pkt_spec *s,
		       const uint8_t *src, const uint8_t *dst)
{
	size_t off = add_hdr(p, "IPv6 header", IPV6_HDR_LEN);
	size_t next = off + 6;
	bool has_frag = false;

	p->l3_off = off;
	put8(p, off, knob(s->ip_version, 6) << 4);
	put8(p, off + 7, s->ttl ? s->ttl : 64);
	memcpy(p->data + off + 8, src, 16);
	memcpy(p->data + off + 24, dst, 16);
	for (size_t i = 0; i <= s->nr_ext; i++) {
		uint8_t type;

		if (i < s->nr_ext)
			type = s->ext[i];
		else if (s->frag != PKT_NOT_FRAGMENT && !has_frag)
			type = IPPROTO_FRAGMENT;
		else
			break;
		has_frag |= type == IPPROTO_FRAGMENT;
		put8(p, next, type);
		next = p->len; /* the first byte of every extension header */
		add_ipv6_ext(p, s, type, dst);
	}
	return next;
}

static void add_l4(struct pkt *p, const struct pkt_spec *s)
{
	size_t off;

	switch (s->proto) {
	case IPPROTO_TCP:
		off = add_hdr(p, "TCP", TCP_HDR_LEN);
		put16(p, off, s->sport);
		put16(p, off + 2, s->dport);
		put32(p, off + 4, 1000); /* sequence number */
		if (s->tcp_flags & PKT_ACK)
			put32(p, off + 8, 2000);
		put8(p, off + 12, knob(s->tcp_doff, TCP_HDR_LEN / 4) << 4);
		put8(p, off + 13, s->tcp_flags);
		put16(p, off + 14, 65535); /* window */
		break;
	case IPPROTO_UDP:
		off = add_hdr(p, "UDP", UDP_HDR_LEN);
		put16(p, off, s->sport);
		put16(p, off + 2, s->dport);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		off = add_hdr(p, s->proto == IPPROTO_ICMP ? "ICMP" : "ICMPv6",
			      ICMP_HDR_LEN);
		put8(p, off, s->icmp_type);
		put8(p, off + 1, s->icmp_code);
		put16(p, off + 4, s->sport); /* an echo's identifier */
		break;
	}
}

/* Where the checksum of an L4 header lies; 0 for none we know. */
static size_t l4_checksum_off(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 16;
	case IPPROTO_UDP:
		return 6;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 2;
	}
	return 0;
}

/* The checksum of the L4 header and data, pseudo-header included. */
static void l4_checksum(struct pkt *p, uint8_t proto, size_t l4,
			const uint8_t *src, const uint8_t *dst)
{
	size_t len = p->len - l4, addr_len = p->family == 4 ? 4 : 16;
	size_t off = l4_checksum_off(proto);
	uint32_t sum = 0;
	uint16_t folded;

	if (!off)
		return;
	if (proto != IPPROTO_ICMP) {
		sum = csum_add(sum, src, addr_len);
		sum = csum_add(sum, dst, addr_len);
		sum += proto + (len >> 16) + (len & 0xffff);
	}
	sum = csum_add(sum, p->data + l4, len);
	folded = csum_fold(sum);
	/* in UDP, 0 means "no checksum": a computed 0 is sent as its twin */
	if (proto == IPPROTO_UDP && !folded)
		folded = 0xffff;
	put16(p, l4 + off, folded);
}

static void set_ip_length(struct pkt *p, size_t len, int adjust)
{
	size_t l3 = p->l3_off;

	if (p->family == 4) {
		put16(p, l3 + 2, len - l3 + adjust);
		put16(p, l3 + 10, 0);
		put16(p, l3 + 10,
		      csum_fold(csum_add(0, p->data + l3,
					 (p->data[l3] & 0xf) * 4)));
	} else {
		put16(p, l3 + 4, len - l3 - IPV6_HDR_LEN + adjust);
	}
}

/* An ICMP error's quote: the IP packet of s->quote, cut to quote_len. */
static int add_quote(struct pkt *p, const struct pkt_spec *s)
{
	struct pkt q;
	size_t len, off;

	if (pkt_build(s->quote, &q))
		return -1;
	len = q.len - q.l3_off;
	if (s->quote_len && s->quote_len < len)
		len = s->quote_len;
	if (p->len + len > PKT_MAX_LEN)
		return -1;
	off = add_hdr(p, "quoted packet", len);
	memcpy(p->data + off, q.data + q.l3_off, len);
	return 0;
}

int pkt_build(const struct pkt_spec *s, struct pkt *p)
{
	uint8_t src[16], dst[16];
	size_t l4 = 0;

	memset(p, 0, sizeof(*p));
	if (!spec_valid(s) || !s->src || !s->dst)
		return -1;
	if (inet_pton(AF_INET, s->src, src) == 1 &&
	    inet_pton(AF_INET, s->dst, dst) == 1)
		p->family = 4;
	else if (inet_pton(AF_INET6, s->src, src) == 1 &&
		 inet_pton(AF_INET6, s->dst, dst) == 1)
		p->family = 6;
	else
		return -1;

	if (s->arp) {
		if (p->family != 4)
			return -1;
		p->family = 0;
		add_ethernet(p, s, ETH_P_ARP);
		add_arp(p, src, dst);
	} else if (p->family == 4) {
		add_ethernet(p, s, ETH_P_IP);
		add_ipv4(p, s, src, dst);
	} else {
		add_ethernet(p, s, ETH_P_IPV6);
		put8(p, add_ipv6(p, s, src, dst), s->proto);
	}
	if (p->family && s->frag == PKT_FRAG_LATER) {
		/* the middle of the datagram: no L4 header */
		add_hdr(p, "data", s->payload ? s->payload : LATER_FRAG_DATA);
	} else if (p->family) {
		l4 = p->len;
		add_l4(p, s);
		if (s->quote && add_quote(p, s))
			return -1;
		if (s->payload)
			add_hdr(p, "data", s->payload);
	}

	if (p->family)
		set_ip_length(p, p->len, s->ip_len_adjust);
	if (s->proto == IPPROTO_UDP && l4)
		put16(p, l4 + 4, p->len - l4 + s->udp_len_adjust);
	if (l4 && p->len > l4)
		l4_checksum(p, s->proto, l4, src, dst);
	if (s->pad_to > p->len) {
		memset(p->data + p->len, 0, s->pad_to - p->len);
		p->len = s->pad_to;
	}
	return 0;
}

void pkt_truncate(struct pkt *p, size_t len, bool fit_lengths)
{
	size_t ip_hdr_len = p->family == 4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;

	if (len >= p->len)
		return;
	p->len = len;
	if (fit_lengths && p->family && len >= p->l3_off + ip_hdr_len)
		set_ip_length(p, len, 0);
}
