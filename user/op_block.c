// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "blockmap.h"
#include "duration.h"
#include "log.h"
#include "op.h"
#include "op_block.h"
#include "pins.h"
#include "protect.h"
#include "state.h"
#include "util.h"

#define BLOCK_MAP_BITS (MAP_BIT(MAP_BLOCKLIST) | MAP_BIT(MAP_CONTROL))

/* One operation on the list: the file read, the kernel's maps if loaded. */
struct block_txn {
	const struct paths *paths;
	struct map_fds maps; /* -1 when edgefw is not loaded */
	struct blocks list, before;
	bool changed;
};

static int begin(const struct paths *p, struct block_txn *t,
		 struct block_report *r)
{
	memset(t, 0, sizeof(*t));
	memset(r, 0, sizeof(*r));
	t->paths = p;
	if (pins_open_maps(p, BLOCK_MAP_BITS, PINS_MISSING_OK, &t->maps) &&
	    errno != ENOENT)
		return OP_FAILED;
	r->loaded = t->maps.fd[MAP_BLOCKLIST] >= 0;
	if (blocks_read(p, &t->list)) {
		map_fds_close(&t->maps);
		return OP_FAILED;
	}
	t->before = blocks_copy(&t->list);
	r->expired = blocks_prune(&t->list, wall_now_ms());
	t->changed = r->expired > 0;
	return 0;
}

/*
 * The kernel first, then the file (when the list changed); when either
 * fails both go back to the list as it was. Every operation makes the
 * kernel hold exactly its list, so one killed half-way is repaired by
 * the next.
 */
static int commit(struct block_txn *t)
{
	const struct map_fds *m = &t->maps;
	bool loaded = m->fd[MAP_BLOCKLIST] >= 0;
	int err = 0;

	if (loaded)
		err = blockmap_sync(m->fd[MAP_BLOCKLIST], m->fd[MAP_CONTROL],
				    &t->list);
	if (err)
		log_err("cannot change the blocklist in the kernel: %s",
			strerror(-err));
	else if (!t->changed || blocks_write(t->paths, &t->list) == 0)
		return 0;
	if (loaded)
		blockmap_sync(m->fd[MAP_BLOCKLIST], m->fd[MAP_CONTROL],
			      &t->before);
	return OP_FAILED;
}

static void end(struct block_txn *t)
{
	map_fds_close(&t->maps);
	blocks_free(&t->list);
	blocks_free(&t->before);
}

/* The guard of protect.h, against what is loaded if anything is. */
static int guard(const struct paths *p, const struct prefix *prefix,
		 const char *hint)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	int err = block_guard(prefix, state_read(p, st) ? NULL : st, hint);

	free(st);
	return err;
}

/* "expires in 59m58s", "no time limit": for a refusal */
static void expiry_text(const struct block_entry *e, char *buf, size_t len)
{
	char left[32];

	if (!e->expires_ms) {
		snprintf(buf, len, "no time limit");
		return;
	}
	duration_format(block_seconds_left(e, wall_now_ms()), left,
			sizeof(left));
	snprintf(buf, len, "expires in %s", left);
}

/*
 * A member may not change or remove root's block: an operator's
 * deliberate block outlives what a stanza proxy decides. What members
 * added, any member may change, as fail2ban and the proxy run as
 * different users and each may unblock what the other blocked.
 */
static int members_own(const struct block_entry *old, const char *what)
{
	char buf[PREFIX_STRLEN], expiry[48];

	if (!old || old->added_by)
		return 0;
	prefix_format(&old->prefix, buf, sizeof(buf));
	expiry_text(old, expiry, sizeof(expiry));
	log_err("refusing to %s %s: root blocked it (%s), and only root may %s root's blocks",
		what, buf, expiry, what);
	return OP_BAD_INPUT;
}

static int add(const struct paths *p, struct block_entry *e, int64_t ttl_ms,
	       const struct block_limits *lim, struct block_report *r)
{
	struct block_txn t;
	int rc = begin(p, &t, r);

	if (rc)
		return rc;
	if (lim &&
	    (rc = members_own(blocks_find(&t.list, &e->prefix), "change"))) {
		end(&t);
		return rc;
	}
	/* timed from now, when the lock is ours: at least the TTL */
	e->added_ms = wall_now_ms();
	e->expires_ms = ttl_ms ? e->added_ms + ttl_ms : 0;
	e->added_by = lim ? lim->uid : 0;
	r->existed = blocks_put(&t.list, e);
	t.changed = true;
	rc = commit(&t);
	end(&t);
	return rc;
}

int op_block_add(const struct paths *p, struct block_entry *e, int64_t ttl_ms,
		 bool force, struct block_report *r)
{
	if (!force &&
	    guard(p, &e->prefix, "run again with --force to block it anyway"))
		return OP_BAD_INPUT;
	return add(p, e, ttl_ms, NULL, r);
}

int op_block_add_limited(const struct paths *p, struct block_entry *e,
			 int64_t *ttl_ms, const struct block_limits *lim,
			 struct block_report *r)
{
	static const char hint[] = "only root may block it";
	const struct member_policy *mp = lim->policy;
	char buf[PREFIX_STRLEN], max[32];

	member_policy_update(p, lim->policy);
	prefix_format(&e->prefix, buf, sizeof(buf));
	duration_format(mp->ttl_max_ms / 1000, max, sizeof(max));
	if (*ttl_ms > mp->ttl_max_ms) {
		log_err("refusing to block %s for longer than %s, the most the config allows here (control block ttl max); only root may block it longer",
			buf, max);
		return OP_BAD_INPUT;
	}
	if (!*ttl_ms)
		*ttl_ms = mp->ttl_max_ms;
	if (block_guard(&e->prefix, mp->st, hint) ||
	    partner_guard(&e->prefix, mp->partners, mp->nr_partners, hint))
		return OP_BAD_INPUT;
	return add(p, e, *ttl_ms, lim, r);
}

int op_block_del(const struct paths *p, const struct prefix *prefix,
		 const struct block_limits *lim, struct block_report *r)
{
	struct block_txn t;
	bool listed;
	int rc = begin(p, &t, r);

	if (rc)
		return rc;
	if (lim &&
	    (rc = members_own(blocks_find(&t.list, prefix), "unblock"))) {
		end(&t);
		return rc;
	}
	/* an unknown prefix is an error, but expired entries still go */
	listed = blocks_find(&t.before, prefix) != NULL;
	t.changed |= blocks_remove(&t.list, prefix);
	rc = commit(&t);
	if (rc == 0 && !listed) {
		char buf[PREFIX_STRLEN];

		prefix_format(prefix, buf, sizeof(buf));
		log_err("%s is not on the blocklist", buf);
		rc = OP_FAILED;
	}
	end(&t);
	return rc;
}

int op_block_apply(const struct paths *p, const struct block_entry *add,
		   size_t nr_add, const struct prefix *del, size_t nr_del,
		   struct block_report *r)
{
	int64_t now = wall_now_ms();
	struct block_txn t;
	int rc = begin(p, &t, r);

	if (rc)
		return rc;
	for (size_t i = 0; i < nr_del; i++)
		t.changed |= blocks_remove(&t.list, &del[i]);
	for (size_t i = 0; i < nr_add; i++) {
		const struct block_entry *old =
			blocks_find(&t.list, &add[i].prefix);
		struct block_entry e = add[i];

		if (e.expires_ms && e.expires_ms <= now)
			continue;
		if (old && old->added_ms == e.added_ms &&
		    old->expires_ms == e.expires_ms &&
		    !strcmp(old->reason, e.reason))
			continue;
		e.added_by = old ? old->added_by : 0;
		blocks_put(&t.list, &e);
		t.changed = true;
	}
	rc = commit(&t);
	end(&t);
	return rc;
}

int op_block_list(const struct paths *p, struct blocks *out,
		  struct block_report *r)
{
	struct block_txn t;
	int rc = begin(p, &t, r);

	if (rc)
		return rc;
	rc = commit(&t);
	if (rc == 0)
		*out = blocks_copy(&t.list);
	end(&t);
	return rc;
}

int op_block_prune(const struct paths *p, struct block_report *r)
{
	struct block_txn t;
	int rc = begin(p, &t, r);

	if (rc)
		return rc;
	rc = commit(&t);
	for (size_t i = 0; i < t.list.n; i++) {
		int64_t e = t.list.v[i].expires_ms;

		if (e && (!r->next_expiry_ms || e < r->next_expiry_ms))
			r->next_expiry_ms = e;
	}
	end(&t);
	return rc;
}
