// SPDX-License-Identifier: GPL-2.0
/*
 * The helper of the scale and control stages (bench/stage-scale.sh,
 * bench/stage-control.sh): the jobs that a shell does too slowly or not
 * exactly enough. One subcommand a run:
 *
 *   prefixes --count N [--seed S] [--avoid PREFIX]...
 *	N distinct prefixes, one a line, half IPv4 and half IPv6 of mixed
 *	lengths, none overlapping an --avoid prefix. The same seed gives the
 *	same list, and the first M lines of a longer list are the list of M.
 *   fill-flows --map PIN --family 4|6 --count N --ifname IF --local ADDR
 *	      --local-port P [--seed S] [--avoid PREFIX]...
 *	N established flows to ADDR:P on IF, in one batched update of the
 *	pinned flow table, from remote addresses outside the --avoid
 *	prefixes (so that they never collide with the flows measured).
 *   count --map PIN
 *	The entries of a hash map, read back in batches.
 *   filter --map PIN --set ID --addr ADDR
 *	How full set ID's filters are, and whether ADDR's bit is set.
 *   objects --pins DIR
 *	The programs pinned in DIR (links or programs) and every map they
 *	use: verified instructions, sizes and each map's memlock.
 *   time [--runs N] [--output FILE] -- COMMAND [ARG]...
 *	COMMAND run N times, one after another: the wall time of each.
 *   lookup-set --object OBJ --map PIN --set ID [--seed S] LOOKUP_OPTIONS
 *   lookup-flows --object OBJ FILL_FLOWS_OPTIONS LOOKUP_OPTIONS
 *	The cost of one lookup in the pinned sets or flows4 map through
 *	OBJ (bench/lookup.bpf.c), for 1 and for 65536 different keys: random
 *	IPv4 addresses in set ID, or flows that fill-flows wrote with the
 *	same options. LOOKUP_OPTIONS: --repeat N --rounds N --cpu N.
 *
 * Output is JSON on stdout except for prefixes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "addr.h"
#include "edgefw.h"
#include "flowfilter.h"
#include "maps.h"
#include "paths.h"
#include "util.h"

#define MAX_AVOID 16
#define MAX_RUNS 1000
#define MAX_PROGS 64
#define MAX_MAPS 256
#define BATCH 8192

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("scalectl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void print_json(json_object *root)
{
	puts(json_object_to_json_string_ext(
		root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

static double now_s(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- reproducible randomness: splitmix64, and its bijective mixers ---- */

static __u64 mix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* murmur3's finaliser: a bijection of 32-bit words */
static __u32 mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	return h ^ (h >> 16);
}

struct rng {
	__u64 state;
};

static __u64 rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return mix64(r->state);
}

static unsigned int rng_range(struct rng *r, unsigned int lo, unsigned int hi)
{
	return lo + rng_next(r) % (hi - lo + 1);
}

/* ---- prefixes ---- */

struct avoid {
	struct prefix p[MAX_AVOID];
	int n;
};

static void avoid_add(struct avoid *a, const char *text)
{
	char why[160];

	if (a->n == MAX_AVOID)
		die("at most %d --avoid", MAX_AVOID);
	if (prefix_parse(text, &a->p[a->n], why, sizeof(why)))
		die("--avoid: %s", why);
	a->n++;
}

static bool avoided(const struct avoid *a, const struct prefix *p)
{
	for (int i = 0; i < a->n; i++) {
		if (prefix_contains(&a->p[i], p) ||
		    prefix_contains(p, &a->p[i]))
			return true;
	}
	return false;
}

static void clear_host_bits(struct prefix *p)
{
	for (unsigned int i = p->len; i < family_bits(p->family); i++)
		p->addr.b[i / 8] &= ~(0x80 >> (i % 8));
}

/*
 * Lengths as a partner list has them: mostly single servers (/32, /128),
 * then their networks, few short prefixes: a million prefixes cover some
 * 2% of the IPv4 address space, so that random sources mostly miss, as a
 * flood's do. Nothing is shorter than an IPv4 /20 or an IPv6 /32.
 */
static unsigned int random_len(struct rng *r, __u8 family)
{
	unsigned int pick = rng_range(r, 0, 99);

	if (family == EDGEFW_FAMILY_IPV4)
		return pick < 55   ? 32
		       : pick < 70 ? rng_range(r, 25, 31)
		       : pick < 95 ? 24
				   : rng_range(r, 20, 23);
	return pick < 40   ? 128
	       : pick < 55 ? rng_range(r, 65, 127)
	       : pick < 80 ? 64
	       : pick < 95 ? 48
			   : rng_range(r, 32, 47);
}

/* A random prefix: IPv4 anywhere, IPv6 in 2000::/3 (global unicast). */
static void random_prefix(struct rng *r, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = rng_next(r) & 1 ? EDGEFW_FAMILY_IPV6 : EDGEFW_FAMILY_IPV4;
	p->len = random_len(r, p->family);
	if (p->family == EDGEFW_FAMILY_IPV4) {
		p->addr.w[0] = (__u32)rng_next(r);
	} else {
		for (int i = 0; i < 4; i++)
			p->addr.w[i] = (__u32)rng_next(r);
		p->addr.b[0] = 0x20 | (p->addr.b[0] & 0x1f);
	}
	clear_host_bits(p);
}

/* An open-addressing set of prefixes: each one is drawn only once. */
struct prefix_set {
	struct prefix *slot; /* len 0 and family 0: empty */
	size_t mask;
};

static __u64 prefix_hash(const struct prefix *p)
{
	__u64 h = mix64(p->family << 8 | p->len);

	for (int i = 0; i < 4; i++)
		h = mix64(h ^ p->addr.w[i]);
	return h;
}

static bool prefix_set_insert(struct prefix_set *s, const struct prefix *p)
{
	for (size_t i = prefix_hash(p) & s->mask;; i = (i + 1) & s->mask) {
		struct prefix *e = &s->slot[i];

		if (!e->family) {
			*e = *p;
			return true;
		}
		if (e->family == p->family && e->len == p->len &&
		    !memcmp(&e->addr, &p->addr, sizeof(p->addr)))
			return false;
	}
}

static int cmd_prefixes(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "avoid", required_argument, NULL, 'a' },
		{},
	};
	struct rng r = { .state = 1 };
	struct avoid avoid = { .n = 0 };
	struct prefix_set seen;
	size_t count = 0, cap = 2;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'n')
			count = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			r.state = strtoull(optarg, NULL, 0);
		else if (opt == 'a')
			avoid_add(&avoid, optarg);
		else
			die("usage: prefixes --count N [--seed S] [--avoid PREFIX]...");
	}
	if (!count || count > 16U << 20)
		die("prefixes: --count 1 to %u", 16U << 20);
	while (cap < 2 * count)
		cap *= 2;
	seen.slot = xcalloc(cap, sizeof(*seen.slot));
	seen.mask = cap - 1;
	/* each draw is either kept or dropped, so lists are nested by seed */
	for (size_t made = 0; made < count;) {
		char buf[PREFIX_STRLEN];
		struct prefix p;

		random_prefix(&r, &p);
		if (avoided(&avoid, &p) || !prefix_set_insert(&seen, &p))
			continue;
		prefix_format(&p, buf, sizeof(buf));
		puts(buf);
		made++;
	}
	free(seen.slot);
	return fflush(stdout) ? 1 : 0;
}

/* ---- flow tables ---- */

struct lookup_opts {
	unsigned int repeat;
	unsigned int rounds;
	int cpu;
};

static bool lookup_option(int opt, const char *arg, struct lookup_opts *l,
			  const char **object)
{
	switch (opt) {
	case 'o':
		*object = arg;
		return true;
	case 'R':
		l->repeat = strtoul(arg, NULL, 10);
		return true;
	case 'r':
		l->rounds = strtoul(arg, NULL, 10);
		return true;
	case 'c':
		l->cpu = atoi(arg);
		return true;
	}
	return false;
}

struct fill {
	const char *object; /* lookup-flows */
	struct lookup_opts *lookup;
	const char *map;
	const char *ifname;
	struct prefix local;
	unsigned int local_port;
	__u8 family;
	size_t count;
	__u64 seed;
	struct avoid avoid;
};

/*
 * The i-th remote end: the address is a bijection of i (so distinct), the
 * port any above 1023. An IPv6 address's last 64 bits carry the bijection.
 */
static void remote_of(const struct fill *f, __u64 i, struct prefix *remote,
		      __u16 *port)
{
	memset(remote, 0, sizeof(*remote));
	remote->family = f->family;
	remote->len = family_bits(f->family);
	if (f->family == EDGEFW_FAMILY_IPV4) {
		remote->addr.w[0] = htonl(mix32((__u32)(i ^ f->seed)));
	} else {
		__u64 hi = mix64(f->seed ^ (i >> 32)), lo = mix64(i ^ f->seed);

		remote->addr.w[0] = htonl(0x24000000 | (__u32)(hi >> 40));
		remote->addr.w[1] = (__u32)hi;
		remote->addr.w[2] = (__u32)(lo >> 32);
		remote->addr.w[3] = (__u32)lo;
	}
	*port = htons(1024 + mix32((__u32)i * 2654435761U) % 64512);
}

static void parse_fill(int argc, char **argv, struct fill *f)
{
	static const struct option opts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "family", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "local", required_argument, NULL, 'l' },
		{ "local-port", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 's' },
		{ "avoid", required_argument, NULL, 'a' },
		{ "object", required_argument, NULL, 'o' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{},
	};
	struct lookup_opts *lookup = f->lookup;
	char why[160];
	int opt;

	memset(f, 0, sizeof(*f));
	f->lookup = lookup;
	f->seed = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			f->map = optarg;
			break;
		case 'f':
			f->family = atoi(optarg);
			break;
		case 'n':
			f->count = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			f->ifname = optarg;
			break;
		case 'l':
			if (addr_parse(optarg, &f->local, why, sizeof(why)))
				die("--local: %s", why);
			break;
		case 'p':
			f->local_port = atoi(optarg);
			break;
		case 's':
			f->seed = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			avoid_add(&f->avoid, optarg);
			break;
		case 'o':
		case 'R':
		case 'r':
		case 'c':
			if (!lookup ||
			    !lookup_option(opt, optarg, lookup, &f->object))
				die("fill-flows: no option %s",
				    argv[optind - 1]);
			break;
		default:
			die("usage: fill-flows --map PIN --family 4|6 --count N --ifname IF --local ADDR --local-port P [--seed S] [--avoid PREFIX]...");
		}
	}
	if (!f->map || !f->ifname || !f->count || !f->local.family ||
	    f->local.family != f->family || !f->local_port ||
	    f->local_port > 65535)
		die("fill-flows: --map, --family, --count, --ifname, --local of that family and --local-port needed");
}

/* The keys of the flows the options describe, f->count of them. */
static void *flow_keys(const struct fill *f, size_t *key_size)
{
	unsigned int ifindex = if_nametoindex(f->ifname);
	void *keys;

	if (!ifindex)
		die("no interface %s", f->ifname);
	*key_size = f->family == EDGEFW_FAMILY_IPV4
			    ? sizeof(struct edgefw_flow_key4)
			    : sizeof(struct edgefw_flow_key6);
	keys = xcalloc(f->count, *key_size);
	for (__u64 i = 0, made = 0; made < f->count; i++) {
		struct prefix remote;
		__u16 port;

		remote_of(f, i, &remote, &port);
		if (avoided(&f->avoid, &remote))
			continue;
		if (f->family == EDGEFW_FAMILY_IPV4) {
			struct edgefw_flow_key4 *k =
				(struct edgefw_flow_key4 *)keys + made;

			k->local = f->local.addr.w[0];
			k->remote = remote.addr.w[0];
			k->ifindex = ifindex;
			k->local_port = htons(f->local_port);
			k->remote_port = port;
			k->proto = IPPROTO_TCP;
		} else {
			struct edgefw_flow_key6 *k =
				(struct edgefw_flow_key6 *)keys + made;

			k->local = f->local.addr;
			k->remote = remote.addr;
			k->ifindex = ifindex;
			k->local_port = htons(f->local_port);
			k->remote_port = port;
			k->proto = IPPROTO_TCP;
		}
		made++;
	}
	return keys;
}

/*
 * The flows written behind the programs' back get their bits in the flow
 * filter pinned beside the table, as edgefw's own rebuild sets them.
 */
static void flow_filter_sync(const char *flows_pin)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int fd[3], err;
	const char *names[3] = { "flow_filter", "flows4", "flows6" };

	snprintf(dir, sizeof(dir), "%s", flows_pin);
	*(strrchr(dir, '/') ? strrchr(dir, '/') : dir) = '\0';
	for (int i = 0; i < 3; i++) {
		if (path_join(path, sizeof(path), dir, names[i]))
			die("%s: too long a path", dir);
		fd[i] = bpf_obj_get(path);
		if (fd[i] < 0)
			die("%s: %s", path, strerror(errno));
	}
	err = flow_filter_rebuild(fd[0], fd[1], fd[2]);
	if (err)
		die("%s/flow_filter: cannot rebuild: %s", dir, strerror(-err));
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

static int cmd_fill_flows(int argc, char **argv)
{
	struct edgefw_flow *values, value = {
		.state = EDGEFW_FLOW_ESTABLISHED,
		.opened_dir = EDGEFW_DIR_IN,
	};
	size_t key_size, done = 0;
	json_object *out;
	struct fill f = { .lookup = NULL };
	double t0, took;
	void *keys;
	int fd, err;

	parse_fill(argc, argv, &f);
	fd = bpf_obj_get(f.map);
	if (fd < 0)
		die("%s: %s", f.map, strerror(errno));
	keys = flow_keys(&f, &key_size);
	/* the data path's clock, so that no flow looks expired */
	value.seen_ns = (__u64)(now_s(CLOCK_MONOTONIC_COARSE) * 1e9);
	values = xcalloc(f.count, sizeof(value));
	for (size_t i = 0; i < f.count; i++)
		values[i] = value;
	t0 = now_s(CLOCK_MONOTONIC);
	err = map_update_many(fd, keys, values, f.count, key_size,
			      sizeof(value), &done);
	took = now_s(CLOCK_MONOTONIC) - t0;
	if (err)
		die("%s: update after %zu flows: %s", f.map, done,
		    strerror(-err));
	flow_filter_sync(f.map);
	out = json_object_new_object();
	json_object_object_add(out, "written", json_object_new_int64(done));
	json_object_object_add(out, "seconds", json_object_new_double(took));
	print_json(out);
	free(values);
	free(keys);
	close(fd);
	return 0;
}

/* ---- lookups alone, warm and cold ---- */

#define NR_PROBES (1U << 16) /* as bench/lookup.bpf.c has it */

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* What the lookup program sees: the map measured, its probes. */
struct probes {
	const char *object;
	const char *target; /* "sets" or "flows4" */
	int target_fd;
	const char *also[2]; /* more of edgefw's maps the program reads */
	int also_fd[2];
	const char *probe_map;
	const void *keys;
	size_t key_size;
	__u32 nr; /* a power of two, at most NR_PROBES */
};

/*
 * Median ns per run of PROG over the probes, from a fresh copy of the
 * object; *found: the share of runs whose lookup found its key.
 */
static __u32 run_probes(const struct probes *pr, const char *prog,
			const struct lookup_opts *l, double *found)
{
	LIBBPF_OPTS(bpf_map_batch_opts, batch);
	unsigned char data[64] = { 0 };
	__u32 ns[101], *idx = xcalloc(pr->nr, sizeof(*idx)), nr = pr->nr;
	struct bpf_object *obj = bpf_object__open(pr->object);
	struct bpf_map *rodata, *bss;
	__u64 state[2]; /* as bench/lookup.bpf.c lays its .bss out */
	__u32 mask, zero = 0;
	size_t size;
	int fd;

	if (!obj)
		die("%s: cannot open", pr->object);
	rodata = bpf_object__find_map_by_name(obj, ".rodata");
	if (!rodata || !bpf_map__initial_value(rodata, &size))
		die("%s: no .rodata", pr->object);
	/* probe_mask, the only read-only variable */
	mask = pr->nr - 1;
	if (size != sizeof(mask) ||
	    bpf_map__set_initial_value(rodata, &mask, sizeof(mask)))
		die("%s: .rodata is not probe_mask alone", pr->object);
	for (size_t i = 0; i < ARRAY_SIZE(pr->also) && pr->also[i]; i++) {
		if (bpf_map__reuse_fd(bpf_object__find_map_by_name(obj,
								   pr->also[i]),
				      pr->also_fd[i]))
			die("%s: cannot reuse edgefw's %s", pr->object,
			    pr->also[i]);
	}
	if (bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, pr->target),
			      pr->target_fd) ||
	    bpf_object__load(obj))
		die("%s: cannot load with edgefw's %s", pr->object, pr->target);
	for (__u32 i = 0; i < pr->nr; i++)
		idx[i] = i;
	if (bpf_map_update_batch(bpf_map__fd(bpf_object__find_map_by_name(
					 obj, pr->probe_map)),
				 idx, pr->keys, &nr, &batch))
		die("cannot write the probes: %s", strerror(errno));
	fd = bpf_program__fd(bpf_object__find_program_by_name(obj, prog));
	for (unsigned int r = 0; r <= l->rounds; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data,
			    .data_size_in = sizeof(data), .repeat = l->repeat);

		if (bpf_prog_test_run_opts(fd, &opts))
			die("BPF_PROG_TEST_RUN: %s", strerror(errno));
		if (r) /* the first round warms up */
			ns[r - 1] = opts.duration;
	}
	qsort(ns, l->rounds, sizeof(ns[0]), cmp_u32);
	/* found, then next_probe: .bss, read back from the kernel */
	bss = bpf_object__find_map_by_name(obj, ".bss");
	if (bss && bpf_map__value_size(bss) >= sizeof(state) &&
	    !bpf_map_lookup_elem(bpf_map__fd(bss), &zero, state))
		*found = (double)state[0] / ((l->rounds + 1.0) * l->repeat);
	else
		*found = -1;
	bpf_object__close(obj);
	free(idx);
	return ns[l->rounds / 2];
}

/* Warm (one key) and cold (every probe) lookups, beside their floor. */
static json_object *lookup_report(struct probes *pr, const char *lookup_prog,
				  const char *probe_prog,
				  const struct lookup_opts *l)
{
	json_object *out = json_object_new_object();
	json_object *arr = json_object_new_array();
	const __u32 counts[] = { 1, pr->nr };

	if (!l->repeat || !l->rounds || l->rounds > 100)
		die("--repeat N and --rounds 1 to 100 needed");
	for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
		json_object *o = json_object_new_object();
		double found, unused;
		__u32 with, floor;

		pr->nr = counts[c];
		with = run_probes(pr, lookup_prog, l, &found);
		floor = run_probes(pr, probe_prog, l, &unused);
		json_object_object_add(o, "keys", json_object_new_int(pr->nr));
		json_object_object_add(o, "ns", json_object_new_int(with));
		json_object_object_add(o, "floor_ns",
				       json_object_new_int(floor));
		json_object_object_add(o, "lookup_ns",
				       json_object_new_int((int)with - floor));
		json_object_object_add(o, "found_share",
				       json_object_new_double(found));
		json_object_array_add(arr, o);
	}
	json_object_object_add(out, "map", json_object_new_string(pr->target));
	json_object_object_add(out, "repeat", json_object_new_int(l->repeat));
	json_object_object_add(out, "rounds", json_object_new_int(l->rounds));
	json_object_object_add(out, "probes", arr);
	return out;
}

/*
 * The probes (all of one family) through slot 0 of the family's index,
 * with index_dir (a generation's pin directory), or else through the
 * trie: since issue 15 the trie holds only the sets without an index.
 */
static json_object *lookup_set_family(struct probes *pr,
				      const struct edgefw_set_key *keys,
				      int trie_fd, const char *index_dir,
				      const struct lookup_opts *l)
{
	bool v4 = keys[0].family == EDGEFW_FAMILY_IPV4;
	const char *target = v4 ? "set4_by24" : "set6_heads";
	static const char *const also4[] = { "set4_bits", NULL },
				 *const also6[] = { "set6_prefixes",
						    "set6_cache" };
	const char *const *also = v4 ? also4 : also6;
	char path[PATH_MAX];
	json_object *out;

	pr->keys = keys;
	pr->key_size = sizeof(*keys);
	pr->nr = NR_PROBES;
	pr->target = "sets";
	pr->target_fd = trie_fd;
	pr->also[0] = NULL;
	if (!index_dir)
		return lookup_report(pr, "lookup_set", "probe_set", l);
	out = json_object_new_object();
	pr->target = target;
	snprintf(path, sizeof(path), "%s/%s", index_dir, target);
	pr->target_fd = bpf_obj_get(path);
	if (pr->target_fd < 0)
		die("%s: %s", index_dir, strerror(errno));
	for (size_t i = 0; i < ARRAY_SIZE(pr->also); i++) {
		pr->also[i] = also[i];
		if (!also[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", index_dir, also[i]);
		pr->also_fd[i] = bpf_obj_get(path);
		if (pr->also_fd[i] < 0)
			die("%s: %s", path, strerror(errno));
	}
	pr->nr = NR_PROBES;
	json_object_object_add(out, "index",
			       lookup_report(pr,
					     v4 ? "lookup_set4" : "lookup_set6",
					     "probe_set", l));
	close(pr->target_fd);
	for (size_t i = 0; i < ARRAY_SIZE(pr->also) && pr->also[i]; i++)
		close(pr->also_fd[i]);
	return out;
}

static int cmd_lookup_set(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "object", required_argument, NULL, 'o' },
		{ "map", required_argument, NULL, 'm' },
		{ "set", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "index", required_argument, NULL, 'i' },
		{},
	};
	struct lookup_opts l = { .cpu = -1 };
	struct probes pr = { .probe_map = "set_probes" };
	const char *index_dir = NULL;
	json_object *out;
	struct edgefw_set_key *keys = xcalloc(NR_PROBES, sizeof(*keys));
	struct rng r = { .state = 1 };
	const char *pin = NULL;
	unsigned int set = 0;
	int opt, trie_fd;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'm')
			pin = optarg;
		else if (opt == 's')
			set = strtoul(optarg, NULL, 10);
		else if (opt == 'i')
			index_dir = optarg;
		else if (opt == 'S')
			/* not the stream of `prefixes` with this seed: its
			 * draws are the set's own addresses */
			r.state = mix64(strtoull(optarg, NULL, 0));
		else if (!lookup_option(opt, optarg, &l, &pr.object))
			die("usage: lookup-set --object OBJ --map PIN --set ID [--seed S] [--index GEN-PIN-DIR] --repeat N --rounds N [--cpu N]");
	}
	if (!pr.object || !pin)
		die("lookup-set: --object and --map needed");
	trie_fd = bpf_obj_get(pin);
	if (trie_fd < 0)
		die("%s: %s", pin, strerror(errno));
	pin_cpu(l.cpu);
	/* random IPv4 sources, as a flood from everywhere has them */
	for (__u32 i = 0; i < NR_PROBES; i++) {
		keys[i].prefixlen = EDGEFW_SET_KEY_BITS(32);
		keys[i].set = set;
		keys[i].family = EDGEFW_FAMILY_IPV4;
		keys[i].addr.w[0] = (__u32)rng_next(&r);
	}
	out = lookup_set_family(&pr, keys, trie_fd, index_dir, &l);
	/* and random IPv6 ones from 2000::/3, where the set's prefixes lie */
	for (__u32 i = 0; i < NR_PROBES; i++) {
		keys[i].prefixlen = EDGEFW_SET_KEY_BITS(128);
		keys[i].family = EDGEFW_FAMILY_IPV6;
		for (int w = 0; w < 4; w++)
			keys[i].addr.w[w] = (__u32)rng_next(&r);
		keys[i].addr.b[0] = 0x20 | (keys[i].addr.b[0] & 0x1f);
	}
	json_object_object_add(out, "ipv6",
			       lookup_set_family(&pr, keys, trie_fd, index_dir,
						 &l));
	print_json(out);
	free(keys);
	return 0;
}

static int cmd_lookup_flows(int argc, char **argv)
{
	struct lookup_opts l = { .cpu = -1 };
	struct probes pr = { .target = "flows4", .probe_map = "flow_probes" };
	struct edgefw_flow_key4 *all, *keys;
	struct fill f = { .lookup = &l };
	size_t key_size;

	parse_fill(argc, argv, &f);
	if (!f.object || f.family != EDGEFW_FAMILY_IPV4)
		die("lookup-flows: --object and --family 4 needed");
	pr.object = f.object;
	pr.target_fd = bpf_obj_get(f.map);
	if (pr.target_fd < 0)
		die("%s: %s", f.map, strerror(errno));
	/* flows from all over the table, every count/NR_PROBES-th */
	all = flow_keys(&f, &key_size);
	keys = xcalloc(NR_PROBES, sizeof(*keys));
	for (__u32 i = 0; i < NR_PROBES; i++)
		keys[i] = all[(size_t)i * f.count / NR_PROBES];
	free(all);
	pr.keys = keys;
	pr.key_size = sizeof(*keys);
	pr.nr = NR_PROBES;
	pin_cpu(l.cpu);
	print_json(lookup_report(&pr, "lookup_flow4", "probe_flow4", &l));
	free(keys);
	return 0;
}

/* ---- reading maps back ---- */

static int open_map(const char *pin, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	int fd = bpf_obj_get(pin);

	memset(info, 0, sizeof(*info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, info, &len))
		die("%s: %s", pin, strerror(errno));
	return fd;
}

static int cmd_count(int argc, char **argv)
{
	struct bpf_map_info info;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 in_batch = 0, total = 0;
	bool first = true;
	json_object *out;
	void *keys, *values;
	int fd;

	if (argc != 3 || strcmp(argv[1], "--map"))
		die("usage: count --map PIN");
	fd = open_map(argv[2], &info);
	keys = xcalloc(BATCH, info.key_size);
	values = xcalloc(BATCH, info.value_size);
	/* in_batch/out_batch: the kernel's cursor, a bucket number */
	for (;;) {
		__u32 n = BATCH;
		__u64 out_batch;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch,
					       &out_batch, keys, values, &n,
					       &opts);

		if (err && errno != ENOENT)
			die("%s: lookup batch: %s", argv[2], strerror(errno));
		total += n;
		if (err)
			break;
		in_batch = out_batch;
		first = false;
	}
	out = json_object_new_object();
	json_object_object_add(out, "entries", json_object_new_int64(total));
	json_object_object_add(out, "max_entries",
			       json_object_new_int64(info.max_entries));
	print_json(out);
	free(values);
	free(keys);
	close(fd);
	return 0;
}

static int bits_set(const struct edgefw_set_filter *f)
{
	int n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(f->bits); i++)
		n += __builtin_popcountll(f->bits[i]);
	return n;
}

static int cmd_filter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "map", required_argument, NULL, 'm' },
		{ "set", required_argument, NULL, 's' },
		{ "addr", required_argument, NULL, 'a' },
		{},
	};
	struct edgefw_set_filter f4, f6, *mine;
	const char *pin = NULL, *addr_text = NULL;
	struct bpf_map_info info;
	struct prefix addr;
	unsigned int set = 0;
	json_object *out;
	__u32 key;
	char why[160];
	int fd, opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'm')
			pin = optarg;
		else if (opt == 's')
			set = strtoul(optarg, NULL, 10);
		else if (opt == 'a')
			addr_text = optarg;
		else
			die("usage: filter --map PIN --set ID --addr ADDR");
	}
	if (!pin || !addr_text || set >= EDGEFW_MAX_SETS)
		die("filter: --map, --set and --addr needed");
	if (addr_parse(addr_text, &addr, why, sizeof(why)))
		die("--addr: %s", why);
	fd = open_map(pin, &info);
	key = EDGEFW_FILTER_KEY(set, EDGEFW_FAMILY_IPV4);
	if (bpf_map_lookup_elem(fd, &key, &f4))
		die("%s: %s", pin, strerror(errno));
	key = EDGEFW_FILTER_KEY(set, EDGEFW_FAMILY_IPV6);
	if (bpf_map_lookup_elem(fd, &key, &f6))
		die("%s: %s", pin, strerror(errno));
	mine = addr.family == EDGEFW_FAMILY_IPV4 ? &f4 : &f6;
	out = json_object_new_object();
	json_object_object_add(out, "bits",
			       json_object_new_int(EDGEFW_FILTER_BITS));
	json_object_object_add(out, "v4_bits_set",
			       json_object_new_int(bits_set(&f4)));
	json_object_object_add(out, "v6_bits_set",
			       json_object_new_int(bits_set(&f6)));
	json_object_object_add(out, "addr", json_object_new_string(addr_text));
	json_object_object_add(
		out, "addr_bit_set",
		json_object_new_boolean(edgefw_filter_passes(
			mine, addr.family, ntohl(addr.addr.w[0]))));
	print_json(out);
	close(fd);
	return 0;
}

/* ---- programs and maps of a pin directory ---- */

/* The value of "KEY:" in an fd's fdinfo, or -1. */
static long long fdinfo_value(int fd, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* The program behind a pinned link or program, or -1 for other pins. */
static int prog_of_pin(const char *path)
{
	int fd = bpf_obj_get(path), prog = -1;

	if (fd < 0)
		return -1;
	if (fdinfo_value(fd, "link_type") >= 0) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			prog = bpf_prog_get_fd_by_id(info.prog_id);
		close(fd);
		return prog;
	}
	if (fdinfo_value(fd, "prog_type") >= 0)
		return fd;
	close(fd);
	return -1;
}

struct map_ids {
	__u32 id[MAX_MAPS];
	int n;
};

static void map_ids_add(struct map_ids *m, __u32 id)
{
	for (int i = 0; i < m->n; i++) {
		if (m->id[i] == id)
			return;
	}
	if (m->n < MAX_MAPS)
		m->id[m->n++] = id;
}

static json_object *prog_json(const char *pin, int fd, struct map_ids *maps)
{
	__u32 ids[MAX_MAPS], len;
	struct bpf_prog_info info;
	json_object *o = json_object_new_object();
	json_object *arr = json_object_new_array();
	const char *type;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = MAX_MAPS;
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("%s: %s", pin, strerror(errno));
	type = libbpf_bpf_prog_type_str(info.type);
	json_object_object_add(o, "pin", json_object_new_string(pin));
	json_object_object_add(o, "id", json_object_new_int64(info.id));
	json_object_object_add(o, "name", json_object_new_string(info.name));
	json_object_object_add(o, "type",
			       json_object_new_string(type ? type : "?"));
	json_object_object_add(o, "verified_insns",
			       json_object_new_int64(info.verified_insns));
	json_object_object_add(o, "xlated_bytes",
			       json_object_new_int64(info.xlated_prog_len));
	json_object_object_add(o, "jited_bytes",
			       json_object_new_int64(info.jited_prog_len));
	for (__u32 i = 0; i < info.nr_map_ids && i < MAX_MAPS; i++) {
		map_ids_add(maps, ids[i]);
		json_object_array_add(arr, json_object_new_int64(ids[i]));
	}
	json_object_object_add(o, "map_ids", arr);
	return o;
}

static json_object *map_json(__u32 id, long long *memlock)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	json_object *o = json_object_new_object();
	int fd = bpf_map_get_fd_by_id(id);
	const char *type;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		die("map %u: %s", id, strerror(errno));
	*memlock = fdinfo_value(fd, "memlock");
	type = libbpf_bpf_map_type_str(info.type);
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "name", json_object_new_string(info.name));
	json_object_object_add(o, "type",
			       json_object_new_string(type ? type : "?"));
	json_object_object_add(o, "max_entries",
			       json_object_new_int64(info.max_entries));
	json_object_object_add(o, "key_size",
			       json_object_new_int64(info.key_size));
	json_object_object_add(o, "value_size",
			       json_object_new_int64(info.value_size));
	json_object_object_add(o, "memlock_bytes",
			       json_object_new_int64(*memlock));
	close(fd);
	return o;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_objects(int argc, char **argv)
{
	json_object *out = json_object_new_object();
	json_object *progs = json_object_new_array();
	json_object *maps_arr = json_object_new_array();
	struct map_ids maps = { .n = 0 };
	char *names[MAX_PROGS];
	long long total = 0;
	int nr_names = 0;
	struct dirent *e;
	DIR *d;

	if (argc != 3 || strcmp(argv[1], "--pins"))
		die("usage: objects --pins DIR");
	d = opendir(argv[2]);
	if (!d)
		die("%s: %s", argv[2], strerror(errno));
	while ((e = readdir(d)) && nr_names < MAX_PROGS) {
		if (e->d_type == DT_REG)
			names[nr_names++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, nr_names, sizeof(names[0]), cmp_name);
	for (int i = 0; i < nr_names; i++) {
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", argv[2], names[i]);
		fd = prog_of_pin(path);
		if (fd >= 0) {
			json_object_array_add(progs,
					      prog_json(names[i], fd, &maps));
			close(fd);
		}
		free(names[i]);
	}
	for (int i = 0; i < maps.n; i++) {
		long long memlock;

		json_object_array_add(maps_arr, map_json(maps.id[i], &memlock));
		total += memlock > 0 ? memlock : 0;
	}
	json_object_object_add(out, "programs", progs);
	json_object_object_add(out, "maps", maps_arr);
	json_object_object_add(out, "memlock_total_bytes",
			       json_object_new_int64(total));
	print_json(out);
	return 0;
}

/* ---- timing commands ---- */

static int run_once(char **cmd, const char *output, double *wall, double *cpu)
{
	struct rusage ru;
	double t0 = now_s(CLOCK_MONOTONIC);
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(output ? output : "/dev/null",
			      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid)
		die("wait: %s", strerror(errno));
	*wall = now_s(CLOCK_MONOTONIC) - t0;
	*cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int cmd_time(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runs", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{},
	};
	json_object *out = json_object_new_object();
	json_object *wall = json_object_new_array();
	json_object *cpu = json_object_new_array();
	const char *output = NULL;
	unsigned int runs = 1;
	int opt, failed = 0;

	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (opt == 'n')
			runs = strtoul(optarg, NULL, 10);
		else if (opt == 'o')
			output = optarg;
		else
			die("usage: time [--runs N] [--output FILE] -- COMMAND...");
	}
	if (optind >= argc || !runs || runs > MAX_RUNS)
		die("time: a COMMAND and 1 to %d runs", MAX_RUNS);
	if (output && truncate(output, 0) && errno != ENOENT)
		die("%s: %s", output, strerror(errno));
	for (unsigned int i = 0; i < runs && !failed; i++) {
		double w, c;

		failed = run_once(argv + optind, output, &w, &c);
		json_object_array_add(wall, json_object_new_double(w));
		json_object_array_add(cpu, json_object_new_double(c));
	}
	json_object_object_add(out, "wall_s", wall);
	json_object_object_add(out, "cpu_s", cpu);
	json_object_object_add(out, "exit", json_object_new_int(failed));
	print_json(out);
	return failed ? 1 : 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "prefixes", cmd_prefixes },	  { "fill-flows", cmd_fill_flows },
	{ "count", cmd_count },		  { "filter", cmd_filter },
	{ "objects", cmd_objects },	  { "time", cmd_time },
	{ "lookup-set", cmd_lookup_set }, { "lookup-flows", cmd_lookup_flows },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr,
		"usage: scalectl prefixes|fill-flows|count|filter|objects|time|lookup-set|lookup-flows ...\n");
	return 2;
}
