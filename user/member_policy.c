// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "config.h"
#include "member_policy.h"
#include "set_changes.h"
#include "state.h"
#include "util.h"

static void file_id_of(const char *path, struct file_id *id)
{
	struct stat s;

	memset(id, 0, sizeof(*id));
	if (stat(path, &s))
		return;
	id->present = true;
	id->dev = s.st_dev;
	id->ino = s.st_ino;
	id->size = s.st_size;
	id->mtime = s.st_mtim;
}

static bool file_id_eq(const struct file_id *a, const struct file_id *b)
{
	return a->present == b->present && a->dev == b->dev &&
	       a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static void forget(struct member_policy *mp)
{
	free(mp->partners);
	free(mp->st);
	mp->partners = NULL;
	mp->nr_partners = 0;
	mp->st = NULL;
	mp->ttl_max_ms = CONTROL_TTL_MAX_DEFAULT * 1000LL;
}

/* The config snapshot's limits; what cannot be read keeps the defaults. */
static void read_config(const struct paths *p, struct member_policy *mp)
{
	struct set_changes_file changes;
	bool have_changes;
	struct config c;
	FILE *quiet;
	int err;

	/* the snapshot was checked when it was loaded */
	quiet = fopen("/dev/null", "w");
	err = config_load(p->snapshot, &c, quiet ? quiet : stderr);
	if (quiet)
		fclose(quiet);
	if (err)
		return;
	mp->ttl_max_ms = c.control_ttl_max * 1000;
	if (!c.control_block_partners) {
		have_changes = set_changes_read(p, &changes) == 0;
		mp->nr_partners = partners_collect(
			&c, have_changes ? &changes : NULL, &mp->partners);
		if (have_changes)
			set_changes_free(&changes);
	}
	config_free(&c);
}

void member_policy_update(const struct paths *p, struct member_policy *mp)
{
	struct file_id state, snapshot, sets;

	file_id_of(p->state, &state);
	file_id_of(p->snapshot, &snapshot);
	file_id_of(p->sets_file, &sets);
	if (mp->read && file_id_eq(&state, &mp->state) &&
	    file_id_eq(&snapshot, &mp->snapshot) &&
	    file_id_eq(&sets, &mp->sets))
		return;
	forget(mp);
	mp->read = true;
	mp->state = state;
	mp->snapshot = snapshot;
	mp->sets = sets;
	mp->st = xcalloc(1, sizeof(*mp->st));
	if (state_read(p, mp->st)) {
		free(mp->st);
		mp->st = NULL;
		return;
	}
	/* an interrupted load: the guard checks what the state recorded */
	if (mp->st->complete)
		read_config(p, mp);
}

void member_policy_free(struct member_policy *mp)
{
	forget(mp);
	memset(mp, 0, sizeof(*mp));
}
