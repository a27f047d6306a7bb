// SPDX-License-Identifier: GPL-2.0
/*
 * The etcd client (user/etcd.c) against a real three-member etcd cluster
 * (Debian's etcd-server) that this test starts on loopback addresses of
 * its own (127.N.M.1-3, from its pid), with its own data directories,
 * and stops at its end, whatever happens (atexit, SIGTERM, SIGINT):
 * put, get, range at a revision, delete, leases (one that expires takes
 * its key), a watch from a revision seeing every change including those
 * made before it started, one member killed changing nothing, every
 * member stopped giving a clear error and the watch resuming from its
 * revision once they are back, a compacted revision, and answers that
 * are not etcd's (a fake server). Waits are bounded; nothing is timed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "etcd.h"
#include "tap.h"
#include "util.h"

#define MEMBERS 3
#define PREFIX "/edgefw/test-pool/"

extern char **environ;

static char data_root[64];
static char addr[MEMBERS][32];
static char client_url[MEMBERS][64];
static pid_t member_pid[MEMBERS];
static char cluster[512];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void member_start(int i, bool fresh)
{
	char name[16], dir[128], peer[64], log[160];
	posix_spawn_file_actions_t fa;
	char *argv[32];
	int n = 0;

	snprintf(name, sizeof(name), "m%d", i);
	snprintf(dir, sizeof(dir), "%s/%s", data_root, name);
	snprintf(peer, sizeof(peer), "http://%s:2380", addr[i]);
	snprintf(log, sizeof(log), "%s/%s.log", data_root, name);
	argv[n++] = "etcd";
	argv[n++] = "--name";
	argv[n++] = name;
	argv[n++] = "--data-dir";
	argv[n++] = dir;
	argv[n++] = "--listen-client-urls";
	argv[n++] = client_url[i];
	argv[n++] = "--advertise-client-urls";
	argv[n++] = client_url[i];
	argv[n++] = "--listen-peer-urls";
	argv[n++] = peer;
	argv[n++] = "--initial-advertise-peer-urls";
	argv[n++] = peer;
	argv[n++] = "--initial-cluster";
	argv[n++] = cluster;
	argv[n++] = "--initial-cluster-token";
	argv[n++] = data_root;
	argv[n++] = "--initial-cluster-state";
	argv[n++] = fresh ? "new" : "existing";
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log,
					 O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (posix_spawnp(&member_pid[i], "etcd", &fa, NULL, argv, environ))
		tap_bail(
			"cannot run etcd (apt-get install etcd-server: scripts/install-deps.sh)");
	posix_spawn_file_actions_destroy(&fa);
}

static void member_stop(int i, int sig)
{
	if (member_pid[i] <= 0)
		return;
	kill(member_pid[i], sig);
	waitpid(member_pid[i], NULL, 0);
	member_pid[i] = 0;
}

static void cleanup(void)
{
	char cmd[128];

	for (int i = 0; i < MEMBERS; i++)
		member_stop(i, SIGKILL);
	if (data_root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", data_root);
		if (system(cmd))
			fprintf(stderr, "# cannot remove %s\n", data_root);
		data_root[0] = '\0';
	}
}

static void on_signal(int sig)
{
	(void)sig;
	exit(1); /* atexit's cleanup stops the members */
}

static void cluster_setup(void)
{
	unsigned int n = getpid() % 60000;
	size_t off = 0;

	snprintf(data_root, sizeof(data_root), "/tmp/edgefw-etcd.XXXXXX");
	if (!mkdtemp(data_root))
		tap_bail("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < MEMBERS; i++) {
		snprintf(addr[i], sizeof(addr[i]), "127.%u.%u.%d",
			 100 + n / 256 % 100, n % 256, i + 1);
		snprintf(client_url[i], sizeof(client_url[i]), "http://%s:2379",
			 addr[i]);
		off += snprintf(cluster + off, sizeof(cluster) - off,
				"%sm%d=http://%s:2380", i ? "," : "", i,
				addr[i]);
	}
	for (int i = 0; i < MEMBERS; i++)
		member_start(i, true);
}

static struct etcd *client(const char *const *eps, size_t n)
{
	struct etcd_opts o = { .endpoints = eps,
			       .nr_endpoints = n,
			       .timeout_ms = 2000,
			       .connect_timeout_ms = 500 };
	struct etcd_err err;
	struct etcd *e = etcd_new(&o, &err);

	if (!e)
		tap_bail("%s", err.msg);
	return e;
}

/* Bounded: puts until one is written (the cluster has a leader). */
static bool wait_writable(struct etcd *e, int max_ms, struct etcd_err *err)
{
	int64_t end = now_ms() + max_ms;
	struct etcd_header h;

	while (now_ms() < end) {
		if (etcd_put(e, "/edgefw/test-ready", "1", 1, 0, &h, err) == 0)
			return true;
		usleep(200 * 1000);
	}
	return false;
}

/* The watch's event loop: epoll on the sockets curl names, its timer. */
struct loop {
	int ep;
	int64_t timer_at; /* -1: none */
	struct etcd_watch *w;
};

static void loop_sock(void *user, int fd, unsigned int events)
{
	struct loop *l = user;
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (!events) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT)
		epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void loop_timer(void *user, long ms)
{
	struct loop *l = user;

	l->timer_at = ms < 0 ? -1 : now_ms() + ms;
}

struct seen {
	struct etcd_event ev[64];
	size_t n;
	int ended; /* 1: the watch ended, err says why */
	struct etcd_err err;
};

static void seen_free(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		etcd_kv_free(&s->ev[i].kv);
	memset(s, 0, sizeof(*s));
}

/*
 * Drive the watch until want events came, it ended, or max_ms passed
 * (a bound, not a measure). With want 0: until it is created or ended.
 */
static void drive(struct loop *l, struct seen *s, size_t want, int max_ms)
{
	int64_t end = now_ms() + max_ms;

	while (now_ms() < end) {
		struct epoll_event evs[8];
		int64_t t = end - now_ms();
		int n, rc;

		for (;;) {
			struct etcd_event ev;

			rc = etcd_watch_next(l->w, &ev, &s->err);
			if (rc == 1 && s->n < ARRAY_SIZE(s->ev))
				s->ev[s->n++] = ev;
			else if (rc == 1)
				etcd_kv_free(&ev.kv);
			else
				break;
		}
		if (rc < 0) {
			s->ended = 1;
			return;
		}
		if ((want && s->n >= want) ||
		    (!want && etcd_watch_created(l->w)))
			return;
		if (l->timer_at >= 0 && l->timer_at - now_ms() < t)
			t = l->timer_at - now_ms();
		n = epoll_wait(l->ep, evs, 8, t < 0 ? 0 : (int)t);
		for (int i = 0; i < n; i++)
			etcd_watch_socket(l->w, evs[i].data.fd, evs[i].events);
		if (l->timer_at >= 0 && now_ms() >= l->timer_at) {
			l->timer_at = -1;
			etcd_watch_timer(l->w);
		}
	}
}

static void watch_start(struct loop *l, struct etcd *e, int64_t from)
{
	struct etcd_watch_io io = { loop_sock, loop_timer, l };
	struct etcd_err err;

	l->timer_at = -1;
	l->w = etcd_watch_new(e, PREFIX, from, &io, &err);
	if (!l->w)
		tap_bail("%s", err.msg);
}

static void watch_stop(struct loop *l)
{
	etcd_watch_free(l->w);
	l->w = NULL;
}

static bool event_is(const struct etcd_event *ev, enum etcd_event_type t,
		     const char *key, const char *value)
{
	return ev->type == t && !strcmp(ev->kv.key, key) &&
	       (!value || !strcmp(ev->kv.value, value));
}

static void diag_events(const struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		tap_diag("event %zu: %s %s = '%s' at %lld", i,
			 s->ev[i].type == ETCD_EVENT_PUT ? "PUT" : "DELETE",
			 s->ev[i].kv.key, s->ev[i].kv.value,
			 (long long)s->ev[i].kv.mod_revision);
	if (s->ended)
		tap_diag("ended: %s", s->err.msg);
}

static int64_t put(struct etcd *e, const char *key, const char *value,
		   int64_t lease)
{
	struct etcd_header h;
	struct etcd_err err;

	if (etcd_put(e, key, value, strlen(value), lease, &h, &err)) {
		tap_diag("put %s: %s", key, err.msg);
		return -1;
	}
	return h.revision;
}

static void test_kv(struct etcd *e)
{
	struct etcd_range r;
	struct etcd_header h;
	struct etcd_err err;
	int64_t r1, r2, deleted = 0;

	r1 = put(e, PREFIX "kv/a", "one", 0);
	r2 = put(e, PREFIX "kv/a", "two", 0);
	CHECK(r1 > 0 && r2 > r1, "put: each write a new revision (%lld, %lld)",
	      (long long)r1, (long long)r2);
	CHECK(etcd_get(e, PREFIX "kv/a", 0, &r, &err) == 0 && r.nr_kvs == 1 &&
		      !strcmp(r.kvs[0].value, "two") &&
		      r.kvs[0].mod_revision == r2 && r.kvs[0].version == 2,
	      "get: the last value, its revision and version");
	etcd_range_free(&r);
	CHECK(etcd_get(e, PREFIX "kv/a", r1, &r, &err) == 0 && r.nr_kvs == 1 &&
		      !strcmp(r.kvs[0].value, "one"),
	      "get at an earlier revision: the value it had then");
	etcd_range_free(&r);

	put(e, PREFIX "kv/b", "", 0);
	put(e, PREFIX "kv/c/d", "\xc3\xa9\x01 binary", 0);
	put(e, "/edgefw/test-pool0", "outside", 0);
	put(e, "/edgefw/test-poo", "outside", 0);
	CHECK(etcd_range_prefix(e, PREFIX "kv/", 0, &r, &err) == 0 &&
		      r.nr_kvs == 3 && r.count == 3 &&
		      !strcmp(r.kvs[0].key, PREFIX "kv/a") &&
		      !strcmp(r.kvs[1].key, PREFIX "kv/b") &&
		      r.kvs[1].value_len == 0 &&
		      !strcmp(r.kvs[2].value, "\xc3\xa9\x01 binary"),
	      "range of a prefix: its three keys in order, an empty value, bytes as they were; nothing beside it");
	if (r.nr_kvs != 3)
		tap_diag("%zu keys: %s", r.nr_kvs, err.msg);
	etcd_range_free(&r);

	CHECK(etcd_delete(e, PREFIX "kv/a", false, &deleted, &h, &err) == 0 &&
		      deleted == 1 && h.revision > r2,
	      "delete: one key, a new revision");
	CHECK(etcd_get(e, PREFIX "kv/a", 0, &r, &err) == 0 && r.nr_kvs == 0,
	      "get of a deleted key: none");
	etcd_range_free(&r);
	CHECK(etcd_delete(e, PREFIX "kv/", true, &deleted, &h, &err) == 0 &&
		      deleted == 2,
	      "delete of a prefix: its two keys left (%lld)",
	      (long long)deleted);
	CHECK(etcd_get(e, "/edgefw/test-pool0", 0, &r, &err) == 0 &&
		      r.nr_kvs == 1,
	      "delete of a prefix: a key beside it stays");
	etcd_range_free(&r);
	CHECK(etcd_get(e, PREFIX "kv/a", r2 + 1000000, &r, &err) == -1 &&
		      err.code == ETCD_OUT_OF_RANGE && !err.transport &&
		      strstr(err.msg, "future revision"),
	      "get at a future revision: etcd's error, with its code: %s",
	      err.msg);
}

static void test_leases(struct etcd *e, struct loop *l)
{
	int64_t id = 0, granted = 0, ttl = 0, start;
	struct etcd_range r;
	struct etcd_err err;
	struct seen s = {};

	bool ok;

	ok = etcd_lease_grant(e, 1, &id, &granted, &err) == 0;
	CHECK(ok && id > 0 && granted >= 1,
	      "lease grant of 1 s: etcd gives %lld s", (long long)granted);
	tap_diag("etcd 3.4 grants a lease of 1 s as %lld s (its minimum TTL)",
		 (long long)granted);
	ok = etcd_lease_keepalive(e, id, &ttl, &err) == 0;
	CHECK(ok && ttl == granted, "lease keep-alive: the TTL again (%lld)",
	      (long long)ttl);
	start = put(e, PREFIX "lease/a", "x", id);
	CHECK(start > 0, "put with the lease");
	watch_start(l, e, start + 1);
	drive(l, &s, 1, 20000);
	CHECK(s.n == 1 && event_is(&s.ev[0], ETCD_EVENT_DELETE,
				   PREFIX "lease/a", NULL),
	      "the lease runs out: the watch sees its key deleted");
	diag_events(&s);
	seen_free(&s);
	watch_stop(l);
	CHECK(etcd_get(e, PREFIX "lease/a", 0, &r, &err) == 0 && r.nr_kvs == 0,
	      "the lease ran out: the key is gone");
	etcd_range_free(&r);
	CHECK(etcd_lease_keepalive(e, id, &ttl, &err) == -1 &&
		      err.code == ETCD_NOT_FOUND,
	      "keep-alive of a lease run out: an error: %s", err.msg);

	CHECK(etcd_lease_grant(e, 600, &id, &granted, &err) == 0 &&
		      granted == 600,
	      "lease grant of 600 s");
	put(e, PREFIX "lease/b", "y", id);
	CHECK(etcd_lease_revoke(e, id, &err) == 0, "lease revoke");
	CHECK(etcd_get(e, PREFIX "lease/b", 0, &r, &err) == 0 && r.nr_kvs == 0,
	      "a revoked lease's key is gone at once");
	etcd_range_free(&r);
	CHECK(etcd_lease_revoke(e, id, &err) == -1 &&
		      err.code == ETCD_NOT_FOUND && !err.transport &&
		      strstr(err.msg, "lease not found"),
	      "revoke of an unknown lease: etcd's error: %s", err.msg);
	CHECK(put(e, PREFIX "lease/c", "z", id) == -1,
	      "a put with an unknown lease is refused");
}

static void test_watch(struct etcd *e, struct loop *l)
{
	struct seen s = {};
	int64_t from;

	from = put(e, PREFIX "w/a", "1", 0);
	put(e, PREFIX "w/b", "2", 0);
	put(e, PREFIX "w/a", "3", 0);
	etcd_delete(e, PREFIX "w/b", false, &(int64_t){ 0 },
		    &(struct etcd_header){}, &(struct etcd_err){});
	put(e, "/edgefw/test-pool0", "outside", 0);
	watch_start(l, e, from);
	drive(l, &s, 0, 10000);
	CHECK(etcd_watch_created(l->w), "watch: created");
	put(e, PREFIX "w/c", "4", 0);
	drive(l, &s, 5, 10000);
	CHECK(s.n == 5 &&
		      event_is(&s.ev[0], ETCD_EVENT_PUT, PREFIX "w/a", "1") &&
		      event_is(&s.ev[1], ETCD_EVENT_PUT, PREFIX "w/b", "2") &&
		      event_is(&s.ev[2], ETCD_EVENT_PUT, PREFIX "w/a", "3") &&
		      event_is(&s.ev[3], ETCD_EVENT_DELETE, PREFIX "w/b",
			       NULL) &&
		      event_is(&s.ev[4], ETCD_EVENT_PUT, PREFIX "w/c", "4"),
	      "watch from a revision: the four changes before it started and the one after, in order, nothing beside the prefix");
	diag_events(&s);
	CHECK(s.n == 5 && etcd_watch_resume_revision(l->w) ==
				  s.ev[4].kv.mod_revision + 1,
	      "watch: it resumes after the last change it gave");
	seen_free(&s);
	watch_stop(l);
}

/* The member a client talks to, by its URL. */
static int member_of(const char *url)
{
	for (int i = 0; i < MEMBERS; i++) {
		if (!strcmp(client_url[i], url))
			return i;
	}
	return -1;
}

static void test_faults(struct etcd *e, struct loop *l)
{
	struct etcd_range r;
	struct etcd_err err;
	struct seen s = {};
	int64_t from, resume;
	int victim;

	from = put(e, PREFIX "f/a", "1", 0);
	watch_start(l, e, from);
	drive(l, &s, 1, 10000);
	victim = member_of(etcd_endpoint(e));
	CHECK(s.n == 1 && victim >= 0, "faults: watching through %s",
	      etcd_endpoint(e));
	member_stop(victim, SIGKILL);
	CHECK(put(e, PREFIX "f/b", "2", 0) > 0,
	      "one member killed: a put is written through another");
	CHECK(member_of(etcd_endpoint(e)) != victim,
	      "one member killed: the client moved to %s", etcd_endpoint(e));
	drive(l, &s, 2, 10000);
	CHECK(s.ended && s.err.transport,
	      "one member killed: the watch through it ends: %s", s.err.msg);
	resume = etcd_watch_resume_revision(l->w);
	seen_free(&s);
	watch_stop(l);
	watch_start(l, e, resume);
	drive(l, &s, 1, 10000);
	CHECK(s.n == 1 && event_is(&s.ev[0], ETCD_EVENT_PUT, PREFIX "f/b", "2"),
	      "one member killed: the watch resumes through another and misses nothing");
	diag_events(&s);
	seen_free(&s);
	CHECK(etcd_range_prefix(e, PREFIX "f/", 0, &r, &err) == 0 &&
		      r.nr_kvs == 2,
	      "one member killed: reads answer");
	etcd_range_free(&r);

	for (int i = 0; i < MEMBERS; i++)
		member_stop(i, SIGTERM);
	CHECK(put(e, PREFIX "f/c", "3", 0) == -1,
	      "every member stopped: a put fails");
	etcd_put(e, PREFIX "f/c", "3", 1, 0, &(struct etcd_header){}, &err);
	CHECK(err.transport && strstr(err.msg, "no etcd endpoint answered") &&
		      strstr(err.msg, client_url[0]) &&
		      strstr(err.msg, client_url[1]) &&
		      strstr(err.msg, client_url[2]),
	      "every member stopped: the error names each endpoint: %s",
	      err.msg);
	drive(l, &s, 1, 10000);
	CHECK(s.ended && s.n == 0 && s.err.transport,
	      "every member stopped: the watch ends: %s", s.err.msg);
	resume = etcd_watch_resume_revision(l->w);
	seen_free(&s);
	watch_stop(l);

	for (int i = 0; i < MEMBERS; i++)
		member_start(i, false);
	CHECK(wait_writable(e, 30000, &err),
	      "every member started again: writes resume (%s)",
	      err.msg[0] ? err.msg : "no error");
	put(e, PREFIX "f/d", "4", 0);
	watch_start(l, e, resume);
	drive(l, &s, 1, 10000);
	put(e, PREFIX "f/e", "5", 0);
	drive(l, &s, 2, 10000);
	CHECK(s.n == 2 &&
		      event_is(&s.ev[0], ETCD_EVENT_PUT, PREFIX "f/d", "4") &&
		      event_is(&s.ev[1], ETCD_EVENT_PUT, PREFIX "f/e", "5"),
	      "the cluster back: the watch resumes from its revision: the change made before it and the one after");
	diag_events(&s);
	seen_free(&s);
	watch_stop(l);
}

static void test_compacted(struct etcd *e, struct loop *l)
{
	struct seen s = {};
	char cmd[256];
	int64_t old, now;

	old = put(e, PREFIX "c/a", "1", 0);
	now = put(e, PREFIX "c/a", "2", 0);
	snprintf(cmd, sizeof(cmd),
		 "etcdctl --endpoints=%s compact %lld >/dev/null",
		 client_url[0], (long long)now);
	CHECK(system(cmd) == 0, "etcdctl compacts to %lld", (long long)now);
	watch_start(l, e, old);
	drive(l, &s, 1, 10000);
	CHECK(s.ended && s.err.code == ETCD_OUT_OF_RANGE &&
		      etcd_watch_compacted(l->w) == now,
	      "a watch from a compacted revision ends saying up to where: %s",
	      s.err.msg);
	seen_free(&s);
	watch_stop(l);
}

/* A server that answers every request with one canned HTTP answer. */
struct fake {
	int fd;
	char url[64];
	const char *answer;
	pthread_t thread;
};

static void *fake_serve(void *arg)
{
	struct fake *f = arg;
	char buf[4096];
	int c;

	while ((c = accept(f->fd, NULL, NULL)) >= 0) {
		/* One read takes a small request whole on loopback. */
		if (read(c, buf, sizeof(buf)) > 0 &&
		    write(c, f->answer, strlen(f->answer)) < 0)
			break;
		close(c);
	}
	return NULL;
}

static void fake_start(struct fake *f, const char *answer)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	f->answer = answer;
	f->fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, addr[0], &sa.sin_addr);
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(f->fd, 8) ||
	    getsockname(f->fd, (struct sockaddr *)&sa, &len))
		tap_bail("fake server: %s", strerror(errno));
	snprintf(f->url, sizeof(f->url), "http://%s:%u", addr[0],
		 ntohs(sa.sin_port));
	pthread_create(&f->thread, NULL, fake_serve, f);
}

static void fake_stop(struct fake *f)
{
	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->fd);
}

static void test_garbage(void)
{
	static const struct {
		const char *status, *body;
		const char *want;
	} cases[] = {
		{ "200 OK", "hello", "not JSON" },
		{ "404 Not Found", "404 page not found", "HTTP 404" },
		{ "200 OK", "{}", "no \"header\"" },
		{ "200 OK", "[1]", "not an object" },
		{ "200 OK", "{\"header\":{\"revision\":\"-1\"}}",
		  "\"revision\" is not a number" },
		{ "200 OK",
		  "{\"header\":{\"revision\":\"99999999999999999999\"}}",
		  "\"revision\" is not a number" },
		{ "200 OK", "{\"a\":", "JSON cut short" },
		{ "500 Internal Server Error", "{\"error\":\"x\"}",
		  "an error without a code" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct etcd_header h;
		struct etcd_err err;
		char answer[512];
		struct fake f;
		struct etcd *e;
		const char *eps[1];

		snprintf(
			answer, sizeof(answer),
			"HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
			cases[i].status, strlen(cases[i].body), cases[i].body);
		fake_start(&f, answer);
		eps[0] = f.url;
		e = client(eps, 1);
		CHECK(etcd_put(e, PREFIX "g", "v", 1, 0, &h, &err) == -1 &&
			      err.garbage && strstr(err.msg, cases[i].want) &&
			      strstr(err.msg, f.url),
		      "an answer that is not etcd's (%s): %s", cases[i].want,
		      err.msg);
		etcd_free(e);
		fake_stop(&f);
	}
}

int main(void)
{
	const char *eps[MEMBERS];
	struct etcd_err err = {};
	struct loop l = { .timer_at = -1 };
	struct etcd *e;

	cluster_setup();
	for (int i = 0; i < MEMBERS; i++)
		eps[i] = client_url[i];
	e = client(eps, MEMBERS);
	l.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!CHECK(wait_writable(e, 60000, &err),
		   "a three-member etcd cluster on %s, %s, %s answers",
		   client_url[0], client_url[1], client_url[2])) {
		tap_diag("%s (logs in %s)", err.msg, data_root);
		return tap_done();
	}
	test_kv(e);
	test_leases(e, &l);
	test_watch(e, &l);
	test_faults(e, &l);
	test_compacted(e, &l);
	test_garbage();
	etcd_free(e);
	close(l.ep);
	return tap_done();
}
