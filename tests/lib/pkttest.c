// SPDX-License-Identifier: GPL-2.0
/* The shared machinery of the BPF_PROG_TEST_RUN suites; see pkttest.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps.h"
#include "pkttest.h"
#include "reasons.h"
#include "tap.h"

const char *const iface_names[NR_IFACES] = { "ext0", "int0" };

const struct place places[] = {
	[EXT_XDP] = { "ext0 XDP", IF_EXT, EDGEFW_DIR_IN },
	[EXT_TC] = { "ext0 TC", IF_EXT, EDGEFW_DIR_OUT },
	[INT_XDP] = { "int0 XDP", IF_INT, EDGEFW_DIR_IN },
	[INT_TC] = { "int0 TC", IF_INT, EDGEFW_DIR_OUT },
};

void run(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		tap_bail("'%s' failed (status %d)", cmd, rc);
}

/*
 * A private network namespace with the config's two NICs. ext0 gets its
 * addresses here, and edgefw reads them back through netlink; int0's come
 * from the config. It all goes away with the process.
 */
void make_namespace(void)
{
	if (unshare(CLONE_NEWNET))
		tap_bail("unshare(CLONE_NEWNET): %s (the test needs root)",
			 strerror(errno));
	run("ip link add ext0 type veth peer name ext0p");
	run("ip link add int0 type veth peer name int0p");
	run("ip link set ext0p up && ip link set ext0 up");
	run("ip link set int0p up && ip link set int0 up");
	run("ip addr add 198.51.100.10/24 dev ext0");
	run("ip addr add 2001:db8:100::10/64 dev ext0 nodad");
}

void load_config(const char *name, const char *text,
		 const char *const *rule_names, size_t nr_rules,
		 struct config *c, struct compiled *cc, struct generation *g)
{
	if (config_parse(name, text, strlen(text), c, stderr))
		tap_bail("the %s config does not parse", name);
	for (int i = 0; i < NR_IFACES; i++) {
		if (config_find_iface(c, iface_names[i]) != i)
			tap_bail("%s is not interface %d of the config",
				 iface_names[i], i);
	}
	for (size_t i = 0; i < nr_rules; i++) {
		if (i >= c->nr_rules || strcmp(c->rules[i].name, rule_names[i]))
			tap_bail("%s is not rule %zu of the config",
				 rule_names[i], i);
	}
	if (compile(c, cc, stderr))
		tap_bail("the %s config does not compile", name);
	if (gen_resolve(c, false, g))
		tap_bail("gen_resolve failed for the %s config", name);
	if (gen_load(c, cc, g, NULL, NULL))
		tap_bail("gen_load failed for the %s config", name);
}

void read_counters(const struct env *e, struct counters *out)
{
	/* the interfaces' slots come first in the counters, in this order */
	int err = counters_read(e->counters_fd, 0,
				sizeof(out->slot) / sizeof(out->slot[0][0][0]),
				&out->slot[0][0][0]);

	if (err)
		tap_bail("cannot read the counters: %s", strerror(-err));
}

const char *verdict_name(const struct env *e, __u32 verdict, char *buf,
			 size_t len)
{
	__u32 rule = verdict - EDGEFW_NR_REASONS;

	if (verdict < EDGEFW_NR_REASONS)
		snprintf(buf, len, "%s %s",
			 edgefw_verdict_drops(verdict) ? "drop" : "pass",
			 reason_name(verdict));
	else if (rule < e->c->nr_rules)
		snprintf(buf, len, "rule %s", e->c->rules[rule].name);
	else
		snprintf(buf, len, "rule #%u", rule);
	return buf;
}

void clear_map(int fd, size_t key_size)
{
	char *keys = NULL, *key;
	size_t n = 0, cap = 0;

	/*
	 * Keys first, deletes after: restarting the walk from the first key
	 * after each delete scans the emptied buckets again and again.
	 */
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			keys = realloc(keys, cap * key_size);
			if (!keys)
				tap_bail("out of memory");
		}
		key = keys + n * key_size;
		if (bpf_map_get_next_key(fd, n ? key - key_size : NULL, key))
			break;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		if (bpf_map_delete_elem(fd, keys + i * key_size) &&
		    errno != ENOENT)
			tap_bail("cannot delete a map entry: %s",
				 strerror(errno));
	}
	free(keys);
	/* what the data plane added meanwhile, if anything */
	key = malloc(key_size);
	if (!key)
		tap_bail("out of memory");
	while (!bpf_map_get_next_key(fd, NULL, key)) {
		if (bpf_map_delete_elem(fd, key) && errno != ENOENT)
			tap_bail("cannot delete a map entry: %s",
				 strerror(errno));
	}
	free(key);
}

void clear_flows(const struct env *e)
{
	clear_map(e->flows_fd[0], sizeof(struct edgefw_flow_key4));
	clear_map(e->flows_fd[1], sizeof(struct edgefw_flow_key6));
}

int run_xdp(const struct env *e, int iface, const struct pkt *p, __u32 *retval)
{
	struct edgefw_bpf *skel = e->g->ifaces[iface].skel;
	struct xdp_md ctx = {
		.data_end = p->len,
		.ingress_ifindex = e->g->ifaces[iface].st.ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.edgefw_xdp),
				     &opts);
	*retval = opts.retval;
	return err ? -errno : 0;
}

int run_tc(const struct env *e, int iface, const struct pkt *p, __u32 *retval)
{
	struct edgefw_bpf *skel = e->g->ifaces[iface].skel;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.edgefw_tc),
				     &opts);
	*retval = opts.retval;
	return err ? -errno : 0;
}

/* Run a packet through the program of a place, counters read around it. */
int run_packet(const struct env *e, enum where at, const struct pkt *p,
	       __u32 *retval, struct counters *before, struct counters *after)
{
	const struct place *pl = &places[at];
	int err;

	read_counters(e, before);
	if (pl->dir == EDGEFW_DIR_IN)
		err = run_xdp(e, pl->iface, p, retval);
	else
		err = run_tc(e, pl->iface, p, retval);
	read_counters(e, after);
	return err;
}

/* How many counters moved, but the one expected to; each is reported. */
int others_moved(const struct env *e, const struct counters *before,
		 const struct counters *after, enum where at, __u32 expected)
{
	const struct place *pl = &places[at];
	int moved = 0;

	for (int i = 0; i < NR_IFACES; i++) {
		for (int d = 0; d < EDGEFW_NR_DIRS; d++) {
			for (__u32 v = 0; v < EDGEFW_SLOTS_PER_DIR; v++) {
				const struct edgefw_counter *b, *a;
				char name[64];

				b = &before->slot[i][d][v];
				a = &after->slot[i][d][v];
				if ((i == pl->iface && d == pl->dir &&
				     v == expected) ||
				    (a->packets == b->packets &&
				     a->bytes == b->bytes))
					continue;
				moved++;
				tap_diag(
					"%s %s %s moved by %llu packets, %llu bytes",
					iface_names[i], dir_name(d),
					verdict_name(e, v, name, sizeof(name)),
					a->packets - b->packets,
					a->bytes - b->bytes);
			}
		}
	}
	return moved;
}

/*
 * Run one packet and check the verdict, that the expected counter went up
 * by this one packet and its bytes, and that no other counter moved.
 */
void check_packet(const struct env *e, const char *name, enum where at,
		  const struct pkt *p, enum expect expect, __u32 counted)
{
	const struct place *pl = &places[at];
	bool xdp = pl->dir == EDGEFW_DIR_IN;
	__u32 want = xdp ? (expect == PASS ? XDP_PASS : XDP_DROP)
			 : (expect == PASS ? TC_ACT_OK : TC_ACT_SHOT);
	const char *want_name =
		xdp ? (expect == PASS ? "XDP_PASS" : "XDP_DROP")
		    : (expect == PASS ? "TC_ACT_OK" : "TC_ACT_SHOT");
	static struct counters before, after;
	const struct edgefw_counter *b, *a;
	char label[256], vname[64];
	__u32 retval;
	int err;

	snprintf(label, sizeof(label), "%s%s: %s", e->label, pl->name, name);
	verdict_name(e, counted, vname, sizeof(vname));
	err = run_packet(e, at, p, &retval, &before, &after);
	if (err) {
		CHECK(false, "%s: BPF_PROG_TEST_RUN: %s", label,
		      strerror(-err));
		return;
	}
	CHECK_EQ(retval, want, "%s: %s", label, want_name);
	b = &before.slot[pl->iface][pl->dir][counted];
	a = &after.slot[pl->iface][pl->dir][counted];
	CHECK_EQ(a->packets - b->packets, 1, "%s: counted as %s", label, vname);
	CHECK_EQ(a->bytes - b->bytes, p->len, "%s: %zu bytes counted", label,
		 p->len);
	CHECK(!others_moved(e, &before, &after, at, counted),
	      "%s: no other counter moved", label);
}

void check_spec(const struct env *e, const char *name, enum where at,
		const struct pkt_spec *s, enum expect expect, __u32 counted)
{
	struct pkt p;

	if (pkt_build(s, &p))
		tap_bail("cannot build the packet of %s", name);
	check_packet(e, name, at, &p, expect, counted);
}

/*
 * Frames that BPF_PROG_TEST_RUN itself refuses (net/bpf/test_run.c, as of
 * Linux 6.18): any shorter than an Ethernet header, and for TC, IPv4 and
 * IPv6 frames shorter than their fixed IP header, which the skb test run
 * reads before the program. The stack never hands TC such a frame either.
 */
const char *test_run_refuses(enum where at, const struct pkt *p)
{
	__u16 type = p->len >= ETH_HLEN ? p->data[12] << 8 | p->data[13] : 0;

	if (p->len < ETH_HLEN)
		return "shorter than an Ethernet header";
	if (places[at].dir == EDGEFW_DIR_IN)
		return NULL;
	if (type == ETH_P_IP && p->len < ETH_HLEN + 20)
		return "an IPv4 frame shorter than an IPv4 header";
	if (type == ETH_P_IPV6 && p->len < ETH_HLEN + 40)
		return "an IPv6 frame shorter than an IPv6 header";
	return NULL;
}

void age_map_times(int fd, size_t key_size, size_t value_size, size_t at,
		   __u64 ns, bool floor)
{
	enum { CHUNK = 1024 }; /* more than any bucket of a hash map holds */
	static char keys[CHUNK * 64], values[CHUNK * 64];
	__u32 cursor, next, n;
	bool first = true, done = false;

	if (key_size > 64 || value_size > 64 || at + sizeof(__u64) > value_size)
		tap_bail("age_map_times: entries of %zu and %zu bytes",
			 key_size, value_size);
	/*
	 * A batch ends at a bucket's end and the next one starts at the
	 * following bucket, so the writes in between, which move LRU
	 * elements within their buckets, make no element come up twice.
	 */
	while (!done) {
		LIBBPF_OPTS(bpf_map_batch_opts, opts);

		n = CHUNK;
		if (bpf_map_lookup_batch(fd, first ? NULL : &cursor, &next,
					 keys, values, &n, &opts)) {
			if (errno != ENOENT)
				tap_bail("cannot read a map in batches: %s",
					 strerror(errno));
			done = true;
		}
		first = false;
		cursor = next;
		for (__u32 i = 0; i < n; i++) {
			__u64 t;

			memcpy(&t, values + i * value_size + at, sizeof(t));
			t = floor ? (t > ns ? t - ns : 0) : t - ns;
			memcpy(values + i * value_size + at, &t, sizeof(t));
		}
		if (n && bpf_map_update_batch(fd, keys, values, &n, &opts))
			tap_bail("cannot write a map in batches: %s",
				 strerror(errno));
	}
}

/*
 * Move every flow's last sighting back in time, as if the packet that
 * follows came that much later: the data plane compares it with its
 * clock, whatever the time now.
 */
void age_flows(const struct env *e, unsigned int seconds)
{
	age_flows_ns(e, (__u64)seconds * EDGEFW_NSEC_PER_SEC);
}

void age_flows_ns(const struct env *e, __u64 ns)
{
	age_map_times(e->flows_fd[0], sizeof(struct edgefw_flow_key4),
		      sizeof(struct edgefw_flow),
		      offsetof(struct edgefw_flow, seen_ns), ns, false);
	age_map_times(e->flows_fd[1], sizeof(struct edgefw_flow_key6),
		      sizeof(struct edgefw_flow),
		      offsetof(struct edgefw_flow, seen_ns), ns, false);
}

struct env make_env(const char *label, const struct config *c,
		    struct generation *g)
{
	return (struct env){
		.label = label,
		.c = c,
		.g = g,
		.counters_fd = gen_map_fd(g, MAP_COUNTERS),
		.flows_fd = { gen_map_fd(g, MAP_FLOWS4),
			      gen_map_fd(g, MAP_FLOWS6) },
	};
}
