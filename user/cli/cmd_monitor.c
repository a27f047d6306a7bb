// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw monitor: the packets edgefw drops (in monitor mode: would drop),
 * one line each, or one JSON object a line with --json, until SIGINT or
 * SIGTERM; then what it saw and what the data plane's limit suppressed.
 * Once a second, when the limit suppressed events, a line says how many.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "events.h"
#include "log.h"
#include "reasons.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *const tcp_flag_names[8] = { "FIN", "SYN", "RST", "PSH",
					       "ACK", "URG", "ECE", "CWR" };

static void format_time(const struct timespec *t, char *buf, size_t len)
{
	struct tm tm;
	size_t n;

	gmtime_r(&t->tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ldZ", t->tv_nsec / 1000);
}

static bool has_ports(const struct edgefw_event *ev)
{
	return ev->proto == IPPROTO_TCP || ev->proto == IPPROTO_UDP;
}

static bool is_icmp(const struct edgefw_event *ev)
{
	return (ev->proto == IPPROTO_ICMP &&
		ev->family == EDGEFW_FAMILY_IPV4) ||
	       (ev->proto == IPPROTO_ICMPV6 &&
		ev->family == EDGEFW_FAMILY_IPV6);
}

static const char *proto_name(const struct edgefw_event *ev, char *buf,
			      size_t len)
{
	switch (ev->proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	}
	snprintf(buf, len, "%u", ev->proto);
	return buf;
}

static const char *addr_text(const struct edgefw_event *ev,
			     const union edgefw_addr *a, char *buf, size_t len)
{
	return inet_ntop(ev->family == EDGEFW_FAMILY_IPV4 ? AF_INET : AF_INET6,
			 a, buf, len);
}

static const char *frag_name(__u8 frag)
{
	return frag == 1 ? "first" : frag == 2 ? "later" : NULL;
}

static unsigned int vlan_id(__u16 tci)
{
	return ntohs(tci) & 0x0fff;
}

static const char *action_of(const struct edgefw_event *ev)
{
	return ev->flags & EDGEFW_EVENT_MONITOR ? "would-drop" : "drop";
}

/* "192.0.2.66:33000", "[2001:db8::1]:33000", or the address alone */
static void endpoint_text(const struct edgefw_event *ev,
			  const union edgefw_addr *a, __u16 port, char *buf,
			  size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	addr_text(ev, a, addr, sizeof(addr));
	if (!has_ports(ev))
		snprintf(buf, len, "%s", addr);
	else if (ev->family == EDGEFW_FAMILY_IPV6)
		snprintf(buf, len, "[%s]:%u", addr, ntohs(port));
	else
		snprintf(buf, len, "%s:%u", addr, ntohs(port));
}

static void print_text(const struct event_view *v)
{
	const struct edgefw_event *ev = v->ev;
	char when[48], proto[8], src[64], dst[64];

	format_time(&v->when, when, sizeof(when));
	printf("%s %s %s %s %s", when, v->iface, dir_name(ev->dir),
	       action_of(ev), reason_name(ev->reason));
	if (v->rule)
		printf(" rule %s", v->rule);
	if (!ev->family) {
		printf(" non-IP");
	} else {
		endpoint_text(ev, &ev->src, ev->sport, src, sizeof(src));
		endpoint_text(ev, &ev->dst, ev->dport, dst, sizeof(dst));
		printf(" %s %s > %s", proto_name(ev, proto, sizeof(proto)), src,
		       dst);
	}
	if (ev->family && ev->proto == IPPROTO_TCP) {
		printf(" flags ");
		for (int b = 0; b < 8; b++) {
			if (ev->tcp_flags & (1 << b))
				putchar(tcp_flag_names[b][0]);
		}
		if (!ev->tcp_flags)
			putchar('-');
	}
	if (is_icmp(ev))
		printf(" type %u code %u", ev->icmp_type, ev->icmp_code);
	for (int i = 0; i < ev->nr_vlans && i < 2; i++)
		printf("%s%u", i ? "," : " vlan ", vlan_id(ev->vlan_tci[i]));
	if (frag_name(ev->frag))
		printf(" fragment %s", frag_name(ev->frag));
	printf(" len %u\n", ev->len);
}

static json_object *json_u(unsigned int v)
{
	return json_object_new_int64(v);
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *event_json(const struct event_view *v)
{
	const struct edgefw_event *ev = v->ev;
	json_object *o = json_object_new_object(), *vlan, *flags = NULL;
	char when[48], proto[8], addr[INET6_ADDRSTRLEN];
	bool ip = ev->family != 0;

	format_time(&v->when, when, sizeof(when));
	add(o, "type", json_object_new_string("drop"));
	add(o, "time", json_object_new_string(when));
	add(o, "interface", json_object_new_string(v->iface));
	add(o, "ifindex", json_u(ev->ifindex));
	add(o, "direction", json_object_new_string(dir_name(ev->dir)));
	add(o, "mode",
	    json_object_new_string(
		    ev->flags & EDGEFW_EVENT_MONITOR ? "monitor" : "enforce"));
	add(o, "reason", json_object_new_string(reason_name(ev->reason)));
	add(o, "rule", v->rule ? json_object_new_string(v->rule) : NULL);
	add(o, "family", ip ? json_u(ev->family) : NULL);
	add(o, "protocol",
	    ip ? json_object_new_string(proto_name(ev, proto, sizeof(proto)))
	       : NULL);
	add(o, "src",
	    ip ? json_object_new_string(
			 addr_text(ev, &ev->src, addr, sizeof(addr)))
	       : NULL);
	add(o, "dst",
	    ip ? json_object_new_string(
			 addr_text(ev, &ev->dst, addr, sizeof(addr)))
	       : NULL);
	add(o, "sport", ip && has_ports(ev) ? json_u(ntohs(ev->sport)) : NULL);
	add(o, "dport", ip && has_ports(ev) ? json_u(ntohs(ev->dport)) : NULL);
	if (ip && ev->proto == IPPROTO_TCP) {
		flags = json_object_new_array();
		for (int b = 0; b < 8; b++) {
			if (ev->tcp_flags & (1 << b))
				json_object_array_add(
					flags, json_object_new_string(
						       tcp_flag_names[b]));
		}
	}
	add(o, "tcp_flags", flags);
	add(o, "icmp_type", is_icmp(ev) ? json_u(ev->icmp_type) : NULL);
	add(o, "icmp_code", is_icmp(ev) ? json_u(ev->icmp_code) : NULL);
	vlan = json_object_new_array();
	for (int i = 0; i < ev->nr_vlans && i < 2; i++)
		json_object_array_add(vlan, json_u(vlan_id(ev->vlan_tci[i])));
	add(o, "vlan", vlan);
	add(o, "fragment",
	    frag_name(ev->frag) ? json_object_new_string(frag_name(ev->frag))
				: NULL);
	add(o, "length", json_u(ev->len));
	return o;
}

static int print_line_json(json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

/* stdout's fate: a reader that went away (| head) ends the stream. */
static int flushed(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	return errno == EPIPE ? -EPIPE : -EIO;
}

static int on_event(const struct event_view *v, void *ctx)
{
	const struct cli_args *a = ctx;

	if (a->json)
		print_line_json(event_json(v));
	else
		print_text(v);
	return flushed();
}

/* What the limit suppressed since the last report, if anything. */
static int report_suppressed(const struct events *e, const struct cli_args *a,
			     struct events_counts *last)
{
	struct events_counts now;
	__u64 limited, ring_full;
	struct timespec ts;
	char when[48];

	if (events_read_counts(e, &now))
		return 0;
	limited = now.limited - last->limited;
	ring_full = now.ring_full - last->ring_full;
	*last = now;
	if (!limited && !ring_full)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	format_time(&ts, when, sizeof(when));
	if (a->json) {
		json_object *o = json_object_new_object();

		add(o, "type", json_object_new_string("suppressed"));
		add(o, "time", json_object_new_string(when));
		add(o, "suppressed",
		    json_object_new_int64(limited + ring_full));
		add(o, "limit", json_object_new_int64(limited));
		add(o, "ring_full", json_object_new_int64(ring_full));
		print_line_json(o);
	} else {
		printf("%s suppressed %" PRIu64 " (limit %" PRIu64
		       ", ring full %" PRIu64 ")\n",
		       when, (uint64_t)(limited + ring_full), (uint64_t)limited,
		       (uint64_t)ring_full);
	}
	return flushed();
}

/* Filters that name what the running config does not have are mistakes. */
static int check_filters(const struct config *c, const struct cli_args *a)
{
	int rule = -1;

	if (a->iface && config_find_iface(c, a->iface) < 0)
		return usage_error(
			"monitor",
			"--interface %s: no such interface in the running config",
			a->iface);
	for (size_t i = 0; a->rule && i < c->nr_rules; i++) {
		if (!strcmp(c->rules[i].name, a->rule))
			rule = (int)i;
	}
	if (a->rule && rule < 0)
		return usage_error(
			"monitor",
			"--rule %s: no such rule in the running config",
			a->rule);
	if (rule >= 0 && c->rules[rule].limit.kind == EDGEFW_LIMIT_NONE)
		log_warn(
			"rule %s has no limit: only the drops of a rule's limit (ratelimit) name a rule",
			a->rule);
	if (c->events.off)
		log_warn(
			"the running config says 'events off': nothing will come");
	return EXIT_OK;
}

static void handle_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: the wait for events ends at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_monitor(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct events_filter f = {
		.iface = a->iface,
		.reason = a->drop_reason ? a->drop_reason : -1,
		.rule = a->rule,
	};
	struct events_counts first, last;
	struct timespec reported, now;
	struct events e;
	int rc = check_filters(&ctx->loaded.cfg, a), n = 0;

	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	handle_signals();
	rc = events_open(&e, &ctx->paths, EDGEFW_READER_MONITOR, &f, on_event,
			 (void *)a);
	if (rc)
		return EXIT_FAILED;
	events_read_counts(&e, &first);
	last = first;
	clock_gettime(CLOCK_MONOTONIC, &reported);
	while (!stop) {
		n = events_poll(&e, 1000);
		if (n == -EINTR) {
			n = 0; /* SIGINT, SIGTERM: the end asked for */
			continue;
		}
		if (n < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec == reported.tv_sec ||
		    (now.tv_sec == reported.tv_sec + 1 &&
		     now.tv_nsec < reported.tv_nsec))
			continue; /* once a second */
		reported = now;
		n = report_suppressed(&e, a, &last);
		if (n < 0)
			break;
	}
	events_read_counts(&e, &last);
	fprintf(stderr,
		"edgefw monitor: %" PRIu64 " events, %" PRIu64
		" shown; %" PRIu64 " suppressed (limit %" PRIu64
		", ring full %" PRIu64 ")\n",
		(uint64_t)e.received, (uint64_t)e.shown,
		(uint64_t)(events_suppressed(&last) -
			   events_suppressed(&first)),
		(uint64_t)(last.limited - first.limited),
		(uint64_t)(last.ring_full - first.ring_full));
	events_close(&e);
	return n < 0 && n != -EPIPE ? EXIT_FAILED : EXIT_OK;
}
