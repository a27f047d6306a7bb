// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pool_state.h"

#define POOL_FILE_VERSION 1

int pool_state_parse(const char *text, size_t len, struct pool_state *s,
		     struct sf_err *e)
{
	char id[24], why[256], *end;
	json_object *root;
	int64_t version;

	memset(s, 0, sizeof(*s));
	root = statefile_parse(text, len, 1, POOL_FILE_VERSION, &version, e);
	if (!root)
		return -1;
	/* A uint64 as a decimal string: JSON numbers stop at int64. */
	if (!sf_string(root, "cluster_id", id, sizeof(id), e) ||
	    !sf_string(root, "prefix", s->prefix, sizeof(s->prefix), e) ||
	    !sf_int(root, "revision", 0, INT64_MAX, &s->revision, e))
		goto fail;
	errno = 0;
	s->cluster_id = strtoull(id, &end, 10);
	if (id[0] < '0' || id[0] > '9' || *end || errno) {
		sf_fail(e, "\"cluster_id\" is not a decimal number");
		goto fail;
	}
	if (pool_prefix_check(s->prefix, why, sizeof(why))) {
		sf_fail(e, "\"prefix\": %s", why);
		goto fail;
	}
	json_object_put(root);
	return 0;
fail:
	json_object_put(root);
	memset(s, 0, sizeof(*s));
	return -1;
}

json_object *pool_state_json(const struct pool_state *s)
{
	json_object *root = json_object_new_object();
	char id[24];

	snprintf(id, sizeof(id), "%llu", (unsigned long long)s->cluster_id);
	json_object_object_add(root, "version",
			       json_object_new_int(POOL_FILE_VERSION));
	json_object_object_add(root, "cluster_id", json_object_new_string(id));
	json_object_object_add(root, "prefix",
			       json_object_new_string(s->prefix));
	json_object_object_add(root, "revision",
			       json_object_new_int64(s->revision));
	return root;
}

static int parse_file(const char *text, size_t len, void *out, struct sf_err *e)
{
	return pool_state_parse(text, len, out, e);
}

int pool_state_read(const struct paths *p, struct pool_state *s)
{
	memset(s, 0, sizeof(*s));
	return statefile_load(p->pool_file, parse_file, s);
}

int pool_state_write(const struct paths *p, const struct pool_state *s)
{
	return statefile_write(p, p->pool_file, pool_state_json(s));
}

bool pool_state_matches(const struct pool_state *s, uint64_t cluster_id,
			const char *prefix)
{
	return s->revision > 0 && s->cluster_id == cluster_id &&
	       !strcmp(s->prefix, prefix);
}
