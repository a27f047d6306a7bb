// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "pool_keys.h"
#include "util.h"

static int fail(char *why, size_t len, const char *key, const char *what)
{
	char shown[PRINTABLE_LEN];

	snprintf(why, len, "key '%s' %s", printable(key, shown, sizeof(shown)),
		 what);
	return -1;
}

/* ADDR/LEN as the key writes it: prefix_format with the length, always. */
static void key_prefix(const struct prefix *p, char *buf, size_t len)
{
	char text[PREFIX_STRLEN];

	prefix_format(p, text, sizeof(text));
	if (strchr(text, '/'))
		snprintf(buf, len, "%s", text);
	else
		snprintf(buf, len, "%s/%u", text, p->len);
}

static int parse_prefix(const char *key, const char *s, struct prefix *p,
			char *why, size_t len)
{
	char err[160], canon[PREFIX_STRLEN + 8];

	if (!strchr(s, '/') || prefix_parse(s, p, err, sizeof(err)))
		return fail(why, len, key, "does not end in a prefix ADDR/LEN");
	key_prefix(p, canon, sizeof(canon));
	if (strcmp(canon, s))
		return fail(
			why, len, key,
			"spells its prefix otherwise than edgefw writes it");
	return 0;
}

/* SET/REST: the set's name, then REST. */
static const char *parse_set(const char *key, const char *s, char *set,
			     char *why, size_t len)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : 0;

	if (!slash || n >= NAME_LEN) {
		fail(why, len, key, "does not name a set");
		return NULL;
	}
	memcpy(set, s, n);
	set[n] = '\0';
	if (!config_valid_name(set)) {
		fail(why, len, key, "names no valid set");
		return NULL;
	}
	return slash + 1;
}

int pool_key_parse(const char *pool, const char *key, struct pool_entry *e,
		   char *why, size_t len)
{
	size_t n = strlen(pool);
	const char *rest;

	memset(e, 0, sizeof(*e));
	if (strncmp(key, pool, n) || key[n] != '/')
		return fail(why, len, key, "is not under the pool's prefix");
	rest = key + n + 1;
	if (!strncmp(rest, "block/", 6)) {
		e->kind = POOL_BLOCK;
		return parse_prefix(key, rest + 6, &e->prefix, why, len);
	}
	if (!strncmp(rest, "set/", 4)) {
		e->kind = POOL_SET;
		rest = parse_set(key, rest + 4, e->set, why, len);
		return rest ? parse_prefix(key, rest, &e->prefix, why, len)
			    : -1;
	}
	if (!strncmp(rest, "partner/", 8)) {
		char err[160];

		e->kind = POOL_PARTNER;
		rest = parse_set(key, rest + 8, e->set, why, len);
		if (!rest)
			return -1;
		if (dnsname_parse(rest, e->domain, err, sizeof(err)) ||
		    strcmp(rest, e->domain))
			return fail(why, len, key,
				    "does not end in a domain in lower case");
		return 0;
	}
	return fail(why, len, key,
		    "is none of edgefw's (block/, set/, partner/)");
}

int pool_key_format(const char *pool, const struct pool_entry *e, char *buf,
		    size_t len)
{
	char p[PREFIX_STRLEN + 8];
	int n = -1;

	switch (e->kind) {
	case POOL_BLOCK:
		key_prefix(&e->prefix, p, sizeof(p));
		n = snprintf(buf, len, "%s/block/%s", pool, p);
		break;
	case POOL_SET:
		key_prefix(&e->prefix, p, sizeof(p));
		n = snprintf(buf, len, "%s/set/%s/%s", pool, e->set, p);
		break;
	case POOL_PARTNER:
		n = snprintf(buf, len, "%s/partner/%s/%s", pool, e->set,
			     e->domain);
		break;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int vfail(char *why, size_t len, const char *what)
{
	snprintf(why, len, "value %s", what);
	return -1;
}

/* A string field of at most size - 1 bytes, one line. */
static int get_string(json_object *o, const char *name, bool required,
		      char *out, size_t size, char *why, size_t len)
{
	json_object *v;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, name, &v)) {
		if (!required)
			return 0;
		snprintf(why, len, "value has no \"%s\"", name);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= size ||
	    strlen(json_object_get_string(v)) !=
		    (size_t)json_object_get_string_len(v) ||
	    strpbrk(json_object_get_string(v), "\n\r")) {
		snprintf(why, len,
			 "value's \"%s\" is not one line of at most %zu bytes",
			 name, size - 1);
		return -1;
	}
	strcpy(out, json_object_get_string(v));
	return 0;
}

/* Unix milliseconds, 0 up to the year 9999. */
static int get_ms(json_object *o, const char *name, bool required, int64_t *out,
		  char *why, size_t len)
{
	json_object *v;

	*out = 0;
	if (!json_object_object_get_ex(o, name, &v)) {
		if (!required)
			return 0;
		snprintf(why, len, "value has no \"%s\"", name);
		return -1;
	}
	if (!json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 253402300799999LL) {
		snprintf(why, len,
			 "value's \"%s\" is not a time in Unix milliseconds",
			 name);
		return -1;
	}
	*out = json_object_get_int64(v);
	return 0;
}

int pool_value_parse(const char *text, size_t n, struct pool_entry *e,
		     char *why, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(8);
	json_object *o = NULL, *v;
	int rc = -1;

	if (!tok)
		return vfail(why, len, "cannot be read: out of memory");
	if (n <= INT32_MAX)
		o = json_tokener_parse_ex(tok, text, (int)n);
	if (!o || json_tokener_get_parse_end(tok) != n ||
	    !json_object_is_type(o, json_type_object)) {
		vfail(why, len, "is not a JSON object");
		goto out;
	}
	if (get_string(o, "by", false, e->by, sizeof(e->by), why, len))
		goto out;
	switch (e->kind) {
	case POOL_BLOCK:
		if (get_string(o, "reason", false, e->reason, sizeof(e->reason),
			       why, len) ||
		    get_ms(o, "added_at", true, &e->at_ms, why, len) ||
		    get_ms(o, "expires_at", false, &e->expires_ms, why, len))
			goto out;
		if (e->expires_ms && e->expires_ms <= e->at_ms) {
			vfail(why, len, "expires before it was added");
			goto out;
		}
		break;
	case POOL_SET: {
		char op[8];

		if (get_string(o, "op", true, op, sizeof(op), why, len) ||
		    get_ms(o, "at", true, &e->at_ms, why, len))
			goto out;
		if (strcmp(op, "add") && strcmp(op, "del")) {
			vfail(why, len, "has an \"op\" neither add nor del");
			goto out;
		}
		e->del = !strcmp(op, "del");
		break;
	}
	case POOL_PARTNER:
		if (get_ms(o, "at", true, &e->at_ms, why, len))
			goto out;
		if (json_object_object_get_ex(o, "secure", &v)) {
			if (!json_object_is_type(v, json_type_boolean)) {
				vfail(why, len,
				      "has a \"secure\" neither true nor false");
				goto out;
			}
			e->secure = json_object_get_boolean(v);
		}
		break;
	}
	rc = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

char *pool_value_format(const struct pool_entry *e)
{
	json_object *o = json_object_new_object();
	char *text;

	switch (e->kind) {
	case POOL_BLOCK:
		json_object_object_add(o, "reason",
				       json_object_new_string(e->reason));
		json_object_object_add(o, "added_at",
				       json_object_new_int64(e->at_ms));
		if (e->expires_ms)
			json_object_object_add(
				o, "expires_at",
				json_object_new_int64(e->expires_ms));
		break;
	case POOL_SET:
		json_object_object_add(o, "op",
				       json_object_new_string(e->del ? "del"
								     : "add"));
		json_object_object_add(o, "at",
				       json_object_new_int64(e->at_ms));
		break;
	case POOL_PARTNER:
		json_object_object_add(o, "secure",
				       json_object_new_boolean(e->secure));
		json_object_object_add(o, "at",
				       json_object_new_int64(e->at_ms));
		break;
	}
	if (e->by[0])
		json_object_object_add(o, "by", json_object_new_string(e->by));
	text = xstrdup(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}
