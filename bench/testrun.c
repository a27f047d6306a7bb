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
 * (the XDP program attached to an interface), NAME=obj:FILE:PROG (loaded
 * from an object file). Output: one JSON document on stdout.
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
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <time.h>
#include "edgefw.h"
#include "events.h"
#include "packet.h"
#include "util.h"

#define MAX_PROGRAMS 8
#define MAX_ROUNDS 101
#define NOISE_SPREAD 0.10 /* of the median, either way */
#define EVENTS_ROUND_MAX 10000 /* fewer than the ring's 11,900 events */

/* The matrix's addresses, as in examples/lync-xmpp.conf and the tests. */
#define SELF4 "198.51.100.10"
#define SELF6 "2001:db8:100::10"
#define PARTNER4 "203.0.113.5"
#define PARTNER6 "2001:db8:77::5"
#define STRANGER4 "192.0.2.66"

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
	const char *path; /* the fast path it takes, for the report */
	struct pkt_spec spec;
	/* a SYN to send first, so that the flow exists */
	bool needs_flow;
	enum events_path events;
};

#define TCP(s, d, sp, dp, fl)                                                \
	{                                                                    \
		.src = (s), .dst = (d), .proto = IPPROTO_TCP, .sport = (sp), \
		.dport = (dp), .tcp_flags = (fl)                             \
	}

static const struct class classes[] = {
	{ .name = "partner SYN v4",
	  .path = "rule, rate limit",
	  .spec = TCP(PARTNER4, SELF4, 40001, 5269, PKT_SYN) },
	{ .name = "partner SYN v6",
	  .path = "rule, rate limit",
	  .spec = TCP(PARTNER6, SELF6, 40001, 5269, PKT_SYN) },
	{ .name = "partner SYN VLAN",
	  .path = "rule, rate limit",
	  .spec = { .vlan = { { 0x8100, 100 } },
		    .src = PARTNER4,
		    .dst = SELF4,
		    .proto = IPPROTO_TCP,
		    .sport = 40002,
		    .dport = 5269,
		    .tcp_flags = PKT_SYN } },
	{ .name = "established partner packet",
	  .path = "flow",
	  .spec = TCP(PARTNER4, SELF4, 40003, 5269, PKT_ACK),
	  .needs_flow = true },
	{ .name = "non-partner SYN to 5269",
	  .path = "flood: set miss",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN) },
	/*
	 * The flood with a monitor running: its events over the limit
	 * (any config's, once the burst is spent), or all sent, which
	 * needs a config whose limit a CPU cannot reach (stage-testrun.sh
	 * reloads one: events rate 1000000000/s burst 1000000).
	 */
	{ .name = "non-partner SYN to 5269, listener, over the limit",
	  .path = "flood: set miss, event suppressed by the limit",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN),
	  .events = EVENTS_LIMITED },
	{ .name = "non-partner SYN to 5269, listener, event sent",
	  .path = "flood: set miss, event to the ring",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN),
	  .events = EVENTS_SENT },
	/* the production cost of the flood while the daemon runs */
	{ .name = "non-partner SYN to 5269, daemon's sampler",
	  .path = "flood: set miss, sample suppressed by the sampler's limit",
	  .spec = TCP(STRANGER4, SELF4, 40004, 5269, PKT_SYN),
	  .events = EVENTS_SAMPLER },
	{ .name = "closed port",
	  .path = "flood: no rule for the port",
	  .spec = TCP(PARTNER4, SELF4, 40005, 443, PKT_SYN) },
	{ .name = "spoofed reply",
	  .path = "flood: flow miss",
	  .spec = TCP(PARTNER4, SELF4, 5269, 40006, PKT_SYN | PKT_ACK) },
	{ .name = "UDP",
	  .path = "flood: flow miss, no rule",
	  .spec = { .src = STRANGER4,
		    .dst = SELF4,
		    .proto = IPPROTO_UDP,
		    .sport = 40007,
		    .dport = 5269 } },
	{ .name = "ICMP echo",
	  .path = "flood: no rule",
	  .spec = { .src = STRANGER4,
		    .dst = SELF4,
		    .proto = IPPROTO_ICMP,
		    .icmp_type = 8 } },
};

struct program {
	const char *name;
	int fd;
};

struct options {
	struct program progs[MAX_PROGRAMS];
	int nr_progs;
	const char *only[16]; /* --class: just these; none: all */
	int nr_only;
	int ifindex;
	int cpu;
	unsigned int repeat;
	unsigned int rounds;
	/* --events: the listener flag, the per-CPU counters, the ring */
	int ctl_fd, cpu_fd, ring_fd, samples_fd;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
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
	return bpf_program__fd(p); /* the object stays loaded until exit */
}

static void add_program(struct options *o, char *arg)
{
	char *eq = strchr(arg, '='), *src;
	int fd;

	if (!eq || o->nr_progs == MAX_PROGRAMS)
		die("--program NAME=SOURCE, at most %d", MAX_PROGRAMS);
	*eq = '\0';
	src = eq + 1;
	if (!strncmp(src, "link:", 5))
		fd = prog_of_link(src + 5);
	else if (!strncmp(src, "dev:", 4))
		fd = prog_of_dev(src + 4);
	else if (!strncmp(src, "obj:", 4))
		fd = prog_of_obj(src + 4);
	else
		die("unknown program source %s", src);
	if (fd < 0)
		die("%s: %s", arg, strerror(errno));
	o->progs[o->nr_progs++] = (struct program){ arg, fd };
}

/* One round: the kernel's mean ns per run, and the verdict. */
static __u32 run_round(int fd, const struct pkt *p, const struct options *o,
		       __u32 repeat, __u32 *retval)
{
	struct xdp_md ctx = { .data_end = p->len,
			      .ingress_ifindex = o->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		die("BPF_PROG_TEST_RUN: %s", strerror(errno));
	*retval = opts.retval;
	return opts.duration;
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

static void measure(const struct program *prog, const struct class *c,
		    const struct options *o, struct measurement *m)
{
	unsigned int repeat = o->repeat;
	struct ring_buffer *rb = NULL;
	struct events_counts before;
	struct pkt p;

	if (pkt_build(&c->spec, &p))
		die("cannot build %s", c->name);
	memset(&m->events, 0, sizeof(m->events));
	m->runs = 0;
	if (c->events == EVENTS_SENT && repeat > EVENTS_ROUND_MAX)
		repeat = EVENTS_ROUND_MAX;
	if (c->events)
		rb = listen_begin(o, c, &before);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (c->needs_flow) {
			struct pkt_spec syn = c->spec;
			struct pkt sp;
			__u32 rv;

			syn.tcp_flags = PKT_SYN;
			pkt_build(&syn, &sp);
			run_round(prog->fd, &sp, o, 1, &rv);
		}
		run_round(prog->fd, &p, o, repeat / 10, &m->retval); /* warm */
		if (rb)
			ring_buffer__consume(rb);
		m->runs += repeat / 10 + (__u64)o->rounds * repeat;
		for (unsigned int r = 0; r < o->rounds; r++) {
			m->ns[r] =
				run_round(prog->fd, &p, o, repeat, &m->retval);
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
}

static const char *verdict_name(__u32 retval)
{
	return retval == XDP_PASS ? "pass" : retval == XDP_DROP ? "drop" : "?";
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
	json_object_object_add(obj, "path", json_object_new_string(c->path));
	json_object_object_add(obj, "ns", json_object_new_int64(m->median));
	json_object_object_add(obj, "min_ns", json_object_new_int64(m->ns[0]));
	json_object_object_add(obj, "max_ns",
			       json_object_new_int64(m->ns[o->rounds - 1]));
	json_object_object_add(obj, "verdict",
			       json_object_new_string(verdict_name(m->retval)));
	json_object_object_add(obj, "noisy", json_object_new_boolean(m->noisy));
	json_object_object_add(obj, "rounds_ns", rounds);
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
	return o->nr_only == 0;
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
		case 'k':
			if (o->nr_only == 16)
				die("at most 16 --class");
			o->only[o->nr_only++] = optarg;
			break;
		default:
			die("usage: testrun --program NAME=SOURCE... --ifindex IF [--cpu N] [--repeat N] [--rounds N] [--class NAME...]");
		}
	}
	if (!o->nr_progs || !o->ifindex || !o->repeat || !o->rounds ||
	    o->rounds > MAX_ROUNDS)
		die("--program, --ifindex needed; 1 to %d rounds", MAX_ROUNDS);
}

int main(int argc, char **argv)
{
	json_object *root = json_object_new_object();
	json_object *results = json_object_new_array();
	struct options o;

	parse_args(argc, argv, &o);
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("cannot pin to CPU %d: %s", o.cpu, strerror(errno));
	}
	for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
		if (!wanted(&o, &classes[c]))
			continue;
		for (int i = 0; i < o.nr_progs; i++) {
			struct measurement m;

			/* a listener is edgefw's alone, and needs its maps */
			if (classes[c].events &&
			    (o.ctl_fd < 0 || strcmp(o.progs[i].name, "edgefw")))
				continue;
			measure(&o.progs[i], &classes[c], &o, &m);
			json_object_array_add(
				results, measurement_json(&o.progs[i],
							  &classes[c], &m, &o));
		}
	}
	json_object_object_add(root, "repeat", json_object_new_int64(o.repeat));
	json_object_object_add(root, "rounds", json_object_new_int64(o.rounds));
	json_object_object_add(root, "cpu", json_object_new_int(o.cpu));
	json_object_object_add(root, "results", results);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return 0;
}
