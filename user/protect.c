// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "log.h"
#include "protect.h"
#include "set_changes.h"
#include "ssh_session.h"
#include "state.h"
#include "util.h"

static void add(struct protected_prefix *out, size_t max, size_t *n,
		bool *truncated, const struct prefix *p, const char *by)
{
	if (*n == max) {
		*truncated = true;
		return;
	}
	out[*n].prefix = *p;
	snprintf(out[*n].by, sizeof(out[*n].by), "%s", by);
	(*n)++;
}

size_t protected_collect(const struct config *c,
			 const struct set_changes_file *changes,
			 struct protected_prefix *out, size_t max,
			 bool *truncated)
{
	size_t n = 0;

	*truncated = false;
	for (size_t r = 0; r < c->nr_rules; r++) {
		const struct cfg_rule *rule = &c->rules[r];
		const struct cfg_set *s;
		struct prefix_list l = {};

		if (rule->role != EDGEFW_ROLE_INTERNAL ||
		    rule->dir != EDGEFW_DIR_IN)
			continue;
		if (rule->from.kind == PEER_PREFIX)
			add(out, max, &n, truncated, &rule->from.prefix,
			    rule->name);
		if (rule->from.kind != PEER_SET)
			continue;
		s = &c->sets[rule->from.set];
		set_changes_current(
			s, changes ? set_changes_get(changes, s->name) : NULL,
			&l);
		for (size_t i = 0; i < l.n; i++)
			add(out, max, &n, truncated, &l.v[i], s->name);
		plist_free(&l);
	}
	return n;
}

static bool overlap(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

static int refuse(const char *block, const char *why, const char *hint)
{
	log_err("refusing to block %s: %s; %s", block, why, hint);
	return -1;
}

int block_guard(const struct prefix *prefix, const struct runtime_state *st,
		const char *hint)
{
	unsigned int min = prefix->family == EDGEFW_FAMILY_IPV4
				   ? BLOCK_MIN_LEN4
				   : BLOCK_MIN_LEN6;
	char block[PREFIX_STRLEN], other[PREFIX_STRLEN], why[256];
	struct ssh_session s;

	prefix_format(prefix, block, sizeof(block));
	if (prefix->len < min) {
		snprintf(
			why, sizeof(why),
			"a prefix shorter than /%u cuts off a large part of the internet",
			min);
		return refuse(block, why, hint);
	}
	if (ssh_session_from_env(&s) && prefix_contains(prefix, &s.client)) {
		prefix_format(&s.client, other, sizeof(other));
		snprintf(why, sizeof(why),
			 "it would cut off this SSH session, from %s", other);
		return refuse(block, why, hint);
	}
	for (size_t i = 0; st && i < st->nr_protected; i++) {
		const struct protected_prefix *pp = &st->protected[i];

		if (!overlap(prefix, &pp->prefix))
			continue;
		prefix_format(&pp->prefix, other, sizeof(other));
		snprintf(why, sizeof(why),
			 "it covers %s (%s), which the internal side admits",
			 other, pp->by);
		return refuse(block, why, hint);
	}
	return 0;
}

static void grow_add(struct protected_prefix **v, size_t *n, size_t *cap,
		     const struct prefix *p, const char *by)
{
	GROW(*v, *cap, *n + 1);
	(*v)[*n].prefix = *p;
	snprintf((*v)[*n].by, sizeof((*v)[*n].by), "%s", by);
	(*n)++;
}

size_t partners_collect(const struct config *c,
			const struct set_changes_file *changes,
			struct protected_prefix **out)
{
	size_t n = 0, cap = 0;

	*out = NULL;
	for (size_t r = 0; r < c->nr_rules; r++) {
		const struct cfg_rule *rule = &c->rules[r];
		const struct peer *peer =
			rule->dir == EDGEFW_DIR_IN ? &rule->from : &rule->to;
		const struct cfg_set *s;
		struct prefix_list l = {};

		if (rule->role != EDGEFW_ROLE_EXTERNAL)
			continue;
		if (peer->kind == PEER_PREFIX)
			grow_add(out, &n, &cap, &peer->prefix, rule->name);
		if (peer->kind != PEER_SET)
			continue;
		s = &c->sets[peer->set];
		set_changes_current(
			s, changes ? set_changes_get(changes, s->name) : NULL,
			&l);
		for (size_t i = 0; i < l.n; i++)
			grow_add(out, &n, &cap, &l.v[i], s->name);
		plist_free(&l);
	}
	return n;
}

int partner_guard(const struct prefix *prefix,
		  const struct protected_prefix *partners, size_t n,
		  const char *hint)
{
	char block[PREFIX_STRLEN], other[PREFIX_STRLEN], why[256];

	for (size_t i = 0; i < n; i++) {
		if (!overlap(prefix, &partners[i].prefix))
			continue;
		prefix_format(prefix, block, sizeof(block));
		prefix_format(&partners[i].prefix, other, sizeof(other));
		snprintf(
			why, sizeof(why),
			"it covers %s (%s), which the external side admits: a partner",
			other, partners[i].by);
		return refuse(block, why, hint);
	}
	return 0;
}
