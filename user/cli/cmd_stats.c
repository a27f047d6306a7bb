// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw stats: the running generation's counters, as text, JSON or the
 * Prometheus text format (to stdout, or a node_exporter textfile); with
 * --watch, their rates every few seconds until SIGINT.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "format_json.h"
#include "format_prometheus.h"
#include "log.h"
#include "metrics.h"
#include "reasons.h"
#include "stats.h"

#define TEXTFILE_NAME "edgefw.prom"

int check_stats_options(const struct cli_args *a, void **input)
{
	(void)input;
	if (a->json && (a->prometheus || a->textfile))
		return usage_error(
			"stats",
			"--json and --prometheus/--textfile are two formats: choose one");
	if (a->watch && (a->prometheus || a->textfile))
		return usage_error(
			"stats",
			"--watch prints rates as text or --json; Prometheus computes its own rates from --prometheus or --textfile");
	return EXIT_OK;
}

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

/* DIR/edgefw.prom, replaced whole: node_exporter never reads half of it. */
static int write_textfile(const char *dir, const char *text, size_t len)
{
	char path[PATH_MAX];
	int err;

	if (path_join(path, sizeof(path), dir, TEXTFILE_NAME)) {
		log_err("%s/%s: the path is too long", dir, TEXTFILE_NAME);
		return -1;
	}
	err = write_file_atomic(path, text, len, 0644);
	if (err) {
		log_err("cannot write %s: %s", path, strerror(-err));
		return -1;
	}
	return 0;
}

static int print_prometheus(const struct loaded *l, const char *textfile)
{
	struct metrics m;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc = EXIT_FAILED;

	if (metrics_read(l, &m))
		return EXIT_FAILED;
	out = textfile ? open_memstream(&text, &len) : stdout;
	if (out) {
		prom_write(out, &m);
		if (!textfile)
			rc = fflush(out) ? EXIT_FAILED : EXIT_OK;
		else if (fclose(out) == 0 &&
			 write_textfile(textfile, text, len) == 0)
			rc = EXIT_OK;
	}
	free(text);
	metrics_free(&m);
	return rc;
}

/* --watch: rates until SIGINT (or SIGTERM) */

static volatile sig_atomic_t watch_stop;

static void on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

struct sample {
	struct loaded l;
	struct stats s;
	int64_t t_ns; /* CLOCK_MONOTONIC, when the counters were read */
	bool open; /* l was opened here (not the dispatcher's) */
};

static void sample_free(struct sample *x)
{
	stats_free(&x->s);
	if (x->open)
		loaded_close(&x->l);
	x->open = false;
}

/*
 * The counters now, and what is loaded: the config is parsed anew only
 * when a reload made a new generation (prev's is kept otherwise).
 */
static int sample_read(const struct paths *p, struct sample *prev,
		       struct sample *x)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	int err = state_read(p, st);
	bool same = err == 0 && st->generation == prev->l.st.generation &&
		    !strcmp(st->config_hash, prev->l.st.config_hash);

	free(st);
	if (err == -ENOENT) {
		log_err("edgefw is no longer loaded");
		return -1;
	}
	if (err)
		return -1;
	memset(x, 0, sizeof(*x));
	if (same) {
		/* move the parsed config over: prev is freed next */
		x->l = prev->l;
		x->open = prev->open;
		prev->open = false;
		memset(&prev->l.cfg, 0, sizeof(prev->l.cfg));
	} else {
		if (loaded_open(p, &x->l))
			return -1;
		x->open = true;
	}
	x->t_ns = clock_ns(CLOCK_MONOTONIC);
	if (stats_read(p, x->l.cfg.nr_ifaces, &x->s)) {
		sample_free(x);
		return -1;
	}
	return 0;
}

static void format_rate(const struct counter_rate *r, char *buf, size_t len)
{
	static const char *const units[] = { "bit/s", "kbit/s", "Mbit/s",
					     "Gbit/s" };
	double bps = r->bps;
	unsigned int u = 0;

	while (bps >= 1000 && u + 1 < ARRAY_SIZE(units)) {
		bps /= 1000;
		u++;
	}
	snprintf(buf, len, "%12.1f pps %9.1f %-6s", r->pps, bps, units[u]);
}

static void print_rate_line(const char *verdict, const char *what,
			    const struct edgefw_counter *a,
			    const struct edgefw_counter *b, double secs)
{
	struct counter_rate r;
	char text[64];

	if (b->packets == a->packets)
		return;
	counter_rate(a, b, secs, &r);
	format_rate(&r, text, sizeof(text));
	printf("  %-4s %-24s %s\n", verdict, what, text);
}

static void print_dir_rates(const struct config *c, const struct stats *a,
			    const struct stats *b, double secs, size_t iface,
			    unsigned int dir)
{
	unsigned int role = c->ifaces[iface].role;
	struct edgefw_counter sum[2][2] = {}; /* [a, b][drops] */
	struct counter_rate pass, drop;
	char pt[64], dt[64];

	for (__u32 v = 0; v < EDGEFW_NR_REASONS + c->nr_rules; v++) {
		const struct edgefw_counter *x =
			stats_counter(a, iface, dir, v);
		const struct edgefw_counter *y =
			stats_counter(b, iface, dir, v);
		bool drops = edgefw_verdict_drops(v);

		sum[0][drops].packets += x->packets;
		sum[0][drops].bytes += x->bytes;
		sum[1][drops].packets += y->packets;
		sum[1][drops].bytes += y->bytes;
	}
	counter_rate(&sum[0][0], &sum[1][0], secs, &pass);
	counter_rate(&sum[0][1], &sum[1][1], secs, &drop);
	format_rate(&pass, pt, sizeof(pt));
	format_rate(&drop, dt, sizeof(dt));
	printf("%s (%s) %s:\n  pass %-24s %s\n  drop %-24s %s\n",
	       c->ifaces[iface].name, role_name(role), dir_name(dir), "(all)",
	       pt, "(all)", dt);
	for (size_t r = 0; r < c->nr_rules; r++) {
		if (c->rules[r].role == role && c->rules[r].dir == dir)
			print_rate_line("rule", c->rules[r].name,
					stats_counter(a, iface, dir,
						      EDGEFW_VERDICT_RULE(r)),
					stats_counter(b, iface, dir,
						      EDGEFW_VERDICT_RULE(r)),
					secs);
	}
	for (unsigned int v = 0; v < EDGEFW_NR_REASONS; v++)
		print_rate_line(edgefw_verdict_drops(v) ? "drop" : "pass",
				reason_name(v), stats_counter(a, iface, dir, v),
				stats_counter(b, iface, dir, v), secs);
}

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_rates(const struct cli_args *a, const struct sample *prev,
			const struct sample *cur, bool tty)
{
	const struct config *c = &cur->l.cfg;
	double secs = (cur->t_ns - prev->t_ns) / 1e9;
	char when[32];

	utc_now(when, sizeof(when));
	if (a->json) {
		json_object *o = json_stats_rates(c, &prev->s, &cur->s, secs);

		json_object_object_add(o, "time", json_object_new_string(when));
		json_object_object_add(
			o, "generation",
			json_object_new_int64(cur->l.st.generation));
		puts(json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		/* on a terminal, the screen is redrawn in place */
		if (tty)
			fputs("\033[H\033[J", stdout);
		printf("%s: rates over %.1f s, generation %lu%s\n", when, secs,
		       cur->l.st.generation, tty ? " (Ctrl-C ends)" : "");
		for (size_t i = 0; i < c->nr_ifaces; i++) {
			for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
				print_dir_rates(c, &prev->s, &cur->s, secs, i,
						dir);
		}
		if (!tty)
			putchar('\n');
	}
	fflush(stdout);
}

/* A reload between two samples: no rates for this interval. */
static void print_restart(const struct cli_args *a, const struct sample *cur)
{
	char when[32];

	utc_now(when, sizeof(when));
	if (a->json)
		printf("{\"time\":\"%s\",\"generation\":%lu,\"restarted\":true}\n",
		       when, cur->l.st.generation);
	else
		printf("%s: generation %lu: a reload started the counters afresh; rates follow in %u s\n",
		       when, cur->l.st.generation, a->watch);
	fflush(stdout);
}

/* Until the next multiple of the interval; false when told to stop. */
static bool wait_until(int64_t t_ns)
{
	struct timespec ts = { t_ns / 1000000000, t_ns % 1000000000 };

	while (!watch_stop) {
		int err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					  NULL);

		if (!err)
			return !watch_stop;
		if (err != EINTR)
			return false;
	}
	return false;
}

static int watch(struct cli_ctx *ctx, const struct cli_args *a)
{
	struct sigaction sa = { .sa_handler = on_stop };
	bool tty = isatty(STDOUT_FILENO);
	struct sample prev = { .l = ctx->loaded }, cur;
	int64_t next;
	int rc = EXIT_OK;

	/* the dispatcher closes ctx->loaded: the samples own copies' parts */
	memset(&ctx->loaded.cfg, 0, sizeof(ctx->loaded.cfg));
	prev.open = true;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	prev.t_ns = clock_ns(CLOCK_MONOTONIC);
	if (stats_read(&ctx->paths, prev.l.cfg.nr_ifaces, &prev.s)) {
		sample_free(&prev);
		return EXIT_FAILED;
	}
	if (tty && !a->json)
		printf("edgefw stats: the first rates in %u s (Ctrl-C ends)\n",
		       a->watch);
	fflush(stdout);
	next = prev.t_ns;
	for (;;) {
		next += (int64_t)a->watch * 1000000000;
		if (!wait_until(next))
			break;
		if (sample_read(&ctx->paths, &prev, &cur)) {
			rc = EXIT_FAILED;
			break;
		}
		if (cur.l.st.generation == prev.l.st.generation)
			print_rates(a, &prev, &cur, tty);
		else
			print_restart(a, &cur);
		sample_free(&prev);
		prev = cur;
	}
	sample_free(&prev);
	return rc;
}

int cmd_stats(struct cli_ctx *ctx, const struct cli_args *a)
{
	const struct config *c = &ctx->loaded.cfg;
	struct stats s;

	if (a->watch)
		return watch(ctx, a);
	if (a->prometheus || a->textfile)
		return print_prometheus(&ctx->loaded, a->textfile);
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
