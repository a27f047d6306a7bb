// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw save: the running state as a config file. The loaded config's
 * statements, with every named set as it is now (the config's prefixes
 * and the changes made with 'edgefw set', its partner domains: the
 * config's and those of 'edgefw partner add'). Loading the output gives the
 * same rules and sets; 'edgefw check' accepts it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "op_partner.h"
#include "set_changes.h"

static void print_iface(FILE *out, const struct cfg_iface *ifc)
{
	fprintf(out, "interface %s role %s", ifc->name, role_name(ifc->role));
	for (size_t i = 0; ifc->addrs_given && i < ifc->nr_addrs; i++) {
		char a[PREFIX_STRLEN];

		prefix_format(&ifc->addrs[i], a, sizeof(a));
		fprintf(out, "%s%s", i ? ", " : " address ", a);
	}
	fputc('\n', out);
}

/*
 * A set's own prefixes and its domains: the addresses the domains own
 * come from DNS again when the output is loaded, and are not written.
 */
static void print_set(FILE *out, const struct cfg_set *s,
		      const struct partners_file *pf)
{
	struct prefix_list l = {};

	config_set_prefixes(s, &l);
	fprintf(out, "set %s {\n", s->name);
	for (size_t i = 0; i < pf->n; i++) {
		if (!strcmp(pf->v[i].set, s->name))
			fprintf(out, "\tdomain %s%s\n", pf->v[i].domain,
				pf->v[i].secure ? " secure" : "");
	}
	for (size_t i = 0; i < l.n; i++) {
		char a[PREFIX_STRLEN];

		prefix_format(&l.v[i], a, sizeof(a));
		fprintf(out, "\t%s\n", a);
	}
	fprintf(out, "}\n");
	plist_free(&l);
}

static void print_rule(FILE *out, const struct config *c,
		       const struct cfg_rule *r)
{
	struct rule_text t;

	rule_format(c, r, &t);
	fprintf(out, "rule %s %s %s %s%s%s from %s to %s%s%s\n", r->name,
		role_name(r->role), dir_name(r->dir), t.protos,
		t.ports[0] ? " " : "", t.ports, t.from, t.to,
		t.limit[0] ? " limit " : "", t.limit);
}

static void print_partners(FILE *out, const struct cfg_partners *pc)
{
	fprintf(out, "partners refresh min %us max %us grace %us timeout %us\n",
		pc->refresh_min, pc->refresh_max, pc->grace, pc->timeout);
	if (pc->resolver[0])
		fprintf(out, "partners resolver %s\n", pc->resolver);
	if (pc->trust_anchor[0])
		fprintf(out, "partners trust-anchor %s\n", pc->trust_anchor);
}

static void print_config(FILE *out, const struct loaded *l,
			 const struct partners_file *pf)
{
	const struct config *c = &l->cfg;
	char when[32], events[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(out,
		"# edgefw save at %s, from %s (sha256 %s)\n"
		"# with the sets as they are now; the blocklist is kept in %s.\n\n",
		when, l->st.config_path, l->st.config_hash,
		l->paths.blocks_file);
	fprintf(out, "mode %s\n", mode_name(c->mode));
	if (c->flows_max != EDGEFW_FLOW_MAX_ENTRIES)
		fprintf(out, "flows max %u\n", c->flows_max);
	fputc('\n', out);
	for (size_t i = 0; i < c->nr_ifaces; i++)
		print_iface(out, &c->ifaces[i]);
	fputc('\n', out);
	for (size_t i = 0; i < c->nr_sets; i++)
		print_set(out, &c->sets[i], pf);
	fputc('\n', out);
	for (size_t i = 0; i < c->nr_rules; i++)
		print_rule(out, c, &c->rules[i]);
	fputc('\n', out);
	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++) {
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			fprintf(out, "policy %s %s %s\n", role_name(role),
				dir_name(dir),
				action_name(c->policy[role][dir]));
	}
	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++)
		fprintf(out, "fragments %s %s\n", role_name(role),
			action_name(c->fragments[role]));
	fprintf(out, "icmp errors %s\n", icmp_errors_name(c->icmp_errors));
	events_format(c, events, sizeof(events));
	fprintf(out, "%s\n", events);
	if (c->metrics.listen) {
		char at[ENDPOINT_STRLEN];

		endpoint_format(&c->metrics.at, at, sizeof(at));
		fprintf(out, "metrics listen %s\n", at);
	}
	print_partners(out, &c->partners);
	if (c->pool.on) {
		char pool[POOL_MAX_ENDPOINTS * POOL_URL_LEN + 4 * PATH_MAX];

		pool_format(c, pool, sizeof(pool));
		fprintf(out, "%s\n", pool);
	}
	fprintf(out, "control block ttl max %llds\n",
		(long long)c->control_ttl_max);
	fprintf(out, "control block partners %s\n",
		control_partners_name(c->control_block_partners));
}

int cmd_save(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct set_changes_file changes;
	struct partners_file pf;

	(void)a;
	if (set_changes_read(&ctx->paths, &changes))
		return EXIT_FAILED;
	if (op_partner_list(&ctx->loaded, &pf)) {
		set_changes_free(&changes);
		return EXIT_FAILED;
	}
	set_changes_apply(&ctx->loaded.cfg, &changes);
	set_changes_free(&changes);
	print_config(stdout, &ctx->loaded, &pf);
	partners_free(&pf);
	return EXIT_OK;
}
