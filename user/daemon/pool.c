// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's pool (pool.h). One epoll descriptor holds the watch's
 * sockets (curl's), curl's timer and a timer of its own: the backoff
 * while etcd does not answer, and once a second while it does, a look
 * at pool-queue.json for writes the CLI queued meanwhile.
 *
 * Changes come in batches (a range read whole, or what one turn of the
 * watch brought) and each batch is applied in one go: one change of the
 * blocklist for all its blocks, one of each set for its prefixes. Within
 * a batch a later change of the same entry replaces an earlier one, so
 * the batch ends as etcd's order does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "inspect.h"
#include "log.h"
#include "op_block.h"
#include "op_partner.h"
#include "op_set.h"
#include "pool.h"
#include "pool_mirror.h"
#include "pool_share.h"
#include "pool_state.h"
#include "state.h"
#include "statefile.h"
#include "util.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define QUEUE_LOOK_MS 1000 /* pool-queue.json looked at while connected */
/*
 * Degraded once etcd has not answered for this long: a member killed
 * costs the others an election (about a second with etcd's defaults),
 * during which reads fail; that is no outage to report.
 */
#define DEGRADED_AFTER_MS 3000

struct set_change {
	char set[NAME_LEN];
	struct prefix prefix;
	bool add;
};

struct partner_change {
	char set[NAME_LEN];
	char domain[DNSNAME_LEN];
	bool secure, remove;
};

/* What one batch changes, in etcd's order. */
struct batch {
	struct block_entry *adds;
	size_t nr_adds, cap_adds;
	struct prefix *dels;
	size_t nr_dels, cap_dels;
	struct set_change *sets;
	size_t nr_sets, cap_sets;
	struct partner_change *partners;
	size_t nr_partners, cap_partners;
};

struct daemon_pool {
	struct paths paths;
	struct cfg_pool conf;
	char watched[POOL_PREFIX_MAX + 2]; /* the prefix and its '/' */
	char eps[POOL_MAX_ENDPOINTS * POOL_URL_LEN];
	struct etcd *etcd;
	struct etcd_watch *watch;
	struct pool_mirror mirror;
	struct pool_state st; /* pool.json */
	int ep, curl_timer, timer;
	bool resync; /* the prefix is to be read whole */
	bool forget; /* ... into an empty mirror: a batch was not applied */
	bool degraded;
	int64_t backoff_ms;
	int64_t down_since_ms; /* the first failure of this outage; 0: none */
	int64_t saved_revision;
	struct batch b;
};

static void batch_clear(struct batch *b)
{
	b->nr_adds = b->nr_dels = b->nr_sets = b->nr_partners = 0;
}

static void batch_free(struct batch *b)
{
	free(b->adds);
	free(b->dels);
	free(b->sets);
	free(b->partners);
	memset(b, 0, sizeof(*b));
}

/* A later change of a block replaces what the batch held for it. */
static void forget_block(struct batch *b, const struct prefix *p)
{
	for (size_t i = 0; i < b->nr_adds; i++) {
		if (!prefix_cmp(&b->adds[i].prefix, p)) {
			b->adds[i] = b->adds[--b->nr_adds];
			break;
		}
	}
	for (size_t i = 0; i < b->nr_dels; i++) {
		if (!prefix_cmp(&b->dels[i], p)) {
			b->dels[i] = b->dels[--b->nr_dels];
			break;
		}
	}
}

static void on_block(struct batch *b, const struct pool_change *c)
{
	const struct pool_entry *e = c->e;

	forget_block(b, &e->prefix);
	if (c->what == POOL_REMOVED) {
		GROW(b->dels, b->cap_dels, b->nr_dels + 1);
		b->dels[b->nr_dels++] = e->prefix;
		return;
	}
	GROW(b->adds, b->cap_adds, b->nr_adds + 1);
	memset(&b->adds[b->nr_adds], 0, sizeof(*b->adds));
	b->adds[b->nr_adds].prefix = e->prefix;
	b->adds[b->nr_adds].added_ms = e->at_ms;
	b->adds[b->nr_adds].expires_ms = e->expires_ms;
	snprintf(b->adds[b->nr_adds].reason, BLOCK_REASON_LEN, "%s", e->reason);
	b->nr_adds++;
}

static void on_change(void *user, const struct pool_change *c)
{
	struct batch *b = user;
	const struct pool_entry *e = c->e;

	switch (e->kind) {
	case POOL_BLOCK:
		on_block(b, c);
		break;
	case POOL_SET:
		/*
		 * set/ keys are the differences from the config and are
		 * never deleted by edgefw (a 'set del' is a value); one
		 * deleted by hand changes nothing here.
		 */
		if (c->what == POOL_REMOVED)
			break;
		GROW(b->sets, b->cap_sets, b->nr_sets + 1);
		snprintf(b->sets[b->nr_sets].set, NAME_LEN, "%s", e->set);
		b->sets[b->nr_sets].prefix = e->prefix;
		b->sets[b->nr_sets].add = !e->del;
		b->nr_sets++;
		break;
	case POOL_PARTNER:
		GROW(b->partners, b->cap_partners, b->nr_partners + 1);
		snprintf(b->partners[b->nr_partners].set, NAME_LEN, "%s",
			 e->set);
		snprintf(b->partners[b->nr_partners].domain, DNSNAME_LEN, "%s",
			 e->domain);
		b->partners[b->nr_partners].secure = e->secure;
		b->partners[b->nr_partners].remove = c->what == POOL_REMOVED;
		b->nr_partners++;
		break;
	}
}

/* Consecutive changes of one set in one direction: one op_set_change. */
static void apply_sets(struct daemon_pool *dp)
{
	struct batch *b = &dp->b;
	struct loaded l;
	size_t i = 0;

	if (!b->nr_sets)
		return;
	if (loaded_open(&dp->paths, &l)) {
		log_warn(
			"pool: %zu set changes wait for edgefw to be loaded: they apply at the next range of the pool",
			b->nr_sets);
		return;
	}
	while (i < b->nr_sets) {
		struct prefix_list list = {};
		struct set_change_report r;
		size_t j = i;

		for (; j < b->nr_sets && b->sets[j].add == b->sets[i].add &&
		       !strcmp(b->sets[j].set, b->sets[i].set);
		     j++)
			plist_add(&list, &b->sets[j].prefix);
		if (op_set_change(&l, b->sets[i].set, b->sets[i].add, &list,
				  &r))
			log_err("pool: set %s: %zu changes from the pool could not apply here",
				b->sets[i].set, j - i);
		else if (r.changed)
			log_info("pool: %s %zu %s set %s",
				 b->sets[i].add ? "added" : "removed",
				 r.changed,
				 b->sets[i].add ? "prefixes to"
						: "prefixes from",
				 b->sets[i].set);
		plist_free(&list);
		i = j;
	}
	loaded_close(&l);
}

/* Partners resolve and take the lock on their own (op_partner.h). */
static void apply_partners(struct daemon_pool *dp)
{
	struct batch *b = &dp->b;
	struct loaded l;

	if (!b->nr_partners)
		return;
	if (loaded_open(&dp->paths, &l)) {
		log_warn(
			"pool: %zu partner changes wait for edgefw to be loaded",
			b->nr_partners);
		return;
	}
	for (size_t i = 0; i < b->nr_partners; i++) {
		const struct partner_change *c = &b->partners[i];
		struct partner pt;

		if (c->remove) {
			if (op_partner_del(&dp->paths, c->set, c->domain) == 0)
				log_info("pool: partner %s left set %s",
					 c->domain, c->set);
			continue;
		}
		if (op_partner_add(&dp->paths, &l, c->set, c->domain, c->secure,
				   &pt) == 0) {
			log_info("pool: partner %s in set %s", c->domain,
				 c->set);
			partner_free(&pt);
		}
	}
	loaded_close(&l);
}

static void save_revision(struct daemon_pool *dp)
{
	if (dp->mirror.revision == dp->saved_revision)
		return;
	dp->st.revision = dp->mirror.revision;
	if (pool_state_write(&dp->paths, &dp->st) == 0)
		dp->saved_revision = dp->mirror.revision;
}

/* 0, or -1 when the batch could not apply (the pool is to be read again) */
static int apply(struct daemon_pool *dp)
{
	struct batch *b = &dp->b;
	struct block_report r;
	int lock;

	if (b->nr_adds || b->nr_dels || b->nr_sets) {
		lock = state_lock(&dp->paths);
		if (lock < 0) {
			/* not applied: the revision stays, the pool is read again */
			log_err("pool: the batch up to revision %lld waits: it is read again from etcd",
				(long long)dp->mirror.revision);
			batch_clear(b);
			dp->resync = dp->forget = true;
			return -1;
		}
		if ((b->nr_adds || b->nr_dels) &&
		    op_block_apply(&dp->paths, b->adds, b->nr_adds, b->dels,
				   b->nr_dels, &r))
			log_err("pool: %zu blocks and %zu unblocks from the pool could not apply here",
				b->nr_adds, b->nr_dels);
		apply_sets(dp);
		state_unlock(lock);
	}
	apply_partners(dp);
	batch_clear(b);
	save_revision(dp);
	return 0;
}

/*
 * After a range: what this server holds of the pool's kinds and the pool
 * does not, goes (it was removed, or ran out, while this server did not
 * watch). Writes still queued are not there yet: they stay.
 */
static void reconcile(struct daemon_pool *dp)
{
	struct pool_queue q = {};
	struct partners_file pf;
	struct blocks bl;
	char key[ETCD_KEY_MAX + 1];

	if (pool_queue_read(&dp->paths, &q))
		return;
	if (blocks_read(&dp->paths, &bl) == 0) {
		for (size_t i = 0; i < bl.n; i++) {
			struct pool_entry e = { .kind = POOL_BLOCK,
						.prefix = bl.v[i].prefix };
			bool queued = false;

			if (pool_key_format(dp->conf.prefix, &e, key,
					    sizeof(key)) ||
			    pool_mirror_find(&dp->mirror, key))
				continue;
			for (size_t j = 0; j < q.n && !queued; j++)
				queued = !strcmp(q.v[j].key, key);
			if (queued)
				continue;
			forget_block(&dp->b, &e.prefix);
			GROW(dp->b.dels, dp->b.cap_dels, dp->b.nr_dels + 1);
			dp->b.dels[dp->b.nr_dels++] = e.prefix;
		}
		blocks_free(&bl);
	}
	if (partners_read(&dp->paths, &pf) == 0) {
		for (size_t i = 0; i < pf.n; i++) {
			struct pool_entry e = { .kind = POOL_PARTNER };
			struct partner_change *c;

			if (!pf.v[i].from_cli)
				continue;
			snprintf(e.set, sizeof(e.set), "%s", pf.v[i].set);
			snprintf(e.domain, sizeof(e.domain), "%s",
				 pf.v[i].domain);
			if (pool_key_format(dp->conf.prefix, &e, key,
					    sizeof(key)) ||
			    pool_mirror_find(&dp->mirror, key))
				continue;
			GROW(dp->b.partners, dp->b.cap_partners,
			     dp->b.nr_partners + 1);
			c = &dp->b.partners[dp->b.nr_partners++];
			memset(c, 0, sizeof(*c));
			snprintf(c->set, sizeof(c->set), "%s", e.set);
			snprintf(c->domain, sizeof(c->domain), "%s", e.domain);
			c->remove = true;
		}
		partners_free(&pf);
	}
	pool_queue_free(&q);
}

static void set_degraded(struct daemon_pool *dp, bool on, const char *why)
{
	FILE *f;

	if (on == dp->degraded)
		return;
	dp->degraded = on;
	if (!on) {
		unlink(dp->paths.pool_degraded);
		log_info("pool: etcd answers again (%s): no longer degraded",
			 etcd_endpoint(dp->etcd));
		return;
	}
	log_warn(
		"pool: cannot reach etcd at %s: %s; degraded: filtering with what this server has, its changes queued until etcd answers",
		dp->eps, why);
	f = fopen(dp->paths.pool_degraded, "we");
	if (f) {
		fprintf(f, "%s\n", why);
		fclose(f);
	}
}

static void arm(int fd, int64_t ms, int64_t interval_ms)
{
	struct itimerspec t = {
		.it_value = { ms / 1000, ms % 1000 * 1000000 },
		.it_interval = { interval_ms / 1000,
				 interval_ms % 1000 * 1000000 },
	};

	if (ms == 0 && interval_ms == 0)
		t.it_value.tv_nsec = 1;
	timerfd_settime(fd, 0, &t, NULL);
}

static void disarm(int fd)
{
	struct itimerspec t = {};

	timerfd_settime(fd, 0, &t, NULL);
}

static void io_sock(void *user, int fd, unsigned int events)
{
	struct daemon_pool *dp = user;
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (!events) {
		epoll_ctl(dp->ep, EPOLL_CTL_DEL, fd, NULL);
		return;
	}
	if (epoll_ctl(dp->ep, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT)
		epoll_ctl(dp->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void io_timer(void *user, long ms)
{
	struct daemon_pool *dp = user;

	if (ms < 0)
		disarm(dp->curl_timer);
	else
		arm(dp->curl_timer, ms, 0);
}

/* The whole prefix read, the local state made equal to it. */
static int read_whole(struct daemon_pool *dp, struct etcd_err *err)
{
	struct etcd_range r;
	int64_t from = dp->mirror.revision;
	size_t changes;

	if (etcd_range_prefix(dp->etcd, dp->watched, 0, &r, err))
		return -1;
	if (dp->forget) {
		pool_mirror_free(&dp->mirror);
		pool_mirror_init(&dp->mirror, dp->conf.prefix, 0);
		dp->forget = false;
	}
	if (dp->st.cluster_id && dp->st.cluster_id != r.h.cluster_id)
		log_warn(
			"pool: etcd's cluster id is %llu, not %llu as pool.json says: another cluster; the pool is read whole",
			(unsigned long long)r.h.cluster_id,
			(unsigned long long)dp->st.cluster_id);
	dp->st.cluster_id = r.h.cluster_id;
	changes = pool_mirror_resync(&dp->mirror, &r, on_change, &dp->b);
	reconcile(dp);
	log_info(
		"pool: read %s whole at revision %lld (%zu keys, %zu changes here; applied up to %lld before)",
		dp->watched, (long long)r.h.revision, r.nr_kvs,
		changes + dp->b.nr_dels, (long long)from);
	etcd_range_free(&r);
	if (apply(dp)) {
		etcd_fail(err, "the state lock could not be taken");
		return -1;
	}
	dp->saved_revision = -1; /* the cluster id may be new: saved anyway */
	save_revision(dp);
	dp->resync = false;
	return 0;
}

/* Whether etcd is the cluster pool.json names (a check that it answers). */
static int same_cluster(struct daemon_pool *dp, struct etcd_err *err)
{
	struct etcd_range r;

	if (etcd_get(dp->etcd, dp->watched, 0, &r, err))
		return -1;
	if (r.h.cluster_id != dp->st.cluster_id) {
		log_warn(
			"pool: etcd's cluster id is now %llu, not %llu: another cluster; the pool is read whole",
			(unsigned long long)r.h.cluster_id,
			(unsigned long long)dp->st.cluster_id);
		dp->resync = true;
	}
	etcd_range_free(&r);
	return 0;
}

static int64_t mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

static void retry_later(struct daemon_pool *dp, const char *why)
{
	int64_t now = mono_ms();

	if (!dp->down_since_ms)
		dp->down_since_ms = now;
	if (now - dp->down_since_ms >= DEGRADED_AFTER_MS)
		set_degraded(dp, true, why);
	else
		log_info("pool: %s; trying again", why);
	arm(dp->timer, dp->backoff_ms, 0);
	dp->backoff_ms *= 2;
	if (dp->backoff_ms > BACKOFF_MAX_MS)
		dp->backoff_ms = BACKOFF_MAX_MS;
}

/*
 * Queued writes first (etcd takes them in the order they were made),
 * then the prefix read whole if need be, then the watch from the next
 * revision.
 */
static void connect_pool(struct daemon_pool *dp)
{
	struct etcd_watch_io io = { io_sock, io_timer, dp };
	struct etcd_err err = {};
	size_t written;
	int rc;

	rc = pool_flush(&dp->paths, dp->etcd, &written);
	if (written)
		log_info("pool: %zu queued %s written to etcd", written,
			 written == 1 ? "change" : "changes");
	if (rc == 1)
		return retry_later(dp,
				   "the queued changes could not be written");
	if (!dp->resync && same_cluster(dp, &err))
		return retry_later(dp, err.msg);
	if (dp->resync && read_whole(dp, &err))
		return retry_later(dp, err.msg);
	dp->watch = etcd_watch_new(dp->etcd, dp->watched,
				   dp->mirror.revision + 1, &io, &err);
	if (!dp->watch)
		return retry_later(dp, err.msg);
	set_degraded(dp, false, NULL);
	dp->down_since_ms = 0;
	dp->backoff_ms = BACKOFF_MIN_MS;
	arm(dp->timer, QUEUE_LOOK_MS, QUEUE_LOOK_MS);
}

static void watch_ended(struct daemon_pool *dp, const struct etcd_err *err)
{
	bool compacted = etcd_watch_compacted(dp->watch) != 0;

	etcd_watch_free(dp->watch);
	dp->watch = NULL;
	disarm(dp->curl_timer);
	if (compacted) {
		log_warn("pool: %s; the pool is read whole", err->msg);
		dp->resync = true;
	} else {
		log_info("pool: %s; resuming from revision %lld", err->msg,
			 (long long)dp->mirror.revision + 1);
	}
	/* the next endpoint at once: a member gone goes unnoticed */
	arm(dp->timer, 0, 0);
}

static void take_events(struct daemon_pool *dp)
{
	struct etcd_event ev;
	struct etcd_err err;
	int rc;

	while ((rc = etcd_watch_next(dp->watch, &ev, &err)) == 1) {
		pool_mirror_event(&dp->mirror, &ev, on_change, &dp->b);
		etcd_kv_free(&ev.kv);
	}
	apply(dp);
	if (rc < 0) {
		watch_ended(dp, &err);
	} else if (dp->resync) {
		/* a batch could not apply: read the pool whole, at once */
		etcd_watch_free(dp->watch);
		dp->watch = NULL;
		disarm(dp->curl_timer);
		arm(dp->timer, BACKOFF_MIN_MS, 0);
	}
}

static void drain(int fd)
{
	uint64_t n;

	while (read(fd, &n, sizeof(n)) > 0)
		;
}

static void on_timer(struct daemon_pool *dp)
{
	size_t written;

	if (!dp->watch) {
		disarm(dp->timer);
		connect_pool(dp);
		return;
	}
	/* what the CLI queued while the daemon was watching */
	if (access(dp->paths.pool_queue, F_OK) == 0 &&
	    pool_flush(&dp->paths, dp->etcd, &written) == 0 && written)
		log_info("pool: %zu queued %s written to etcd", written,
			 written == 1 ? "change" : "changes");
}

void daemon_pool_dispatch(struct daemon_pool *dp)
{
	struct epoll_event evs[16];
	int n = epoll_wait(dp->ep, evs, 16, 0);

	for (int i = 0; i < n; i++) {
		int fd = evs[i].data.fd;

		if (fd == dp->timer) {
			drain(fd);
			on_timer(dp);
		} else if (fd == dp->curl_timer) {
			drain(fd);
			if (dp->watch)
				etcd_watch_timer(dp->watch);
		} else if (dp->watch) {
			etcd_watch_socket(dp->watch, fd, evs[i].events);
		}
	}
	if (dp->watch)
		take_events(dp);
}

static int ep_add(struct daemon_pool *dp, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(dp->ep, EPOLL_CTL_ADD, fd, &ev);
}

struct daemon_pool *daemon_pool_open(const struct paths *p)
{
	struct daemon_pool *dp;
	struct cfg_pool c;

	if (pool_loaded_conf(p, &c) || !c.on)
		return NULL;
	dp = xcalloc(1, sizeof(*dp));
	dp->paths = *p;
	dp->conf = c;
	dp->ep = dp->curl_timer = dp->timer = -1;
	snprintf(dp->watched, sizeof(dp->watched), "%s/", c.prefix);
	pool_endpoints_text(&c, dp->eps, sizeof(dp->eps));
	if (pool_state_read(p, &dp->st))
		log_warn("pool: pool.json refused: the pool is read whole");
	if (strcmp(dp->st.prefix, c.prefix)) {
		/* another prefix's revisions count for nothing here */
		dp->st.revision = 0;
		dp->st.cluster_id = 0;
	}
	snprintf(dp->st.prefix, sizeof(dp->st.prefix), "%s", c.prefix);
	/*
	 * Read whole at every start: what changed while this server was
	 * down includes deletions, which only a whole read shows against
	 * the state kept here.
	 */
	dp->resync = true;
	pool_mirror_init(&dp->mirror, c.prefix, 0);
	dp->saved_revision = dp->st.revision;
	dp->backoff_ms = BACKOFF_MIN_MS;
	dp->etcd = pool_etcd_open(&c); /* says why it failed */
	if (!dp->etcd) {
		daemon_pool_close(dp);
		return NULL;
	}
	dp->ep = epoll_create1(EPOLL_CLOEXEC);
	dp->curl_timer =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	dp->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (dp->ep < 0 || dp->curl_timer < 0 || dp->timer < 0 ||
	    ep_add(dp, dp->curl_timer) || ep_add(dp, dp->timer)) {
		log_err("pool: cannot set up the pool's events: %s",
			strerror(errno));
		daemon_pool_close(dp);
		return NULL;
	}
	unlink(p->pool_degraded);
	log_info("pool: following %s in etcd at %s (pool.json: revision %lld)",
		 c.prefix, dp->eps, (long long)dp->st.revision);
	connect_pool(dp);
	return dp;
}

void daemon_pool_close(struct daemon_pool *dp)
{
	if (!dp)
		return;
	etcd_watch_free(dp->watch);
	etcd_free(dp->etcd);
	pool_mirror_free(&dp->mirror);
	batch_free(&dp->b);
	if (dp->ep >= 0)
		close(dp->ep);
	if (dp->curl_timer >= 0)
		close(dp->curl_timer);
	if (dp->timer >= 0)
		close(dp->timer);
	free(dp);
}

int daemon_pool_fd(const struct daemon_pool *dp)
{
	return dp ? dp->ep : -1;
}
