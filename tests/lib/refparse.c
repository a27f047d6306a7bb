// SPDX-License-Identifier: GPL-2.0
/*
 * README: "Parse Ethernet, up to two VLAN tags (802.1Q, 802.1ad), IPv4 with
 * options, IPv6 with up to 8 extension headers, then TCP, UDP, ICMP or
 * ICMPv6. A truncated or inconsistent header (IHL below 5, a length that
 * runs past the packet, a longer extension header chain) is dropped as
 * malformed." Header layouts are those of the RFCs.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "refparse.h"

#define ETH_LEN 14
#define TAG_LEN 4

static uint16_t get16(const uint8_t *b)
{
	return b[0] << 8 | b[1];
}

static void malformed(struct ref_pkt *p, const char *why)
{
	p->kind = REF_MALFORMED;
	p->why = why;
}

bool ref_is_echo(const struct ref_pkt *p, bool reply)
{
	if (!p->has_icmp)
		return false;
	if (p->family == EDGEFW_FAMILY_IPV4)
		return p->icmp_type == (reply ? 0 : 8);
	return p->icmp_type == (reply ? 129 : 128);
}

/*
 * What an ICMP error quotes, from off to the datagram's end (RFC 792,
 * RFC 4443): the IP header of a packet of the same family and at least
 * the 8 bytes after it, which hold TCP's and UDP's ports or an echo's
 * identifier. IPv6 extension headers in a quote are not walked.
 */
static void parse_quote(const uint8_t *f, size_t off, size_t end,
			struct ref_pkt *p)
{
	struct ref_quote *q = &p->quote;
	const uint8_t *h = f + off;
	size_t l4;

	if (p->family == EDGEFW_FAMILY_IPV4) {
		if (off + 20 > end || h[0] >> 4 != 4 || (h[0] & 15) < 5)
			return;
		q->proto = h[9];
		memcpy(&q->src.w[0], h + 12, 4);
		memcpy(&q->dst.w[0], h + 16, 4);
		l4 = off + (h[0] & 15) * 4;
	} else {
		if (off + 40 > end || h[0] >> 4 != 6)
			return;
		q->proto = h[6];
		memcpy(q->src.b, h + 8, 16);
		memcpy(q->dst.b, h + 24, 16);
		l4 = off + 40;
	}
	if (l4 + 8 > end)
		return;
	if (q->proto == 6 || q->proto == 17) {
		q->sport = get16(f + l4);
		q->dport = get16(f + l4 + 2);
	} else if (q->proto == (p->family == EDGEFW_FAMILY_IPV4 ? 1 : 58) &&
		   f[l4] == (p->family == EDGEFW_FAMILY_IPV4 ? 8 : 128)) {
		q->sport = q->dport = get16(f + l4 + 4);
	} else {
		return;
	}
	q->valid = true;
}

/*
 * The upper-layer header at off, inside the datagram that its IP length
 * fields say ends at end. A header that does not fit in the datagram runs
 * past the packet, whatever the frame holds after it.
 */
static void parse_l4(const uint8_t *f, size_t off, size_t end,
		     struct ref_pkt *p)
{
	const uint8_t *h = f + off;

	switch (p->proto) {
	case 6: /* TCP, RFC 9293 */
		if (off + 20 > end)
			return malformed(p, "TCP header past the datagram");
		if (h[12] >> 4 < 5)
			return malformed(p, "TCP data offset below 5");
		if (off + (h[12] >> 4) * 4 > end)
			return malformed(p, "TCP options past the datagram");
		p->tcp_flags = h[13];
		break;
	case 17: /* UDP, RFC 768 */
		if (off + 8 > end)
			return malformed(p, "UDP header past the datagram");
		if (get16(h + 4) < 8)
			return malformed(p, "UDP length below 8");
		/*
		 * "A first fragment is judged like any packet": its UDP
		 * length counts the whole datagram, beyond this fragment.
		 */
		if (p->frag == REF_WHOLE && off + get16(h + 4) > end)
			return malformed(p, "UDP length past the datagram");
		break;
	case 1: /* ICMP is IPv4's (RFC 792), ICMPv6 IPv6's (RFC 4443) */
	case 58:
		if ((p->proto == 1) != (p->family == EDGEFW_FAMILY_IPV4))
			return; /* a protocol number like any other there */
		/* type, code, checksum and the rest-of-header word */
		if (off + 8 > end)
			return malformed(p, "ICMP header past the datagram");
		p->has_icmp = true;
		p->icmp_type = h[0];
		p->icmp_code = h[1];
		if (ref_is_echo(p, false) || ref_is_echo(p, true)) {
			p->has_echo = true;
			p->echo_id = get16(h + 4);
		}
		parse_quote(f, off + 8, end, p);
		return;
	default:
		return; /* not parsed: no ports, no checks */
	}
	p->has_ports = true;
	p->sport = get16(h);
	p->dport = get16(h + 2);
}

static void parse_ipv4(const uint8_t *f, size_t off, size_t len,
		       struct ref_pkt *p)
{
	const uint8_t *h = f + off;
	size_t hdr_len, tot_len;
	uint16_t frag;

	if (off + 20 > len)
		return malformed(p, "IPv4 header cut");
	if (h[0] >> 4 != 4)
		return malformed(p, "IP version is not 4 in an IPv4 frame");
	hdr_len = (h[0] & 15) * 4;
	tot_len = get16(h + 2);
	if (hdr_len < 20)
		return malformed(p, "IHL below 5");
	if (tot_len < hdr_len)
		return malformed(p, "IPv4 total length below its header");
	/* the frame may be longer: Ethernet pads short frames */
	if (off + tot_len > len)
		return malformed(p, "IPv4 total length past the frame");
	p->kind = REF_IP;
	p->family = EDGEFW_FAMILY_IPV4;
	p->hop_limit = h[8];
	p->proto = h[9];
	memcpy(&p->src.w[0], h + 12, 4);
	memcpy(&p->dst.w[0], h + 16, 4);
	frag = get16(h + 6); /* RFC 791: flags (reserved, DF, MF), offset */
	if (frag & 0x1fff)
		p->frag = REF_LATER_FRAG;
	else if (frag & 0x2000)
		p->frag = REF_FIRST_FRAG;
	if (p->frag != REF_LATER_FRAG)
		parse_l4(f, off + hdr_len, off + tot_len, p);
}

/*
 * README silent: which next-header values are extension headers. Mirrors
 * the data plane today: those of the IANA registry that carry a next
 * header field (RFC 8200, 4302, 6275, 7401, 5533, 3692), not ESP (50),
 * whose next header is encrypted, nor 59 (no next header).
 */
static bool ipv6_ext_hdr(uint8_t nh)
{
	switch (nh) {
	case 0: /* hop-by-hop options */
	case 43: /* routing */
	case 44: /* fragment */
	case 51: /* AH */
	case 60: /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experimentation and testing */
	case 254:
		return true;
	}
	return false;
}

/* The length of the extension header at h, by its kind's rules. */
static size_t ipv6_ext_len(uint8_t nh, const uint8_t *h)
{
	if (nh == 44)
		return 8; /* fixed; its second byte is reserved */
	if (nh == 51)
		return (h[1] + 2) * 4; /* RFC 4302: in 32-bit words */
	return (h[1] + 1) * 8;
}

static void parse_ipv6(const uint8_t *f, size_t off, size_t len,
		       struct ref_pkt *p)
{
	const uint8_t *h = f + off;
	size_t end, pos;
	uint8_t nh;

	if (off + 40 > len)
		return malformed(p, "IPv6 header cut");
	if (h[0] >> 4 != 6)
		return malformed(p, "IP version is not 6 in an IPv6 frame");
	end = off + 40 + get16(h + 4);
	if (end > len)
		return malformed(p, "IPv6 payload length past the frame");
	p->kind = REF_IP;
	p->family = EDGEFW_FAMILY_IPV6;
	p->hop_limit = h[7];
	memcpy(p->src.b, h + 8, 16);
	memcpy(p->dst.b, h + 24, 16);
	nh = h[6];
	pos = off + 40;
	while (ipv6_ext_hdr(nh)) {
		const uint8_t *e = f + pos;
		size_t elen;

		if (p->nr_ext == EDGEFW_IPV6_MAX_EXT_HDRS)
			return malformed(p, "more than 8 extension headers");
		/* every kind has at least 8 bytes (RFC 8200 section 4) */
		if (pos + 8 > end)
			return malformed(p,
					 "extension header past the datagram");
		elen = ipv6_ext_len(nh, e);
		if (pos + elen > end)
			return malformed(p,
					 "extension header past the datagram");
		p->nr_ext++;
		if (nh == 44) {
			uint16_t offset_flags = get16(e + 2);

			if (offset_flags & 0xfff8) {
				/* the rest is the middle of a datagram */
				p->frag = REF_LATER_FRAG;
				p->proto = e[0];
				return;
			}
			/*
			 * "An IPv6 atomic fragment ... is a whole packet,
			 * judged like any other, not a fragment."
			 */
			if (offset_flags & 1)
				p->frag = REF_FIRST_FRAG;
		}
		nh = e[0];
		pos += elen;
	}
	p->proto = nh;
	parse_l4(f, pos, end, p);
}

void ref_parse(const uint8_t *f, size_t len, struct ref_pkt *p)
{
	size_t off = ETH_LEN;
	uint16_t type;

	memset(p, 0, sizeof(*p));
	if (len < ETH_LEN)
		return malformed(p, "Ethernet header cut");
	type = get16(f + 12);
	while (type == 0x8100 || type == 0x88a8) {
		/*
		 * README silent: a third tag ("up to two VLAN tags"). Mirrors
		 * the data plane: an inconsistent header, not an unknown
		 * ethertype.
		 */
		if (p->nr_vlans == 2)
			return malformed(p, "a third VLAN tag");
		if (off + TAG_LEN > len)
			return malformed(p, "VLAN tag cut");
		type = get16(f + off + 2);
		off += TAG_LEN;
		p->nr_vlans++;
	}
	p->ethertype = type;
	if (type == 0x0800)
		return parse_ipv4(f, off, len, p);
	if (type == 0x86dd)
		return parse_ipv6(f, off, len, p);
	/*
	 * README silent: what of an ARP frame is read. Mirrors the data
	 * plane: its ethertype alone, whatever follows.
	 */
	p->kind = type == 0x0806 ? REF_ARP : REF_OTHER_L2;
}

static const char *proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "ICMPv6";
	}
	snprintf(buf, len, "proto %u", proto);
	return buf;
}

static void tcp_flags_text(uint8_t flags, char *buf)
{
	static const char names[] = "FSRPAUEC"; /* bit 0 first */
	char *s = buf;

	for (int i = 0; i < 8; i++) {
		if (flags & 1 << i)
			*s++ = names[i];
	}
	if (s == buf)
		*s++ = '.';
	*s = 0;
}

/* "203.0.113.5:33000", "[2001:db8::5]:33000", or the address alone */
static void endpoint(const struct ref_pkt *p, const union edgefw_addr *a,
		     uint16_t port, char *buf, size_t len)
{
	bool v6 = p->family == EDGEFW_FAMILY_IPV6;
	char text[INET6_ADDRSTRLEN];

	inet_ntop(v6 ? AF_INET6 : AF_INET, a, text, sizeof(text));
	if (!p->has_ports)
		snprintf(buf, len, "%s", text);
	else
		snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", text, port);
}

void ref_describe(const struct ref_pkt *p, char *buf, size_t len)
{
	static const char *const frags[] = { "", ", first fragment",
					     ", later fragment" };
	char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8];
	char pname[16], l4[32] = "", ext[32] = "", tags[32] = "";
	char flags[9];

	if (p->nr_vlans)
		snprintf(tags, sizeof(tags), ", %u VLAN tags", p->nr_vlans);
	if (p->kind == REF_MALFORMED) {
		snprintf(buf, len, "malformed: %s%s", p->why, tags);
		return;
	}
	if (p->kind != REF_IP) {
		snprintf(buf, len, "%s, ethertype 0x%04x%s",
			 p->kind == REF_ARP ? "ARP" : "not IP", p->ethertype,
			 tags);
		return;
	}
	endpoint(p, &p->src, p->sport, src, sizeof(src));
	endpoint(p, &p->dst, p->dport, dst, sizeof(dst));
	if (p->has_ports && p->proto == 6) {
		tcp_flags_text(p->tcp_flags, flags);
		snprintf(l4, sizeof(l4), " [%s]", flags);
	} else if (p->has_icmp) {
		snprintf(l4, sizeof(l4), " type %u code %u", p->icmp_type,
			 p->icmp_code);
	}
	if (p->nr_ext)
		snprintf(ext, sizeof(ext), ", %u extension headers", p->nr_ext);
	snprintf(buf, len, "IPv%d %s %s > %s%s, %s %u%s%s%s",
		 p->family == EDGEFW_FAMILY_IPV6 ? 6 : 4,
		 proto_name(p->proto, pname, sizeof(pname)), src, dst, l4,
		 p->family == EDGEFW_FAMILY_IPV6 ? "hop limit" : "TTL",
		 p->hop_limit, ext, frags[p->frag], tags);
}
