// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw partner add|del|list|refresh: federation partners by XMPP
 * domain, whose servers' addresses DNS gives (op_partner.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "duration.h"
#include "format_json.h"
#include "log.h"
#include "op_partner.h"
#include "pool_share.h"

/* The domain operand, when there is one, checked as a DNS name. */
int check_partner_domain(const struct cli_args *a, void **input)
{
	char *domain, why[256];

	if (!a->nr_operands)
		return EXIT_OK;
	domain = xcalloc(1, DNSNAME_LEN);
	if (dnsname_parse(a->operands[0], domain, why, sizeof(why))) {
		free(domain);
		return usage_error("partner", "%s", why);
	}
	*input = domain;
	return EXIT_OK;
}

static const char *set_of(const struct cli_args *a)
{
	return a->set ? a->set : "partners";
}

static void when(int64_t ms, char *buf, size_t len)
{
	time_t t = ms / 1000;
	struct tm tm;

	if (!ms) {
		snprintf(buf, len, "never");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_addrs(const struct partner *pt)
{
	printf("  addresses:");
	for (size_t i = 0; i < pt->addrs.n; i++) {
		char buf[PREFIX_STRLEN];

		prefix_format(&pt->addrs.v[i], buf, sizeof(buf));
		printf(" %s", buf);
	}
	printf("%s\n", pt->addrs.n ? "" : " none");
	for (size_t i = 0; i < pt->nr_leaving; i++) {
		char buf[PREFIX_STRLEN], until[32];

		prefix_format(&pt->leaving[i].addr, buf, sizeof(buf));
		when(pt->leaving[i].until_ms, until, sizeof(until));
		printf("  leaving:   %s (gone from DNS; stays until %s)\n", buf,
		       until);
	}
}

static void print_partner(const struct partner *pt, int64_t now_ms)
{
	char last[32], next[32], left[32] = "now";
	int64_t due = pt->next_refresh_ms - now_ms;

	when(pt->last_refresh_ms, last, sizeof(last));
	when(pt->next_refresh_ms, next, sizeof(next));
	if (due > 0)
		duration_format((due + 999) / 1000, left, sizeof(left));
	printf("%s (set %s, %s%s)\n", pt->domain, pt->set,
	       pt->from_cli ? "added with partner add" : "in the config",
	       pt->secure ? ", DNSSEC required" : "");
	printf("  targets:  ");
	for (size_t i = 0; i < pt->nr_targets; i++)
		printf(" %s%s%u%s", pt->targets[i].host,
		       strcmp(pt->targets[i].host, ".") ? ":" : "",
		       pt->targets[i].port, pt->targets[i].tls ? " (tls)" : "");
	printf("%s\n", pt->nr_targets ? "" : " none");
	print_addrs(pt);
	printf("  ttl %u s, dnssec %s, last refresh %s, next refresh %s (in %s), failures %llu\n",
	       pt->ttl, dnssec_name(pt->dnssec), last, next, left,
	       (unsigned long long)pt->failures);
	printf("  last error: %s\n",
	       pt->last_error[0] ? pt->last_error : "none");
}

/* The partners of --set and DOMAIN (each when given), into shown. */
static int select_partners(struct cli_ctx *ctx, const struct cli_args *a,
			   struct partners_file *shown)
{
	const char *domain = ctx->input;
	struct partners_file f;
	int rc = op_partner_list(&ctx->loaded, &f);

	memset(shown, 0, sizeof(*shown));
	if (rc)
		return rc;
	for (size_t i = 0; i < f.n; i++) {
		if ((a->set && strcmp(f.v[i].set, a->set)) ||
		    (domain && strcmp(f.v[i].domain, domain)))
			continue;
		GROW(shown->v, shown->cap, shown->n + 1);
		partner_copy(&shown->v[shown->n++], &f.v[i]);
	}
	partners_free(&f);
	return 0;
}

int cmd_partner_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *domain = ctx->input;
	struct partners_file shown;
	int64_t now = wall_now_ms();
	int rc = select_partners(ctx, a, &shown);

	if (rc)
		return exit_status_of(rc);
	if (domain && !shown.n) {
		log_err("%s is no partner%s%s", domain,
			a->set ? " of set " : "", a->set ? a->set : "");
		return EXIT_USAGE;
	}
	if (a->json) {
		print_json(json_partners(&shown, now));
	} else {
		for (size_t i = 0; i < shown.n; i++)
			print_partner(&shown.v[i], now);
		if (!shown.n)
			printf("no partner domains\n");
	}
	partners_free(&shown);
	return EXIT_OK;
}

int cmd_partner_add(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct pool_share_report pr;
	struct partner pt;
	int rc = pool_lib_check(&ctx->paths);

	if (rc)
		return exit_status_of(rc);
	rc = op_partner_add(&ctx->paths, &ctx->loaded, set_of(a), ctx->input,
			    a->secure, &pt);
	if (rc)
		return exit_status_of(rc);
	rc = pool_share_partner(&ctx->paths, pt.set, pt.domain, a->secure,
				false, &pr);
	if (a->json) {
		/* as partner list --json shows it */
		struct partners_file one = { .v = &pt, .n = 1 };

		print_json(json_partners(&one, wall_now_ms()));
	}
	log_info("partner %s: %zu %s in set %s%s", pt.domain, pt.addrs.n,
		 pt.addrs.n == 1 ? "address" : "addresses", pt.set,
		 pt.last_refresh_ms ? ""
				    : " (not resolved yet: retried later)");
	partner_free(&pt);
	return exit_status_of(rc);
}

int cmd_partner_del(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct pool_share_report pr;
	char set[NAME_LEN];
	bool had = pool_partner_set(&ctx->paths, a->set, ctx->input, set,
				    sizeof(set));
	int rc = pool_lib_check(&ctx->paths);

	if (rc)
		return exit_status_of(rc);
	rc = op_partner_del(&ctx->paths, a->set, ctx->input);
	if (rc == 0) {
		if (a->json) {
			json_object *o = json_object_new_object();

			json_object_object_add(
				o, "removed",
				json_object_new_string(ctx->input));
			print_json(o);
		}
		log_info("partner %s removed", (const char *)ctx->input);
		if (had)
			rc = pool_share_partner(&ctx->paths, set, ctx->input,
						false, true, &pr);
	}
	return exit_status_of(rc);
}

int cmd_partner_refresh(struct cli_ctx *ctx, const struct cli_args *a)
{
	size_t failed;
	int rc = op_partner_refresh(&ctx->paths, &ctx->loaded, a->set,
				    ctx->input, &failed);

	if (rc)
		return exit_status_of(rc);
	if (a->json) {
		/* what the refresh left, as partner list --json shows it */
		struct partners_file shown;

		if (select_partners(ctx, a, &shown) == 0) {
			print_json(json_partners(&shown, wall_now_ms()));
			partners_free(&shown);
		}
	}
	if (failed) {
		log_err("%zu %s could not be resolved: %s kept %s addresses",
			failed, failed == 1 ? "domain" : "domains",
			failed == 1 ? "it" : "they",
			failed == 1 ? "its" : "their");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}
