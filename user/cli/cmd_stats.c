// SPDX-License-Identifier: GPL-2.0
/* edgefw stats: the running generation's counters. */
#include <inttypes.h>
#include <stdio.h>
#include "cli.h"
#include "format_json.h"
#include "reasons.h"
#include "stats.h"

static void print_line(const char *verdict, const char *what,
		       const struct edgefw_counter *ctr, bool *any)
{
	if (!ctr->packets)
		return;
	printf("  %-4s %-24s %14" PRIu64 " packets %16" PRIu64 " bytes\n",
	       verdict, what, (uint64_t)ctr->packets, (uint64_t)ctr->bytes);
	*any = true;
}

static void print_dir(const struct config *c, const struct stats *s,
		      size_t iface, unsigned int dir)
{
	unsigned int role = c->ifaces[iface].role;
	bool any = false;

	printf("%s (%s) %s:\n", c->ifaces[iface].name, role_name(role),
	       dir_name(dir));
	for (size_t r = 0; r < c->nr_rules; r++) {
		if (c->rules[r].role == role && c->rules[r].dir == dir)
			print_line("rule", c->rules[r].name,
				   stats_counter(s, iface, dir,
						 EDGEFW_VERDICT_RULE(r)),
				   &any);
	}
	for (unsigned int v = 0; v < EDGEFW_NR_REASONS; v++)
		print_line(edgefw_verdict_drops(v) ? "drop" : "pass",
			   reason_name(v), stats_counter(s, iface, dir, v),
			   &any);
	if (!any)
		printf("  (no packets)\n");
}

static void print_events(const struct events_counts *ev)
{
	printf("drop events (edgefw monitor):\n");
	printf("  %-29s %14" PRIu64 " events\n", "emitted",
	       (uint64_t)ev->emitted);
	printf("  %-29s %14" PRIu64 " events\n", "suppressed by the limit",
	       (uint64_t)ev->limited);
	printf("  %-29s %14" PRIu64 " events\n", "suppressed, ring full",
	       (uint64_t)ev->ring_full);
}

int cmd_stats(struct cli_ctx *ctx, const struct cli_args *a)
{
	const struct config *c = &ctx->loaded.cfg;
	struct stats s;

	if (stats_read(&ctx->paths, c->nr_ifaces, &s))
		return EXIT_FAILED;
	if (a->json) {
		print_json(json_stats(c, &s));
	} else {
		for (size_t i = 0; i < c->nr_ifaces; i++) {
			for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
				print_dir(c, &s, i, dir);
		}
		if (s.has_events)
			print_events(&s.events);
	}
	stats_free(&s);
	return EXIT_OK;
}
