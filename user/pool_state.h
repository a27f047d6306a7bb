/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool.json in the state directory: the last revision of the pool's
 * prefix in etcd that this server applied, so that its watch resumes
 * after it and misses nothing across a restart (README, Pool). The
 * cluster's id and the prefix say which store the revision counts in:
 * another cluster or another prefix means reading the prefix whole.
 */
#ifndef EDGEFW_POOL_STATE_H
#define EDGEFW_POOL_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "paths.h"
#include "pool_conf.h"
#include "statefile.h"

struct pool_state {
	uint64_t cluster_id;
	char prefix[POOL_PREFIX_MAX + 1];
	int64_t revision; /* applied up to and with it; 0: nothing yet */
};

int pool_state_parse(const char *text, size_t len, struct pool_state *s,
		     struct sf_err *e);
json_object *pool_state_json(const struct pool_state *s);

/* 0 (a missing file: zeroes), or -1 after reporting it refused. */
int pool_state_read(const struct paths *p, struct pool_state *s);
int pool_state_write(const struct paths *p, const struct pool_state *s);

/* Whether s's revision counts for this cluster and prefix. */
bool pool_state_matches(const struct pool_state *s, uint64_t cluster_id,
			const char *prefix);

#endif
