// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "op.h"
#include "op_partner.h"
#include "op_set.h"
#include "set_apply.h"
#include "set_changes.h"
#include "state.h"

/* What a change works on, under the state lock. */
struct partner_tx {
	struct loaded l;
	struct partners_file old; /* what the kernel's sets hold now */
	struct partners_file cur; /* what they are to hold */
	int lock;
	bool opened;
};

static void tx_end(struct partner_tx *tx)
{
	partners_free(&tx->old);
	partners_free(&tx->cur);
	if (tx->opened)
		loaded_close(&tx->l);
	state_unlock(tx->lock);
}

/* 0; 1 when nothing is loaded; or an op_error. */
static int tx_begin(const struct paths *p, struct partner_tx *tx)
{
	int rc;

	memset(tx, 0, sizeof(*tx));
	tx->lock = state_lock(p);
	if (tx->lock < 0)
		return OP_FAILED;
	rc = loaded_open(p, &tx->l);
	if (rc) {
		state_unlock(tx->lock);
		tx->lock = -1;
		return rc == 1 ? 1 : OP_FAILED;
	}
	tx->opened = true;
	if (partners_read(p, &tx->old)) {
		tx_end(tx);
		return OP_FAILED;
	}
	/* a load took the file with the config's domains: so do the sets */
	partners_sync_config(&tx->old, &tx->l.cfg);
	partners_copy(&tx->cur, &tx->old);
	return 0;
}

static bool listed(char (*names)[NAME_LEN], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], name))
			return true;
	}
	return false;
}

/*
 * The kernel's sets from what old gives them to what cur does, then
 * partners.json: all of it, or on any failure none of it.
 */
static int tx_commit(struct partner_tx *tx)
{
	const struct partners_file *files[] = { &tx->old, &tx->cur };
	struct prefix_list *before, *after;
	struct set_changes_file changes;
	char(*names)[NAME_LEN] = NULL;
	size_t n = 0, cap = 0, applied = 0;
	int *sets, rc = OP_FAILED;

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < files[k]->n; i++) {
			const char *name = files[k]->v[i].set;

			if (config_find_set(&tx->l.cfg, name) < 0 ||
			    listed(names, n, name))
				continue;
			GROW(names, cap, n + 1);
			snprintf(names[n++], NAME_LEN, "%s", name);
		}
	}
	if (set_changes_read(&tx->l.paths, &changes)) {
		free(names);
		return OP_FAILED;
	}
	before = xcalloc(n + 1, sizeof(*before));
	after = xcalloc(n + 1, sizeof(*after));
	sets = xcalloc(n + 1, sizeof(*sets));
	for (size_t i = 0; i < n; i++) {
		struct prefix_list stat = {};

		sets[i] = config_find_set(&tx->l.cfg, names[i]);
		set_changes_current(&tx->l.cfg.sets[sets[i]],
				    set_changes_get(&changes, names[i]), &stat);
		partners_set_effective(&stat, &tx->old, names[i], &before[i]);
		partners_set_effective(&stat, &tx->cur, names[i], &after[i]);
		plist_free(&stat);
	}
	for (; applied < n; applied++) {
		if (set_apply(&tx->l, sets[applied], &before[applied],
			      &after[applied]))
			goto undo;
	}
	if (partners_write(&tx->l.paths, &tx->cur))
		goto undo;
	for (size_t i = 0; i < n; i++)
		op_set_record_state(&tx->l, sets[i], &after[i], &changes);
	rc = 0;
	goto out;
undo:
	while (applied-- > 0)
		set_apply(&tx->l, sets[applied], &after[applied],
			  &before[applied]);
	log_err("the partner sets are unchanged");
out:
	for (size_t i = 0; i < n; i++) {
		plist_free(&before[i]);
		plist_free(&after[i]);
	}
	free(before);
	free(after);
	free(sets);
	free(names);
	set_changes_free(&changes);
	return rc;
}

static int64_t clamp_s(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void partner_take(struct partner *pt, const struct resolution *res,
		  const struct cfg_partners *pc, int64_t now_ms)
{
	snprintf(pt->last_error, sizeof(pt->last_error), "%s", res->error);
	if (!res->ok) {
		/* DNS trouble: what the set holds stays; asked again soon */
		pt->failures++;
		if (res->cause < PF_NR)
			pt->failures_by[res->cause]++;
		if (res->dnssec == DNSSEC_BOGUS)
			pt->dnssec = DNSSEC_BOGUS;
		pt->next_refresh_ms = now_ms + (int64_t)pc->refresh_min * 1000;
		partner_expire(pt, now_ms);
		return;
	}
	partner_merge(pt, &res->addrs, now_ms, (int64_t)pc->grace * 1000);
	free(pt->targets);
	pt->nr_targets = res->nr_targets;
	pt->targets = xcalloc(res->nr_targets + 1, sizeof(*pt->targets));
	memcpy(pt->targets, res->targets,
	       res->nr_targets * sizeof(*pt->targets));
	pt->ttl = res->ttl;
	pt->dnssec = res->dnssec;
	pt->last_refresh_ms = now_ms;
	pt->next_refresh_ms =
		now_ms +
		clamp_s(res->ttl, pc->refresh_min, pc->refresh_max) * 1000;
}

int op_partner_list(const struct loaded *l, struct partners_file *out)
{
	if (partners_read(&l->paths, out))
		return OP_FAILED;
	partners_sync_config(out, &l->cfg);
	return 0;
}

/* The results of the lookups of one command, by domain. */
struct results {
	struct resolution *v;
	size_t n, cap;
};

static void keep_result(struct resolution *res, void *ctx)
{
	struct results *rs = ctx;
	struct resolution *r;

	GROW(rs->v, rs->cap, rs->n + 1);
	r = &rs->v[rs->n++];
	*r = *res;
	/* the list is the caller's now */
	memset(&res->addrs, 0, sizeof(res->addrs));
}

static const struct resolution *result_of(const struct results *rs,
					  const char *domain)
{
	for (size_t i = 0; i < rs->n; i++) {
		if (!strcmp(rs->v[i].domain, domain))
			return &rs->v[i];
	}
	return NULL;
}

static void results_free(struct results *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		resolution_free(&rs->v[i]);
	free(rs->v);
}

static void log_result(const char *set, const struct resolution *res)
{
	if (!res->ok)
		log_warn(
			"partner %s (set %s): %s; its addresses stay as they were",
			res->domain, set, res->error);
	else if (res->error[0])
		log_warn("partner %s (set %s): %s", res->domain, set,
			 res->error);
}

/* Resolve each domain of f that want() picks; answers into rs. */
static int resolve_all(const struct cfg_partners *pc,
		       const struct partners_file *f, const char *set,
		       const char *domain, struct results *rs)
{
	struct resolver *r = resolver_new(pc);

	if (!r)
		return OP_FAILED;
	for (size_t i = 0; i < f->n; i++) {
		const struct partner *pt = &f->v[i];

		if ((set && strcmp(pt->set, set)) ||
		    (domain && strcmp(pt->domain, domain)))
			continue;
		/* one lookup a domain, whatever sets have it */
		bool asked = false;

		for (size_t j = 0; j < i; j++)
			asked |= !strcmp(f->v[j].domain, pt->domain) &&
				 (!set || !strcmp(f->v[j].set, set));
		if (!asked)
			resolver_start(r, pt->domain, pt->secure, keep_result,
				       rs);
	}
	resolver_wait(r);
	resolver_free(r);
	return 0;
}

/* The resolutions into the transaction's partners they belong to. */
static size_t take_results(struct partner_tx *tx, const struct results *rs,
			   const char *set)
{
	int64_t now = wall_now_ms();
	size_t failed = 0;

	for (size_t i = 0; i < tx->cur.n; i++) {
		struct partner *pt = &tx->cur.v[i];
		const struct resolution *res = result_of(rs, pt->domain);

		if (!res || (set && strcmp(pt->set, set)))
			continue;
		/* a lookup that did not require DNSSEC proves nothing */
		if (pt->secure && res->ok && res->dnssec != DNSSEC_SECURE) {
			struct resolution insecure = *res;

			insecure.ok = false;
			snprintf(
				insecure.error, sizeof(insecure.error),
				"the answers are not DNSSEC-secure, and the config requires it");
			partner_take(pt, &insecure, &tx->l.cfg.partners, now);
			log_result(pt->set, &insecure);
			failed++;
			continue;
		}
		partner_take(pt, res, &tx->l.cfg.partners, now);
		log_result(pt->set, res);
		failed += !res->ok;
	}
	return failed;
}

int op_partner_add(const struct paths *p, const struct loaded *l,
		   const char *set, const char *domain, bool secure,
		   struct partner *out)
{
	struct partners_file one = {};
	struct results rs = {};
	struct partner_tx tx;
	struct partner *pt;
	int rc;

	memset(out, 0, sizeof(*out));
	if (config_find_set(&l->cfg, set) < 0) {
		log_err("the loaded config has no set '%s'", set);
		return OP_BAD_INPUT;
	}
	pt = partners_add(&one, set, domain);
	pt->secure = secure;
	rc = resolve_all(&l->cfg.partners, &one, NULL, NULL, &rs);
	partners_free(&one);
	if (rc)
		return rc;
	rc = tx_begin(p, &tx);
	if (rc) {
		if (rc == 1)
			log_err("edgefw is not loaded; partners change on a running edgefw");
		results_free(&rs);
		return rc == 1 ? OP_FAILED : rc;
	}
	if (config_find_set(&tx.l.cfg, set) < 0) {
		log_err("the loaded config has no set '%s'", set);
		rc = OP_BAD_INPUT;
		goto out;
	}
	pt = partners_find(&tx.cur, set, domain);
	if (pt && !pt->from_cli) {
		log_info(
			"%s is a partner of set %s in the config already; resolved again",
			domain, set);
	} else if (!pt) {
		if (tx.cur.n >= CONFIG_MAX_DOMAINS) {
			log_err("there are %d partner domains already, all there may be",
				CONFIG_MAX_DOMAINS);
			rc = OP_BAD_INPUT;
			goto out;
		}
		pt = partners_add(&tx.cur, set, domain);
		pt->from_cli = true;
		pt->secure = secure;
	} else {
		pt->secure = secure;
	}
	take_results(&tx, &rs, set);
	rc = tx_commit(&tx);
	if (!rc)
		partner_copy(out, partners_find(&tx.cur, set, domain));
out:
	tx_end(&tx);
	results_free(&rs);
	return rc;
}

int op_partner_del(const struct paths *p, const char *set, const char *domain)
{
	struct partner_tx tx;
	struct partner *pt = NULL;
	size_t found = 0;
	int rc = tx_begin(p, &tx);

	if (rc)
		return rc == 1 ? OP_FAILED : rc;
	for (size_t i = 0; i < tx.cur.n; i++) {
		if (strcmp(tx.cur.v[i].domain, domain) ||
		    (set && strcmp(tx.cur.v[i].set, set)))
			continue;
		pt = &tx.cur.v[i];
		found++;
	}
	rc = OP_BAD_INPUT;
	if (!found) {
		log_err("%s is no partner%s%s", domain, set ? " of set " : "",
			set ? set : "");
	} else if (found > 1) {
		log_err("%s is a partner of more than one set: name it with --set",
			domain);
	} else if (!pt->from_cli) {
		log_err("%s is a partner of set %s in the config (%s): remove it there and reload",
			domain, pt->set, tx.l.cfg.path);
	} else {
		partners_remove(&tx.cur, pt);
		rc = tx_commit(&tx);
	}
	tx_end(&tx);
	return rc;
}

int op_partner_refresh(const struct paths *p, const struct loaded *l,
		       const char *set, const char *domain, size_t *failed)
{
	struct partners_file f;
	struct results rs = {};
	struct partner_tx tx;
	bool any = false;
	int rc;

	*failed = 0;
	if (op_partner_list(l, &f))
		return OP_FAILED;
	for (size_t i = 0; i < f.n; i++)
		any |= (!set || !strcmp(f.v[i].set, set)) &&
		       (!domain || !strcmp(f.v[i].domain, domain));
	if (!any) {
		if (domain)
			log_err("%s is no partner%s%s", domain,
				set ? " of set " : "", set ? set : "");
		else
			log_err("there are no partner domains%s%s to refresh",
				set ? " in set " : "", set ? set : "");
		partners_free(&f);
		return OP_BAD_INPUT;
	}
	rc = resolve_all(&l->cfg.partners, &f, set, domain, &rs);
	partners_free(&f);
	if (rc)
		return rc;
	rc = tx_begin(p, &tx);
	if (rc == 0) {
		*failed = take_results(&tx, &rs, set);
		rc = tx_commit(&tx);
		tx_end(&tx);
	} else if (rc == 1) {
		log_err("edgefw is not loaded");
		rc = OP_FAILED;
	}
	results_free(&rs);
	return rc;
}

int op_partner_take(const struct paths *p, const char *set,
		    const struct resolution *res)
{
	struct results rs = { .v = (struct resolution *)res, .n = 1 };
	struct partner_tx tx;
	int rc = tx_begin(p, &tx);

	if (rc)
		return rc == 1 ? 1 : rc;
	if (!partners_find(&tx.cur, set, res->domain)) {
		tx_end(&tx);
		return 1;
	}
	take_results(&tx, &rs, set);
	rc = tx_commit(&tx);
	tx_end(&tx);
	return rc;
}

int op_partner_maintain(const struct paths *p, struct partners_file *out,
			struct cfg_partners *pc)
{
	struct partner_tx tx;
	bool changed = false;
	int64_t now = wall_now_ms();
	int rc = tx_begin(p, &tx);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	*pc = tx.l.cfg.partners;
	/* what a load took from the config but the file does not say yet */
	changed = tx.cur.n != tx.old.n;
	{
		struct partners_file raw;

		if (partners_read(p, &raw) == 0) {
			changed |= raw.n != tx.cur.n;
			partners_free(&raw);
		}
	}
	for (size_t i = 0; i < tx.cur.n; i++) {
		struct partner *pt = &tx.cur.v[i];
		struct prefix_list gone = {};

		for (size_t j = 0; j < pt->nr_leaving; j++) {
			if (pt->leaving[j].until_ms <= now)
				plist_add(&gone, &pt->leaving[j].addr);
		}
		if (partner_expire(pt, now)) {
			char buf[PREFIX_STRLEN];

			changed = true;
			for (size_t j = 0; j < gone.n; j++) {
				prefix_format(&gone.v[j], buf, sizeof(buf));
				log_info(
					"partner %s (set %s): %s is gone from DNS for longer than the grace period: it leaves the set",
					pt->domain, pt->set, buf);
			}
		}
		plist_free(&gone);
	}
	rc = changed ? tx_commit(&tx) : 0;
	if (!rc)
		partners_copy(out, &tx.cur);
	tx_end(&tx);
	return rc;
}
