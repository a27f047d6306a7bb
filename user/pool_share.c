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
#include "state.h"
#include "util.h"

/* etcd grants no shorter lease (README, Pool: leases) */
#define POOL_LEASE_MIN_S 2

int pool_loaded_conf(const struct paths *p, struct cfg_pool *out)
{
	struct config *c = xcalloc(1, sizeof(*c));
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (access(p->snapshot, F_OK) == 0) {
		if (config_load(p->snapshot, c, stderr) == 0)
			*out = c->pool;
		else {
			log_err("pool: cannot read the loaded config snapshot %s",
				p->snapshot);
			rc = -1;
		}
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

static int enqueue(const struct paths *p, struct pool_queue *q,
		   const struct pool_write *w, struct pool_share_report *r)
{
	if (q->n >= POOL_QUEUE_MAX) {
		log_warn(
			"pool: more than %d writes wait for etcd: the oldest, %s, is dropped",
			POOL_QUEUE_MAX, q->v[0].key);
		free(q->v[0].key);
		free(q->v[0].value);
		memmove(q->v, q->v + 1, (q->n - 1) * sizeof(*q->v));
		q->n--;
	}
	pool_queue_push(q, w->key, w->value, w->expires_ms);
	if (pool_queue_write(p, q))
		return OP_FAILED;
	r->queued = true;
	r->nr_queued = q->n;
	return 0;
}

int pool_share(const struct paths *p, const struct pool_entry *e, bool remove,
	       struct pool_share_report *r)
{
	struct pool_write w = { .expires_ms = e->expires_ms };
	char key[ETCD_KEY_MAX + 1], eps[POOL_MAX_ENDPOINTS * POOL_URL_LEN];
	struct pool_queue q;
	struct cfg_pool c;
	struct etcd_err err;
	struct etcd *etcd;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (pool_loaded_conf(p, &c))
		return OP_FAILED;
	if (!c.on)
		return 0;
	if (pool_key_format(c.prefix, e, key, sizeof(key))) {
		log_err("pool: the key of this entry is longer than %d bytes: not shared",
			ETCD_KEY_MAX);
		return OP_FAILED;
	}
	w.key = key;
	w.value = remove ? NULL : pool_value_format(e);
	if (pool_queue_read(p, &q)) {
		rc = OP_FAILED;
		goto out;
	}
	pool_endpoints_text(&c, eps, sizeof(eps));
	/* behind what waits already: etcd takes them in their order */
	if (q.n) {
		rc = enqueue(p, &q, &w, r);
		if (rc == 0)
			log_warn(
				"pool: etcd (%s) has not taken %zu earlier %s yet: this one waits behind them in %s",
				eps, q.n - 1, q.n - 1 == 1 ? "write" : "writes",
				p->pool_queue);
		goto out;
	}
	etcd = pool_etcd_open(&c);
	if (!etcd) {
		rc = OP_FAILED;
		goto out;
	}
	rc = pool_etcd_write(etcd, &w, &err);
	etcd_free(etcd);
	if (rc >= 0) {
		r->shared = rc == 0;
		rc = 0;
	} else if (pool_unreachable(&err)) {
		rc = enqueue(p, &q, &w, r);
		if (rc == 0)
			log_warn(
				"pool: cannot reach etcd at %s: %s; applied here, and queued in %s for when etcd answers",
				eps, err.msg, p->pool_queue);
	} else {
		log_err("pool: etcd refused the write of %s: %s; the change applies on this server only",
			key, err.msg);
		rc = OP_FAILED;
	}
out:
	pool_queue_free(&q);
	free(w.value);
	return rc;
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
	struct pool_share_report one;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	snprintf(e.set, sizeof(e.set), "%s", set);
	e.at_ms = wall_now_ms();
	by_host(&e);
	for (size_t i = 0; i < l->n && !rc; i++) {
		e.prefix = l->v[i];
		rc = pool_share(p, &e, false, &one);
		r->shared |= one.shared;
		r->queued |= one.queued;
		if (one.queued)
			r->nr_queued = one.nr_queued;
	}
	return rc;
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
	memmove(q.v, q.v + i, (q.n - i) * sizeof(*q.v));
	q.n -= i;
	if (i && pool_queue_write(p, &q))
		rc = -1;
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
