// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's loop: one poll over the netlink events, the signals,
 * timers, and the samples of the drops for the summary's top sources. Events only mark the state dirty; a short settle timer
 * then compares the machine with what is loaded once, so that an address
 * flapping a thousand times a minute costs a few reloads, the last of
 * which leaves the right state.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include "control.h"
#include "daemon.h"
#include "etcd.h"
#include "events.h"
#include "flowfilter.h"
#include "log.h"
#include "metrics_http.h"
#include "notify.h"
#include "op_block.h"
#include "pool.h"
#include "refresh.h"
#include "state.h"
#include "summary.h"
#include "sync.h"
#include "util.h"
#include "watch.h"

#define SETTLE_MS 100 /* after an event, before looking */
#define RESYNC_MS 250 /* at least this long between two looks */
#define PRUNE_MAX_MS 60000 /* blocks added by the CLI are seen this late */

enum {
	FD_WATCH, /* netlink: links and addresses */
	FD_SIGNAL,
	FD_SETTLE, /* timer: look at the machine after its changes settled */
	FD_PRUNE, /* timer: the next block to expire */
	FD_WATCHDOG, /* timer: systemd's */
	FD_FILES, /* inotify: blocklist.json replaced, state.json removed */
	FD_SUMMARY, /* timer: the drop summary's interval */
	FD_PARTNERS, /* timer: partner domains to resolve (refresh.c) */
	FD_DNS, /* their answers */
	FD_CONTROL, /* the control socket's epoll (control.h) */
	FD_SAMPLES, /* the drop samples' ring (events.h), for the summary */
	FD_SAMPLER, /* timer: renew the sampler's lease, every second */
	FD_POOL, /* the pool's epoll (pool.h): etcd's watch, its timers */
	FD_FLOW_FILTER, /* timer: see whether the flow filter needs a rebuild */
	NR_FDS
};

struct daemon {
	struct paths paths;
	struct daemon_config dc;
	struct watch *watch;
	struct metrics_http *metrics; /* NULL: no metrics listen */
	struct drop_summary summary;
	struct events sampler; /* the drop samples' reader */
	bool sampling; /* sampler is open */
	struct daemon_partners *partners;
	struct control *control;
	struct daemon_pool *pool; /* NULL: the config has no pool */
	/* the loaded config whose pool statement d->pool follows */
	char pool_hash[SHA256_HEX_LEN + 1];
	struct pollfd fds[NR_FDS];
	int64_t last_sync_ms;
	bool dirty;
	bool unloaded; /* 'edgefw unload' ran: the daemon ends */
	int blocks_wd, state_wd; /* inotify: state_dir, run_dir */
};

static int64_t mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

static void arm(int fd, int64_t ms, int64_t interval_ms)
{
	struct itimerspec t = {
		.it_value = { ms / 1000, ms % 1000 * 1000000 },
		.it_interval = { interval_ms / 1000,
				 interval_ms % 1000 * 1000000 },
	};

	/* 0 would disarm: "now" is a nanosecond */
	if (!ms)
		t.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &t, NULL);
}

/*
 * The bits of flows that went pile up in the flow filter: looked at every
 * 10 s (EDGEFW_FLOW_FILTER_SECS in the environment: 1 to 3600), it is
 * built anew from the flow tables when a quarter of a family's bits are
 * set (flowfilter.h). A look reads the filter, 1 MiB at the default
 * 262,144 flows; a rebuild walks the tables.
 */
static void refresh_flow_filter(struct daemon *d)
{
	struct flow_filter_fill before;
	int lock = state_lock(&d->paths);

	if (lock >= 0 && flow_filter_refresh_pinned(&d->paths, &before) == 1)
		log_info(
			"rebuilt the flow filter from the flow tables (bits set before: IPv4 %.1f%%, IPv6 %.1f%%%s)",
			100.0 * before.set[0] / (before.bits ? before.bits : 1),
			100.0 * before.set[1] / (before.bits ? before.bits : 1),
			before.ready ? "" : "; it was not asked yet");
	state_unlock(lock);
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) > 0)
		;
}

/*
 * The machine may have changed: look soon, but not too often. The first
 * change sets the time to look; later ones do not put it off, or a
 * steady stream of changes would keep it from ever coming.
 */
static void mark_dirty(struct daemon *d)
{
	int64_t wait = SETTLE_MS;
	int64_t since = mono_ms() - d->last_sync_ms;

	if (d->dirty)
		return;
	if (since + wait < RESYNC_MS)
		wait = RESYNC_MS - since;
	d->dirty = true;
	arm(d->fds[FD_SETTLE].fd, wait, 0);
}

static void resync(struct daemon *d)
{
	bool reloaded;
	int rc;

	d->dirty = false;
	d->last_sync_ms = mono_ms();
	rc = sync_apply(&d->paths, &d->dc, false, &reloaded);
	if (rc == SYNC_UNLOADED)
		d->unloaded = true;
	else if (rc)
		log_err("the loaded state could not follow the machine; trying again at the next change");
	else if (reloaded)
		notify_status(
			"filtering; followed a change of interfaces or addresses");
}

static void prune(struct daemon *d)
{
	int64_t next = PRUNE_MAX_MS;
	struct block_report r;
	int lock = state_lock(&d->paths);

	if (lock >= 0 && op_block_prune(&d->paths, &r) == 0) {
		if (r.expired)
			log_info("%zu expired %s left the blocklist", r.expired,
				 r.expired == 1 ? "block" : "blocks");
		if (r.next_expiry_ms && r.next_expiry_ms - wall_now_ms() < next)
			next = r.next_expiry_ms - wall_now_ms();
	}
	state_unlock(lock);
	arm(d->fds[FD_PRUNE].fd, next > 0 ? next : 0, 0);
}

/*
 * A reloaded config may move the metrics: the new address is bound
 * before the old one closes; when it cannot be while the old one is open
 * (the same port on an address that overlaps), the old one closes and it
 * is tried again. A new address that cannot be had leaves the metrics
 * off, and says why.
 */
static void follow_metrics(struct daemon *d)
{
	const struct cfg_metrics *m = &d->dc.metrics;
	struct metrics_http *h = NULL;

	if (metrics_http_serves(d->metrics, m))
		return;
	if (m->listen)
		h = metrics_http_start(&d->paths, d->dc.path, m);
	if (!h && m->listen && d->metrics) {
		log_info("closing the metrics' old address to try again");
		metrics_http_stop(d->metrics);
		d->metrics = NULL;
		h = metrics_http_start(&d->paths, d->dc.path, m);
	}
	if (!m->listen)
		log_info(
			"metrics: the config has no metrics listen any more: no longer serving /metrics");
	metrics_http_stop(d->metrics);
	d->metrics = h;
}

/*
 * The pool of the config now loaded, followed anew (read whole) after a
 * reload: its statement may have changed, or gone.
 */
static void follow_pool(struct daemon *d)
{
	struct runtime_state st;

	if (state_read(&d->paths, &st))
		st.config_hash[0] = '\0';
	snprintf(d->pool_hash, sizeof(d->pool_hash), "%s", st.config_hash);
	daemon_pool_close(d->pool);
	d->pool = daemon_pool_open(&d->paths);
	d->fds[FD_POOL].fd = daemon_pool_fd(d->pool);
	d->fds[FD_POOL].events = POLLIN;
}

static void reload_config(struct daemon *d)
{
	bool reloaded;
	int rc = -1;

	notify_reloading();
	log_info("SIGHUP: reloading %s", d->dc.path);
	if (sync_read_config(&d->dc) == 0) {
		rc = sync_apply(&d->paths, &d->dc, true, &reloaded);
	} else {
		sync_count_failed_reload(&d->paths); /* its errors are logged */
	}
	if (rc == SYNC_UNLOADED)
		d->unloaded = true;
	else if (rc == 0) {
		follow_metrics(d);
		follow_pool(d);
		notify_ready("filtering; the config was reloaded");
	} else
		notify_ready(
			"filtering with the config before; the reload failed");
	prune(d);
}

/* true when the daemon is to end */
static bool on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->fds[FD_SIGNAL].fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload_config(d);
		else
			return true;
	}
	return false;
}

/*
 * Blocks that the CLI adds expire on their own time: a new blocklist.json
 * (replaced by rename) moves the prune timer to its next expiry. And
 * 'edgefw unload' removes state.json: the daemon has nothing left to keep;
 * 'edgefw reload' replaces it: the pool follows the config now loaded.
 */
static int watch_files(struct daemon *d)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	const char *dir = d->paths.state_dir;

	if (fd < 0 || mkdir_p(dir, 0700))
		goto fail;
	d->blocks_wd = inotify_add_watch(fd, dir, IN_MOVED_TO);
	if (d->blocks_wd < 0)
		goto fail;
	dir = d->paths.run_dir;
	d->state_wd = inotify_add_watch(fd, dir, IN_DELETE | IN_MOVED_TO);
	if (d->state_wd < 0)
		goto fail;
	d->fds[FD_FILES].fd = fd;
	return 0;
fail:
	log_err("cannot watch %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool names(const struct inotify_event *ev, int wd, const char *path)
{
	return ev->wd == wd && ev->len &&
	       !strcmp(ev->name, strrchr(path, '/') + 1);
}

static void on_files(struct daemon *d)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	bool blocks = false, state = false, replaced = false;
	struct runtime_state st;
	ssize_t n;

	while ((n = read(d->fds[FD_FILES].fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (void *)p;

			blocks |= names(ev, d->blocks_wd, d->paths.blocks_file);
			if (names(ev, d->state_wd, d->paths.state)) {
				state |= ev->mask & IN_DELETE;
				replaced |= ev->mask & IN_MOVED_TO;
			}
			p += sizeof(*ev) + ev->len;
		}
	}
	/* a load that cleans up after one cut short removes it too */
	if (state && sync_unloaded(&d->paths)) {
		d->unloaded = true;
		return;
	}
	if (blocks)
		prune(d);
	/* a reload by the CLI, of this config or another */
	if (replaced && state_read(&d->paths, &st) == 0 &&
	    strcmp(st.config_hash, d->pool_hash)) {
		log_info(
			"the loaded config changed (sha256 %.12s): following its pool",
			st.config_hash);
		follow_pool(d);
	}
}

static int on_sample(const struct event_view *v, void *ctx)
{
	struct daemon *d = ctx;

	if (d->summary.sources)
		sources_add(d->summary.sources, v->ev);
	return 0;
}

/*
 * Read the drop samples for the summary's top sources. Without them (an
 * edgefw loaded by a version without the samples ring: a reload adds it)
 * the summary names no sources; tried again at the next summary.
 */
static void sampler_open(struct daemon *d)
{
	const struct events_filter all = { .reason = -1 };

	if (d->sampling)
		return;
	d->sampling = events_open(&d->sampler, &d->paths, EDGEFW_READER_SAMPLER,
				  &all, on_sample, d) == 0;
	if (!d->sampling)
		log_warn(
			"the drop summary names no sources until the samples can be read");
	d->fds[FD_SAMPLES].fd = d->sampling ? events_fd(&d->sampler) : -1;
}

static void sampler_close(struct daemon *d)
{
	if (d->sampling)
		events_close(&d->sampler);
	d->sampling = false;
	d->fds[FD_SAMPLES].fd = -1;
}

/* The lease renewed, and a new load's ring followed. */
static void sampler_renew(struct daemon *d)
{
	if (d->sampling && events_renew(&d->sampler))
		sampler_close(d);
	if (d->sampling)
		d->fds[FD_SAMPLES].fd = events_fd(&d->sampler);
}

static int open_fds(struct daemon *d)
{
	sigset_t mask;
	uint64_t wd_us = notify_watchdog_interval_us();
	int watch_fd_;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d->watch = watch_open();
	watch_fd_ = d->watch ? watch_fd(d->watch) : -1;
	d->fds[FD_WATCH].fd = watch_fd_;
	d->fds[FD_SIGNAL].fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	for (int i = FD_SETTLE; i <= FD_WATCHDOG; i++)
		d->fds[i].fd = timerfd_create(CLOCK_MONOTONIC,
					      TFD_NONBLOCK | TFD_CLOEXEC);
	d->fds[FD_SUMMARY].fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->fds[FD_SAMPLER].fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->fds[FD_FLOW_FILTER].fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->fds[FD_FLOW_FILTER].events = POLLIN;
	d->fds[FD_SAMPLES].events = POLLIN;
	d->fds[FD_SAMPLER].events = POLLIN;
	if (d->fds[FD_SAMPLER].fd < 0 || d->fds[FD_FLOW_FILTER].fd < 0) {
		log_err("cannot set up the daemon's events: %s",
			strerror(errno));
		return -1;
	}
	if (watch_files(d))
		return -1;
	d->partners = daemon_partners_open(&d->paths);
	if (!d->partners)
		return -1;
	d->fds[FD_PARTNERS].fd = daemon_partners_timer_fd(d->partners);
	d->fds[FD_DNS].events = POLLIN;
	for (int i = 0; i < FD_DNS; i++) {
		if (d->fds[i].fd < 0) {
			log_err("cannot set up the daemon's events: %s",
				strerror(errno));
			return -1;
		}
		d->fds[i].events = POLLIN;
	}
	if (wd_us)
		arm(d->fds[FD_WATCHDOG].fd, wd_us / 1000, wd_us / 1000);
	return 0;
}

static void close_fds(struct daemon *d)
{
	metrics_http_stop(d->metrics);
	d->metrics = NULL;
	sampler_close(d);
	summary_close(&d->summary);
	watch_close(d->watch);
	daemon_partners_close(d->partners); /* its descriptors with it */
	d->fds[FD_PARTNERS].fd = d->fds[FD_DNS].fd = -1;
	control_close(d->control); /* its epoll descriptor with it */
	d->fds[FD_CONTROL].fd = -1;
	daemon_pool_close(d->pool);
	d->pool = NULL;
	d->fds[FD_POOL].fd = -1;
	for (int i = FD_SIGNAL; i < NR_FDS; i++) {
		if (d->fds[i].fd >= 0)
			close(d->fds[i].fd);
	}
}

static void loop(struct daemon *d)
{
	for (;;) {
		d->fds[FD_DNS].fd = daemon_partners_dns_fd(d->partners);
		if (poll(d->fds, NR_FDS, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return;
		}
		if (d->fds[FD_WATCH].revents && watch_read(d->watch))
			mark_dirty(d);
		if (d->fds[FD_SIGNAL].revents && on_signal(d))
			return;
		if (d->fds[FD_SETTLE].revents) {
			drain(d->fds[FD_SETTLE].fd);
			if (d->dirty)
				resync(d);
		}
		if (d->fds[FD_PRUNE].revents) {
			drain(d->fds[FD_PRUNE].fd);
			prune(d);
		}
		if (d->fds[FD_WATCHDOG].revents) {
			drain(d->fds[FD_WATCHDOG].fd);
			notify_watchdog();
		}
		if (d->fds[FD_FILES].revents)
			on_files(d);
		if (d->fds[FD_SAMPLES].fd >= 0 && d->fds[FD_SAMPLES].revents &&
		    events_consume(&d->sampler) < 0)
			sampler_close(d);
		if (d->fds[FD_SAMPLER].revents) {
			drain(d->fds[FD_SAMPLER].fd);
			sampler_renew(d);
		}
		if (d->fds[FD_SUMMARY].revents) {
			drain(d->fds[FD_SUMMARY].fd);
			/* the interval's samples that came since the poll */
			if (d->sampling && events_consume(&d->sampler) < 0)
				sampler_close(d);
			summary_tick(&d->summary, &d->paths);
			sampler_open(d);
		}
		if (d->fds[FD_PARTNERS].revents)
			daemon_partners_tick(d->partners);
		if (d->fds[FD_DNS].fd >= 0 && d->fds[FD_DNS].revents)
			daemon_partners_answers(d->partners);
		if (d->fds[FD_CONTROL].revents)
			control_dispatch(d->control);
		if (d->fds[FD_POOL].fd >= 0 && d->fds[FD_POOL].revents)
			daemon_pool_dispatch(d->pool);
		if (d->fds[FD_FLOW_FILTER].revents) {
			drain(d->fds[FD_FLOW_FILTER].fd);
			refresh_flow_filter(d);
		}
		if (d->unloaded)
			return;
	}
}

int daemon_run(const char *config_path, enum xdp_mode mode)
{
	struct daemon d = { .dc = { .path = config_path, .mode = mode } };
	char why[256];
	int64_t filter_ms;
	int rc = 2;

	log_journal = getenv("JOURNAL_STREAM") != NULL;
	for (int i = 0; i < NR_FDS; i++)
		d.fds[i].fd = -1;
	if (paths_init(&d.paths) || sync_read_config(&d.dc))
		goto out;
	rc = 1;
	/*
	 * Listening before the load: no change between the two is missed,
	 * and a metrics port that is taken stops the start before anything
	 * is loaded. The metrics thread starts once the signals are
	 * blocked, so they stay the loop's.
	 */
	if (open_fds(&d))
		goto out;
	if (d.dc.metrics.listen) {
		d.metrics =
			metrics_http_start(&d.paths, d.dc.path, &d.dc.metrics);
		if (!d.metrics)
			goto out;
	}
	/* the pool's etcd client too: a daemon that cannot follow it stops */
	if (d.dc.pool && etcd_lib_load(why, sizeof(why))) {
		log_err("%s:%u:%u: pool: cannot reach etcd: %s", d.dc.path,
			d.dc.pool_loc.line, d.dc.pool_loc.col, why);
		goto out;
	}
	if (sync_start(&d.paths, &d.dc))
		goto out;
	summary_init(&d.summary);
	summary_tick(&d.summary, &d.paths); /* what the first one counts from */
	arm(d.fds[FD_SUMMARY].fd, d.summary.secs * 1000LL,
	    d.summary.secs * 1000LL);
	sampler_open(&d);
	arm(d.fds[FD_SAMPLER].fd, 1000, 1000);
	filter_ms = 1000LL * env_seconds("EDGEFW_FLOW_FILTER_SECS", 3600, 10);
	arm(d.fds[FD_FLOW_FILTER].fd, filter_ms, filter_ms);
	/* without it the daemon filters all the same: poll skips fd -1 */
	d.control = control_open(&d.paths);
	d.fds[FD_CONTROL].fd = d.control ? control_fd(d.control) : -1;
	d.fds[FD_CONTROL].events = POLLIN;
	/* the pool's changes from etcd, once something is loaded */
	follow_pool(&d);
	/* what the load found may have changed already */
	mark_dirty(&d);
	prune(&d);
	notify_ready("filtering");
	log_info("filtering; following %s's interfaces and addresses",
		 d.dc.path);
	loop(&d);
	notify_stopping();
	if (d.unloaded)
		log_info(
			"the filter was unloaded ('edgefw unload'): nothing left to follow; stopping");
	else
		log_info(
			"stopping; the filter stays loaded ('edgefw unload' removes it)");
	rc = 0;
out:
	close_fds(&d);
	free(d.dc.text);
	return rc;
}
