// SPDX-License-Identifier: GPL-2.0
/*
 * The lockout guard: run from an SSH session, a load or reload that would
 * drop the session's own packets is refused. The session's packets (a SYN
 * and an ACK from the client) go through the new generation's XDP program
 * on the interface that owns the server address, with BPF_PROG_TEST_RUN:
 * the data plane itself decides, nothing is evaluated twice. The probe
 * counts as packets in the new generation's counters.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "lockout.h"
#include "log.h"
#include "maps.h"
#include "reasons.h"
#include "ssh_session.h"

static int iface_of(const struct generation *g, const struct prefix *addr)
{
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		const struct iface_state *st = &g->ifaces[i].st;

		for (size_t j = 0; j < st->nr_self; j++) {
			if (!prefix_cmp(&st->self[j], addr))
				return (int)i;
		}
	}
	return -1;
}

/* An Ethernet frame with the session's TCP segment, client to server. */
static size_t build_segment(const struct ssh_session *s, __u8 flags, __u8 *buf)
{
	struct ethhdr *eth = (void *)buf;
	struct tcphdr *th;
	size_t l3;

	memset(buf, 0, 128);
	if (s->client.family == EDGEFW_FAMILY_IPV4) {
		struct iphdr *ip = (void *)(eth + 1);

		eth->h_proto = htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_TCP;
		ip->tot_len = htons(sizeof(*ip) + sizeof(*th));
		ip->saddr = s->client.addr.w[0];
		ip->daddr = s->server.addr.w[0];
		l3 = sizeof(*ip);
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		eth->h_proto = htons(ETH_P_IPV6);
		ip6->version = 6;
		ip6->hop_limit = 64;
		ip6->nexthdr = IPPROTO_TCP;
		ip6->payload_len = htons(sizeof(*th));
		memcpy(&ip6->saddr, s->client.addr.b, 16);
		memcpy(&ip6->daddr, s->server.addr.b, 16);
		l3 = sizeof(*ip6);
	}
	th = (void *)((__u8 *)(eth + 1) + l3);
	th->source = htons(s->client_port);
	th->dest = htons(s->server_port);
	th->doff = 5;
	((__u8 *)th)[13] = flags;
	return sizeof(*eth) + l3 + sizeof(*th);
}

/* The verdict slot that moved for the probe, or -1. */
static int probe(const struct generation *g, size_t i, const __u8 *pkt,
		 size_t len, bool *passed)
{
	struct edgefw_counter before[EDGEFW_SLOTS_PER_DIR],
		after[EDGEFW_SLOTS_PER_DIR];
	struct xdp_md ctx = { .data_end = len,
			      .ingress_ifindex = g->ifaces[i].st.ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	int counters = gen_map_fd(g, MAP_COUNTERS), moved = -1;
	__u32 first = EDGEFW_COUNTER_INDEX(i, EDGEFW_DIR_IN, 0);

	counters_read(counters, first, EDGEFW_SLOTS_PER_DIR, before);
	if (bpf_prog_test_run_opts(
		    bpf_program__fd(g->ifaces[i].skel->progs.edgefw_xdp),
		    &opts)) {
		log_err("cannot test the new programs with this session's packets: %s",
			strerror(errno));
		return -2;
	}
	*passed = opts.retval == XDP_PASS;
	counters_read(counters, first, EDGEFW_SLOTS_PER_DIR, after);
	for (__u32 v = 0; v < EDGEFW_SLOTS_PER_DIR && moved < 0; v++) {
		if (after[v].packets != before[v].packets)
			moved = v;
	}
	return moved;
}

static void explain(const struct ssh_session *s, unsigned int role, int verdict)
{
	char client[PREFIX_STRLEN];

	prefix_format(&s->client, client, sizeof(client));
	if (verdict == EDGEFW_DROP_BLOCKED) {
		log_err("your address %s is on the blocklist: 'edgefw block del %s', or run again with --force",
			client, client);
	} else if (verdict == EDGEFW_DROP_RATELIMIT) {
		log_err("a rate limit drops it: raise the limit of the rule that admits it, or run again with --force");
	} else {
		log_err("no rule of %s in admits tcp port %u from %s; add one, for example:\n"
			"    rule ssh-admin %s in tcp %u from %s to self\n"
			"or run again with --force",
			role_name(role), s->server_port, client,
			role_name(role), s->server_port, client);
	}
}

int lockout_check(const struct config *c, const struct generation *g,
		  const char *action)
{
	static const struct {
		__u8 flags;
		const char *what;
	} segments[] = { { EDGEFW_TCP_SYN, "a new connection (SYN)" },
			 { EDGEFW_TCP_ACK, "its established packets (ACK)" } };
	/* 2 bytes in: the IP header after Ethernet's 14 is 4-byte aligned */
	union {
		__u32 align;
		__u8 b[2 + 128];
	} frame;
	__u8 *pkt = frame.b + 2;
	struct ssh_session s;
	int i;

	if (!ssh_session_from_env(&s))
		return 0;
	i = iface_of(g, &s.server);
	if (i < 0)
		return 0; /* the session does not arrive on a filtered NIC */
	for (size_t k = 0; k < sizeof(segments) / sizeof(segments[0]); k++) {
		size_t len = build_segment(&s, segments[k].flags, pkt);
		char client[PREFIX_STRLEN], server[PREFIX_STRLEN];
		bool passed = false;
		int verdict = probe(g, i, pkt, len, &passed);

		if (verdict == -2)
			return -1;
		if (passed)
			continue;
		prefix_format(&s.client, client, sizeof(client));
		prefix_format(&s.server, server, sizeof(server));
		log_err("refusing to %s: it would cut off this SSH session (%s port %u -> %s port %u, on %s): %s would be dropped (%s)",
			action, client, s.client_port, server, s.server_port,
			g->ifaces[i].st.name, segments[k].what,
			verdict >= 0 && verdict < EDGEFW_NR_REASONS
				? reason_name(verdict)
				: "?");
		explain(&s, c->ifaces[i].role, verdict);
		return -1;
	}
	return 0;
}
