// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet cost through BPF_PROG_TEST_RUN: every packet class of the
 * matrix through every program given, on one pinned CPU. A round runs a
 * packet --repeat times and the kernel reports the mean ns per run; the
 * result is the median of --rounds rounds. A class whose rounds spread
 * more than NOISE_SPREAD around the median is run again, once, and
 * flagged if it stays noisy.
 *
 * Programs: NAME=link:PIN (the program of a pinned XDP link), NAME=dev:IF
 * (the XDP program attached to an interface), NAME=pin:PIN (a pinned
 * program, as edgefw pins its TC program), NAME=obj:FILE:PROG (loaded
 * from an object file). Output: one JSON document on stdout. A class runs
 * on the programs of its hook: XDP on ingress, TC (edgefw_tc, run with an
 * skb) for the egress classes; two programs of different hooks may share
 * a name, as edgefw's and the floor's do.
 *
 * Classes that need another packet each run (a SYN-ACK opens a new flow;
 * an admitted SYN takes a new port's token; the many-sources variants)
 * run every program behind its own copy of bench/vary.bpf.c, which
 * rewrites the remote address or port in place and tail-calls it. The
 * programs named edgefw have their maps read around each class: the
 * state a class starts from is made (buckets, spent buckets, flows) and
 * every run is checked to have taken the class's path (its counters, its
 * new flows and buckets, or none). A class off its path is reported on
 * stderr and in the JSON, and testrun exits 2.
 *
 * Drop events: with --events PIN_DIR (edgefw's pin directory), the
 * classes of a listener run for the program named edgefw with the
 * listener flag set, as `edgefw monitor` sets it, and the ring read
 * between rounds; what the data plane did with the events
 * (sent, suppressed by the limit, ring full) is reported with them, and
 * a class whose packets did not take its path is flagged. The daemon's
 * sampler class holds the sampler's lease instead and reads the samples
 * ring: the flood's cost whenever the daemon runs. The others run with
 * nobody listening (the flag's one read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <time.h>
#include "edgefw.h"
#include "events.h"
#include "flowfilter.h"
#include "packet.h"
#include "util.h"

#define MAX_PROGRAMS 8
#define MAX_ROUNDS 101
#define NOISE_SPREAD 0.10 /* of the median, either way */
#define EVENTS_ROUND_MAX 10000 /* fewer than the ring's 11,900 events */
/*
 * A round of a class that leaves state per run (a flow, a bucket) or
 * takes a new port's token each run (an admitted SYN): fewer
 * than the rate table's 65,536 buckets and the flow table's 262,144
 * flows, and fewer than the ports of one source, so that every run of a
 * round makes its own; the state is cleared between rounds. Kept small,
 * as the flows a round makes are memory it touches for the first time
 * (bench/README.md: 50,000 a round doubled the admitted SYN's cost).
 */
#define STATE_ROUND_MAX 10000
#define PORTS_PER_SOURCE 64512 /* 1024 and up */
/* A bucket's time this far ahead is spent whatever the limit. */
#define SPENT_TAT (1ULL << 62)

#include "testrun_classes.h"
#include "vary.h"

struct program {
	const char *name;
	int fd;
	enum bpf_prog_type type; /* XDP or SCHED_CLS: the classes it runs */
	/* the wrapper in front of it (bench/vary.bpf.c); -1: none loads */
	int vary_fd;
	int vary_cfg_fd;
	/* edgefw's maps, found from its program: the harness's view */
	bool has_maps;
	int counters_fd, flows4_fd, flows6_fd, rate_src_fd;
	int flow_filter_fd; /* -1: an edgefw from before the flow filter */
};

struct options {
	struct program progs[MAX_PROGRAMS];
	int nr_progs;
	const char *only[64]; /* --class: just these; none: all */
	int nr_only;
	int ifindex;
	int cpu;
	unsigned int repeat;
	unsigned int rounds;
	/* --events: the listener flag, the per-CPU counters, the ring */
	int ctl_fd, cpu_fd, ring_fd, samples_fd;
	char vary_obj[4096];
};

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("testrun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int prog_of_link(const char *pin)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(pin);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		die("%s: %s", pin, strerror(errno));
	close(fd);
	return bpf_prog_get_fd_by_id(info.prog_id);
}

static int prog_of_dev(const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ifindex = if_nametoindex(ifname);

	if (!ifindex || bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		die("%s: no XDP program attached", ifname);
	return bpf_prog_get_fd_by_id(q.prog_id);
}

/* Objects loaded here stay loaded, and reachable, until exit. */
static struct bpf_object *kept[2 * MAX_PROGRAMS + 1];
static int nr_kept;

static void keep(struct bpf_object *obj)
{
	if (nr_kept == (int)ARRAY_SIZE(kept))
		die("too many objects");
	kept[nr_kept++] = obj;
}

static int prog_of_pin(const char *pin)
{
	int fd = bpf_obj_get(pin);

	if (fd < 0)
		die("%s: %s", pin, strerror(errno));
	return fd;
}

static int prog_of_obj(char *spec)
{
	char *prog = strchr(spec, ':');
	struct bpf_object *obj;
	struct bpf_program *p;

	if (!prog)
		die("obj:FILE:PROG expected, not obj:%s", spec);
	*prog++ = '\0';
	obj = bpf_object__open(spec);
	if (!obj || bpf_object__load(obj))
		die("%s: cannot load", spec);
	p = bpf_object__find_program_by_name(obj, prog);
	if (!p)
		die("%s: no program %s", spec, prog);
	keep(obj);
	return bpf_program__fd(p);
}

/*
 * The wrapper of the varied classes in front of a program, of the
 * program's own type: a tail call needs both alike, so it is loaded with
 * XDP frags support only if the program has it. A program it cannot call
 * is measured on the repeated classes alone.
 */
static void vary_attach(struct program *prog, const char *obj_path)
{
	bool tc = prog->type == BPF_PROG_TYPE_SCHED_CLS;
	const char *name = tc ? "tc_vary" : "xdp_vary";
	__u32 zero = 0;

	prog->vary_fd = prog->vary_cfg_fd = -1;
	for (int frags = 0; frags < (tc ? 1 : 2); frags++) {
		struct bpf_object *obj = bpf_object__open(obj_path);
		struct bpf_program *p, *other;
		int target;

		if (!obj)
			die("%s: cannot open", obj_path);
		p = bpf_object__find_program_by_name(obj, name);
		other = bpf_object__find_program_by_name(obj, tc ? "xdp_vary"
								 : "tc_vary");
		if (!p)
			die("%s: no program %s", obj_path, name);
		if (other)
			bpf_program__set_autoload(other, false);
		if (frags)
			bpf_program__set_flags(p, BPF_F_XDP_HAS_FRAGS);
		if (bpf_object__load(obj))
			die("%s: cannot load", obj_path);
		target = bpf_object__find_map_fd_by_name(obj, tc ? "target_tc"
								 : "target");
		if (target >= 0 &&
		    !bpf_map_update_elem(target, &zero, &prog->fd, BPF_ANY)) {
			prog->vary_fd = bpf_program__fd(p);
			prog->vary_cfg_fd =
				bpf_object__find_map_fd_by_name(obj, "vary");
			keep(obj);
			return;
		}
		bpf_object__close(obj);
	}
	fprintf(stderr,
		"testrun: %s cannot be tail-called: its varied classes are left out\n",
		prog->name);
}

/* edgefw's maps, by the names bpf/maps.h gives them. */
static void find_maps(struct program *prog)
{
	__u32 ids[64], len;
	struct bpf_prog_info info;

	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	info.nr_map_ids = 64;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog->fd, &info, &len))
		die("%s: %s", prog->name, strerror(errno));
	prog->counters_fd = prog->flows4_fd = prog->flows6_fd = -1;
	prog->rate_src_fd = prog->flow_filter_fd = -1;
	for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &mi, &mlen))
			die("map %u: %s", ids[i], strerror(errno));
		if (!strcmp(mi.name, "counters"))
			prog->counters_fd = fd;
		else if (!strcmp(mi.name, "flows4"))
			prog->flows4_fd = fd;
		else if (!strcmp(mi.name, "flows6"))
			prog->flows6_fd = fd;
		else if (!strcmp(mi.name, "rate_src"))
			prog->rate_src_fd = fd;
		else if (!strcmp(mi.name, "flow_filter"))
			prog->flow_filter_fd = fd;
		else
			close(fd);
	}
	if (prog->counters_fd < 0 || prog->flows4_fd < 0 ||
	    prog->flows6_fd < 0 || prog->rate_src_fd < 0)
		die("%s: not edgefw's program (counters, flows4, flows6, rate_src)",
		    prog->name);
	prog->has_maps = true;
}

static void add_program(struct options *o, char *arg)
{
	char *eq = strchr(arg, '='), *src;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	if (!eq || o->nr_progs == MAX_PROGRAMS)
		die("--program NAME=SOURCE, at most %d", MAX_PROGRAMS);
	*eq = '\0';
	src = eq + 1;
	if (!strncmp(src, "link:", 5))
		fd = prog_of_link(src + 5);
	else if (!strncmp(src, "dev:", 4))
		fd = prog_of_dev(src + 4);
	else if (!strncmp(src, "pin:", 4))
		fd = prog_of_pin(src + 4);
	else if (!strncmp(src, "obj:", 4))
		fd = prog_of_obj(src + 4);
	else
		die("unknown program source %s", src);
	if (fd < 0)
		die("%s: %s", arg, strerror(errno));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("%s: %s", arg, strerror(errno));
	if (info.type != BPF_PROG_TYPE_XDP &&
	    info.type != BPF_PROG_TYPE_SCHED_CLS)
		die("%s: neither an XDP nor a TC program", arg);
	o->progs[o->nr_progs++] =
		(struct program){ .name = arg, .fd = fd, .type = info.type };
}

/* ---- the state of edgefw's maps, as the harness prepares and checks it */

enum map_op { MAP_COUNT, MAP_DELETE, MAP_SET };

/* Which entries of a map an operation is for; NULL: all. */
typedef bool (*entry_filter)(const void *key, const void *value);

/*
 * The entries of a hash map that filter takes, counted, deleted, or set
 * to value: read in batches, then changed in one batch.
 */
static long map_walk(int fd, enum map_op op, __u64 value, entry_filter filter)
{
	enum { CHUNK = 4096 };
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), token = 0, count, n = 0, cap = CHUNK;
	char *keys, *values, *mine;
	void *in = NULL;
	int err;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("map: %s", strerror(errno));
	keys = calloc(CHUNK, info.key_size);
	values = calloc(CHUNK, info.value_size);
	mine = malloc((size_t)cap * info.key_size);
	if (!keys || !values || !mine)
		die("out of memory");
	do {
		count = CHUNK;
		err = bpf_map_lookup_batch(fd, in, &token, keys, values, &count,
					   NULL);
		if (err && errno != ENOENT)
			die("%s: batch: %s", info.name, strerror(errno));
		for (__u32 i = 0; i < count; i++) {
			const char *key = keys + (size_t)i * info.key_size;
			const char *val = values + (size_t)i * info.value_size;

			if (filter && !filter(key, val))
				continue;
			if (n == cap) {
				cap *= 2;
				mine = realloc(mine,
					       (size_t)cap * info.key_size);
				if (!mine)
					die("out of memory");
			}
			memcpy(mine + (size_t)n++ * info.key_size, key,
			       info.key_size);
		}
		in = &token;
	} while (!err);
	for (__u32 done = 0; op != MAP_COUNT && done < n; done += count) {
		count = n - done < CHUNK ? n - done : CHUNK;
		if (op == MAP_DELETE)
			err = bpf_map_delete_batch(
				fd, mine + (size_t)done * info.key_size, &count,
				NULL);
		else {
			for (__u32 i = 0; i < count; i++)
				memcpy(values + (size_t)i * info.value_size,
				       &value, sizeof(value));
			err = bpf_map_update_batch(
				fd, mine + (size_t)done * info.key_size, values,
				&count, NULL);
		}
		if (err)
			die("%s: %s: %s", info.name,
			    op == MAP_DELETE ? "delete" : "update",
			    strerror(errno));
	}
	free(keys);
	free(values);
	free(mine);
	return n;
}

/*
 * The flows of the partner classes' sources (testrun_classes.h), which
 * the harness may count and forget: a table filled by another stage
 * keeps its own (bench/lib.sh's BENCH_AVOID keeps them apart).
 */
static bool partner_flow4(const void *key, const void *value)
{
	__u32 remote = ntohl(((const struct edgefw_flow_key4 *)key)->remote);
	struct in_addr partner;

	(void)value;
	inet_pton(AF_INET, PARTNER4, &partner);
	return remote >> 8 == ntohl(partner.s_addr) >> 8 ||
	       remote >> 17 == MANY_PARTNER4 >> 17;
}

static bool partner_flow6(const void *key, const void *value)
{
	static const __u8 net48[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x77 };

	(void)value;
	return !memcmp(((const struct edgefw_flow_key6 *)key)->remote.b, net48,
		       sizeof(net48));
}

/* A flow as the host's SYN-ACK opens it (bpf/flows.h, flow_answer). */
static bool answered(const void *value)
{
	const struct edgefw_flow *f = value;

	return f->state == EDGEFW_FLOW_ESTABLISHED &&
	       f->opened_dir == EDGEFW_DIR_IN;
}

static bool answered_flow4(const void *key, const void *value)
{
	return partner_flow4(key, value) && answered(value);
}

static bool answered_flow6(const void *key, const void *value)
{
	return partner_flow6(key, value) && answered(value);
}

static long flows_count(const struct program *prog)
{
	return map_walk(prog->flows4_fd, MAP_COUNT, 0, partner_flow4) +
	       map_walk(prog->flows6_fd, MAP_COUNT, 0, partner_flow6);
}

static long flows_answered(const struct program *prog)
{
	return map_walk(prog->flows4_fd, MAP_COUNT, 0, answered_flow4) +
	       map_walk(prog->flows6_fd, MAP_COUNT, 0, answered_flow6);
}

/*
 * The flow filter as edgefw keeps it: the bits of the tables' flows, and
 * none of those the bench wrote or removed behind the programs' back
 * (else a class's packets would find bits of another's flows).
 */
static void flow_filter_sync(const struct program *prog)
{
	int err;

	if (prog->flow_filter_fd < 0)
		return;
	err = flow_filter_rebuild(prog->flow_filter_fd, prog->flows4_fd,
				  prog->flows6_fd);
	if (err)
		die("%s: cannot rebuild the flow filter: %s", prog->name,
		    strerror(-err));
}

/*
 * filter_too: and the flow filter. Between the rounds of a class that
 * leaves state it is left alone: those classes send SYNs and SYN-ACKs,
 * which never ask it, and a rebuild before each round (the daemon makes
 * one every 10 s at most) would time its cache misses, 1 MiB of filter
 * and the tables' buckets, as the packets' cost.
 */
static void flows_clear(const struct program *prog, bool filter_too)
{
	map_walk(prog->flows4_fd, MAP_DELETE, 0, partner_flow4);
	map_walk(prog->flows6_fd, MAP_DELETE, 0, partner_flow6);
	if (filter_too)
		flow_filter_sync(prog);
}

static long buckets(const struct program *prog, enum map_op op, __u64 value)
{
	return map_walk(prog->rate_src_fd, op, value, NULL);
}

/* A bucket set full (time 0) that a packet has taken a token of since. */
static bool bucket_taken(const void *key, const void *value)
{
	(void)key;
	return *(const __u64 *)value != 0;
}

static long buckets_taken(const struct program *prog)
{
	return map_walk(prog->rate_src_fd, MAP_COUNT, 0, bucket_taken);
}

/* Packets counted by verdict in a direction, every interface's together. */
static void counters_read(const struct program *prog, int dir,
			  __u64 sums[EDGEFW_SLOTS_PER_DIR])
{
	int ncpus = libbpf_num_possible_cpus();
	struct edgefw_counter *v;

	if (ncpus < 1)
		die("cannot count the CPUs");
	v = calloc(ncpus, sizeof(*v));
	if (!v)
		die("out of memory");
	memset(sums, 0, sizeof(__u64) * EDGEFW_SLOTS_PER_DIR);
	for (__u32 iface = 0; iface < EDGEFW_MAX_IFACES; iface++) {
		for (__u32 slot = 0; slot < EDGEFW_SLOTS_PER_DIR; slot++) {
			__u32 idx = EDGEFW_COUNTER_INDEX(iface, dir, slot);

			if (bpf_map_lookup_elem(prog->counters_fd, &idx, v))
				die("counters: %s", strerror(errno));
			for (int c = 0; c < ncpus; c++)
				sums[slot] += v[c].packets;
		}
	}
	free(v);
}

/* The verdicts a class's packets must all get. */
static __u64 on_path(const struct class *c,
		     const __u64 sums[EDGEFW_SLOTS_PER_DIR])
{
	__u64 n = 0;

	switch (c->kind) {
	case KIND_ADMITTED:
	case KIND_NEW_SOURCE:
		for (int s = EDGEFW_NR_REASONS; s < EDGEFW_SLOTS_PER_DIR; s++)
			n += sums[s];
		return n;
	case KIND_OVER_LIMIT:
		return sums[EDGEFW_DROP_RATELIMIT];
	case KIND_ESTABLISHED:
	case KIND_ANSWER:
		return sums[EDGEFW_PASS_REPLY];
	case KIND_FLOOD:
		break;
	}
	return sums[EDGEFW_DROP_POLICY];
}

static const char *on_path_name(const struct class *c)
{
	switch (c->kind) {
	case KIND_ADMITTED:
	case KIND_NEW_SOURCE:
		return "passed by a rule";
	case KIND_OVER_LIMIT:
		return "dropped as ratelimit";
	case KIND_ESTABLISHED:
		return "passed as a flow's (reply)";
	case KIND_ANSWER:
		return "passed on egress as reply";
	case KIND_FLOOD:
		break;
	}
	return "dropped by the policy";
}

/* What the harness found: the first way a class left its path. */
struct path_check {
	bool ok;
	char why[256];
};

static void path_failed(struct path_check *pc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void path_failed(struct path_check *pc, const char *fmt, ...)
{
	va_list ap;

	if (!pc->ok)
		return;
	pc->ok = false;
	va_start(ap, fmt);
	vsnprintf(pc->why, sizeof(pc->why), fmt, ap);
	va_end(ap);
}

/* ---- running the programs ---- */

/*
 * One round: the kernel's mean ns per run, and the verdict. A TC program
 * runs as tests/lib/pkttest.c runs edgefw_tc, on an skb the kernel makes
 * with no context given: edgefw takes its interface from its config.
 */
static __u32 run_round(const struct program *prog, int fd, const struct pkt *p,
		       const struct options *o, __u32 repeat, __u32 *retval)
{
	struct xdp_md ctx = { .data_end = p->len,
			      .ingress_ifindex = o->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (prog->type == BPF_PROG_TYPE_SCHED_CLS) {
		opts.ctx_in = NULL;
		opts.ctx_size_in = 0;
	}
	if (bpf_prog_test_run_opts(fd, &opts))
		die("BPF_PROG_TEST_RUN: %s", strerror(errno));
	*retval = opts.retval;
	return opts.duration;
}

/* Whether a class runs through the wrapper: a packet per run. */
static bool varied(const struct class *c)
{
	return c->many || c->kind == KIND_ADMITTED || c->kind == KIND_ANSWER;
}

/* The egress classes are the host's packets, judged by edgefw_tc. */
static bool egress(const struct class *c)
{
	return c->kind == KIND_ANSWER;
}

static enum bpf_prog_type prog_type_of(const struct class *c)
{
	return egress(c) ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_XDP;
}

/* The classes whose rounds are capped at STATE_ROUND_MAX runs. */
static bool leaves_state(const struct class *c)
{
	return c->kind == KIND_ADMITTED || c->kind == KIND_NEW_SOURCE ||
	       c->kind == KIND_ANSWER;
}

/*
 * How a class's runs differ: vary.h; its sources for the report. What
 * varies is the partner's end, the remote one: the source of an ingress
 * packet, the destination of an egress one.
 */
static struct vary_config vary_of(const struct class *c, const struct pkt *p)
{
	size_t src_off = p->l3_off + (p->family == 4 ? 12 : 8) +
			 (egress(c) ? (p->family == 4 ? 4 : 16) : 0);
	size_t l4_off =
		p->l3_off + (p->family == 4 ? 20 : 40) + (egress(c) ? 2 : 0);
	struct vary_config v = {};

	if (c->many) {
		v.sources = c->kind == KIND_FLOOD	 ? FLOOD_SOURCES
			    : c->kind == KIND_NEW_SOURCE ? NEW_SOURCES
							 : PARTNER_SOURCES;
		/* IPv4: the address; IPv6: its last 32 bits */
		v.addr_off = src_off + (p->family == 4 ? 0 : 12);
		if (c->kind == KIND_FLOOD) {
			v.scatter = 1;
			v.base = FLOOD_BASE4;
			v.mask = FLOOD_MASK4;
		} else {
			v.base = p->family == 4 ? MANY_PARTNER4
						: MANY_PARTNER6_LOW;
		}
	}
	if (c->kind == KIND_ADMITTED || c->kind == KIND_ANSWER) {
		v.port_off = l4_off;
		v.ports = PORTS_PER_SOURCE;
		v.port_base = 1024;
	}
	return v;
}

static const char *sources_name(const struct class *c)
{
	static char buf[64];

	if (c->kind == KIND_NEW_SOURCE)
		snprintf(buf, sizeof(buf), "a new one each run, of %d",
			 NEW_SOURCES);
	else if (c->many && c->kind == KIND_ADMITTED)
		snprintf(buf, sizeof(buf), "%d, a new port each pass",
			 PARTNER_SOURCES);
	else if (c->many && c->kind == KIND_ANSWER)
		snprintf(buf, sizeof(buf),
			 "%d partners (destinations), a new port each pass",
			 PARTNER_SOURCES);
	else if (c->kind == KIND_ANSWER)
		snprintf(buf, sizeof(buf),
			 "1 partner (destination), a new port each run");
	else if (c->many)
		snprintf(buf, sizeof(buf), "%d",
			 c->kind == KIND_FLOOD ? FLOOD_SOURCES
					       : PARTNER_SOURCES);
	else if (c->kind == KIND_ADMITTED)
		snprintf(buf, sizeof(buf), "1, a new port each run");
	else
		snprintf(buf, sizeof(buf), "1, the packet repeated");
	return buf;
}

static void vary_set(const struct program *prog, const struct vary_config *v)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(prog->vary_cfg_fd, &zero, v, BPF_ANY))
		die("vary: %s", strerror(errno));
}

/*
 * The flows of an established class, one per source its packets come
 * from, written into the flow table as the host's SYN-ACK opens them
 * (bpf/flows.h, flow_answer): established, opened inbound, keyed as the
 * host sees the connection. Written, not made by packets: since the
 * SYN-ACK opens a partner's flow on egress, a packet would need edgefw's
 * TC program, which the stages that time these classes on a full table
 * (stage-scale.sh) do not give; the SYN-ACK classes check that path
 * themselves. A key the data plane would not build fails the class's
 * check: its packets are then no flow's.
 */
static void flows_make(const struct program *prog, const struct class *c,
		       const struct pkt *p, const struct vary_config *v,
		       const struct options *o)
{
	size_t l4 = p->l3_off + (p->family == 4 ? 20 : 40);
	__u32 n = c->many ? v->sources : 1, count = n;
	size_t key_size = p->family == 4 ? sizeof(struct edgefw_flow_key4)
					 : sizeof(struct edgefw_flow_key6);
	struct edgefw_flow *values = calloc(n, sizeof(*values));
	char *keys = calloc(n, key_size);
	int fd = p->family == 4 ? prog->flows4_fd : prog->flows6_fd;

	if (!keys || !values)
		die("out of memory");
	for (__u32 i = 0; i < n; i++) {
		struct edgefw_flow_key6 *k6 = (void *)(keys + i * key_size);
		struct edgefw_flow_key4 *k4 = (void *)k6;
		__u32 remote_low = htonl(v->base + i);

		if (p->family == 4) {
			memcpy(&k4->remote, p->data + p->l3_off + 12, 4);
			memcpy(&k4->local, p->data + p->l3_off + 16, 4);
			if (c->many)
				k4->remote = remote_low;
			k4->ifindex = o->ifindex;
			memcpy(&k4->remote_port, p->data + l4, 2);
			memcpy(&k4->local_port, p->data + l4 + 2, 2);
			k4->proto = IPPROTO_TCP;
		} else {
			memcpy(&k6->remote, p->data + p->l3_off + 8, 16);
			memcpy(&k6->local, p->data + p->l3_off + 24, 16);
			if (c->many)
				memcpy(&k6->remote.b[12], &remote_low, 4);
			k6->ifindex = o->ifindex;
			memcpy(&k6->remote_port, p->data + l4, 2);
			memcpy(&k6->local_port, p->data + l4 + 2, 2);
			k6->proto = IPPROTO_TCP;
		}
		values[i] = (struct edgefw_flow){
			.seen_ns = clock_ns(CLOCK_MONOTONIC_COARSE),
			.state = EDGEFW_FLOW_ESTABLISHED,
			.opened_dir = EDGEFW_DIR_IN,
		};
	}
	if (bpf_map_update_batch(fd, keys, values, &count, NULL) || count != n)
		die("%s: cannot write its flows: %s", c->name, strerror(errno));
	free(keys);
	free(values);
	flow_filter_sync(prog);
}

/*
 * The state a class starts from, edgefw's maps cleared first: the buckets
 * of its sources, spent for over its limit, or the flows its packets
 * belong to. A SYN of each source makes its bucket, as one does.
 */
static void prepare(const struct program *prog, const struct class *c,
		    const struct options *o, int fd, const struct pkt *p,
		    const struct vary_config *v)
{
	struct pkt_spec syn = c->spec;
	struct pkt sp;
	__u32 rv;

	syn.tcp_flags = PKT_SYN;
	if (pkt_build(&syn, &sp))
		die("cannot build %s", c->name);
	flows_clear(prog, true);
	buckets(prog, MAP_DELETE, 0);
	if (c->kind == KIND_ESTABLISHED)
		flows_make(prog, c, p, v, o);
	if (c->kind != KIND_ADMITTED && c->kind != KIND_OVER_LIMIT)
		return;
	if (varied(c))
		vary_set(prog, v);
	run_round(prog, fd, &sp, o, c->many ? v->sources : 1, &rv);
	if (c->kind == KIND_OVER_LIMIT)
		buckets(prog, MAP_SET, SPENT_TAT);
}

/* Before a round of a class that leaves state: none left of the last. */
static void round_begin(const struct program *prog, const struct class *c)
{
	if (c->kind == KIND_ADMITTED) {
		flows_clear(prog, false);
		buckets(prog, MAP_SET, 0); /* full again */
	} else if (c->kind == KIND_NEW_SOURCE) {
		flows_clear(prog, false);
		buckets(prog, MAP_DELETE, 0);
	} else if (c->kind == KIND_ANSWER) {
		flows_clear(prog, false);
	}
}

/*
 * After it: every admitted SYN took a token, of its source's bucket or of
 * a new one, and made no flow; every SYN-ACK made its flow, established.
 */
static void round_end(const struct program *prog, const struct class *c,
		      __u32 runs, struct path_check *pc)
{
	long flows, nr_buckets, taken, opened;
	long sources = c->many ? PARTNER_SOURCES : 1;

	if (!leaves_state(c))
		return;
	flows = flows_count(prog);
	if (c->kind == KIND_ANSWER) {
		opened = flows_answered(prog);
		if (flows != runs)
			path_failed(pc, "%u SYN-ACKs opened %ld flows", runs,
				    flows);
		if (opened != flows)
			path_failed(
				pc,
				"%ld of %ld flows opened established by the host's answer",
				opened, flows);
		return;
	}
	if (flows)
		path_failed(pc, "%u admitted SYNs opened %ld flows, not none",
			    runs, flows);
	nr_buckets = buckets(prog, MAP_COUNT, 0);
	if (c->kind == KIND_NEW_SOURCE && nr_buckets < runs)
		path_failed(pc, "%u runs from new sources made %ld buckets",
			    runs, nr_buckets);
	if (c->kind != KIND_ADMITTED)
		return;
	if (nr_buckets != sources)
		path_failed(
			pc,
			"%ld buckets after a round, not %ld: a source had none",
			nr_buckets, sources);
	/* every bucket was full at the round's start */
	taken = buckets_taken(prog);
	if (taken != (runs < sources ? runs : sources))
		path_failed(pc, "%u runs took a token of %ld buckets, not %ld",
			    runs, taken, runs < sources ? (long)runs : sources);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

struct measurement {
	__u32 ns[MAX_ROUNDS];
	__u32 median;
	__u32 retval;
	bool noisy;
	struct events_counts events; /* over the whole measurement */
	__u64 runs;
	bool checked; /* edgefw's: the path below was checked */
	struct path_check path;
};

static enum edgefw_events_reader reader_of(const struct class *c)
{
	return c->events == EVENTS_SAMPLER ? EDGEFW_READER_SAMPLER
					   : EDGEFW_READER_MONITOR;
}

/* The lease of the class's reader alone; until 0: nobody listens. */
static void set_lease(const struct options *o, const struct class *c,
		      __u64 until)
{
	struct edgefw_events_ctl ctl = {};
	__u32 zero = 0;

	if (reader_of(c) == EDGEFW_READER_SAMPLER)
		ctl.sample_until_ns = until;
	else
		ctl.listen_until_ns = until;

	if (bpf_map_update_elem(o->ctl_fd, &zero, &ctl, BPF_ANY))
		die("events_ctl: %s", strerror(errno));
}

/* A reader that keeps nothing: the ring's records are only let go. */
static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

/*
 * Listen around a measurement of a listener class: the flag set, the
 * ring read after every round (outside the time measured), as a monitor
 * that keeps up would; a round of EVENTS_SENT runs at most
 * EVENTS_ROUND_MAX packets, which the ring holds.
 */
static struct ring_buffer *listen_begin(const struct options *o,
					const struct class *c,
					struct events_counts *before)
{
	struct ring_buffer *rb;
	int ring = reader_of(c) == EDGEFW_READER_SAMPLER ? o->samples_fd
							 : o->ring_fd;

	set_lease(o, c,
		  clock_ns(CLOCK_MONOTONIC_COARSE) +
			  3600 * EDGEFW_NSEC_PER_SEC);
	rb = ring_buffer__new(ring, on_event, NULL, NULL);
	if (!rb)
		die("cannot read the events ring");
	ring_buffer__consume(rb);
	if (events_counts_read(o->cpu_fd, reader_of(c), before))
		die("cannot read events_cpu");
	return rb;
}

static void listen_end(const struct options *o, const struct class *c,
		       struct ring_buffer *rb,
		       const struct events_counts *before,
		       struct events_counts *delta)
{
	struct events_counts after;

	set_lease(o, c, 0);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (events_counts_read(o->cpu_fd, reader_of(c), &after))
		die("cannot read events_cpu");
	delta->emitted = after.emitted - before->emitted;
	delta->limited = after.limited - before->limited;
	delta->ring_full = after.ring_full - before->ring_full;
}

/* Whether nine runs in ten took the class's path. */
static bool took_path(const struct class *c, const struct measurement *m)
{
	__u64 on = c->events == EVENTS_SENT ? m->events.emitted
					    : m->events.limited;

	return on * 10 >= m->runs * 9;
}

static bool spread_ok(const struct measurement *m, unsigned int rounds)
{
	return m->ns[0] >= m->median * (1 - NOISE_SPREAD) &&
	       m->ns[rounds - 1] <= m->median * (1 + NOISE_SPREAD);
}

/* After a measurement of edgefw: every run took the class's path. */
static void check_path(const struct program *prog, const struct class *c,
		       struct measurement *m, const __u64 *before, long flows0,
		       long buckets0)
{
	__u64 after[EDGEFW_SLOTS_PER_DIR], now[EDGEFW_SLOTS_PER_DIR];
	__u64 on;

	counters_read(prog, egress(c) ? EDGEFW_DIR_OUT : EDGEFW_DIR_IN, after);
	for (int s = 0; s < EDGEFW_SLOTS_PER_DIR; s++)
		now[s] = after[s] - before[s];
	on = on_path(c, now);
	if (on < m->runs)
		path_failed(&m->path, "%llu of %llu runs %s",
			    (unsigned long long)on, (unsigned long long)m->runs,
			    on_path_name(c));
	if (!leaves_state(c)) {
		long flows = flows_count(prog);

		if (flows != flows0)
			path_failed(&m->path, "the flows went from %ld to %ld",
				    flows0, flows);
	}
	/* a SYN-ACK takes no token: its SYN did */
	if (c->kind != KIND_ADMITTED && c->kind != KIND_NEW_SOURCE) {
		long nr_buckets = buckets(prog, MAP_COUNT, 0);

		if (nr_buckets != buckets0)
			path_failed(&m->path,
				    "the buckets went from %ld to %ld",
				    buckets0, nr_buckets);
	}
	if (c->events && !took_path(c, m))
		path_failed(&m->path,
			    "fewer than 9 in 10 events took the path");
	m->checked = true;
}

static void measure(const struct program *prog, const struct class *c,
		    const struct options *o, struct measurement *m)
{
	unsigned int repeat = o->repeat;
	struct ring_buffer *rb = NULL;
	struct events_counts before;
	__u64 counts0[EDGEFW_SLOTS_PER_DIR];
	long flows0 = 0, buckets0 = 0;
	bool state = prog->has_maps;
	struct vary_config v;
	struct pkt p;
	int fd = prog->fd;

	if (pkt_build(&c->spec, &p))
		die("cannot build %s", c->name);
	memset(m, 0, sizeof(*m));
	m->path.ok = true;
	v = vary_of(c, &p);
	if (varied(c))
		fd = prog->vary_fd;
	if (state)
		prepare(prog, c, o, fd, &p, &v);
	if (varied(c))
		vary_set(prog, &v);
	if (c->events == EVENTS_SENT && repeat > EVENTS_ROUND_MAX)
		repeat = EVENTS_ROUND_MAX;
	if (leaves_state(c) && repeat > STATE_ROUND_MAX)
		repeat = STATE_ROUND_MAX;
	if (state) {
		counters_read(prog, egress(c) ? EDGEFW_DIR_OUT : EDGEFW_DIR_IN,
			      counts0);
		flows0 = flows_count(prog);
		buckets0 = buckets(prog, MAP_COUNT, 0);
	}
	if (c->events)
		rb = listen_begin(o, c, &before);
	for (int attempt = 0; attempt < 2; attempt++) {
		__u32 warm = repeat / 10 ? repeat / 10 : 1;

		if (state)
			round_begin(prog, c);
		run_round(prog, fd, &p, o, warm, &m->retval);
		if (rb)
			ring_buffer__consume(rb);
		m->runs += warm + (__u64)o->rounds * repeat;
		for (unsigned int r = 0; r < o->rounds; r++) {
			if (state)
				round_begin(prog, c);
			m->ns[r] =
				run_round(prog, fd, &p, o, repeat, &m->retval);
			if (state)
				round_end(prog, c, repeat, &m->path);
			if (rb)
				ring_buffer__consume(rb);
		}
		qsort(m->ns, o->rounds, sizeof(m->ns[0]), cmp_u32);
		m->median = m->ns[o->rounds / 2];
		m->noisy = !spread_ok(m, o->rounds);
		if (!m->noisy)
			break;
	}
	if (rb)
		listen_end(o, c, rb, &before, &m->events);
	if (state)
		check_path(prog, c, m, counts0, flows0, buckets0);
}

static const char *verdict_name(const struct program *prog, __u32 retval)
{
	if (prog->type == BPF_PROG_TYPE_SCHED_CLS)
		return retval == TC_ACT_OK     ? "pass"
		       : retval == TC_ACT_SHOT ? "drop"
					       : "?";
	return retval == XDP_PASS      ? "pass"
	       : retval == XDP_DROP    ? "drop"
	       : retval == XDP_ABORTED ? "aborted"
				       : "?";
}

static json_object *measurement_json(const struct program *prog,
				     const struct class *c,
				     const struct measurement *m,
				     const struct options *o)
{
	json_object *obj = json_object_new_object();
	json_object *rounds = json_object_new_array();

	for (unsigned int r = 0; r < o->rounds; r++)
		json_object_array_add(rounds, json_object_new_int64(m->ns[r]));
	json_object_object_add(obj, "program",
			       json_object_new_string(prog->name));
	json_object_object_add(obj, "class", json_object_new_string(c->name));
	json_object_object_add(
		obj, "hook", json_object_new_string(egress(c) ? "tc" : "xdp"));
	json_object_object_add(obj, "path", json_object_new_string(c->path));
	json_object_object_add(obj, "sources",
			       json_object_new_string(sources_name(c)));
	json_object_object_add(obj, "many", json_object_new_boolean(c->many));
	json_object_object_add(obj, "wrapped",
			       json_object_new_boolean(varied(c)));
	json_object_object_add(obj, "ns", json_object_new_int64(m->median));
	json_object_object_add(obj, "min_ns", json_object_new_int64(m->ns[0]));
	json_object_object_add(obj, "max_ns",
			       json_object_new_int64(m->ns[o->rounds - 1]));
	json_object_object_add(
		obj, "verdict",
		json_object_new_string(verdict_name(prog, m->retval)));
	json_object_object_add(obj, "noisy", json_object_new_boolean(m->noisy));
	json_object_object_add(obj, "runs", json_object_new_int64(m->runs));
	json_object_object_add(obj, "rounds_ns", rounds);
	if (m->checked) {
		json_object *pc = json_object_new_object();

		json_object_object_add(pc, "ok",
				       json_object_new_boolean(m->path.ok));
		json_object_object_add(
			pc, "detail",
			json_object_new_string(m->path.ok ? on_path_name(c)
							  : m->path.why));
		json_object_object_add(obj, "path_check", pc);
	}
	if (c->events) {
		json_object *ev = json_object_new_object();

		json_object_object_add(ev, "runs",
				       json_object_new_int64(m->runs));
		json_object_object_add(
			ev, "sent", json_object_new_int64(m->events.emitted));
		json_object_object_add(
			ev, "suppressed_limit",
			json_object_new_int64(m->events.limited));
		json_object_object_add(
			ev, "suppressed_ring_full",
			json_object_new_int64(m->events.ring_full));
		json_object_object_add(
			ev, "took_path",
			json_object_new_boolean(took_path(c, m)));
		json_object_object_add(obj, "events", ev);
	}
	return obj;
}

static bool wanted(const struct options *o, const struct class *c)
{
	for (int i = 0; i < o->nr_only; i++) {
		if (!strcmp(o->only[i], c->name))
			return true;
	}
	/* the listener classes need --events and are run by name */
	return o->nr_only == 0 && !c->events;
}

static int open_pin(const char *dir, const char *name)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

static void open_events(struct options *o, const char *pin_dir)
{
	o->ctl_fd = open_pin(pin_dir, "events_ctl");
	o->cpu_fd = open_pin(pin_dir, "events_cpu");
	o->ring_fd = open_pin(pin_dir, "events");
	o->samples_fd = open_pin(pin_dir, "samples");
}

/* vary.bpf.o beside this program, as make bench-progs builds them. */
static void default_vary_obj(struct options *o)
{
	char exe[4000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		die("/proc/self/exe: %s", strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(o->vary_obj, sizeof(o->vary_obj), "%s/vary.bpf.o", exe);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ "ifindex", required_argument, NULL, 'i' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "class", required_argument, NULL, 'k' },
		{ "events", required_argument, NULL, 'e' },
		{ "vary", required_argument, NULL, 'v' },
		{ "list", no_argument, NULL, 'l' },
		{},
	};
	int opt;

	*o = (struct options){ .cpu = -1,
			       .repeat = 500000,
			       .rounds = 15,
			       .ctl_fd = -1,
			       .cpu_fd = -1,
			       .ring_fd = -1,
			       .samples_fd = -1 };
	default_vary_obj(o);
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			add_program(o, optarg);
			break;
		case 'i':
			o->ifindex = if_nametoindex(optarg);
			if (!o->ifindex)
				die("no interface %s", optarg);
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'n':
			o->repeat = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o->rounds = strtoul(optarg, NULL, 10);
			break;
		case 'e':
			open_events(o, optarg);
			break;
		case 'v':
			snprintf(o->vary_obj, sizeof(o->vary_obj), "%s",
				 optarg);
			break;
		case 'l':
			for (size_t c = 0; c < ARRAY_SIZE(classes); c++)
				puts(classes[c].name);
			exit(0);
		case 'k':
			if (o->nr_only == ARRAY_SIZE(o->only))
				die("at most %zu --class", ARRAY_SIZE(o->only));
			o->only[o->nr_only++] = optarg;
			break;
		default:
			die("usage: testrun --program NAME=SOURCE... --ifindex IF [--cpu N] [--repeat N] [--rounds N] [--class NAME...] [--events PIN_DIR] [--vary OBJ] | --list");
		}
	}
	if (!o->nr_progs || !o->ifindex || !o->repeat || !o->rounds ||
	    o->rounds > MAX_ROUNDS)
		die("--program, --ifindex needed; 1 to %d rounds", MAX_ROUNDS);
	for (int i = 0; i < o->nr_only; i++) {
		size_t c = 0;

		while (c < ARRAY_SIZE(classes) &&
		       strcmp(o->only[i], classes[c].name))
			c++;
		if (c == ARRAY_SIZE(classes))
			die("no class '%s' (testrun --list)", o->only[i]);
	}
}

int main(int argc, char **argv)
{
	json_object *root = json_object_new_object();
	json_object *results = json_object_new_array();
	int off_path = 0;
	struct options o;

	parse_args(argc, argv, &o);
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("cannot pin to CPU %d: %s", o.cpu, strerror(errno));
	}
	for (int i = 0; i < o.nr_progs; i++) {
		vary_attach(&o.progs[i], o.vary_obj);
		if (!strcmp(o.progs[i].name, "edgefw"))
			find_maps(&o.progs[i]);
	}
	for (size_t c = 0; c < ARRAY_SIZE(classes); c++) {
		if (!wanted(&o, &classes[c]))
			continue;
		for (int i = 0; i < o.nr_progs; i++) {
			struct measurement m;

			/* a listener is edgefw's alone, and needs its maps */
			if (classes[c].events &&
			    (o.ctl_fd < 0 || strcmp(o.progs[i].name, "edgefw")))
				continue;
			if (o.progs[i].type != prog_type_of(&classes[c]))
				continue;
			if (varied(&classes[c]) && o.progs[i].vary_fd < 0)
				continue;
			measure(&o.progs[i], &classes[c], &o, &m);
			if (m.checked && !m.path.ok) {
				fprintf(stderr,
					"testrun: %s did not take its path (%s): %s\n",
					classes[c].name, classes[c].path,
					m.path.why);
				off_path++;
			}
			json_object_array_add(
				results, measurement_json(&o.progs[i],
							  &classes[c], &m, &o));
		}
	}
	json_object_object_add(root, "repeat", json_object_new_int64(o.repeat));
	json_object_object_add(root, "rounds", json_object_new_int64(o.rounds));
	json_object_object_add(root, "cpu", json_object_new_int(o.cpu));
	json_object_object_add(root, "state_round_max",
			       json_object_new_int64(STATE_ROUND_MAX));
	json_object_object_add(root, "off_path", json_object_new_int(off_path));
	json_object_object_add(root, "results", results);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	/* the numbers are kept, but a class off its path fails the bench */
	return off_path ? 2 : 0;
}
