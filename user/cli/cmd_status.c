// SPDX-License-Identifier: GPL-2.0
/* edgefw status: what is loaded and whether it is still attached. */
#include <stdio.h>
#include <time.h>
#include "cli.h"
#include "pool_share.h"
#include "format_json.h"
#include "log.h"

static void format_addrs(const struct iface_state *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nr_self && off < len; i++) {
		char a[PREFIX_STRLEN];

		prefix_format(&s->self[i], a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", a);
	}
	if (!s->nr_self)
		snprintf(buf, len, "(none)");
}

static void print_rule(const struct config *c, const struct cfg_rule *r)
{
	struct rule_text t;

	rule_format(c, r, &t);
	printf("  %-20s %-8s %-3s %-8s %-12s from %-14s to %-14s %s%s\n",
	       r->name, role_name(r->role), dir_name(r->dir), t.protos,
	       t.ports[0] ? t.ports : "all", t.from, t.to,
	       t.limit[0] ? "limit " : "", t.limit);
}

static int print_ifaces(const struct loaded *l)
{
	int problems = 0;

	printf("interfaces:\n");
	for (size_t i = 0; i < l->st.nr_ifaces; i++) {
		const struct iface_state *s = &l->st.ifaces[i];
		struct iface_health h;
		char addrs[512];

		loaded_iface_health(l, i, &h);
		format_addrs(s, addrs, sizeof(addrs));
		if (!iface_present(s))
			printf("  %-10s %-8s waiting\n", s->name,
			       role_name(l->cfg.ifaces[i].role));
		else
			printf("  %-10s %-8s xdp %s prog %u, tc egress prog %u, self %s\n",
			       s->name, role_name(l->cfg.ifaces[i].role),
			       s->xdp_native ? "native" : "generic", h.xdp_id,
			       h.tc_id, addrs);
		if (h.problem) {
			printf("    PROBLEM: %s\n", h.problem);
			problems++;
		}
	}
	return problems;
}

static void print_sets(const struct loaded *l)
{
	const struct config *c = &l->cfg;

	printf("sets: %zu\n", c->nr_sets);
	for (size_t i = 0; i < c->nr_sets; i++) {
		size_t n = l->st.set_sizes[i];

		if (!l->st.set_sizes_known || i >= l->st.nr_sets)
			printf("  %-20s (size unknown until the next reload)\n",
			       c->sets[i].name);
		else
			printf("  %-20s %zu %s\n", c->sets[i].name, n,
			       n == 1 ? "prefix" : "prefixes");
	}
}

static void print_pool(const struct loaded *l)
{
	const struct cfg_pool *c = &l->cfg.pool;
	char eps[POOL_MAX_ENDPOINTS * POOL_URL_LEN];
	struct pool_status s;

	if (!c->on) {
		printf("pool: none\n");
		return;
	}
	pool_endpoints_text(c, eps, sizeof(eps));
	pool_status_read(&l->paths, &s);
	printf("pool: etcd %s prefix %s\n", eps, c->prefix);
	printf("  revision %lld applied, degraded %s%s, %zu %s queued\n",
	       (long long)s.revision, s.degraded ? "yes" : "no",
	       s.watch_down ? " (etcd does not answer)" : "", s.queued,
	       s.queued == 1 ? "change" : "changes");
}

static int print_text(const struct loaded *l)
{
	const struct config *c = &l->cfg;
	time_t t = l->st.loaded_at;
	char when[32];
	int problems;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("edgefw: loaded, %s mode, generation %lu, since %s\n",
	       mode_name(c->mode), l->st.generation, when);
	printf("config: %s (sha256 %s)\n", l->st.config_path,
	       l->st.config_hash);
	problems = print_ifaces(l);
	printf("rules: %zu\n", c->nr_rules);
	for (size_t i = 0; i < c->nr_rules; i++)
		print_rule(c, &c->rules[i]);
	print_sets(l);
	printf("policy:");
	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++)
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			printf("%s %s %s %s", role || dir ? "," : "",
			       role_name(role), dir_name(dir),
			       action_name(c->policy[role][dir]));
	printf("\n");
	printf("blocklist: %u entries\n", l->nr_blocked);
	printf("flow table: up to %u flows\n", c->flows_max);
	printf("fragments: external %s, internal %s\n",
	       action_name(c->fragments[EDGEFW_ROLE_EXTERNAL]),
	       action_name(c->fragments[EDGEFW_ROLE_INTERNAL]));
	printf("icmp errors: %s\n", icmp_errors_name(c->icmp_errors));
	print_pool(l);
	return problems ? EXIT_FAILED : EXIT_OK;
}

int cmd_status(struct cli_ctx *ctx, const struct cli_args *a)
{
	bool healthy;

	if (ctx->loaded_rc == 1) {
		if (a->json)
			puts("{ \"loaded\": false }");
		else
			log_info("not loaded");
		return EXIT_FAILED;
	}
	if (ctx->loaded_rc) {
		/* the reason is on stderr; stdout still gets a document */
		if (a->json)
			puts("{ \"loaded\": null, \"healthy\": false }");
		return EXIT_FAILED;
	}
	if (!a->json)
		return print_text(&ctx->loaded);
	print_json(json_status(&ctx->loaded, &healthy));
	return healthy ? EXIT_OK : EXIT_FAILED;
}
