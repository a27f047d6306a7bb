// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <time.h>
#include "format_json.h"
#include "jsonutil.h"
#include "pool_share.h"
#include "reasons.h"

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static json_object *str(const char *s)
{
	return json_object_new_string(s);
}

static json_object *utc(int64_t unix_seconds)
{
	time_t t = unix_seconds;
	char buf[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return str(buf);
}

static json_object *rule_json(const struct config *c, const struct cfg_rule *r)
{
	json_object *o = json_object_new_object();
	struct rule_text t;

	rule_format(c, r, &t);
	add(o, "name", str(r->name));
	add(o, "role", str(role_name(r->role)));
	add(o, "direction", str(dir_name(r->dir)));
	add(o, "protocols", str(t.protos));
	add(o, "ports", str(t.ports[0] ? t.ports : "all"));
	add(o, "from", str(t.from));
	add(o, "to", str(t.to));
	add(o, "limit", t.limit[0] ? str(t.limit) : NULL);
	return o;
}

static json_object *iface_json(const struct loaded *l, size_t i,
			       json_object *problems)
{
	const struct iface_state *s = &l->st.ifaces[i];
	json_object *o = json_object_new_object();
	struct iface_health h;

	loaded_iface_health(l, i, &h);
	add(o, "name", str(s->name));
	add(o, "ifindex", json_object_new_int(s->ifindex));
	add(o, "role", str(role_name(l->cfg.ifaces[i].role)));
	add(o, "state", str(iface_present(s) ? "attached" : "waiting"));
	add(o, "xdp_mode",
	    iface_present(s) ? str(s->xdp_native ? "native" : "generic")
			     : NULL);
	add(o, "xdp_prog_id", json_object_new_int64(h.xdp_id));
	add(o, "tc_prog_id", json_object_new_int64(h.tc_id));
	add(o, "addresses", json_prefixes(s->self, s->nr_self));
	add(o, "healthy", json_object_new_boolean(!h.problem));
	if (h.problem) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s: %s", s->name, h.problem);
		json_object_array_add(problems, str(msg));
	}
	return o;
}

static json_object *policy_json(const struct config *c)
{
	json_object *o = json_object_new_object();

	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++) {
		json_object *r = json_object_new_object();

		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			add(r, dir_name(dir),
			    str(action_name(c->policy[role][dir])));
		add(o, role_name(role), r);
	}
	return o;
}

static json_object *fragments_json(const struct config *c)
{
	json_object *o = json_object_new_object();

	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++)
		add(o, role_name(role), str(action_name(c->fragments[role])));
	return o;
}

static json_object *sets_json(const struct loaded *l)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < l->cfg.nr_sets; i++) {
		json_object *o = json_object_new_object();
		bool known = l->st.set_sizes_known && i < l->st.nr_sets;

		add(o, "name", str(l->cfg.sets[i].name));
		add(o, "prefixes",
		    known ? json_object_new_int64(l->st.set_sizes[i]) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

/* null without a pool */
static json_object *pool_json(const struct loaded *l)
{
	const struct cfg_pool *c = &l->cfg.pool;
	json_object *o, *eps;
	struct pool_status s;

	if (!c->on)
		return NULL;
	pool_status_read(&l->paths, &s);
	o = json_object_new_object();
	eps = json_object_new_array();
	for (size_t i = 0; i < c->nr_endpoints; i++)
		json_object_array_add(eps, str(c->endpoints[i]));
	add(o, "endpoints", eps);
	add(o, "prefix", str(c->prefix));
	add(o, "revision", json_object_new_int64(s.revision));
	add(o, "degraded", json_object_new_boolean(s.degraded));
	add(o, "unreachable", json_object_new_boolean(s.watch_down));
	add(o, "queued", json_object_new_int64(s.queued));
	return o;
}

json_object *json_status(const struct loaded *l, bool *healthy)
{
	const struct config *c = &l->cfg;
	json_object *root = json_object_new_object();
	json_object *problems = json_object_new_array();
	json_object *arr;

	add(root, "loaded", json_object_new_boolean(true));
	add(root, "mode", str(mode_name(c->mode)));
	add(root, "generation", json_object_new_int64(l->st.generation));
	add(root, "loaded_at", utc(l->st.loaded_at));
	add(root, "config_path", str(l->st.config_path));
	add(root, "config_sha256", str(l->st.config_hash));
	arr = json_object_new_array();
	for (size_t i = 0; i < l->st.nr_ifaces; i++)
		json_object_array_add(arr, iface_json(l, i, problems));
	add(root, "interfaces", arr);
	arr = json_object_new_array();
	for (size_t i = 0; i < c->nr_rules; i++)
		json_object_array_add(arr, rule_json(c, &c->rules[i]));
	add(root, "rules", arr);
	add(root, "sets", sets_json(l));
	add(root, "policy", policy_json(c));
	add(root, "fragments", fragments_json(c));
	add(root, "icmp_errors", str(icmp_errors_name(c->icmp_errors)));
	add(root, "blocklist_entries", json_object_new_int64(l->nr_blocked));
	add(root, "flows_max", json_object_new_int64(c->flows_max));
	add(root, "pool", pool_json(l));
	*healthy = json_object_array_length(problems) == 0;
	add(root, "healthy", json_object_new_boolean(*healthy));
	add(root, "problems", problems);
	return root;
}

static json_object *counter_json(const struct edgefw_counter *ctr)
{
	json_object *o = json_object_new_object();

	add(o, "packets", json_object_new_int64(ctr->packets));
	add(o, "bytes", json_object_new_int64(ctr->bytes));
	return o;
}

static json_object *dir_json(const struct config *c, const struct stats *s,
			     size_t iface, unsigned int dir)
{
	unsigned int role = c->ifaces[iface].role;
	json_object *o = json_object_new_object();
	json_object *rules = json_object_new_object();
	json_object *pass = json_object_new_object();
	json_object *drop = json_object_new_object();
	json_object *limited = json_object_new_object();

	for (size_t r = 0; r < c->nr_rules; r++) {
		const struct edgefw_counter *n =
			stats_limited(s, iface, dir, r);

		if (c->rules[r].role != role || c->rules[r].dir != dir)
			continue;
		add(rules, c->rules[r].name,
		    counter_json(stats_counter(s, iface, dir,
					       EDGEFW_VERDICT_RULE(r))));
		if (n && c->rules[r].limit.kind != EDGEFW_LIMIT_NONE)
			add(limited, c->rules[r].name, counter_json(n));
	}
	for (unsigned int v = 0; v < EDGEFW_NR_REASONS; v++)
		add(edgefw_verdict_drops(v) ? drop : pass, reason_name(v),
		    counter_json(stats_counter(s, iface, dir, v)));
	add(o, "rules", rules);
	add(o, "pass", pass);
	add(o, "drop", drop);
	add(o, "ratelimited", limited);
	return o;
}

/*
 * The drop events' counters, named for the metrics they become:
 * edgefw_events_emitted_total and edgefw_events_suppressed_total{cause}
 * (edgefw_samples_* for the samples of the daemon's drop summary).
 */
static json_object *events_json(const struct events_counts *ev)
{
	json_object *o = json_object_new_object();
	json_object *by = json_object_new_object();

	add(o, "emitted_total", json_object_new_int64(ev->emitted));
	add(o, "suppressed_total",
	    json_object_new_int64(events_suppressed(ev)));
	add(by, "limit", json_object_new_int64(ev->limited));
	add(by, "ring_full", json_object_new_int64(ev->ring_full));
	add(o, "suppressed", by);
	return o;
}

json_object *json_stats(const struct config *c, const struct stats *s)
{
	json_object *root = json_object_new_object();
	json_object *ifaces = json_object_new_array();

	for (size_t i = 0; i < c->nr_ifaces && i < s->nr_ifaces; i++) {
		json_object *o = json_object_new_object();

		add(o, "name", str(c->ifaces[i].name));
		add(o, "role", str(role_name(c->ifaces[i].role)));
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			add(o, dir_name(dir), dir_json(c, s, i, dir));
		json_object_array_add(ifaces, o);
	}
	add(root, "interfaces", ifaces);
	if (s->has_events)
		add(root, "events", events_json(&s->events));
	if (s->has_samples)
		add(root, "samples", events_json(&s->samples));
	return root;
}

static json_object *rate_json(const struct edgefw_counter *prev,
			      const struct edgefw_counter *cur, double seconds)
{
	json_object *o = json_object_new_object();
	struct counter_rate r;

	counter_rate(prev, cur, seconds, &r);
	add(o, "pps", json_object_new_double(r.pps));
	add(o, "bps", json_object_new_double(r.bps));
	return o;
}

static json_object *dir_rates_json(const struct config *c,
				   const struct stats *prev,
				   const struct stats *cur, double seconds,
				   size_t iface, unsigned int dir)
{
	unsigned int role = c->ifaces[iface].role;
	json_object *o = json_object_new_object();
	json_object *rules = json_object_new_object();
	json_object *pass = json_object_new_object();
	json_object *drop = json_object_new_object();
	struct edgefw_counter sum[2][2] = {}; /* [before, after][drops] */

	for (__u32 v = 0; v < EDGEFW_NR_REASONS + c->nr_rules; v++) {
		const struct edgefw_counter *a =
			stats_counter(prev, iface, dir, v);
		const struct edgefw_counter *b =
			stats_counter(cur, iface, dir, v);
		bool drops = edgefw_verdict_drops(v);

		if (v >= EDGEFW_NR_REASONS) {
			const struct cfg_rule *r =
				&c->rules[v - EDGEFW_NR_REASONS];

			if (r->role != role || r->dir != dir)
				continue;
			add(rules, r->name, rate_json(a, b, seconds));
		} else {
			add(drops ? drop : pass, reason_name(v),
			    rate_json(a, b, seconds));
		}
		sum[0][drops].packets += a->packets;
		sum[0][drops].bytes += a->bytes;
		sum[1][drops].packets += b->packets;
		sum[1][drops].bytes += b->bytes;
	}
	add(o, "rules", rules);
	add(o, "pass", pass);
	add(o, "drop", drop);
	add(o, "total_pass", rate_json(&sum[0][0], &sum[1][0], seconds));
	add(o, "total_drop", rate_json(&sum[0][1], &sum[1][1], seconds));
	return o;
}

json_object *json_stats_rates(const struct config *c, const struct stats *prev,
			      const struct stats *cur, double seconds)
{
	json_object *root = json_object_new_object();
	json_object *ifaces = json_object_new_array();

	add(root, "seconds", json_object_new_double(seconds));
	for (size_t i = 0;
	     i < c->nr_ifaces && i < cur->nr_ifaces && i < prev->nr_ifaces;
	     i++) {
		json_object *o = json_object_new_object();

		add(o, "name", str(c->ifaces[i].name));
		add(o, "role", str(role_name(c->ifaces[i].role)));
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			add(o, dir_name(dir),
			    dir_rates_json(c, prev, cur, seconds, i, dir));
		json_object_array_add(ifaces, o);
	}
	add(root, "interfaces", ifaces);
	return root;
}

json_object *json_blocks(const struct blocks *b, int64_t now_ms)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < b->n; i++) {
		const struct block_entry *e = &b->v[i];
		json_object *o = json_object_new_object();
		char pfx[PREFIX_STRLEN], owner[BLOCK_OWNER_LEN];

		prefix_format(&e->prefix, pfx, sizeof(pfx));
		add(o, "prefix", str(pfx));
		add(o, "expires_in",
		    e->expires_ms ? json_object_new_int64(
					    block_seconds_left(e, now_ms))
				  : NULL);
		add(o, "added_at", utc(e->added_ms / 1000));
		block_owner_name(e->added_by, owner, sizeof(owner));
		add(o, "added_by", str(owner));
		add(o, "added_by_uid", json_object_new_int64(e->added_by));
		add(o, "reason", str(e->reason));
		json_object_array_add(arr, o);
	}
	add(root, "blocks", arr);
	return root;
}

json_object *json_set(const char *name, const struct prefix_list *l)
{
	json_object *root = json_object_new_object();

	add(root, "name", str(name));
	add(root, "prefixes", json_prefixes(l->v, l->n));
	return root;
}

static json_object *utc_ms_or_null(int64_t ms)
{
	return ms ? utc(ms / 1000) : NULL;
}

static json_object *partner_list_json(const struct partner *pt, int64_t now_ms)
{
	json_object *o = json_object_new_object();
	json_object *targets = json_object_new_array();
	json_object *leaving = json_object_new_array();
	json_object *by;
	int64_t next = pt->next_refresh_ms - now_ms;

	add(o, "domain", str(pt->domain));
	add(o, "set", str(pt->set));
	add(o, "origin", str(pt->from_cli ? "cli" : "config"));
	add(o, "require_secure", json_object_new_boolean(pt->secure));
	for (size_t i = 0; i < pt->nr_targets; i++) {
		json_object *t = json_object_new_object();

		add(t, "host", str(pt->targets[i].host));
		add(t, "port", json_object_new_int(pt->targets[i].port));
		add(t, "tls", json_object_new_boolean(pt->targets[i].tls));
		json_object_array_add(targets, t);
	}
	add(o, "targets", targets);
	add(o, "addresses", json_prefixes(pt->addrs.v, pt->addrs.n));
	for (size_t i = 0; i < pt->nr_leaving; i++) {
		json_object *l = json_object_new_object();
		char buf[PREFIX_STRLEN];

		prefix_format(&pt->leaving[i].addr, buf, sizeof(buf));
		add(l, "address", str(buf));
		add(l, "until", utc(pt->leaving[i].until_ms / 1000));
		json_object_array_add(leaving, l);
	}
	add(o, "leaving", leaving);
	add(o, "ttl",
	    pt->last_refresh_ms ? json_object_new_int64(pt->ttl) : NULL);
	add(o, "dnssec", str(dnssec_name(pt->dnssec)));
	add(o, "last_refresh", utc_ms_or_null(pt->last_refresh_ms));
	add(o, "next_refresh", utc_ms_or_null(pt->next_refresh_ms));
	add(o, "next_refresh_in",
	    json_object_new_int64(next > 0 ? (next + 999) / 1000 : 0));
	add(o, "last_error", pt->last_error[0] ? str(pt->last_error) : NULL);
	add(o, "failures", json_object_new_int64((int64_t)pt->failures));
	by = json_object_new_object();
	for (unsigned int f = 0; f < PF_NR; f++)
		add(by, partner_failure_name(f),
		    json_object_new_int64((int64_t)pt->failures_by[f]));
	add(o, "failures_by_cause", by);
	return o;
}

json_object *json_partners(const struct partners_file *f, int64_t now_ms)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < f->n; i++)
		json_object_array_add(arr, partner_list_json(&f->v[i], now_ms));
	add(root, "partners", arr);
	return root;
}
