/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON documents edgefw prints (README, "JSON output"): built here
 * once, for every front end that answers with them. The caller owns and
 * puts the object.
 */
#ifndef EDGEFW_FORMAT_JSON_H
#define EDGEFW_FORMAT_JSON_H

#include <json-c/json.h>
#include "blocklist.h"
#include "inspect.h"
#include "partners.h"
#include "prefix_list.h"
#include "stats.h"

/* status --json; *healthy: no interface or state has a problem. */
json_object *json_status(const struct loaded *l, bool *healthy);

/* stats --json */
json_object *json_stats(const struct config *c, const struct stats *s);

/*
 * stats --watch SECS --json: the rates between two snapshots of one
 * generation, seconds apart, per second (pps, and bps in bits).
 */
json_object *json_stats_rates(const struct config *c, const struct stats *prev,
			      const struct stats *cur, double seconds);

/* block list --json; now_ms: the time the times left count from */
json_object *json_blocks(const struct blocks *b, int64_t now_ms);

/* partner list --json; now_ms: the time the times left count from */
json_object *json_partners(const struct partners_file *f, int64_t now_ms);

/* set list NAME --json */
json_object *json_set(const char *name, const struct prefix_list *l);

#endif
