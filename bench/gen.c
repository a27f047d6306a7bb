// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic generator of the live bench (bench/stage-live.sh): it sends
 * one packet class out of a veth, from the namespace it runs in, by
 * running gen.bpf.o through BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES; the program redirects every frame out of
 * the veth. xdp-trafficgen does the same but does not run on 6.18.
 *
 * The flood is bounded twice: it stops after --count packets or after
 * --seconds, whichever comes first. It runs pinned to one CPU, and the
 * receiver runs there too: the veth's NAPI is scheduled on the CPU that
 * sends, and runs as softirq when a batch ends. The report has the flood's
 * CPU time, the generator's rusage (its work and the softirq work run in
 * its context) plus what ksoftirqd of the CPU ran (softirq work deferred),
 * and the CPU's /proc/stat times over the flood, whose softirq part is the
 * receiver's. Output: one JSON document on stdout.
 *
 * --prime sends the class's opening SYN once instead, so that a stateful
 * receiver knows the connection before its segments come.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "gen.h"
#include "packet.h"

/* The matrix's addresses, as in examples/lync-xmpp.conf and the tests. */
#define SELF4 "198.51.100.10"
#define PARTNER4 "203.0.113.5"
#define STRANGER4 "192.0.2.66" /* replaced per packet by the generator */

#define MIN_FRAME 60 /* the shortest Ethernet frame, without the FCS */
#define FIRST_CHUNK 65536
#define MAX_CHUNK (1U << 24)
#define CHUNK_SECONDS 0.2 /* how often the time bound is checked */

struct class
{
	const char *name;
	struct pkt_spec spec;
	bool spoof_source; /* a new non-partner source per packet */
};

static const struct class classes[] = {
	{ .name = "syn-flood",
	  .spec = { .src = STRANGER4,
		    .dst = SELF4,
		    .proto = IPPROTO_TCP,
		    .sport = 40004,
		    .dport = 5269,
		    .tcp_flags = PKT_SYN,
		    .pad_to = MIN_FRAME },
	  .spoof_source = true },
	/*
	 * Segments of one partner connection to our port 5269; --prime sends
	 * its opening SYN, which a stateful receiver admits and tracks.
	 */
	{ .name = "partner-flow",
	  .spec = { .src = PARTNER4,
		    .dst = SELF4,
		    .proto = IPPROTO_TCP,
		    .sport = 40003,
		    .dport = 5269,
		    .tcp_flags = PKT_ACK,
		    .pad_to = MIN_FRAME } },
	/*
	 * A partner's SYNs, one source over and over: past the rule's burst
	 * (examples/lync-xmpp.conf: 20/s burst 40) edgefw drops them by
	 * the source's spent bucket, where a stateless filter lets them in.
	 */
	{ .name = "partner-syn",
	  .spec = { .src = PARTNER4,
		    .dst = SELF4,
		    .proto = IPPROTO_TCP,
		    .sport = 40008,
		    .dport = 5269,
		    .tcp_flags = PKT_SYN,
		    .pad_to = MIN_FRAME } },
};

struct options {
	const struct class *class;
	const char *ifname;
	const char *obj;
	unsigned char dst_mac[ETH_ALEN];
	bool have_dst_mac;
	unsigned long long count;
	double seconds;
	int cpu;
	unsigned int batch;
	bool prime;
	const char *anchor;
};

/* What the pinned CPU and the others did during the flood. */
struct cpu_times {
	unsigned long long user, nice, system, idle, iowait, irq, softirq,
		steal;
};

struct flood {
	unsigned long long sent;
	unsigned int calls;
	double seconds; /* wall clock, first call to last */
	double in_run_seconds; /* inside the kernel's timed loop */
	struct rusage ru0, ru1;
	/* softirq work the kernel deferred to its thread, in ns */
	unsigned long long ksoftirqd0, ksoftirqd1;
	struct cpu_times mine0, mine1, others0, others1;
};

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add_cpu_times(struct cpu_times *sum, const struct cpu_times *t)
{
	unsigned long long *a = &sum->user;
	const unsigned long long *b = &t->user;

	for (size_t i = 0; i < sizeof(*t) / sizeof(*b); i++)
		a[i] += b[i];
}

/*
 * One reading of /proc/stat: the "cpuN" line of our CPU, and the sum of
 * the other CPUs' lines, so that both are of the same instant.
 */
static void read_cpu_times(int cpu, struct cpu_times *mine,
			   struct cpu_times *others)
{
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	bool found = false;
	struct cpu_times t;
	int n;

	if (!f)
		die("/proc/stat: %s", strerror(errno));
	*mine = *others = (struct cpu_times){};
	while (fgets(line, sizeof(line), f)) {
		/* "cpuN" lines only: not "cpu " (all CPUs), nor the rest */
		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9' ||
		    sscanf(line + 3,
			   "%d %llu %llu %llu %llu %llu %llu %llu %llu", &n,
			   &t.user, &t.nice, &t.system, &t.idle, &t.iowait,
			   &t.irq, &t.softirq, &t.steal) != 9)
			continue;
		if (n == cpu) {
			*mine = t;
			found = true;
		} else {
			add_cpu_times(others, &t);
		}
	}
	fclose(f);
	if (!found)
		die("/proc/stat: no line for CPU %d", cpu);
}

static unsigned long long busy_ticks(const struct cpu_times *t)
{
	return t->user + t->nice + t->system + t->irq + t->softirq + t->steal;
}

static unsigned long long all_ticks(const struct cpu_times *t)
{
	return busy_ticks(t) + t->idle + t->iowait;
}

/*
 * The CPU time, in ns, of the CPU's softirq thread: the receive work the
 * kernel defers there when it does not finish right after a batch. The
 * thread runs the CPU's other softirq work too, which is small beside it.
 */
static unsigned long long ksoftirqd_ns(int cpu)
{
	char want[32], path[300], comm[32];
	unsigned long long ns = 0;
	struct dirent *d;
	DIR *proc = opendir("/proc");
	FILE *f;

	snprintf(want, sizeof(want), "ksoftirqd/%d\n", cpu);
	while (proc && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f) || strcmp(comm, want)) {
			fclose(f);
			continue;
		}
		fclose(f);
		/* schedstat: run time in ns, wait time, time slices */
		snprintf(path, sizeof(path), "/proc/%s/schedstat", d->d_name);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%llu", &ns) != 1)
			die("%s: cannot read", path);
		fclose(f);
		break;
	}
	if (proc)
		closedir(proc);
	return ns;
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

static void own_mac(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		die("%s: cannot read its MAC address: %s", ifname,
		    strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	close(s);
}

/*
 * The frame of the class, addressed from the sending veth to its peer so
 * that a receiver that passes it hands it to its IP stack, as a router
 * in front of the edge would.
 */
static void build_frame(const struct options *o, struct pkt_spec spec,
			struct pkt *p)
{
	if (pkt_build(&spec, p))
		die("cannot build the %s frame", o->class->name);
	memcpy(p->data, o->dst_mac, ETH_ALEN);
	own_mac(o->ifname, p->data + ETH_ALEN);
}

static int load_generator(const struct options *o, bool spoof,
			  struct bpf_object **objp)
{
	struct gen_config cfg = { .out_ifindex = if_nametoindex(o->ifname),
				  .spoof_source = spoof };
	struct bpf_object *obj = bpf_object__open(o->obj);
	struct bpf_program *prog;
	struct bpf_map *rodata;

	if (!cfg.out_ifindex)
		die("no interface %s in this namespace", o->ifname);
	if (!obj)
		die("%s: cannot open: %s", o->obj, strerror(errno));
	/* .rodata holds cfg alone: the sizes must agree. */
	rodata = bpf_object__find_map_by_name(obj, ".rodata");
	if (!rodata || bpf_map__set_initial_value(rodata, &cfg, sizeof(cfg)))
		die("%s: .rodata is not struct gen_config", o->obj);
	if (bpf_object__load(obj))
		die("%s: cannot load: %s", o->obj, strerror(errno));
	prog = bpf_object__find_program_by_name(obj, "xdp_gen");
	if (!prog)
		die("%s: no program xdp_gen", o->obj);
	*objp = obj;
	return bpf_program__fd(prog);
}

/*
 * Send the frame repeat times; the kernel recycles its pages as it goes.
 * Returns the ns spent in the kernel's timed loop (setup excluded).
 */
static double send_frames(int fd, const struct pkt *p, unsigned int repeat,
			  unsigned int batch)
{
	struct xdp_md ctx = { .data_end = p->len };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeat,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = batch);

	if (bpf_prog_test_run_opts(fd, &opts)) {
		/*
		 * Seen on 6.18.44 builds: EPERM for any live-frames run, even
		 * of an XDP_DROP program with every capability; not a fault
		 * of the frame or of the namespaces.
		 */
		if (errno == EPERM)
			die("BPF_PROG_TEST_RUN (live frames): %s: this kernel refuses BPF_F_TEST_XDP_LIVE_FRAMES, which the live stage needs to send",
			    strerror(errno));
		die("BPF_PROG_TEST_RUN (live frames): %s", strerror(errno));
	}
	return (double)opts.duration * repeat; /* duration: mean ns per run */
}

/*
 * Each test run (repeat > 1) of an XDP program that no device has adds it
 * to the kernel's XDP dispatcher and takes it out again, a synchronize_rcu()
 * each way: some 28 ms of wall time per call here, in which the CPU idles.
 * With the program attached to a device for the flood, generic mode on a
 * device that carries nothing, the dispatcher has it already.
 */
static void anchor_program(const struct options *o, int fd, bool attach)
{
	int ifindex;

	if (!o->anchor)
		return;
	ifindex = if_nametoindex(o->anchor);
	if (!ifindex)
		die("no interface %s in this namespace", o->anchor);
	if (attach && bpf_xdp_attach(ifindex, fd, XDP_FLAGS_SKB_MODE, NULL))
		die("cannot attach the generator to %s: %s", o->anchor,
		    strerror(errno));
	if (!attach)
		bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
}

/*
 * Chunks of about CHUNK_SECONDS each, sized from the rate so far, so that
 * the time bound holds at any rate and calls stay few.
 */
static void run_flood(int fd, const struct pkt *p, const struct options *o,
		      struct flood *fl)
{
	unsigned long long chunk = FIRST_CHUNK;
	double t0;

	*fl = (struct flood){};
	read_cpu_times(o->cpu, &fl->mine0, &fl->others0);
	fl->ksoftirqd0 = ksoftirqd_ns(o->cpu);
	getrusage(RUSAGE_SELF, &fl->ru0);
	t0 = now_seconds();
	while (fl->sent < o->count && fl->seconds < o->seconds) {
		if (chunk > o->count - fl->sent)
			chunk = o->count - fl->sent;
		fl->in_run_seconds += send_frames(fd, p, chunk, o->batch) / 1e9;
		fl->sent += chunk;
		fl->calls++;
		fl->seconds = now_seconds() - t0;
		chunk = fl->sent / fl->seconds * CHUNK_SECONDS;
		if (chunk < o->batch)
			chunk = o->batch;
		if (chunk > MAX_CHUNK)
			chunk = MAX_CHUNK;
	}
	getrusage(RUSAGE_SELF, &fl->ru1);
	fl->ksoftirqd1 = ksoftirqd_ns(o->cpu);
	read_cpu_times(o->cpu, &fl->mine1, &fl->others1);
}

static double tv_seconds(struct timeval a, struct timeval b)
{
	return (b.tv_sec - a.tv_sec) + (b.tv_usec - a.tv_usec) / 1e6;
}

static json_object *json_double(double v, const char *fmt)
{
	char s[32];

	snprintf(s, sizeof(s), fmt, v);
	return json_object_new_double_s(v, s);
}

static json_object *cpu_times_json(const struct cpu_times *a,
				   const struct cpu_times *b)
{
	static const char *const names[] = { "user",	"nice",	  "system",
					     "idle",	"iowait", "irq",
					     "softirq", "steal" };
	const unsigned long long *x = &a->user, *y = &b->user;
	json_object *obj = json_object_new_object();
	double hz = sysconf(_SC_CLK_TCK);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_object_add(obj, names[i],
				       json_double((y[i] - x[i]) / hz, "%.2f"));
	return obj;
}

/* The busy share of the CPUs other than ours: the machine's other load. */
static double others_busy_percent(const struct flood *fl)
{
	unsigned long long busy =
		busy_ticks(&fl->others1) - busy_ticks(&fl->others0);
	unsigned long long all =
		all_ticks(&fl->others1) - all_ticks(&fl->others0);

	return all ? 100.0 * busy / all : 0;
}

static json_object *flood_json(const struct options *o, const struct pkt *p,
			       const struct flood *fl)
{
	json_object *obj = json_object_new_object();
	json_object *ru = json_object_new_object();

	json_object_object_add(obj, "class",
			       json_object_new_string(o->class->name));
	json_object_object_add(obj, "ifname",
			       json_object_new_string(o->ifname));
	json_object_object_add(obj, "cpu", json_object_new_int(o->cpu));
	json_object_object_add(obj, "frame_len", json_object_new_int(p->len));
	json_object_object_add(obj, "batch", json_object_new_int(o->batch));
	json_object_object_add(obj, "sent", json_object_new_int64(fl->sent));
	json_object_object_add(obj, "calls", json_object_new_int(fl->calls));
	json_object_object_add(obj, "seconds",
			       json_double(fl->seconds, "%.4f"));
	json_object_object_add(obj, "in_run_seconds",
			       json_double(fl->in_run_seconds, "%.4f"));
	json_object_object_add(
		ru, "user_s",
		json_double(tv_seconds(fl->ru0.ru_utime, fl->ru1.ru_utime),
			    "%.3f"));
	json_object_object_add(
		ru, "system_s",
		json_double(tv_seconds(fl->ru0.ru_stime, fl->ru1.ru_stime),
			    "%.3f"));
	json_object_object_add(obj, "rusage", ru);
	json_object_object_add(
		obj, "ksoftirqd_s",
		json_double((fl->ksoftirqd1 - fl->ksoftirqd0) / 1e9, "%.3f"));
	json_object_object_add(obj, "cpu_time_s",
			       cpu_times_json(&fl->mine0, &fl->mine1));
	json_object_object_add(obj, "other_cpus_busy_percent",
			       json_double(others_busy_percent(fl), "%.1f"));
	return obj;
}

static void parse_mac(const char *s, unsigned char *mac)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
		die("--dst-mac: not a MAC address: %s", s);
}

static const struct class *find_class(const char *name)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (!strcmp(classes[i].name, name))
			return &classes[i];
	}
	die("no class %s (syn-flood, partner-flow, partner-syn)", name);
}

/* gen.bpf.o next to this program, as `make bench-progs` puts it. */
static const char *default_obj(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	char *slash;

	if (n < 0)
		die("/proc/self/exe: %s", strerror(errno));
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "gen.bpf.o");
	return path;
}

static void usage(void)
{
	die("usage: gen --ifname IF --dst-mac MAC --class syn-flood|partner-flow|partner-syn --cpu N\n"
	    "           (--count N --seconds S [--batch N] [--anchor IF] | --prime)\n"
	    "           [--obj gen.bpf.o]");
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
		{ "ifname", required_argument, NULL, 'i' },
		{ "dst-mac", required_argument, NULL, 'm' },
		{ "class", required_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "prime", no_argument, NULL, 'p' },
		{ "obj", required_argument, NULL, 'o' },
		{ "anchor", required_argument, NULL, 'a' },
		{},
	};
	int opt;

	*o = (struct options){ .cpu = -1, .batch = 64 };
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			o->ifname = optarg;
			break;
		case 'm':
			parse_mac(optarg, o->dst_mac);
			o->have_dst_mac = true;
			break;
		case 'k':
			o->class = find_class(optarg);
			break;
		case 'n':
			o->count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			o->seconds = strtod(optarg, NULL);
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'b':
			o->batch = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			o->prime = true;
			break;
		case 'o':
			o->obj = optarg;
			break;
		case 'a':
			o->anchor = optarg;
			break;
		default:
			usage();
		}
	}
	if (!o->ifname || !o->have_dst_mac || !o->class || o->cpu < 0)
		usage();
	/* The kernel takes batches of 1 to 256 frames (TEST_XDP_MAX_BATCH). */
	if (!o->prime &&
	    (!o->count || o->seconds <= 0 || !o->batch || o->batch > 256))
		usage();
	if (!o->obj)
		o->obj = default_obj();
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct options o;
	struct flood fl;
	struct pkt p;
	int fd;

	parse_args(argc, argv, &o);
	pin_to_cpu(o.cpu);
	if (o.prime) {
		/* The connection's opening SYN, from the same ports. */
		struct pkt_spec syn = o.class->spec;

		syn.tcp_flags = PKT_SYN;
		build_frame(&o, syn, &p);
		fd = load_generator(&o, false, &obj);
		send_frames(fd, &p, 1, 1);
		bpf_object__close(obj);
		return 0;
	}
	build_frame(&o, o.class->spec, &p);
	fd = load_generator(&o, o.class->spoof_source, &obj);
	anchor_program(&o, fd, true);
	run_flood(fd, &p, &o, &fl);
	anchor_program(&o, fd, false);
	puts(json_object_to_json_string_ext(flood_json(&o, &p, &fl),
					    JSON_C_TO_STRING_PRETTY));
	bpf_object__close(obj);
	return 0;
}
