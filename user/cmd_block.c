// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw block add|del|list: the dynamic blocklist. The XMPP server calls
 * this when it sees abuse above L4, so a change is one map write and one
 * small atomic file write, serialised by the state lock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "blockmap.h"
#include "commands.h"
#include "duration.h"
#include "log.h"
#include "paths.h"
#include "persist.h"
#include "privileges.h"
#include "state.h"

/* The kernel's maps when edgefw is loaded; fds -1 when it is not. */
struct block_maps {
	int map;
	int control;
};

static void maps_open(const struct paths *p, struct block_maps *m)
{
	char path[PATH_MAX];

	m->map = m->control = -1;
	if (path_join(path, sizeof(path), p->pin_dir, "blocklist") == 0)
		m->map = bpf_obj_get(path);
	if (m->map >= 0 &&
	    path_join(path, sizeof(path), p->pin_dir, "control") == 0)
		m->control = bpf_obj_get(path);
}

static void maps_close(struct block_maps *m)
{
	if (m->map >= 0)
		close(m->map);
	if (m->control >= 0)
		close(m->control);
}

static bool maps_loaded(const struct block_maps *m)
{
	return m->map >= 0 && m->control >= 0;
}

static int parse_prefix_arg(const char *cmd, const char *arg, struct prefix *p)
{
	char why[160];

	if (prefix_parse(arg, p, why, sizeof(why)))
		return usage_error(cmd, "%s", why);
	return 0;
}

/*
 * The kernel first, then the file (when the list changed); when either
 * fails both go back to the list as it was. Every command makes the kernel
 * hold exactly its list, so a command killed half-way is repaired by the
 * next one.
 */
static int commit(const struct paths *p, const struct block_maps *m,
		  const struct blocks *now, const struct blocks *before,
		  bool changed)
{
	int err = 0;

	if (maps_loaded(m))
		err = blockmap_sync(m->map, m->control, now);
	if (err)
		log_err("cannot change the blocklist in the kernel: %s",
			strerror(-err));
	else if (!changed || blocks_write(p, now) == 0)
		return EXIT_OK;
	if (maps_loaded(m))
		blockmap_sync(m->map, m->control, before);
	return EXIT_FAILED;
}

static void describe_block(const struct block_entry *e, int64_t seconds,
			   bool updated)
{
	char buf[PREFIX_STRLEN], ttl[32] = "";

	prefix_format(&e->prefix, buf, sizeof(buf));
	if (seconds) {
		memcpy(ttl, " for ", 5);
		duration_format(seconds, ttl + 5, sizeof(ttl) - 5);
	}
	log_info("%s %s%s%s%s%s", updated ? "updated the block of" : "blocked",
		 buf, e->expires_ms ? ttl : " with no time limit",
		 e->reason[0] ? " (" : "", e->reason, e->reason[0] ? ")" : "");
}

/* Add or update e in b; true when it was there already. */
static bool block_put(struct blocks *b, const struct block_entry *e)
{
	struct block_entry *old = blocks_find(b, &e->prefix);

	if (old) {
		*old = *e;
		return true;
	}
	GROW(b->v, b->cap, b->n + 1);
	b->v[b->n++] = *e;
	return false;
}

/* Remove p from b; false when it was not there. */
static bool block_remove(struct blocks *b, const struct prefix *p)
{
	struct block_entry *e = blocks_find(b, p);

	if (!e)
		return false;
	*e = b->v[--b->n];
	return true;
}

static void format_utc(int64_t t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int block_list(const struct blocks *b, bool json)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();
	int64_t now_ms = wall_now_ms();

	if (!json)
		printf("%-40s %-12s %-21s %s\n", "PREFIX", "EXPIRES IN",
		       "ADDED", "REASON");
	for (size_t i = 0; i < b->n; i++) {
		const struct block_entry *e = &b->v[i];
		/* to the nearest second: a fresh 1h block shows 1h00m00s */
		int64_t secs = (e->expires_ms - now_ms + 500) / 1000;
		char pfx[PREFIX_STRLEN], left[32] = "never", added[32];
		json_object *o;

		prefix_format(&e->prefix, pfx, sizeof(pfx));
		format_utc(e->added, added, sizeof(added));
		if (e->expires_ms)
			duration_format(secs, left, sizeof(left));
		if (!json) {
			printf("%-40s %-12s %-21s %s\n", pfx, left, added,
			       e->reason);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "prefix",
				       json_object_new_string(pfx));
		json_object_object_add(
			o, "expires_in",
			e->expires_ms ? json_object_new_int64(secs) : NULL);
		json_object_object_add(o, "added_at",
				       json_object_new_string(added));
		json_object_object_add(o, "reason",
				       json_object_new_string(e->reason));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "blocks", arr);
	if (json)
		puts(json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PRETTY |
				      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return EXIT_OK;
}

struct block_args {
	enum { BLOCK_ADD, BLOCK_DEL, BLOCK_LIST } op;
	struct block_entry entry;
	int64_t ttl; /* seconds, 0: no time limit */
	bool json;
};

static int parse_args(int argc, char **argv, struct block_args *a)
{
	static const struct option opts[] = {
		{ "ttl", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{},
	};
	const char *verb = argc > 1 ? argv[1] : "";
	int64_t ttl = 0; /* seconds, 0: none */
	int opt;

	memset(a, 0, sizeof(*a));
	if (!strcmp(verb, "add"))
		a->op = BLOCK_ADD;
	else if (!strcmp(verb, "del"))
		a->op = BLOCK_DEL;
	else if (!strcmp(verb, "list"))
		a->op = BLOCK_LIST;
	else
		return usage_error("block", "expected add, del or list");
	argc--;
	argv++;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 't' && a->op == BLOCK_ADD) {
			ttl = duration_parse(optarg);
			if (ttl < 0)
				return usage_error(
					"block",
					"--ttl takes a duration such as 90s, 15m, 2h or 7d (up to 10 years), not '%s'",
					optarg);
		} else if (opt == 'r' && a->op == BLOCK_ADD) {
			if (strlen(optarg) >= BLOCK_REASON_LEN ||
			    strpbrk(optarg, "\n\r"))
				return usage_error(
					"block",
					"--reason takes one line of up to %d characters",
					BLOCK_REASON_LEN - 1);
			strcpy(a->entry.reason, optarg);
		} else if (opt == 'j' && a->op == BLOCK_LIST) {
			a->json = true;
		} else {
			return bad_option("block", argv);
		}
	}
	if (a->op == BLOCK_LIST)
		return optind < argc ? usage_error("block",
						   "unexpected argument '%s'",
						   argv[optind])
				     : EXIT_OK;
	if (optind + 1 != argc)
		return usage_error("block", "'%s' takes one ADDR[/LEN]", verb);
	if (parse_prefix_arg("block", argv[optind], &a->entry.prefix))
		return EXIT_USAGE;
	a->ttl = ttl;
	return EXIT_OK;
}

static struct blocks blocks_copy(const struct blocks *b)
{
	struct blocks c = { .n = b->n, .cap = b->n };

	c.v = xcalloc(b->n, sizeof(*c.v));
	memcpy(c.v, b->v, b->n * sizeof(*c.v));
	return c;
}

static int run(const struct paths *p, const struct block_maps *m,
	       struct block_args *a, struct blocks *b)
{
	struct blocks before = blocks_copy(b);
	bool changed = blocks_prune(b, wall_now_ms(), NULL) > 0;
	bool existed = false;
	char buf[PREFIX_STRLEN];
	int rc;

	prefix_format(&a->entry.prefix, buf, sizeof(buf));
	if (a->op == BLOCK_ADD) {
		/* timed from now, when the lock is ours: at least the TTL */
		a->entry.added = wall_now();
		a->entry.expires_ms = a->ttl ? wall_now_ms() + a->ttl * 1000
					     : 0;
		existed = block_put(b, &a->entry);
		changed = true;
	} else if (a->op == BLOCK_DEL) {
		/* an unknown prefix is an error, but expired entries still go */
		changed |= block_remove(b, &a->entry.prefix);
	}
	rc = commit(p, m, b, &before, changed);
	if (rc == EXIT_OK && a->op == BLOCK_ADD) {
		describe_block(&a->entry, a->ttl, existed);
		if (!maps_loaded(m))
			log_info(
				"edgefw is not loaded: the block applies when it loads");
	} else if (rc == EXIT_OK && a->op == BLOCK_DEL) {
		if (blocks_find(&before, &a->entry.prefix)) {
			log_info("unblocked %s", buf);
		} else {
			log_err("%s is not on the blocklist", buf);
			rc = EXIT_FAILED;
		}
	} else if (rc == EXIT_OK) {
		rc = block_list(b, a->json);
	}
	blocks_free(&before);
	return rc;
}

int cmd_block(int argc, char **argv)
{
	struct block_args a;
	struct block_maps m;
	struct blocks b;
	struct paths p;
	int rc, lock;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	if (require_privileges("block"))
		return EXIT_FAILED;
	paths_init(&p);
	lock = state_lock(&p);
	if (lock < 0)
		return EXIT_FAILED;
	rc = EXIT_FAILED;
	maps_open(&p, &m);
	if (blocks_read(&p, &b) == 0) {
		rc = run(&p, &m, &a, &b);
		blocks_free(&b);
	}
	maps_close(&m);
	state_unlock(lock);
	return rc;
}
