// SPDX-License-Identifier: GPL-2.0
/*
 * Reload atomicity, end to end with the real binary: in a private network
 * namespace with the veths ext0 and int0, `edgefw load` runs config A,
 * then the main thread reloads B, A, B, ... hundreds of times while a
 * packet thread keeps judging probe packets with BPF_PROG_TEST_RUN on
 * whatever program ext0's pinned XDP link and ext0's TC egress filter run
 * at that moment.
 *
 * A and B are built so that a program judging with a mix of the two (the
 * rules of one, the sets of the other) gives a verdict neither gives:
 *   A: tcp 5269 from partners = { 203.0.113.0/24 }
 *   B: tcp 5270 from partners = { 198.51.100.0/24 }
 * P_A (203.0.113.7 -> self:5269) passes with A only, P_B (198.51.100.7 ->
 * self:5270) with B only, and P_mix (198.51.100.7 -> self:5269) and P_mix2
 * (203.0.113.7 -> self:5270) with neither: a mix would pass one of them.
 * Within one program, exactly one of P_A and P_B passes. Egress has the
 * same shape with the `out` rules.
 *
 * Then: reloads that fail leave the running programs and verdicts alone;
 * a reload that drops int0 detaches from it, one that adds it attaches.
 *
 * Environment: EDGEFW (the binary), EDGEFW_PIN_DIR, EDGEFW_RUN_DIR and
 * EDGEFW_STATE_DIR as tests/run.sh sets them; run alone, private ones are
 * made up, so that a real edgefw on this machine is never touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "loader.h"
#include "packet.h"
#include "paths.h"
#include "pkttest.h"
#include "tap.h"

/*
 * Reloads in the storm: EDGEFW_TEST_RELOADS, even (B, A, ..., A: it ends
 * on A); vm-tests asks for fewer, as a reload takes seconds under TCG,
 * and so does CI's sanitizer pass, which looks for memory errors.
 */
#define DEFAULT_RELOADS 200
#define PROBE_PAUSE_US 100
#define PROBE_PAUSE_MAX_US 2000

#define CONFIG_HEAD                      \
	"interface ext0 role external\n" \
	"interface int0 role internal address 10.1.0.10\n"
#define CONFIG_TAIL                                                 \
	"set frontends { 10.1.1.0/28 }\n"                           \
	"rule gw-in internal in tcp 23456 from frontends to self\n" \
	"policy external in drop\n"                                 \
	"policy external out drop\n"                                \
	"policy internal in drop\n"                                 \
	"policy internal out pass\n"

static const char config_a[] = CONFIG_HEAD
	"set partners { 203.0.113.0/24 }\n"
	"rule s2s-in external in tcp 5269 from partners to self\n"
	"rule s2s-out external out tcp 5269 to partners\n" CONFIG_TAIL;

static const char config_b[] = CONFIG_HEAD
	"set partners { 198.51.100.0/24 }\n"
	"rule s2s-in external in tcp 5270 from partners to self\n"
	"rule s2s-out external out tcp 5270 to partners\n" CONFIG_TAIL;

/* A without int0 (and so without its rule). */
static const char config_ext_only[] =
	"interface ext0 role external\n"
	"set partners { 203.0.113.0/24 }\n"
	"rule s2s-in external in tcp 5269 from partners to self\n"
	"rule s2s-out external out tcp 5269 to partners\n"
	"policy external in drop\n"
	"policy external out drop\n";

/* Fails before anything is switched: no such interface. */
static const char config_no_iface[] = CONFIG_HEAD
	"interface nosuch0 role internal address 10.9.0.10\n"
	"set partners { 198.51.100.0/24 }\n"
	"rule s2s-in external in tcp 5270 from partners to self\n"
	"rule s2s-out external out tcp 5270 to partners\n" CONFIG_TAIL;

/* Fails while switching: int1 has a foreign XDP program. */
static const char config_busy_iface[] = CONFIG_HEAD
	"interface int1 role internal address 10.2.0.10\n"
	"set partners { 198.51.100.0/24 }\n"
	"rule s2s-in external in tcp 5270 from partners to self\n"
	"rule s2s-out external out tcp 5270 to partners\n" CONFIG_TAIL;

/* Does not check: a rule names a set that does not exist. */
static const char config_bad[] = CONFIG_HEAD
	"rule s2s-in external in tcp 5269 from nosuchset to self\n";

static const char *edgefw;
static char work_dir[PATH_MAX];
static char own_run_dir[PATH_MAX];
static struct paths paths;
static bool load_tried;

/* ---------------------------------------------------------------------
 * The binary and its files.
 */

static void cleanup(void);

static int edgefw_run(const char *const *args)
{
	char log[PATH_MAX + 16];
	const char *argv[16];
	int status, n = 0;
	pid_t pid;

	argv[n++] = edgefw;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	snprintf(log, sizeof(log), "%s/edgefw.log", work_dir);
	pid = fork();
	if (pid < 0)
		tap_bail("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(edgefw, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			tap_bail("waitpid: %s", strerror(errno));
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* What the last command printed, for the log of a failed check. */
static void edgefw_log_diag(void)
{
	char path[PATH_MAX + 16], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/edgefw.log", work_dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		tap_diag("  edgefw: %s", line);
	}
	fclose(f);
}

static const char *write_config(const char *name, const char *text)
{
	static char paths_buf[8][PATH_MAX + 16];
	static int next;
	char *path = paths_buf[next++ % 8];
	FILE *f;

	snprintf(path, PATH_MAX + 16, "%s/%s", work_dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f))
		tap_bail("cannot write %s: %s", path, strerror(errno));
	return path;
}

static int edgefw_cmd(const char *cmd, const char *config)
{
	const char *args[] = { cmd, "-c", config, NULL };

	if (!config)
		args[1] = NULL;
	return edgefw_run(args);
}

/* Private directories when run alone; refuse to touch the real ones. */
static void setup_paths(const char *argv0)
{
	static char exe[PATH_MAX];
	const char *pin = getenv("EDGEFW_PIN_DIR");

	edgefw = getenv("EDGEFW");
	if (!edgefw) {
		/* build/tests/pkt/test_reload -> build/edgefw */
		snprintf(exe, sizeof(exe), "%s", argv0);
		for (int i = 0; i < 3; i++) {
			char *slash = strrchr(exe, '/');

			if (!slash)
				tap_bail("set EDGEFW to the edgefw binary");
			*slash = '\0';
		}
		strncat(exe, "/edgefw", sizeof(exe) - strlen(exe) - 1);
		edgefw = exe;
	}
	if (access(edgefw, X_OK))
		tap_bail("%s: %s (build it, or set EDGEFW)", edgefw,
			 strerror(errno));
	if (!pin) {
		char buf[64];

		snprintf(buf, sizeof(buf), "/sys/fs/bpf/edgefw-test-reload-%d",
			 getpid());
		setenv("EDGEFW_PIN_DIR", buf, 1);
	} else if (!strcmp(pin, DEFAULT_PIN_DIR)) {
		tap_bail(
			"EDGEFW_PIN_DIR is edgefw's own; give the test its own");
	}
	if (!getenv("EDGEFW_RUN_DIR") || !getenv("EDGEFW_STATE_DIR")) {
		char buf[PATH_MAX + 16];

		snprintf(own_run_dir, sizeof(own_run_dir),
			 "/tmp/edgefw-test-reload.XXXXXX");
		if (!mkdtemp(own_run_dir))
			tap_bail("mkdtemp: %s", strerror(errno));
		snprintf(buf, sizeof(buf), "%s/run", own_run_dir);
		mkdir(buf, 0700);
		setenv("EDGEFW_RUN_DIR", buf, 1);
		snprintf(buf, sizeof(buf), "%s/state", own_run_dir);
		mkdir(buf, 0700);
		setenv("EDGEFW_STATE_DIR", buf, 1);
	}
	unsetenv("SSH_CONNECTION"); /* no lockout guard in a test netns */
	if (paths_init(&paths))
		tap_bail("cannot set up the paths");
	/* the suite's own pin directory: what is there is a crashed run's */
	if (!access(paths.pin_dir, F_OK)) {
		tap_diag("removing %s, left by an earlier run", paths.pin_dir);
		remove_tree(paths.pin_dir);
	}
	snprintf(work_dir, sizeof(work_dir), "/tmp/edgefw-reload-cfg.XXXXXX");
	if (!mkdtemp(work_dir))
		tap_bail("mkdtemp: %s", strerror(errno));
}

static void cleanup(void)
{
	static bool done;
	char path[PATH_MAX + 16];

	if (done)
		return;
	done = true;
	if (load_tried && edgefw_cmd("unload", NULL) != 0)
		edgefw_log_diag();
	if (!access(paths.pin_dir, F_OK))
		remove_tree(paths.pin_dir);
	if (work_dir[0]) {
		snprintf(path, sizeof(path), "%s/edgefw.log", work_dir);
		unlink(path);
		remove_tree(work_dir);
	}
	if (own_run_dir[0])
		remove_tree(own_run_dir);
}

static void on_signal(int sig)
{
	(void)sig;
	cleanup();
	_exit(1);
}

/* ---------------------------------------------------------------------
 * What is attached, and the probes.
 */

static int ifindex_of(const char *name)
{
	int i = if_nametoindex(name);

	if (!i)
		tap_bail("no interface %s", name);
	return i;
}

static void pin_of(char *buf, size_t len, enum iface_pin kind,
		   const char *ifname)
{
	if (pins_iface_path(&paths, kind, ifname, buf, len))
		tap_bail("pin path too long");
}

static bool pinned(enum iface_pin kind, const char *ifname)
{
	char path[PATH_MAX];

	pin_of(path, sizeof(path), kind, ifname);
	return access(path, F_OK) == 0;
}

/* The program id an XDP link runs, 0 if there is no such pinned link. */
static __u32 link_prog_id(const char *ifname)
{
	return pins_iface_prog_id(&paths, PIN_XDP_LINK, ifname);
}

/* Whatever XDP program the device runs, in any mode; 0 for none. */
static __u32 xdp_prog_id(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);

	if (bpf_xdp_query(ifindex, 0, &opts))
		return 0;
	if (opts.attach_mode == XDP_ATTACHED_NONE)
		return 0;
	return opts.prog_id	  ? opts.prog_id
	       : opts.drv_prog_id ? opts.drv_prog_id
				  : opts.skb_prog_id;
}

/* edgefw's egress filter (its handle and priority); 0 for none. */
static __u32 tc_prog_id(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = EDGEFW_TC_HANDLE,
		    .priority = EDGEFW_TC_PRIORITY);

	libbpf_print_fn_t print;
	int err;

	/* no qdisc, no filter: an answer here, not a warning */
	print = libbpf_set_print(NULL);
	err = bpf_tc_query(&hook, &opts);
	libbpf_set_print(print);
	return err ? 0 : opts.prog_id;
}

enum probe { P_A, P_B, P_MIX, P_MIX2, NR_PROBES };
static const char *const probe_names[NR_PROBES] = { "P_A", "P_B", "P_mix",
						    "P_mix2" };

#define SELF "198.51.100.10"
#define PEER_A "203.0.113.7"
#define PEER_B "198.51.100.7"

static const struct pkt_spec xdp_probes[NR_PROBES] = {
	[P_A] = { TCP(PEER_A, 33000, SELF, 5269, PKT_SYN) },
	[P_B] = { TCP(PEER_B, 33000, SELF, 5270, PKT_SYN) },
	[P_MIX] = { TCP(PEER_B, 33001, SELF, 5269, PKT_SYN) },
	[P_MIX2] = { TCP(PEER_A, 33001, SELF, 5270, PKT_SYN) },
};

static const struct pkt_spec tc_probes[NR_PROBES] = {
	[P_A] = { TCP(SELF, 40000, PEER_A, 5269, PKT_SYN) },
	[P_B] = { TCP(SELF, 40000, PEER_B, 5270, PKT_SYN) },
	[P_MIX] = { TCP(SELF, 40001, PEER_B, 5269, PKT_SYN) },
	[P_MIX2] = { TCP(SELF, 40001, PEER_A, 5270, PKT_SYN) },
};

static struct pkt xdp_pkts[NR_PROBES], tc_pkts[NR_PROBES];

static void build_probes(void)
{
	for (int i = 0; i < NR_PROBES; i++) {
		if (pkt_build(&xdp_probes[i], &xdp_pkts[i]) ||
		    pkt_build(&tc_probes[i], &tc_pkts[i]))
			tap_bail("probe %s does not build", probe_names[i]);
	}
}

/* 1 passed, 0 dropped, -1 any other return, -2 the run failed. */
static int run_probe(int prog_fd, bool xdp, int ifindex, const struct pkt *p)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->data,
		    .data_size_in = p->len);

	if (xdp) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -2;
	if (opts.retval == (xdp ? XDP_PASS : TC_ACT_OK))
		return 1;
	if (opts.retval == (xdp ? XDP_DROP : TC_ACT_SHOT))
		return 0;
	return -1;
}

/* What one program made of the probes. */
enum judgement {
	JUDGED_A, /* P_A only */
	JUDGED_B, /* P_B only */
	MIXED, /* P_mix or P_mix2 passed, or P_A and P_B alike */
	IMPOSSIBLE, /* a verdict neither pass nor drop */
	RUN_FAILED,
};

static enum judgement judge_prog(int prog_fd, bool xdp, int ifindex,
				 int verdicts[NR_PROBES])
{
	const struct pkt *pkts = xdp ? xdp_pkts : tc_pkts;

	for (int i = 0; i < NR_PROBES; i++)
		verdicts[i] = run_probe(prog_fd, xdp, ifindex, &pkts[i]);
	for (int i = 0; i < NR_PROBES; i++) {
		if (verdicts[i] == -2)
			return RUN_FAILED;
		if (verdicts[i] == -1)
			return IMPOSSIBLE;
	}
	if (verdicts[P_MIX] || verdicts[P_MIX2] ||
	    verdicts[P_A] == verdicts[P_B])
		return MIXED;
	return verdicts[P_A] ? JUDGED_A : JUDGED_B;
}

/* The verdicts of the program that ext0's XDP link runs now. */
static enum judgement judge_xdp_link(int ifindex, __u32 *prog_id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int verdicts[NR_PROBES];
	char path[PATH_MAX];
	enum judgement j;
	int link, prog;

	pin_of(path, sizeof(path), PIN_XDP_LINK, "ext0");
	link = bpf_obj_get(path);
	if (link < 0)
		return RUN_FAILED;
	if (bpf_obj_get_info_by_fd(link, &info, &len)) {
		close(link);
		return RUN_FAILED;
	}
	close(link);
	*prog_id = info.prog_id;
	prog = bpf_prog_get_fd_by_id(info.prog_id);
	if (prog < 0)
		return RUN_FAILED; /* replaced and freed in between */
	j = judge_prog(prog, true, ifindex, verdicts);
	close(prog);
	return j;
}

static enum judgement judge_tc_filter(int ifindex, __u32 *prog_id)
{
	int verdicts[NR_PROBES];
	enum judgement j;
	int prog;

	*prog_id = tc_prog_id(ifindex);
	if (!*prog_id)
		return RUN_FAILED;
	prog = bpf_prog_get_fd_by_id(*prog_id);
	if (prog < 0)
		return RUN_FAILED;
	j = judge_prog(prog, false, ifindex, verdicts);
	close(prog);
	return j;
}

/* ---------------------------------------------------------------------
 * The packet thread.
 */

struct tally {
	unsigned long programs; /* programs judged */
	unsigned long packets;
	unsigned long judged[RUN_FAILED + 1];
	unsigned long switches; /* program id changes seen */
	__u32 last_id;
	char first_bad[160];
};

struct prober {
	pthread_t tid;
	atomic_bool stop;
	int ifindex;
	struct tally xdp, tc;
};

static void tally(struct tally *t, const char *what, enum judgement j,
		  __u32 prog_id)
{
	static const char *const names[] = { "A", "B", "mixed", "impossible",
					     "failed" };

	t->programs++;
	t->judged[j]++;
	if (j != RUN_FAILED)
		t->packets += NR_PROBES;
	if (prog_id && t->last_id && prog_id != t->last_id)
		t->switches++;
	if (prog_id)
		t->last_id = prog_id;
	if ((j == MIXED || j == IMPOSSIBLE) && !t->first_bad[0])
		snprintf(t->first_bad, sizeof(t->first_bad),
			 "%s program %u judged the probes %s", what, prog_id,
			 names[j]);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *probe_loop(void *arg)
{
	struct prober *pr = arg;

	for (;;) {
		/* one more round after the last reload: its switch is seen */
		bool last = atomic_load(&pr->stop);
		double t0 = now_s(), pause_us;
		__u32 id = 0;
		enum judgement j;

		j = judge_xdp_link(pr->ifindex, &id);
		tally(&pr->xdp, "XDP", j, id);
		id = 0;
		j = judge_tc_filter(pr->ifindex, &id);
		tally(&pr->tc, "TC", j, id);
		if (last)
			break;
		/*
		 * A breath between rounds, as long as the round took: a
		 * thread that never sleeps slows the reloads it watches
		 * several times on a small machine, and under TCG (vm-tests),
		 * where a round takes milliseconds, a fixed 100 us left it
		 * running 95% of the time. At most PROBE_PAUSE_MAX_US: a
		 * round that waited for a switch (the TC query waits for the
		 * replace) must not be followed by a long blind spot.
		 */
		pause_us = (now_s() - t0) * 1e6;
		pause_us = pause_us < PROBE_PAUSE_US	   ? PROBE_PAUSE_US
			   : pause_us > PROBE_PAUSE_MAX_US ? PROBE_PAUSE_MAX_US
							   : pause_us;
		usleep((useconds_t)pause_us);
	}
	return NULL;
}

static void report_tally(const struct tally *t, const char *what)
{
	tap_diag(
		"%s: %lu programs judged (%lu packets): %lu as A, %lu as B, %lu mixed, %lu impossible, %lu runs failed; %lu program switches seen",
		what, t->programs, t->packets, t->judged[JUDGED_A],
		t->judged[JUDGED_B], t->judged[MIXED], t->judged[IMPOSSIBLE],
		t->judged[RUN_FAILED], t->switches);
	if (t->first_bad[0])
		tap_diag("%s: first bad one: %s", what, t->first_bad);
	CHECK(t->packets > 0, "%s: packets were judged during the reloads",
	      what);
	CHECK_EQ(t->judged[MIXED], 0,
		 "%s: no program judged with a mix of A and B", what);
	CHECK_EQ(t->judged[IMPOSSIBLE], 0,
		 "%s: no verdict other than pass or drop", what);
	CHECK(t->judged[JUDGED_A] > 0 && t->judged[JUDGED_B] > 0,
	      "%s: both configs were seen running (A %lu, B %lu times)", what,
	      t->judged[JUDGED_A], t->judged[JUDGED_B]);
	CHECK(t->judged[RUN_FAILED] <= t->programs / 100,
	      "%s: %lu of %lu lookups of the running program failed (at most 1%% may race a swap)",
	      what, t->judged[RUN_FAILED], t->programs);
}

/* ---------------------------------------------------------------------
 * The checks.
 */

/* What ext0 runs must be config A's. */
static void check_runs_a(const char *when)
{
	int ifindex = ifindex_of("ext0");
	__u32 id = 0;

	CHECK_EQ(judge_xdp_link(ifindex, &id), JUDGED_A,
		 "%s: ext0's XDP program passes P_A only (A's verdicts)", when);
	CHECK_EQ(judge_tc_filter(ifindex, &id), JUDGED_A,
		 "%s: ext0's TC program passes egress P_A only (A's verdicts)",
		 when);
}

static int reloads_wanted(void)
{
	const char *env = getenv("EDGEFW_TEST_RELOADS");
	int n = env ? atoi(env) : DEFAULT_RELOADS;

	if (n < 2 || n % 2)
		tap_bail("EDGEFW_TEST_RELOADS must be even and at least 2");
	return n;
}

static void check_reload_storm(void)
{
	int nr_reloads = reloads_wanted();
	const char *a = write_config("a.conf", config_a);
	const char *b = write_config("b.conf", config_b);
	static struct prober pr;
	int failed = 0, rc, progress_every = (nr_reloads + 9) / 10;
	double total = 0, slowest = 0;
	__u32 id0 = link_prog_id("ext0");

	pr.ifindex = ifindex_of("ext0");
	atomic_store(&pr.stop, false);
	if (pthread_create(&pr.tid, NULL, probe_loop, &pr))
		tap_bail("pthread_create failed");
	for (int i = 0; i < nr_reloads; i++) {
		double t = now_s();

		rc = edgefw_cmd("reload", i % 2 ? a : b);
		t = now_s() - t;
		total += t;
		slowest = t > slowest ? t : slowest;
		/* progress, so that a suite's timeout shows how far it got */
		if ((i + 1) % progress_every == 0 || i + 1 == nr_reloads)
			tap_diag("reload %d of %d: %.1f s so far", i + 1,
				 nr_reloads, total);
		if (rc && !failed++) {
			tap_diag("reload %d (-c %s) exited %d", i + 1,
				 i % 2 ? "A" : "B", rc);
			edgefw_log_diag();
		}
	}
	atomic_store(&pr.stop, true);
	pthread_join(pr.tid, NULL);
	tap_diag(
		"%d reloads between A and B while the packet thread ran: %.1f s, %.2f s a reload, the slowest %.2f s",
		nr_reloads, total, total / nr_reloads, slowest);
	CHECK_EQ(failed, 0, "all %d reloads exited 0", nr_reloads);
	report_tally(&pr.xdp, "ext0 XDP link");
	report_tally(&pr.tc, "ext0 TC filter");
	CHECK(link_prog_id("ext0") != id0,
	      "the XDP link runs another program than before the reloads");
	check_runs_a("after the reloads, which ended on A");
}

/* A reload that fails leaves everything as it was. */
static void check_failed_reload(const char *what, const char *config,
				int want_rc)
{
	int ext0 = ifindex_of("ext0"), int0 = ifindex_of("int0");
	__u32 link_ext0 = link_prog_id("ext0"),
	      link_int0 = link_prog_id("int0");
	__u32 tc_ext0 = tc_prog_id(ext0), tc_int0 = tc_prog_id(int0);
	__u32 xdp_ext0 = xdp_prog_id(ext0);
	int rc;

	rc = edgefw_cmd("reload", config);
	if (!CHECK_EQ(rc, want_rc, "%s: reload exits %d", what, want_rc))
		edgefw_log_diag();
	CHECK(link_ext0 && link_prog_id("ext0") == link_ext0,
	      "%s: ext0's XDP link runs the same program (%u)", what,
	      link_ext0);
	CHECK(xdp_ext0 && xdp_prog_id(ext0) == xdp_ext0,
	      "%s: ext0 runs the same XDP program", what);
	CHECK(link_int0 && link_prog_id("int0") == link_int0,
	      "%s: int0's XDP link runs the same program (%u)", what,
	      link_int0);
	CHECK(tc_ext0 && tc_prog_id(ext0) == tc_ext0,
	      "%s: ext0's TC filter runs the same program (%u)", what, tc_ext0);
	CHECK(tc_int0 && tc_prog_id(int0) == tc_int0,
	      "%s: int0's TC filter runs the same program (%u)", what, tc_int0);
	check_runs_a(what);
}

/* A foreign XDP program: returns XDP_PASS. */
static int foreign_xdp_prog(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "foreign", "GPL", insns,
			       ARRAY_SIZE(insns), NULL);

	if (fd < 0)
		tap_bail("cannot load a foreign XDP program: %s",
			 strerror(errno));
	return fd;
}

static void check_failed_reloads(void)
{
	int int1, foreign;
	__u32 foreign_id;

	check_failed_reload("bad config", write_config("bad.conf", config_bad),
			    2);
	check_failed_reload("an interface that does not exist",
			    write_config("noiface.conf", config_no_iface), 1);

	/* int1 busy with another XDP program: fails while switching */
	run("ip link add int1 type veth peer name int1p");
	run("ip link set int1p up && ip link set int1 up");
	int1 = ifindex_of("int1");
	foreign = foreign_xdp_prog();
	if (bpf_xdp_attach(int1, foreign, 0, NULL))
		tap_bail("cannot attach the foreign XDP program: %s",
			 strerror(errno));
	foreign_id = xdp_prog_id(int1);
	check_failed_reload("an added interface with a foreign XDP program",
			    write_config("busy.conf", config_busy_iface), 1);
	CHECK(foreign_id && xdp_prog_id(int1) == foreign_id,
	      "the foreign program on int1 is still attached");
	CHECK(!tc_prog_id(int1), "no edgefw TC filter left on int1 egress");
	CHECK(!pinned(PIN_XDP_LINK, "int1") && !pinned(PIN_TC_PROG, "int1"),
	      "no pins for int1");
	bpf_xdp_detach(int1, 0, NULL);
	close(foreign);
	run("ip link del int1");
}

static void check_iface_removed_added(void)
{
	const char *ext_only = write_config("ext-only.conf", config_ext_only);
	const char *a = write_config("a.conf", config_a);
	int int0 = ifindex_of("int0");
	struct pkt frontend;
	__u32 id;
	int prog, rc;

	rc = edgefw_cmd("reload", ext_only);
	if (!CHECK_EQ(rc, 0, "reload to ext0 only exits 0"))
		edgefw_log_diag();
	CHECK_EQ(xdp_prog_id(int0), 0,
		 "int0 dropped: no XDP program left on int0");
	CHECK_EQ(tc_prog_id(int0), 0,
		 "int0 dropped: no edgefw TC filter on int0 egress");
	CHECK(!pinned(PIN_XDP_LINK, "int0"),
	      "int0 dropped: its XDP link unpinned");
	CHECK(!pinned(PIN_TC_PROG, "int0"),
	      "int0 dropped: its TC program unpinned");
	check_runs_a("int0 dropped");

	rc = edgefw_cmd("reload", a);
	if (!CHECK_EQ(rc, 0, "reload adding int0 back exits 0"))
		edgefw_log_diag();
	id = link_prog_id("int0");
	CHECK(id && xdp_prog_id(int0) == id,
	      "int0 added: its pinned XDP link's program is attached to int0");
	CHECK(pins_iface_prog_id(&paths, PIN_TC_PROG, "int0") &&
		      tc_prog_id(int0) ==
			      pins_iface_prog_id(&paths, PIN_TC_PROG, "int0"),
	      "int0 added: its pinned TC program is int0's egress filter");
	/* and it judges: the front-end rule on int0 */
	if (pkt_build(&(struct pkt_spec){ TCP("10.1.1.5", 40001, "10.1.0.10",
					      23456, PKT_SYN) },
		      &frontend))
		tap_bail("the front-end probe does not build");
	prog = id ? bpf_prog_get_fd_by_id(id) : -1;
	CHECK(prog >= 0 && run_probe(prog, true, int0, &frontend) == 1,
	      "int0 added: its XDP program passes a front-end SYN to 10.1.0.10:23456");
	if (prog >= 0)
		close(prog);
	check_runs_a("int0 added");
}

static void check_unload(void)
{
	int ext0 = ifindex_of("ext0"), int0 = ifindex_of("int0");
	int rc = edgefw_cmd("unload", NULL);

	if (!CHECK_EQ(rc, 0, "unload exits 0"))
		edgefw_log_diag();
	else
		load_tried = false;
	CHECK(!xdp_prog_id(ext0) && !xdp_prog_id(int0),
	      "unloaded: no XDP program on ext0 or int0");
	CHECK(!tc_prog_id(ext0) && !tc_prog_id(int0),
	      "unloaded: no edgefw TC filter on ext0 or int0");
	CHECK(access(paths.pin_dir, F_OK) && errno == ENOENT,
	      "unloaded: %s is gone", paths.pin_dir);
}

int main(int argc, char **argv)
{
	const char *a;
	int rc;

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup_paths(argv[0]);
	atexit(cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	make_namespace();
	build_probes();

	a = write_config("a.conf", config_a);
	load_tried = true;
	rc = edgefw_cmd("load", a);
	if (!CHECK_EQ(rc, 0, "load -c A exits 0")) {
		edgefw_log_diag();
		tap_bail("nothing to reload");
	}
	check_runs_a("loaded A");

	check_reload_storm();
	check_failed_reloads();
	check_iface_removed_added();
	check_unload();
	cleanup();
	return tap_done();
}
