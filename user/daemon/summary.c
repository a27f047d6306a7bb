// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inspect.h"
#include "log.h"
#include "reasons.h"
#include "summary.h"
#include "util.h"

#define SUMMARY_MAX_SECS 86400

void summary_init(struct drop_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->secs = env_seconds("EDGEFW_SUMMARY_SECS", SUMMARY_MAX_SECS,
			      SUMMARY_DEFAULT_SECS);
	s->sources = xcalloc(1, sizeof(*s->sources));
}

void summary_free(struct drop_summary *s)
{
	stats_free(&s->prev);
	s->have = false;
}

void summary_close(struct drop_summary *s)
{
	summary_free(s);
	free(s->sources);
	s->sources = NULL;
}

/* The drops of a counter since the last look (0 after a reset). */
static uint64_t moved(const struct drop_summary *s, const struct stats *now,
		      size_t i, unsigned int dir, unsigned int v)
{
	uint64_t b = stats_counter(now, i, dir, v)->packets, a = 0;

	if (s->have && i < s->prev.nr_ifaces)
		a = stats_counter(&s->prev, i, dir, v)->packets;
	return b >= a ? b - a : 0;
}

/* Rule r's rate-limit drops since the last look. */
static uint64_t limited_moved(const struct drop_summary *s,
			      const struct stats *now, size_t i,
			      unsigned int dir, size_t r)
{
	const struct edgefw_counter *b = stats_limited(now, i, dir, r), *a;

	if (!b)
		return 0;
	a = s->have && i < s->prev.nr_ifaces
		    ? stats_limited(&s->prev, i, dir, r)
		    : NULL;
	if (!a)
		return b->packets;
	return b->packets >= a->packets ? b->packets - a->packets : 0;
}

/* " [xmpp-s2s-in 30, xmpp-c2s 2]": whose rate limits dropped them. */
static size_t limited_rules(const struct drop_summary *s,
			    const struct config *c, const struct stats *now,
			    size_t i, unsigned int dir, char *buf, size_t len)
{
	size_t off = 0;
	unsigned int k = 0;

	for (size_t r = 0; r < c->nr_rules && off < len; r++) {
		uint64_t n = limited_moved(s, now, i, dir, r);

		if (!n || c->rules[r].role != c->ifaces[i].role ||
		    c->rules[r].dir != dir)
			continue;
		off += snprintf(buf + off, len - off, "%s%s %" PRIu64,
				k++ ? ", " : " [", c->rules[r].name, n);
	}
	if (k && off < len)
		off += snprintf(buf + off, len - off, "]");
	return off < len ? off : len - 1;
}

/*
 * "ext0 in 1234 (policy 1200, ratelimit 30 [xmpp-s2s-in 30], blocked 4)":
 * by reason, and the rate limits' drops by rule.
 */
static size_t describe(const struct drop_summary *s, const struct config *c,
		       const struct stats *now, size_t i, unsigned int dir,
		       char *buf, size_t len, uint64_t *total)
{
	uint64_t n[EDGEFW_NR_REASONS] = {}, sum = 0;
	size_t off = 0;

	for (unsigned int v = EDGEFW_FIRST_DROP; v < EDGEFW_NR_REASONS; v++)
		sum += n[v] = moved(s, now, i, dir, v);
	*total += sum;
	if (!sum || len < 2)
		return 0;
	off = snprintf(buf, len, "%s%s %s %" PRIu64 " (",
		       *total > sum ? "; " : "", c->ifaces[i].name,
		       dir_name(dir), sum);
	for (unsigned int v = EDGEFW_FIRST_DROP, k = 0;
	     v < EDGEFW_NR_REASONS && off < len; v++) {
		if (!n[v])
			continue;
		off += snprintf(buf + off, len - off, "%s%s %" PRIu64,
				k++ ? ", " : "", reason_name(v), n[v]);
		if (v == EDGEFW_DROP_RATELIMIT && off < len)
			off += limited_rules(s, c, now, i, dir, buf + off,
					     len - off);
	}
	if (off < len)
		off += snprintf(buf + off, len - off, ")");
	return off < len ? off : len - 1;
}

void summary_tick(struct drop_summary *s, const struct paths *p)
{
	char line[4096] = "";
	size_t off = 0;
	uint64_t total = 0;
	struct loaded l;
	struct stats now;
	bool reloaded;

	if (loaded_open_shape(p, &l)) {
		/* nothing loaded (the daemon loads it again), or unreadable */
		loaded_close(&l);
		summary_free(s);
		if (s->sources)
			sources_reset(s->sources);
		return;
	}
	if (stats_read(p, l.cfg.nr_ifaces, &now)) {
		loaded_close(&l);
		return;
	}
	/* a reload's counters start at 0: all of them are new since */
	reloaded = s->have && (s->generation != l.st.generation ||
			       strcmp(s->config_hash, l.st.config_hash));
	if (reloaded)
		summary_free(s);
	if (s->have || reloaded) {
		for (size_t i = 0; i < l.cfg.nr_ifaces; i++) {
			for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
				off += describe(s, &l.cfg, &now, i, dir,
						line + off, sizeof(line) - off,
						&total);
		}
	}
	if (total && s->sources)
		sources_describe(s->sources, line + off, sizeof(line) - off);
	if (s->sources)
		sources_reset(s->sources);
	if (total)
		log_info("dropped in the last %u s%s: %" PRIu64 " %s: %s",
			 s->secs, reloaded ? " (counted from the reload)" : "",
			 total, total == 1 ? "packet" : "packets", line);
	summary_free(s);
	s->prev = now;
	s->have = true;
	s->generation = l.st.generation;
	snprintf(s->config_hash, sizeof(s->config_hash), "%s",
		 l.st.config_hash);
	loaded_close(&l);
}
