// SPDX-License-Identifier: GPL-2.0
/* edgefw block add|del|list: the dynamic blocklist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "duration.h"
#include "format_json.h"
#include "log.h"
#include "op_block.h"
#include "pool_share.h"
#include "util.h"

/* As every check: what it read is the caller's only when it succeeds. */
int check_block_prefix(const struct cli_args *a, void **input)
{
	struct prefix *p = xcalloc(1, sizeof(*p));
	char why[160];

	if (prefix_parse(a->operands[0], p, why, sizeof(why))) {
		free(p);
		return usage_error("block", "%s", why);
	}
	*input = p;
	return EXIT_OK;
}

static void say_loaded(const struct block_report *r)
{
	if (!r->loaded)
		log_info(
			"edgefw is not loaded: the block applies when it loads");
}

int cmd_block_add(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct block_entry e = { .prefix = *(struct prefix *)ctx->input };
	char buf[PREFIX_STRLEN], ttl[32] = "";
	int64_t ttl_ms = a->ttl * 1000;
	struct pool_share_report pr;
	struct block_report r;
	int rc;

	if (a->reason)
		snprintf(e.reason, sizeof(e.reason), "%s", a->reason);
	if (ctx->limits && a->force) {
		log_err("--force is root's alone: members of group edgefw cannot block what edgefw protects");
		return EXIT_USAGE;
	}
	rc = pool_lib_check(&ctx->paths);
	if (rc)
		return exit_status_of(rc);
	if (ctx->limits)
		rc = op_block_add_limited(&ctx->paths, &e, &ttl_ms, ctx->limits,
					  &r);
	else
		rc = op_block_add(&ctx->paths, &e, ttl_ms, a->force, &r);
	if (rc)
		return exit_status_of(rc);
	rc = pool_share_block(&ctx->paths, &e, false, &pr);
	prefix_format(&e.prefix, buf, sizeof(buf));
	if (ttl_ms) {
		memcpy(ttl, " for ", 5);
		duration_format(ttl_ms / 1000, ttl + 5, sizeof(ttl) - 5);
	}
	log_info("%s %s%s%s%s%s",
		 r.existed ? "updated the block of" : "blocked", buf,
		 ttl_ms ? ttl : " with no time limit", e.reason[0] ? " (" : "",
		 e.reason, e.reason[0] ? ")" : "");
	say_loaded(&r);
	return exit_status_of(rc);
}

int cmd_block_del(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct block_entry e = { .prefix = *(struct prefix *)ctx->input };
	struct pool_share_report pr;
	char buf[PREFIX_STRLEN];
	struct block_report r;
	int rc;

	(void)a;
	rc = pool_lib_check(&ctx->paths);
	if (rc)
		return exit_status_of(rc);
	rc = op_block_del(&ctx->paths, &e.prefix, ctx->limits, &r);
	if (rc == 0) {
		prefix_format(&e.prefix, buf, sizeof(buf));
		log_info("unblocked %s", buf);
		rc = pool_share_block(&ctx->paths, &e, true, &pr);
	}
	return exit_status_of(rc);
}

static void print_text(const struct blocks *b, int64_t now_ms)
{
	printf("%-40s %-12s %-21s %-16s %s\n", "PREFIX", "EXPIRES IN", "ADDED",
	       "OWNER", "REASON");
	for (size_t i = 0; i < b->n; i++) {
		const struct block_entry *e = &b->v[i];
		char pfx[PREFIX_STRLEN], left[32] = "never", added[32];
		char owner[BLOCK_OWNER_LEN];
		time_t t = e->added_ms / 1000;
		struct tm tm;

		prefix_format(&e->prefix, pfx, sizeof(pfx));
		gmtime_r(&t, &tm);
		strftime(added, sizeof(added), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (e->expires_ms)
			duration_format(block_seconds_left(e, now_ms), left,
					sizeof(left));
		block_owner_name(e->added_by, owner, sizeof(owner));
		printf("%-40s %-12s %-21s %-16s %s\n", pfx, left, added, owner,
		       e->reason);
	}
}

int cmd_block_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	int64_t now_ms = wall_now_ms();
	struct block_report r;
	struct blocks b;
	int rc = op_block_list(&ctx->paths, &b, &r);

	if (rc)
		return exit_status_of(rc);
	if (a->json)
		print_json(json_blocks(&b, now_ms));
	else
		print_text(&b, now_ms);
	blocks_free(&b);
	return EXIT_OK;
}
