// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "pool_mirror.h"
#include "util.h"

struct pool_item {
	char *key;
	struct pool_entry e;
	int64_t lease;
	int64_t revision;
	bool seen; /* by the resync under way */
	struct pool_item *next;
};

/* FNV-1a: keys are short text. */
static size_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void pool_mirror_init(struct pool_mirror *m, const char *prefix,
		      int64_t revision)
{
	memset(m, 0, sizeof(*m));
	m->prefix = xstrdup(prefix);
	m->revision = revision;
	m->nr_buckets = 1024;
	m->buckets = xcalloc(m->nr_buckets, sizeof(*m->buckets));
}

static void item_free(struct pool_item *it)
{
	free(it->key);
	free(it);
}

void pool_mirror_free(struct pool_mirror *m)
{
	for (size_t i = 0; i < m->nr_buckets; i++) {
		struct pool_item *it = m->buckets[i], *next;

		for (; it; it = next) {
			next = it->next;
			item_free(it);
		}
	}
	free(m->buckets);
	free(m->prefix);
	memset(m, 0, sizeof(*m));
}

static struct pool_item **slot(const struct pool_mirror *m, const char *key)
{
	struct pool_item **p = &m->buckets[hash(key) % m->nr_buckets];

	while (*p && strcmp((*p)->key, key))
		p = &(*p)->next;
	return p;
}

/* Keep chains short as the pool grows: twice the buckets past one a key. */
static void grow(struct pool_mirror *m)
{
	size_t n = m->nr_buckets * 2;
	struct pool_item **b = xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < m->nr_buckets; i++) {
		struct pool_item *it = m->buckets[i], *next;

		for (; it; it = next) {
			size_t h = hash(it->key) % n;

			next = it->next;
			it->next = b[h];
			b[h] = it;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nr_buckets = n;
}

const struct pool_entry *pool_mirror_find(const struct pool_mirror *m,
					  const char *key)
{
	struct pool_item *it = *slot(m, key);

	return it ? &it->e : NULL;
}

static void emit(pool_change_fn fn, void *user, enum pool_change_what what,
		 const struct pool_item *it)
{
	struct pool_change c = { what, &it->e, it->lease, it->revision };

	fn(user, &c);
}

static void remove_item(struct pool_mirror *m, struct pool_item **p,
			int64_t revision, pool_change_fn fn, void *user)
{
	struct pool_item *it = *p;

	*p = it->next;
	m->nr--;
	it->revision = revision;
	emit(fn, user, POOL_REMOVED, it);
	item_free(it);
}

/* A key and value put: 1 changed, 0 the same, -1 refused. */
static int put(struct pool_mirror *m, const struct etcd_kv *kv, bool mark_seen,
	       pool_change_fn fn, void *user)
{
	struct pool_item **p = slot(m, kv->key), *it;
	struct pool_entry e;
	char why[320];

	if (pool_key_parse(m->prefix, kv->key, &e, why, sizeof(why)) ||
	    pool_value_parse(kv->value, kv->value_len, &e, why, sizeof(why))) {
		char shown[PRINTABLE_LEN];

		m->refused++;
		/* The key's reason quotes it; a value's does not. */
		if (!strncmp(why, "value", 5))
			log_warn("pool: key '%s': %s: ignored (revision %lld)",
				 printable(kv->key, shown, sizeof(shown)), why,
				 (long long)kv->mod_revision);
		else
			log_warn("pool: %s: ignored (revision %lld)", why,
				 (long long)kv->mod_revision);
		if (*p)
			remove_item(m, p, kv->mod_revision, fn, user);
		return -1;
	}
	it = *p;
	if (it) {
		bool same = !memcmp(&it->e, &e, sizeof(e)) &&
			    it->lease == kv->lease;

		it->seen = mark_seen;
		it->revision = kv->mod_revision;
		if (same)
			return 0;
		memcpy(&it->e, &e, sizeof(e));
		it->lease = kv->lease;
		emit(fn, user, POOL_CHANGED, it);
		return 1;
	}
	it = xcalloc(1, sizeof(*it));
	it->key = xstrdup(kv->key);
	memcpy(&it->e, &e, sizeof(e));
	it->lease = kv->lease;
	it->revision = kv->mod_revision;
	it->seen = mark_seen;
	*p = it;
	if (++m->nr > m->nr_buckets)
		grow(m);
	emit(fn, user, POOL_ADDED, it);
	return 1;
}

int pool_mirror_event(struct pool_mirror *m, const struct etcd_event *ev,
		      pool_change_fn fn, void *user)
{
	struct pool_item **p;
	int rc = 0;

	if (ev->kv.mod_revision <= m->revision)
		return 0;
	if (ev->type == ETCD_EVENT_PUT) {
		rc = put(m, &ev->kv, false, fn, user);
	} else {
		p = slot(m, ev->kv.key);
		if (*p) {
			remove_item(m, p, ev->kv.mod_revision, fn, user);
			rc = 1;
		}
	}
	m->revision = ev->kv.mod_revision;
	return rc;
}

size_t pool_mirror_resync(struct pool_mirror *m, const struct etcd_range *r,
			  pool_change_fn fn, void *user)
{
	size_t changes = 0;

	for (size_t i = 0; i < m->nr_buckets; i++) {
		for (struct pool_item *it = m->buckets[i]; it; it = it->next)
			it->seen = false;
	}
	for (size_t i = 0; i < r->nr_kvs; i++) {
		if (put(m, &r->kvs[i], true, fn, user) == 1)
			changes++;
	}
	for (size_t i = 0; i < m->nr_buckets; i++) {
		struct pool_item **p = &m->buckets[i];

		while (*p) {
			if ((*p)->seen) {
				p = &(*p)->next;
				continue;
			}
			remove_item(m, p, r->h.revision, fn, user);
			changes++;
		}
	}
	m->revision = r->h.revision;
	return changes;
}
