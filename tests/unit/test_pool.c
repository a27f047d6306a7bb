// SPDX-License-Identifier: GPL-2.0
/*
 * The pool's keys and values in etcd (user/pool_keys.c, README, Pool):
 * each kind read and written back the same, and every key or value that
 * is not edgefw's refused with the reason; pool.json, the revision
 * applied, read, refused and written. No etcd, no kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pool_keys.h"
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

int main(void)
{
	test_keys();
	test_values();
	test_state();
	return tap_done();
}
