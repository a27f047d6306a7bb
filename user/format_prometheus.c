// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include "format_prometheus.h"
#include "pool_share.h"
#include "reasons.h"
#include "version.h"

/* A metric's HELP and TYPE lines: once, before its samples. */
static void family(FILE *out, const char *name, const char *type,
		   const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label's value, escaped as the format wants: \\, \" and \n. */
static void label_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n') {
			fputs("\\n", out);
			continue;
		}
		fputc(*s, out);
	}
}

/*
 * name{k1="v1",k2="v2",...} value: labels as key, value pairs, NULL
 * after the last.
 */
static void sample(FILE *out, const char *name, uint64_t value, ...)
{
	const char *key;
	bool first = true;
	va_list ap;

	fputs(name, out);
	va_start(ap, value);
	while ((key = va_arg(ap, const char *))) {
		fprintf(out, "%s%s=\"", first ? "{" : ",", key);
		label_value(out, va_arg(ap, const char *));
		fputc('"', out);
		first = false;
	}
	va_end(ap);
	fprintf(out, "%s %" PRIu64 "\n", first ? "" : "}", value);
}

static void build_info(FILE *out, const struct metrics *m)
{
	family(out, "edgefw_build_info", "gauge",
	       "Always 1: the edgefw version and commit, and the kernel it runs on.");
	sample(out, "edgefw_build_info", 1, "version", edgefw_version(),
	       "commit", edgefw_commit(), "kernel", m->kernel, NULL);
	family(out, "edgefw_loaded", "gauge",
	       "1 when edgefw is loaded (its runtime state reads whole), else 0.");
	sample(out, "edgefw_loaded", m->loaded != NULL, NULL);
}

static void state_metrics(FILE *out, const struct loaded *l)
{
	const struct config *c = &l->cfg;

	family(out, "edgefw_mode", "gauge",
	       "1 for the mode of the loaded config (enforce or monitor), 0 for the other.");
	for (unsigned int mode = EDGEFW_MODE_ENFORCE;
	     mode <= EDGEFW_MODE_MONITOR; mode++)
		sample(out, "edgefw_mode", c->mode == mode, "mode",
		       mode_name(mode), NULL);
	family(out, "edgefw_generation", "gauge",
	       "The running generation: 1 at load, one more at each reload.");
	sample(out, "edgefw_generation", l->st.generation, NULL);
	family(out, "edgefw_reloads_total", "counter",
	       "Reloads since the load, by edgefw reload and by the daemon (SIGHUP, interface and address changes), by result.");
	sample(out, "edgefw_reloads_total", l->st.reloads_ok, "result",
	       "success", NULL);
	sample(out, "edgefw_reloads_total", l->st.reloads_failed, "result",
	       "failure", NULL);
	family(out, "edgefw_last_reload_timestamp_seconds", "gauge",
	       "Unix time of the load or reload that made the running generation.");
	sample(out, "edgefw_last_reload_timestamp_seconds",
	       (uint64_t)l->st.loaded_at, NULL);
}

/* Only with a pool in the loaded config. */
static void pool_metrics(FILE *out, const struct loaded *l)
{
	struct pool_status s;

	if (!l->cfg.pool.on)
		return;
	pool_status_read(&l->paths, &s);
	family(out, "edgefw_pool_degraded", "gauge",
	       "1 when the pool is degraded: etcd does not answer the daemon, or changes made here wait to be written to it; else 0.");
	sample(out, "edgefw_pool_degraded", s.degraded, NULL);
	family(out, "edgefw_pool_revision", "gauge",
	       "The revision of the pool's prefix in etcd applied here (pool.json).");
	sample(out, "edgefw_pool_revision", (uint64_t)s.revision, NULL);
}

static void iface_metrics(FILE *out, const struct loaded *l)
{
	static const char *const modes[] = { "native", "generic", "waiting" };

	family(out, "edgefw_xdp_mode", "gauge",
	       "1 for the XDP mode each interface is attached in (native or generic; waiting: not there yet), 0 for the others.");
	for (size_t i = 0; i < l->st.nr_ifaces; i++) {
		const struct iface_state *s = &l->st.ifaces[i];
		unsigned int now = !iface_present(s) ? 2
				   : s->xdp_native   ? 0
						     : 1;

		for (unsigned int k = 0; k < 3; k++)
			sample(out, "edgefw_xdp_mode", k == now, "interface",
			       s->name, "mode", modes[k], NULL);
	}
}

/* The counters of one interface and direction, by verdict and reason or rule. */
static void counter_family(FILE *out, const struct metrics *m, bool bytes)
{
	const char *name = bytes ? "edgefw_bytes_total"
				 : "edgefw_packets_total";
	const struct config *c = &m->loaded->cfg;

	family(out, name, "counter",
	       bytes ? "Bytes of the packets judged (frames as the hook sees them), by interface, role, direction, verdict and reason or admitting rule; since the running generation was loaded."
		     : "Packets judged, by interface, role, direction, verdict (pass or drop; in monitor mode drop is what would be dropped) and reason or admitting rule (reason=\"rule\"); since the running generation was loaded.");
	for (size_t i = 0; i < c->nr_ifaces && i < m->stats.nr_ifaces; i++) {
		const char *ifname = c->ifaces[i].name;
		unsigned int role = c->ifaces[i].role;

		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++) {
			for (size_t r = 0; r < c->nr_rules; r++) {
				const struct edgefw_counter *ctr;

				if (c->rules[r].role != role ||
				    c->rules[r].dir != dir)
					continue;
				ctr = stats_counter(&m->stats, i, dir,
						    EDGEFW_VERDICT_RULE(r));
				sample(out, name,
				       bytes ? ctr->bytes : ctr->packets,
				       "interface", ifname, "role",
				       role_name(role), "direction",
				       dir_name(dir), "verdict", "pass",
				       "reason", "rule", "rule",
				       c->rules[r].name, NULL);
			}
			for (unsigned int v = 0; v < EDGEFW_NR_REASONS; v++) {
				const struct edgefw_counter *ctr =
					stats_counter(&m->stats, i, dir, v);

				sample(out, name,
				       bytes ? ctr->bytes : ctr->packets,
				       "interface", ifname, "role",
				       role_name(role), "direction",
				       dir_name(dir), "verdict",
				       edgefw_verdict_drops(v) ? "drop"
							       : "pass",
				       "reason", reason_name(v), "rule", "",
				       NULL);
			}
		}
	}
}

static void ratelimited(FILE *out, const struct metrics *m, size_t i,
			unsigned int dir)
{
	const struct config *c = &m->loaded->cfg;
	unsigned int role = c->ifaces[i].role;
	bool any = false;

	for (size_t r = 0; r < c->nr_rules; r++) {
		const struct cfg_rule *rule = &c->rules[r];
		const struct edgefw_counter *n;

		if (rule->role != role || rule->dir != dir ||
		    rule->limit.kind == EDGEFW_LIMIT_NONE)
			continue;
		any = true;
		n = stats_limited(&m->stats, i, dir, r);
		if (n)
			sample(out, "edgefw_ratelimited_total", n->packets,
			       "interface", c->ifaces[i].name, "direction",
			       dir_name(dir), "rule", rule->name, NULL);
	}
	/* a generation of an edgefw that did not count them by rule */
	if (any && !m->stats.limited)
		sample(out, "edgefw_ratelimited_total",
		       stats_counter(&m->stats, i, dir, EDGEFW_DROP_RATELIMIT)
			       ->packets,
		       "interface", c->ifaces[i].name, "direction",
		       dir_name(dir), "rule", "", NULL);
}

/* What a writer into a ring buffer (monitor's events, the daemon's
 * samples) sent and did not send, by cause. */
static void ring_counts(FILE *out, const char *emitted,
			const char *emitted_help, const char *suppressed,
			const char *suppressed_help,
			const struct events_counts *n)
{
	family(out, emitted, "counter", emitted_help);
	sample(out, emitted, n->emitted, NULL);
	family(out, suppressed, "counter", suppressed_help);
	sample(out, suppressed, n->limited, "cause", "limit", NULL);
	sample(out, suppressed, n->ring_full, "cause", "ring_full", NULL);
}

static void drop_metrics(FILE *out, const struct metrics *m)
{
	const struct config *c = &m->loaded->cfg;

	family(out, "edgefw_ratelimited_total", "counter",
	       "Packets a rule's rate limit dropped, by interface, direction and rule (rule=\"\" for all of them, from a generation loaded by an edgefw that did not count them by rule).");
	for (size_t i = 0; i < c->nr_ifaces && i < m->stats.nr_ifaces; i++) {
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			ratelimited(out, m, i, dir);
	}
	family(out, "edgefw_blocked_total", "counter",
	       "Packets dropped at ingress because their source is on the blocklist, by interface.");
	for (size_t i = 0; i < c->nr_ifaces && i < m->stats.nr_ifaces; i++)
		sample(out, "edgefw_blocked_total",
		       stats_counter(&m->stats, i, EDGEFW_DIR_IN,
				     EDGEFW_DROP_BLOCKED)
			       ->packets,
		       "interface", c->ifaces[i].name, NULL);
	/* an edgefw loaded by a version without drop events has none */
	if (!m->stats.has_events)
		return;
	ring_counts(
		out, "edgefw_events_emitted_total",
		"Drop events sent to edgefw monitor's ring buffer, since load.",
		"edgefw_events_suppressed_total",
		"Drop events not sent, by cause: limit (the per-CPU token bucket of 'events rate') or ring_full (the ring buffer had no room).",
		&m->stats.events);
	if (!m->stats.has_samples)
		return;
	ring_counts(
		out, "edgefw_samples_emitted_total",
		"Drop samples sent to the daemon's ring buffer for the top sources of its drop summary, since load.",
		"edgefw_samples_suppressed_total",
		"Drop samples not sent, by cause: limit (the per-CPU token bucket of 'events ... sample') or ring_full (the ring buffer had no room).",
		&m->stats.samples);
}

static void table_metrics(FILE *out, const struct metrics *m)
{
	const struct loaded *l = m->loaded;
	const struct config *c = &l->cfg;

	family(out, "edgefw_blocklist_entries", "gauge",
	       "Entries of the dynamic blocklist in the kernel (expired ones until they are pruned).");
	sample(out, "edgefw_blocklist_entries", l->nr_blocked, NULL);
	family(out, "edgefw_set_prefixes", "gauge",
	       "Prefixes of each named set of the running config, with the changes made by edgefw set, by family.");
	/* an older edgefw's state: the families are known after a reload */
	for (size_t i = 0; l->st.set_sizes_known && l->st.set_sizes6_known &&
			   i < c->nr_sets && i < l->st.nr_sets;
	     i++) {
		size_t v6 = l->st.set_sizes6[i];

		sample(out, "edgefw_set_prefixes", l->st.set_sizes[i] - v6,
		       "set", c->sets[i].name, "family", "ipv4", NULL);
		sample(out, "edgefw_set_prefixes", v6, "set", c->sets[i].name,
		       "family", "ipv6", NULL);
	}
	family(out, "edgefw_flows", "gauge",
	       "Entries of each flow table, by family: tracked flows, and expired ones until the LRU table reuses their place.");
	if (m->flows_read) {
		sample(out, "edgefw_flows", m->flows[0], "family", "ipv4",
		       NULL);
		sample(out, "edgefw_flows", m->flows[1], "family", "ipv6",
		       NULL);
	}
	family(out, "edgefw_flow_filter_ready", "gauge",
	       "1 while the programs ask the flow filter before the flow tables; 0 until a reload beside an older edgefw's flows has filled it.");
	family(out, "edgefw_flow_filter_entries", "gauge",
	       "Entries (bits) of a family's half of the flow filter: 16 a flow of the table.");
	family(out, "edgefw_flow_filter_entries_set", "gauge",
	       "Entries set in the half of the flow filter that the programs ask, by family: a packet without a flow finds both its entries set, and looks the table up, about as often as the square of their share (entries_set / entries); over a quarter, the daemon builds the filter anew.");
	if (m->flow_filter_read) {
		const struct flow_filter_fill *f = &m->flow_filter;

		sample(out, "edgefw_flow_filter_ready", f->ready, NULL);
		sample(out, "edgefw_flow_filter_entries", f->bits, NULL);
		sample(out, "edgefw_flow_filter_entries_set", f->set[0],
		       "family", "ipv4", NULL);
		sample(out, "edgefw_flow_filter_entries_set", f->set[1],
		       "family", "ipv6", NULL);
	}
	family(out, "edgefw_flows_max", "gauge",
	       "The size of each flow table (flows max), by family; an LRU table: when full, the oldest flow goes.");
	sample(out, "edgefw_flows_max", c->flows_max, "family", "ipv4", NULL);
	sample(out, "edgefw_flows_max", c->flows_max, "family", "ipv6", NULL);
	family(out, "edgefw_map_bytes", "gauge",
	       "Memory the kernel charges for each BPF map of edgefw (its fdinfo's memlock), in bytes.");
	for (int i = 0; i < NR_MAPS; i++) {
		if (m->maps_read & MAP_BIT(i))
			sample(out, "edgefw_map_bytes", m->map_bytes[i], "map",
			       map_name(i), NULL);
	}
}

/* Each partner domain's addresses, DNS failures and DNSSEC status. */
static void partner_metrics(FILE *out, const struct metrics *m)
{
	const struct partners_file *f = &m->partners;

	if (!m->partners_read)
		return;
	family(out, "edgefw_partner_addresses", "gauge",
	       "Addresses a partner domain puts into its set: what DNS last gave, and those gone from DNS still in their grace period.");
	for (size_t i = 0; i < f->n; i++) {
		struct prefix_list owned = { 0 };

		partner_owned(&f->v[i], &owned);
		sample(out, "edgefw_partner_addresses", owned.n, "set",
		       f->v[i].set, "domain", f->v[i].domain, NULL);
		plist_free(&owned);
	}
	family(out, "edgefw_partner_resolve_failures_total", "counter",
	       "Resolutions of a partner domain that failed, by cause (timeout, servfail, refused, rcode, bogus, insecure, special_use, error): the set kept what it had.");
	for (size_t i = 0; i < f->n; i++) {
		for (unsigned int c = 0; c < PF_NR; c++)
			sample(out, "edgefw_partner_resolve_failures_total",
			       f->v[i].failures_by[c], "set", f->v[i].set,
			       "domain", f->v[i].domain, "cause",
			       partner_failure_name(c), NULL);
	}
	family(out, "edgefw_partner_last_refresh_timestamp_seconds", "gauge",
	       "Unix time of a partner domain's last resolution that succeeded (absent: none yet).");
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].last_refresh_ms)
			sample(out,
			       "edgefw_partner_last_refresh_timestamp_seconds",
			       (uint64_t)f->v[i].last_refresh_ms / 1000, "set",
			       f->v[i].set, "domain", f->v[i].domain, NULL);
	}
	family(out, "edgefw_partner_dnssec", "gauge",
	       "1 for the DNSSEC status of a partner domain's last answer (unknown: never resolved; insecure, secure, bogus), 0 for the others.");
	for (size_t i = 0; i < f->n; i++) {
		for (unsigned int st = DNSSEC_UNKNOWN; st <= DNSSEC_BOGUS; st++)
			sample(out, "edgefw_partner_dnssec",
			       f->v[i].dnssec == st, "set", f->v[i].set,
			       "domain", f->v[i].domain, "status",
			       dnssec_name(st), NULL);
	}
}

void prom_write(FILE *out, const struct metrics *m)
{
	build_info(out, m);
	if (!m->loaded)
		return;
	state_metrics(out, m->loaded);
	pool_metrics(out, m->loaded);
	iface_metrics(out, m->loaded);
	counter_family(out, m, false);
	counter_family(out, m, true);
	drop_metrics(out, m);
	table_metrics(out, m);
	partner_metrics(out, m);
}
