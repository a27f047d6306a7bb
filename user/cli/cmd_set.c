// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw set list|add|del NAME: a named set of the running config. The
 * whole input is checked before anything changes (exit 2 naming the line
 * of the first bad prefixes).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "pool_share.h"
#include "format_json.h"
#include "log.h"
#include "op_set.h"
#include "prefix_text.h"
#include "util.h"

static int read_file_input(const char *file, struct prefix_list *out)
{
	const char *label = strcmp(file, "-") ? file : "(stdin)", *why;
	char shown[PATH_MAX];
	size_t len;
	char *text = read_input(file, &len, &why);
	int errors;

	if (!text) {
		log_err("cannot read %s: %s",
			printable(label, shown, sizeof(shown)), why);
		return -1;
	}
	errors = prefix_text_parse(label, text, len, out, stderr);
	free(text);
	return errors;
}

int check_set_name(const struct cli_args *a, void **input)
{
	char shown[PRINTABLE_LEN];

	(void)input;
	if (config_valid_name(a->operands[0]))
		return EXIT_OK;
	return usage_error(
		"set",
		"'%s' is no set name: the config's sets are named by up to %d letters, digits, '_', '-' or '.', a letter first",
		printable(a->operands[0], shown, sizeof(shown)), NAME_LEN - 1);
}

/* As every check: what it read is the caller's only when it succeeds. */
int check_set_input(const struct cli_args *a, void **input)
{
	struct prefix_list *l;
	int errors = 0;

	if (check_set_name(a, NULL))
		return EXIT_USAGE;
	if (!a->file && a->nr_operands < 2)
		return usage_error("set", "needs PREFIX... or -f FILE");
	l = xcalloc(1, sizeof(*l));
	if (a->file)
		errors = abs(read_file_input(a->file, l));
	for (int i = 1; i < a->nr_operands; i++) {
		char why[160];
		struct prefix p;

		if (prefix_parse(a->operands[i], &p, why, sizeof(why))) {
			fprintf(stderr, "edgefw set: argument %d: %s\n", i,
				why);
			errors++;
		} else {
			plist_add(l, &p);
		}
	}
	if (errors) {
		free_set_input(l);
		log_err("nothing was changed: fix the input and run the command again");
		return EXIT_USAGE;
	}
	*input = l;
	return EXIT_OK;
}

void free_set_input(void *input)
{
	if (input)
		plist_free(input);
	free(input);
}

int cmd_set_list(struct cli_ctx *ctx, const struct cli_args *a)
{
	const char *name = a->operands[0];
	struct prefix_list l = {};
	int rc = op_set_list(&ctx->loaded, name, &l);

	if (rc == 0 && a->json) {
		print_json(json_set(name, &l));
	} else if (rc == 0) {
		for (size_t i = 0; i < l.n; i++) {
			char buf[PREFIX_STRLEN];

			prefix_format(&l.v[i], buf, sizeof(buf));
			puts(buf);
		}
	}
	plist_free(&l);
	return exit_status_of(rc);
}

static const char *prefixes(size_t n)
{
	return n == 1 ? "prefix" : "prefixes";
}

static void tell(const char *name, bool add, const struct set_change_report *r)
{
	if (r->duplicates)
		log_info("%zu %s in the input counted once", r->duplicates,
			 r->duplicates == 1 ? "duplicate" : "duplicates");
	if (r->skipped)
		log_info("%zu %s %s %s in set %s", r->skipped,
			 prefixes(r->skipped), r->skipped == 1 ? "was" : "were",
			 add ? "already" : "not", name);
	if (r->overlaps)
		log_info(
			"%zu new %s %s prefixes already in set %s; both are kept (a packet matching either is in the set), e.g.:",
			r->overlaps, prefixes(r->overlaps),
			r->overlaps == 1 ? "overlaps" : "overlap", name);
	for (size_t i = 0; i < r->nr_shown; i++) {
		char inner[PREFIX_STRLEN], outer[PREFIX_STRLEN];

		prefix_format(&r->shown[i][0], inner, sizeof(inner));
		prefix_format(&r->shown[i][1], outer, sizeof(outer));
		log_info("  %s lies inside %s", inner, outer);
	}
	if (!r->changed)
		log_info(
			"set %s is unchanged: it holds %s of the prefixes given",
			name, add ? "every one" : "none");
	else
		log_info("%s %zu %s %s set %s in %.3f s",
			 add ? "added" : "removed", r->changed,
			 prefixes(r->changed), add ? "to" : "from", name,
			 r->seconds);
}

static int change(struct cli_ctx *ctx, const struct cli_args *a, bool add)
{
	struct set_change_report r;
	struct pool_share_report pr;
	int rc = pool_lib_check(&ctx->paths);

	if (rc)
		return exit_status_of(rc);
	rc = op_set_change(&ctx->loaded, a->operands[0], add, ctx->input, &r);
	if (rc == 0) {
		tell(a->operands[0], add, &r);
		rc = pool_share_set(&ctx->paths, a->operands[0], ctx->input,
				    add, &pr);
	}
	return exit_status_of(rc);
}

int cmd_set_add(struct cli_ctx *ctx, const struct cli_args *a)
{
	return change(ctx, a, true);
}

int cmd_set_del(struct cli_ctx *ctx, const struct cli_args *a)
{
	return change(ctx, a, false);
}
