// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's keys and values in etcd (user/pool_keys.c, README, Pool):
 * each kind read and written back the same, and every key or value that
 * is not edgefw's refused with the reason; pool.json, the revision
 * applied, read, refused and written; the mirror of the prefix (user/
 * pool_mirror.c): events and a whole range turned into the changes to
 * apply, in etcd's order. No etcd, no kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pool_keys.h"
#include "pool_mirror.h"
#include "pool_queue.h"
#include "pool_state.h"
#include "tap.h"

#define POOL "/edgefw/p1"

static void key_ok(const char *key, enum pool_kind kind, const char *what)
{
	struct pool_entry e;
	char why[256], again[512];
	int rc = pool_key_parse(POOL, key, &e, why, sizeof(why));

	CHECK(rc == 0 && e.kind == kind &&
		      pool_key_format(POOL, &e, again, sizeof(again)) == 0 &&
		      !strcmp(again, key),
	      "key %s: %s, written back the same", key, what);
	if (rc)
		tap_diag("%s", why);
}

static void key_refused(const char *key, const char *want)
{
	struct pool_entry e;
	char why[256] = "";

	CHECK(pool_key_parse(POOL, key, &e, why, sizeof(why)) == -1 &&
		      strstr(why, want),
	      "key %s refused: %s", key, why);
}

static void value_refused(enum pool_kind kind, const char *text,
			  const char *want)
{
	struct pool_entry e = { .kind = kind };
	char why[256] = "";

	CHECK(pool_value_parse(text, strlen(text), &e, why, sizeof(why)) ==
			      -1 &&
		      strstr(why, want),
	      "value %s refused: %s", text, why);
}

static void test_keys(void)
{
	struct pool_entry e;
	char why[256];

	key_ok(POOL "/block/203.0.113.7/32", POOL_BLOCK, "a blocked address");
	key_ok(POOL "/block/2001:db8::/32", POOL_BLOCK,
	       "a blocked IPv6 prefix");
	key_ok(POOL "/set/partners/198.51.100.0/24", POOL_SET, "a set change");
	key_ok(POOL "/partner/partners/partner.example", POOL_PARTNER,
	       "a partner domain");
	pool_key_parse(POOL, POOL "/set/front.ends/10.1.1.0/28", &e, why,
		       sizeof(why));
	CHECK(!strcmp(e.set, "front.ends") && e.prefix.len == 28,
	      "a set key: the set's name and the prefix");

	key_refused("/edgefw/p10/block/203.0.113.7/32",
		    "is not under the pool's prefix");
	key_refused("/other/block/203.0.113.7/32", "is not under the pool's");
	key_refused(POOL "/blocks/203.0.113.7/32", "is none of edgefw's");
	key_refused(POOL "/", "is none of edgefw's");
	key_refused(POOL "/block/203.0.113.7", "does not end in a prefix");
	key_refused(POOL "/block/203.0.113.5/24", "does not end in a prefix");
	key_refused(POOL "/block/::ffff:192.0.2.1/128",
		    "spells its prefix otherwise");
	key_refused(POOL "/block/2001:DB8::/32", "spells its prefix otherwise");
	key_refused(POOL "/block/203.0.113.7/33", "does not end in a prefix");
	key_refused(POOL "/set/partners", "does not name a set");
	key_refused(POOL "/set/1bad/10.0.0.0/8", "names no valid set");
	key_refused(POOL "/set/any/10.0.0.0/8", "names no valid set");
	key_refused(POOL "/set/partners/x", "does not end in a prefix");
	key_refused(POOL "/partner/partners/Partner.example",
		    "does not end in a domain in lower case");
	key_refused(POOL "/partner/partners/not a domain",
		    "does not end in a domain");
	key_refused(POOL "/block/\x1b[31m/32",
		    "'/edgefw/p1/block/\\x1b[31m/32'");
}

static void test_values(void)
{
	struct pool_entry e = { .kind = POOL_BLOCK }, back;
	char why[256], *text;

	e.at_ms = 1700000000000;
	e.expires_ms = 1700000060000;
	strcpy(e.reason, "s2s auth failures");
	strcpy(e.by, "edge1");
	text = pool_value_format(&e);
	CHECK(!strcmp(text,
		      "{\"reason\":\"s2s auth failures\",\"added_at\":1700000000000,\"expires_at\":1700000060000,\"by\":\"edge1\"}"),
	      "a block's value: %s", text);
	back = (struct pool_entry){ .kind = POOL_BLOCK };
	CHECK(pool_value_parse(text, strlen(text), &back, why, sizeof(why)) ==
			      0 &&
		      back.at_ms == e.at_ms &&
		      back.expires_ms == e.expires_ms &&
		      !strcmp(back.reason, e.reason) &&
		      !strcmp(back.by, "edge1"),
	      "a block's value read back the same");
	free(text);

	e = (struct pool_entry){ .kind = POOL_SET, .del = true, .at_ms = 5 };
	text = pool_value_format(&e);
	back = (struct pool_entry){ .kind = POOL_SET };
	CHECK(!strcmp(text, "{\"op\":\"del\",\"at\":5}") &&
		      pool_value_parse(text, strlen(text), &back, why,
				       sizeof(why)) == 0 &&
		      back.del,
	      "a set change's value, del: %s", text);
	free(text);
	e = (struct pool_entry){ .kind = POOL_PARTNER,
				 .secure = true,
				 .at_ms = 7 };
	text = pool_value_format(&e);
	back = (struct pool_entry){ .kind = POOL_PARTNER };
	CHECK(!strcmp(text, "{\"secure\":true,\"at\":7}") &&
		      pool_value_parse(text, strlen(text), &back, why,
				       sizeof(why)) == 0 &&
		      back.secure,
	      "a partner's value: %s", text);
	free(text);

	value_refused(POOL_BLOCK, "not json", "is not a JSON object");
	value_refused(POOL_BLOCK, "[1]", "is not a JSON object");
	value_refused(POOL_BLOCK, "{} x", "is not a JSON object");
	value_refused(POOL_BLOCK, "{}", "has no \"added_at\"");
	value_refused(POOL_BLOCK, "{\"added_at\":-1}", "not a time");
	value_refused(POOL_BLOCK, "{\"added_at\":\"1\"}", "not a time");
	value_refused(POOL_BLOCK, "{\"added_at\":10,\"expires_at\":5}",
		      "expires before it was added");
	value_refused(POOL_BLOCK, "{\"added_at\":1,\"reason\":\"a\\nb\"}",
		      "\"reason\" is not one line");
	value_refused(POOL_BLOCK, "{\"added_at\":1,\"reason\":\"a\\u0000b\"}",
		      "\"reason\" is not one line");
	value_refused(POOL_SET, "{\"op\":\"replace\",\"at\":1}",
		      "neither add nor del");
	value_refused(POOL_SET, "{\"at\":1}", "has no \"op\"");
	value_refused(POOL_PARTNER, "{\"at\":1,\"secure\":1}",
		      "\"secure\" neither true nor false");
}

static void state_refused(const char *text, const char *want)
{
	struct pool_state st;
	struct sf_err e = {};

	CHECK(pool_state_parse(text, strlen(text), &st, &e) == -1 &&
		      strstr(e.why, want),
	      "pool.json refused: %s", e.why);
}

static void test_state(void)
{
	static const char text[] =
		"{\"version\":1,\"cluster_id\":\"15118495548433857066\",\"prefix\":\"/edgefw/p1\",\"revision\":42}";
	struct pool_state st, back;
	char dir[] = "/tmp/edgefw-pool-state.XXXXXX", cmd[64];
	struct sf_err e = {};
	struct paths p;

	CHECK(pool_state_parse(text, strlen(text), &st, &e) == 0 &&
		      st.cluster_id == 15118495548433857066ULL &&
		      st.revision == 42 && !strcmp(st.prefix, "/edgefw/p1"),
	      "pool.json: a cluster id beyond int64, the prefix, the revision");
	CHECK(pool_state_matches(&st, 15118495548433857066ULL, "/edgefw/p1") &&
		      !pool_state_matches(&st, 1, "/edgefw/p1") &&
		      !pool_state_matches(&st, 15118495548433857066ULL,
					  "/edgefw/p2"),
	      "pool.json: its revision counts for its cluster and prefix only");
	state_refused(
		"{\"version\":1,\"cluster_id\":\"x\",\"prefix\":\"/p\",\"revision\":1}",
		"\"cluster_id\" is not a decimal number");
	state_refused(
		"{\"version\":1,\"cluster_id\":\"99999999999999999999\",\"prefix\":\"/p\",\"revision\":1}",
		"\"cluster_id\" is not a decimal number");
	state_refused(
		"{\"version\":1,\"cluster_id\":\"1\",\"prefix\":\"/p/\",\"revision\":1}",
		"\"prefix\": the pool's prefix '/p/'");
	state_refused(
		"{\"version\":1,\"cluster_id\":\"1\",\"prefix\":\"/p\",\"revision\":-1}",
		"revision");
	state_refused("{\"version\":1,\"cluster_id\":\"1\",\"prefix\":\"/p\"}",
		      "revision");

	if (!mkdtemp(dir))
		tap_bail("mkdtemp");
	setenv("EDGEFW_STATE_DIR", dir, 1);
	CHECK(paths_init(&p) == 0 && pool_state_read(&p, &back) == 0 &&
		      back.revision == 0,
	      "pool.json missing: revision 0, read everything");
	CHECK(pool_state_write(&p, &st) == 0 &&
		      pool_state_read(&p, &back) == 0 &&
		      !memcmp(&back, &st, sizeof(st)),
	      "pool.json written and read back the same");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		tap_diag("cannot remove %s", dir);
}

static void queue_refused(const char *text, const char *want)
{
	struct pool_queue q;
	struct sf_err e = {};

	CHECK(pool_queue_parse(text, strlen(text), &q, &e) == -1 &&
		      strstr(e.why, want) && q.n == 0,
	      "pool-queue.json refused: %s%s", e.at, e.why);
}

/* pool-queue.json: the writes etcd did not take yet, in their order. */
static void test_queue(void)
{
	static const char text[] =
		"{\"version\":1,\"writes\":[{\"key\":\"/edgefw/p1/block/192.0.2.1/32\",\"value\":\"{\\\"added_at\\\":1}\",\"expires_ms\":5000},{\"key\":\"/edgefw/p1/block/192.0.2.2/32\",\"value\":null,\"expires_ms\":0}]}";
	char dir[] = "/tmp/edgefw-pool-queue.XXXXXX", cmd[64], path[128];
	struct pool_queue q, back;
	struct sf_err e = {};
	struct paths p;

	CHECK(pool_queue_parse(text, strlen(text), &q, &e) == 0 && q.n == 2 &&
		      !strcmp(q.v[0].key, "/edgefw/p1/block/192.0.2.1/32") &&
		      !strcmp(q.v[0].value, "{\"added_at\":1}") &&
		      q.v[0].expires_ms == 5000 && !q.v[1].value &&
		      q.v[1].expires_ms == 0,
	      "pool-queue.json: a put with its expiry, then a delete, in order");
	queue_refused("{\"version\":1}", "\"writes\"");
	queue_refused("{\"version\":2,\"writes\":[]}", "version");
	queue_refused("{\"version\":1,\"writes\":[1]}", "not an object");
	queue_refused(
		"{\"version\":1,\"writes\":[{\"key\":\"k\",\"value\":3,\"expires_ms\":0}]}",
		"\"value\" is");
	queue_refused(
		"{\"version\":1,\"writes\":[{\"key\":\"k\",\"value\":null,\"expires_ms\":-1}]}",
		"expires_ms");
	queue_refused(
		"{\"version\":1,\"writes\":[{\"value\":null,\"expires_ms\":0}]}",
		"\"key\"");

	if (!mkdtemp(dir))
		tap_bail("mkdtemp");
	setenv("EDGEFW_STATE_DIR", dir, 1);
	snprintf(path, sizeof(path), "%s/pool-queue.json", dir);
	CHECK(paths_init(&p) == 0 && pool_queue_read(&p, &back) == 0 &&
		      back.n == 0,
	      "pool-queue.json missing: nothing queued");
	CHECK(pool_queue_write(&p, &q) == 0 &&
		      pool_queue_read(&p, &back) == 0 && back.n == 2 &&
		      !strcmp(back.v[0].value, q.v[0].value) &&
		      !back.v[1].value && back.v[0].expires_ms == 5000,
	      "pool-queue.json written and read back the same");
	pool_queue_free(&back);
	pool_queue_free(&q);
	CHECK(pool_queue_write(&p, &q) == 0 && access(path, F_OK) != 0,
	      "an empty queue removes the file");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		tap_diag("cannot remove %s", dir);
}

/* The changes a mirror gave, as text: "+KEYKIND PREFIX-or-DOMAIN ...". */
struct log {
	char text[4096];
	size_t n;
};

static void log_change(void *user, const struct pool_change *c)
{
	static const char what[] = "+~-";
	struct log *l = user;
	char p[PREFIX_STRLEN];
	size_t off = strlen(l->text);

	prefix_format(&c->e->prefix, p, sizeof(p));
	snprintf(l->text + off, sizeof(l->text) - off, "%c%s %s%s%s@%lld ",
		 what[c->what],
		 c->e->kind == POOL_BLOCK ? "block"
		 : c->e->kind == POOL_SET ? "set"
					  : "partner",
		 c->e->kind == POOL_PARTNER ? c->e->domain : p,
		 c->e->kind == POOL_SET && c->e->del ? " del" : "",
		 c->e->kind == POOL_BLOCK && c->e->reason[0] ? " r" : "",
		 (long long)c->revision);
	l->n++;
}

static struct etcd_event event(enum etcd_event_type t, const char *key,
			       const char *value, int64_t revision)
{
	struct etcd_event ev = { .type = t };

	ev.kv.key = (char *)key;
	ev.kv.key_len = strlen(key);
	ev.kv.value = (char *)(value ? value : "");
	ev.kv.value_len = strlen(ev.kv.value);
	ev.kv.create_revision = revision;
	ev.kv.mod_revision = revision;
	ev.kv.version = 1;
	return ev;
}

#define BLOCK_VALUE "{\"added_at\":1}"

static void test_mirror_events(void)
{
	struct pool_mirror m;
	struct log l = {};
	struct etcd_event ev;

	pool_mirror_init(&m, POOL, 5);
	ev = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.1/32", BLOCK_VALUE, 5);
	CHECK(pool_mirror_event(&m, &ev, log_change, &l) == 0 && l.n == 0,
	      "mirror: an event at the revision applied is skipped");
	ev.kv.mod_revision = 6;
	CHECK(pool_mirror_event(&m, &ev, log_change, &l) == 1 &&
		      m.revision == 6,
	      "mirror: a block put: a change, the revision follows");
	ev.kv.mod_revision = 7;
	CHECK(pool_mirror_event(&m, &ev, log_change, &l) == 0,
	      "mirror: the same value again: no change");
	ev = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.1/32",
		   "{\"added_at\":1,\"reason\":\"x\"}", 8);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_PUT, POOL "/set/partners/198.51.100.0/24",
		   "{\"op\":\"del\",\"at\":1}", 9);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_PUT, POOL "/partner/partners/partner.example",
		   "{\"at\":1}", 10);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_DELETE, POOL "/block/192.0.2.1/32", NULL, 11);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_DELETE, POOL "/block/192.0.2.9/32", NULL, 12);
	CHECK(pool_mirror_event(&m, &ev, log_change, &l) == 0,
	      "mirror: a delete of a key it does not hold: no change");
	CHECK(!strcmp(l.text,
		      "+block 192.0.2.1@6 ~block 192.0.2.1 r@8 +set 198.51.100.0/24 del@9 +partner partner.example@10 -block 192.0.2.1 r@11 "),
	      "mirror: added, changed, a set's del, a partner, removed: %s",
	      l.text);

	memset(&l, 0, sizeof(l));
	ev = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.5/24", BLOCK_VALUE, 13);
	CHECK(pool_mirror_event(&m, &ev, log_change, &l) == -1 && l.n == 0 &&
		      m.refused == 1 && m.revision == 13,
	      "mirror: a key naming an invalid prefix refused, counted, passed over");
	ev = event(ETCD_EVENT_PUT, POOL "/set/partners/198.51.100.0/24",
		   "{\"op\":\"maybe\",\"at\":1}", 14);
	CHECK(pool_mirror_event(&m, &ev, log_change, &l) == -1 &&
		      !strcmp(l.text, "-set 198.51.100.0/24 del@14 ") &&
		      m.refused == 2 &&
		      !pool_mirror_find(&m,
					POOL "/set/partners/198.51.100.0/24"),
	      "mirror: an entry overwritten by an invalid value is removed: %s",
	      l.text);

	/* Two servers at once: etcd's order is the order applied. */
	memset(&l, 0, sizeof(l));
	ev = event(ETCD_EVENT_PUT, POOL "/block/203.0.113.0/24", BLOCK_VALUE,
		   20);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_DELETE, POOL "/block/203.0.113.0/24", NULL, 21);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_PUT, POOL "/block/203.0.113.0/24", BLOCK_VALUE,
		   22);
	pool_mirror_event(&m, &ev, log_change, &l);
	CHECK(pool_mirror_find(&m, POOL "/block/203.0.113.0/24") && l.n == 3,
	      "mirror: add, delete, add of one entry by two servers: the last write holds");
	pool_mirror_free(&m);
}

static void test_mirror_resync(void)
{
	struct etcd_kv kvs[4];
	struct etcd_range r = { .kvs = kvs, .nr_kvs = 4, .count = 4 };
	struct pool_mirror m;
	struct log l = {};
	struct etcd_event ev;
	char key[128];
	size_t n;

	pool_mirror_init(&m, POOL, 0);
	ev = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.1/32", BLOCK_VALUE, 2);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.2/32", BLOCK_VALUE, 3);
	pool_mirror_event(&m, &ev, log_change, &l);
	ev = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.3/32", BLOCK_VALUE, 4);
	pool_mirror_event(&m, &ev, log_change, &l);
	memset(&l, 0, sizeof(l));

	kvs[0] = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.2/32", BLOCK_VALUE,
		       3)
			 .kv;
	kvs[1] = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.3/32",
		       "{\"added_at\":1,\"reason\":\"y\"}", 40)
			 .kv;
	kvs[2] = event(ETCD_EVENT_PUT, POOL "/block/192.0.2.4/32", BLOCK_VALUE,
		       41)
			 .kv;
	kvs[3] = event(ETCD_EVENT_PUT, POOL "/bogus", "{}", 42).kv;
	r.h.revision = 50;
	n = pool_mirror_resync(&m, &r, log_change, &l);
	CHECK(n == 3 && m.nr == 3 && m.revision == 50 && m.refused == 1,
	      "resync: %zu changes, %zu entries, at the range's revision, the foreign key refused",
	      n, m.nr);
	CHECK(!strcmp(l.text,
		      "~block 192.0.2.3 r@40 +block 192.0.2.4@41 -block 192.0.2.1@50 "),
	      "resync: changed, added, and removed what the range no longer has: %s",
	      l.text);
	pool_mirror_free(&m);

	/* 10,000 entries: the table grows, every one found and removed. */
	pool_mirror_init(&m, POOL, 0);
	memset(&l, 0, sizeof(l));
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), POOL "/block/10.%d.%d.0/24", i / 256,
			 i % 256);
		ev = event(ETCD_EVENT_PUT, key, BLOCK_VALUE, i + 1);
		ev.kv.key = key;
		pool_mirror_event(&m, &ev, log_change, &l);
	}
	CHECK(m.nr == 10000 && l.n == 10000 &&
		      pool_mirror_find(&m, POOL "/block/10.39.15.0/24"),
	      "mirror: 10,000 entries held (%zu buckets)", m.nr_buckets);
	r = (struct etcd_range){ .h.revision = 20000 };
	CHECK(pool_mirror_resync(&m, &r, log_change, &l) == 10000 && m.nr == 0,
	      "resync to an empty prefix removes all 10,000");
	pool_mirror_free(&m);
}

int main(void)
{
	test_mirror_events();
	test_mirror_resync();
	test_keys();
	test_values();
	test_state();
	test_queue();
	return tap_done();
}
