// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "op.h"
#include "partners.h"
#include "pool_share.h"
#include "pool_state.h"
#include "snapshot.h"
#include "state.h"
#include "util.h"

/* etcd grants no shorter lease (README, Pool: leases) */
#define POOL_LEASE_MIN_S 2

int pool_loaded_conf(const struct paths *p, struct cfg_pool *out)
{
	struct config *c = xcalloc(1, sizeof(*c));
	struct runtime_state st;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (access(p->snapshot, F_OK) == 0) {
		/*
		 * The shape holds the pool statement without the sets'
		 * prefixes: a set of a million costs nothing to read here.
		 */
		if (state_read(p, &st))
			st.config_hash[0] = '\0';
		if (snapshot_load(p, st.config_hash, true, c) == 0)
			*out = c->pool;
		else
			rc = -1;
		config_free(c);
	}
	free(c);
	return rc;
}

void pool_endpoints_text(const struct cfg_pool *c, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->nr_endpoints && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
				c->endpoints[i]);
}

struct etcd *pool_etcd_open(const struct cfg_pool *c)
{
	const char *eps[POOL_MAX_ENDPOINTS];
	struct etcd_opts o = { .endpoints = eps,
			       .nr_endpoints = c->nr_endpoints };
	struct etcd_err err;
	struct etcd *e;

	for (size_t i = 0; i < c->nr_endpoints; i++)
		eps[i] = c->endpoints[i];
	if (c->tls) {
		o.ca = c->ca;
		o.cert = c->cert;
		o.key = c->key;
	}
	e = etcd_new(&o, &err);
	if (!e)
		log_err("pool: %s", err.msg);
	return e;
}

int pool_lib_check(const struct paths *p)
{
	char eps[POOL_MAX_ENDPOINTS * POOL_URL_LEN], why[256];
	struct cfg_pool c;

	if (pool_loaded_conf(p, &c))
		return OP_FAILED;
	if (!c.on || etcd_lib_load(why, sizeof(why)) == 0)
		return 0;
	pool_endpoints_text(&c, eps, sizeof(eps));
	log_err("pool: cannot write to etcd at %s: %s; nothing was changed",
		eps, why);
	return OP_FAILED;
}

bool pool_unreachable(const struct etcd_err *err)
{
	return err->transport || err->code == ETCD_UNAVAILABLE;
}

int pool_etcd_write(struct etcd *e, const struct pool_write *w,
		    struct etcd_err *err)
{
	struct etcd_header h;
	int64_t lease = 0, granted, left_s;

	if (!w->value) {
		int64_t deleted;

		return etcd_delete(e, w->key, false, &deleted, &h, err);
	}
	if (w->expires_ms) {
		int64_t left = w->expires_ms - wall_now_ms();

		/* run out while it waited: never resurrected */
		if (left <= 0)
			return 1;
		left_s = (left + 999) / 1000;
		if (left_s < POOL_LEASE_MIN_S)
			left_s = POOL_LEASE_MIN_S;
		if (etcd_lease_grant(e, left_s, &lease, &granted, err))
			return -1;
	}
	return etcd_put(e, w->key, w->value, strlen(w->value), lease, &h, err);
}

/*
 * The writes of one command: the pool statement read, etcd opened and
 * the queue read once, whatever the number of entries; the queue written
 * and what waits said once at the end.
 */
struct sharer {
	const struct paths *p;
	struct cfg_pool c;
	struct etcd *etcd;
	struct pool_queue q;
	bool q_read, q_changed;
	size_t nr_behind, nr_unreachable, nr_dropped;
	struct etcd_err why; /* etcd's error, for the message */
	int rc;
};

static int sharer_begin(struct sharer *s, const struct paths *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	return pool_loaded_conf(p, &s->c) ? OP_FAILED : 0;
}

static void enqueue(struct sharer *s, const struct pool_write *w)
{
	if (s->q.n >= POOL_QUEUE_MAX) {
		if (!s->nr_dropped++)
			log_warn(
				"pool: more than %d writes wait for etcd: the oldest, %s, is dropped",
				POOL_QUEUE_MAX, s->q.v[0].key);
		free(s->q.v[0].key);
		free(s->q.v[0].value);
		memmove(s->q.v, s->q.v + 1, (s->q.n - 1) * sizeof(*s->q.v));
		s->q.n--;
	}
	pool_queue_push(&s->q, w->key, w->value, w->expires_ms);
	s->q_changed = true;
}

static int share_one(struct sharer *s, const struct pool_entry *e, bool remove,
		     struct pool_share_report *r)
{
	struct pool_write w = { .expires_ms = e->expires_ms };
	char key[ETCD_KEY_MAX + 1];
	struct etcd_err err;
	int rc = 0;

	if (!s->c.on)
		return 0;
	if (pool_key_format(s->c.prefix, e, key, sizeof(key))) {
		log_err("pool: the key of this entry is longer than %d bytes: not shared",
			ETCD_KEY_MAX);
		return OP_FAILED;
	}
	if (!s->q_read) {
		if (pool_queue_read(s->p, &s->q))
			return OP_FAILED;
		s->q_read = true;
	}
	w.key = key;
	w.value = remove ? NULL : pool_value_format(e);
	/* behind what waits already: etcd takes them in their order */
	if (s->q.n) {
		if (!s->q_changed)
			s->nr_behind = s->q.n;
		enqueue(s, &w);
		r->queued = true;
		goto out;
	}
	if (!s->etcd)
		s->etcd = pool_etcd_open(&s->c);
	if (!s->etcd) {
		rc = OP_FAILED;
		goto out;
	}
	rc = pool_etcd_write(s->etcd, &w, &err);
	if (rc >= 0) {
		r->shared |= rc == 0;
		rc = 0;
	} else if (pool_unreachable(&err)) {
		s->why = err;
		s->nr_unreachable++;
		enqueue(s, &w);
		r->queued = true;
		rc = 0;
	} else {
		log_err("pool: etcd refused the write of %s: %s; the change applies on this server only",
			key, err.msg);
		rc = OP_FAILED;
	}
out:
	free(w.value);
	return rc;
}

static int sharer_end(struct sharer *s, int rc, struct pool_share_report *r)
{
	char eps[POOL_MAX_ENDPOINTS * POOL_URL_LEN];
	size_t waiting = s->q.n - s->nr_behind;

	pool_endpoints_text(&s->c, eps, sizeof(eps));
	if (s->q_changed) {
		if (pool_queue_write(s->p, &s->q))
			rc = OP_FAILED;
		r->nr_queued = s->q.n;
	}
	if (s->q_changed && !s->nr_unreachable)
		log_warn(
			"pool: etcd (%s) has not taken %zu earlier %s yet: %s behind them in %s",
			eps, s->nr_behind,
			s->nr_behind == 1 ? "write" : "writes",
			waiting == 1 ? "this one waits" : "these wait",
			s->p->pool_queue);
	else if (s->nr_unreachable)
		log_warn(
			"pool: cannot reach etcd at %s: %s; applied here, and queued in %s for when etcd answers",
			eps, s->why.msg, s->p->pool_queue);
	etcd_free(s->etcd);
	pool_queue_free(&s->q);
	return rc;
}

int pool_share(const struct paths *p, const struct pool_entry *e, bool remove,
	       struct pool_share_report *r)
{
	struct sharer s;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = sharer_begin(&s, p);
	if (rc)
		return rc;
	return sharer_end(&s, share_one(&s, e, remove, r), r);
}

static void by_host(struct pool_entry *e)
{
	if (gethostname(e->by, sizeof(e->by)))
		e->by[0] = '\0';
	e->by[sizeof(e->by) - 1] = '\0';
}

int pool_share_block(const struct paths *p, const struct block_entry *b,
		     bool remove, struct pool_share_report *r)
{
	struct pool_entry e = { .kind = POOL_BLOCK,
				.prefix = b->prefix,
				.at_ms = b->added_ms,
				.expires_ms = b->expires_ms };

	snprintf(e.reason, sizeof(e.reason), "%s", b->reason);
	by_host(&e);
	if (remove) {
		e.at_ms = wall_now_ms();
		e.expires_ms = 0;
	}
	return pool_share(p, &e, remove, r);
}

int pool_share_set(const struct paths *p, const char *set,
		   const struct prefix_list *l, bool add,
		   struct pool_share_report *r)
{
	struct pool_entry e = { .kind = POOL_SET, .del = !add };
	struct sharer s;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(e.set, sizeof(e.set), "%s", set);
	e.at_ms = wall_now_ms();
	by_host(&e);
	rc = sharer_begin(&s, p);
	if (rc)
		return rc;
	for (size_t i = 0; i < l->n && !rc; i++) {
		e.prefix = l->v[i];
		rc = share_one(&s, &e, false, r);
	}
	return sharer_end(&s, rc, r);
}

bool pool_partner_set(const struct paths *p, const char *set,
		      const char *domain, char *out, size_t len)
{
	struct partners_file f;
	size_t found = 0;

	if (partners_read(p, &f))
		return false;
	/* set NULL: whichever, as op_partner_del takes it (one, or none) */
	for (size_t i = 0; i < f.n; i++) {
		const struct partner *pt = &f.v[i];

		if (strcmp(pt->domain, domain) || (set && strcmp(pt->set, set)))
			continue;
		if (pt->from_cli && !found++)
			snprintf(out, len, "%s", pt->set);
	}
	partners_free(&f);
	return found == 1;
}

int pool_share_partner(const struct paths *p, const char *set,
		       const char *domain, bool secure, bool remove,
		       struct pool_share_report *r)
{
	struct pool_entry e = { .kind = POOL_PARTNER, .secure = secure };
	int lock, rc;

	memset(r, 0, sizeof(*r));
	snprintf(e.set, sizeof(e.set), "%s", set);
	snprintf(e.domain, sizeof(e.domain), "%s", domain);
	e.at_ms = wall_now_ms();
	by_host(&e);
	lock = state_lock(p);
	if (lock < 0)
		return OP_FAILED;
	rc = pool_share(p, &e, remove, r);
	state_unlock(lock);
	return rc;
}

int pool_flush(const struct paths *p, struct etcd *e, size_t *written)
{
	struct pool_queue q;
	struct etcd_err err;
	int lock = state_lock(p), rc = -1;
	size_t i = 0;

	*written = 0;
	if (lock < 0)
		return -1;
	if (pool_queue_read(p, &q))
		goto out;
	for (; i < q.n; i++) {
		int w = pool_etcd_write(e, &q.v[i], &err);

		if (w < 0 && pool_unreachable(&err))
			break;
		if (w < 0)
			log_err("pool: etcd refused the queued write of %s: %s; dropped from the queue",
				q.v[i].key, err.msg);
		else if (w == 0)
			(*written)++;
	}
	rc = i < q.n ? 1 : 0;
	for (size_t j = 0; j < i; j++) {
		free(q.v[j].key);
		free(q.v[j].value);
	}
	/* an empty queue has no array: nothing to move */
	if (i) {
		memmove(q.v, q.v + i, (q.n - i) * sizeof(*q.v));
		q.n -= i;
		if (pool_queue_write(p, &q))
			rc = -1;
	}
	pool_queue_free(&q);
out:
	state_unlock(lock);
	return rc;
}

size_t pool_queued(const struct paths *p)
{
	struct pool_queue q;
	size_t n;

	if (pool_queue_read(p, &q))
		return 0;
	n = q.n;
	pool_queue_free(&q);
	return n;
}

void pool_status_read(const struct paths *p, struct pool_status *s)
{
	struct pool_state st;

	memset(s, 0, sizeof(*s));
	if (pool_state_read(p, &st) == 0)
		s->revision = st.revision;
	s->queued = pool_queued(p);
	s->watch_down = access(p->pool_degraded, F_OK) == 0;
	s->degraded = s->watch_down || s->queued;
}
