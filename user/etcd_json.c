// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "base64.h"
#include "etcd_json.h"
#include "util.h"

/* Deeper is not etcd's: its answers nest four levels. */
#define JSON_DEPTH 16

int etcd_fail(struct etcd_err *err, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int garbage(struct etcd_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int garbage(struct etcd_err *err, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	etcd_fail(err, "etcd answered what it never sends: %s", why);
	err->garbage = true;
	return -1;
}

/* The whole text as one JSON object, nothing after it but white space. */
static json_object *parse_object(const char *text, size_t len,
				 struct etcd_err *err)
{
	json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
	json_object *o;
	size_t end;

	if (!tok) {
		etcd_fail(err, "out of memory");
		return NULL;
	}
	if (len > INT32_MAX) {
		json_tokener_free(tok);
		garbage(err, "an answer of %zu bytes", len);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (!o) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		json_tokener_free(tok);
		if (e == json_tokener_continue)
			garbage(err, "JSON cut short");
		else
			garbage(err, "not JSON (%s)",
				json_tokener_error_desc(e));
		return NULL;
	}
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (end < len && isspace((unsigned char)text[end]))
		end++;
	if (end < len) {
		json_object_put(o);
		garbage(err, "bytes after the JSON object");
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		garbage(err, "JSON that is not an object");
		return NULL;
	}
	return o;
}

/*
 * etcd's own error: {"error": TEXT, "code": N, "message": TEXT} from a
 * unary call, {"error": {"grpc_code": N, "message": TEXT, ...}} on a
 * stream. 1 when o is one (err filled), 0 when not, -1 when malformed.
 */
static int etcd_error(json_object *o, struct etcd_err *err)
{
	json_object *e, *code, *msg;
	char shown[256];

	if (!json_object_object_get_ex(o, "error", &e))
		return 0;
	if (json_object_is_type(e, json_type_object)) {
		json_object_object_get_ex(e, "grpc_code", &code);
		if (!json_object_object_get_ex(e, "message", &msg))
			msg = NULL;
	} else {
		if (!json_object_object_get_ex(o, "code", &code))
			code = NULL;
		if (!json_object_object_get_ex(o, "message", &msg))
			msg = e;
	}
	if (!code || !json_object_is_type(code, json_type_int) || !msg ||
	    !json_object_is_type(msg, json_type_string))
		return garbage(err, "an error without a code and a message");
	printable(json_object_get_string(msg), shown, sizeof(shown));
	etcd_fail(err, "etcd: %s (code %d)", shown, json_object_get_int(code));
	err->code = json_object_get_int(code);
	if (err->code <= 0)
		return garbage(err, "an error with code %d", err->code);
	return 1;
}

/* A decimal string (or a JSON integer) of 0 to max. */
static int get_uint(json_object *o, const char *name, uint64_t max,
		    bool required, uint64_t *out, struct etcd_err *err)
{
	json_object *v;
	const char *s;
	char *end;

	*out = 0;
	if (!json_object_object_get_ex(o, name, &v)) {
		if (required)
			return garbage(err, "no \"%s\"", name);
		return 0;
	}
	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);

		if (n < 0 || (uint64_t)n > max)
			return garbage(err, "\"%s\" out of range", name);
		*out = n;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return garbage(err, "\"%s\" is not a number", name);
	s = json_object_get_string(v);
	errno = 0;
	if (!isdigit((unsigned char)s[0]) ||
	    (*out = strtoull(s, &end, 10), *end) || errno || *out > max ||
	    (s[0] == '0' && s[1]))
		return garbage(err, "\"%s\" is not a number from 0 to %llu",
			       name, (unsigned long long)max);
	return 0;
}

static int get_int64(json_object *o, const char *name, bool required,
		     int64_t *out, struct etcd_err *err)
{
	uint64_t v;

	if (get_uint(o, name, INT64_MAX, required, &v, err))
		return -1;
	*out = v;
	return 0;
}

static int get_bool(json_object *o, const char *name, bool *out,
		    struct etcd_err *err)
{
	json_object *v;

	*out = false;
	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return garbage(err, "\"%s\" is not true or false", name);
	*out = json_object_get_boolean(v);
	return 0;
}

/* A base64 field, decoded into a NUL-ended copy of at most max bytes. */
static int get_bytes(json_object *o, const char *name, size_t max,
		     bool required, char **out, size_t *len,
		     struct etcd_err *err)
{
	json_object *v;
	size_t n;
	long got;

	*out = NULL;
	*len = 0;
	if (!json_object_object_get_ex(o, name, &v)) {
		if (required)
			return garbage(err, "no \"%s\"", name);
		*out = xcalloc(1, 1);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return garbage(err, "\"%s\" is not a string", name);
	n = json_object_get_string_len(v);
	if (n > BASE64_LEN(max))
		return garbage(err, "\"%s\" longer than %zu bytes", name, max);
	*out = xcalloc(n / 4 * 3 + 1, 1);
	got = base64_decode(json_object_get_string(v), n,
			    (unsigned char *)*out);
	if (got < 0 || (size_t)got > max) {
		free(*out);
		*out = NULL;
		return garbage(err, "\"%s\" is not base64 of at most %zu bytes",
			       name, max);
	}
	*len = got;
	return 0;
}

static int get_object(json_object *o, const char *name, bool required,
		      json_object **out, struct etcd_err *err)
{
	*out = NULL;
	if (!json_object_object_get_ex(o, name, out)) {
		if (required)
			return garbage(err, "no \"%s\"", name);
		return 0;
	}
	if (!json_object_is_type(*out, json_type_object))
		return garbage(err, "\"%s\" is not an object", name);
	return 0;
}

/* An array field; absent: none. */
static int get_array(json_object *o, const char *name, json_object **out,
		     size_t *n, struct etcd_err *err)
{
	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, name, out))
		return 0;
	if (!json_object_is_type(*out, json_type_array))
		return garbage(err, "\"%s\" is not an array", name);
	*n = json_object_array_length(*out);
	return 0;
}

static int parse_header(json_object *o, struct etcd_header *h,
			bool need_revision, struct etcd_err *err)
{
	json_object *ho;
	uint64_t v;

	memset(h, 0, sizeof(*h));
	if (get_object(o, "header", true, &ho, err) ||
	    get_uint(ho, "cluster_id", UINT64_MAX, false, &h->cluster_id,
		     err) ||
	    get_uint(ho, "member_id", UINT64_MAX, false, &h->member_id, err) ||
	    get_int64(ho, "revision", need_revision, &h->revision, err) ||
	    get_uint(ho, "raft_term", INT64_MAX, false, &v, err))
		return -1;
	h->raft_term = v;
	/* Revision 1 is an empty store's: every answer that has one has more. */
	if (need_revision && h->revision < 1)
		return garbage(err, "a revision of 0");
	return 0;
}

void etcd_kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

static int parse_kv(json_object *o, struct etcd_kv *kv, bool key_only,
		    struct etcd_err *err)
{
	memset(kv, 0, sizeof(*kv));
	if (!json_object_is_type(o, json_type_object))
		return garbage(err, "a key-value that is not an object");
	if (get_bytes(o, "key", ETCD_KEY_MAX, true, &kv->key, &kv->key_len,
		      err) ||
	    get_bytes(o, "value", ETCD_VALUE_MAX, false, &kv->value,
		      &kv->value_len, err) ||
	    get_int64(o, "create_revision", false, &kv->create_revision, err) ||
	    get_int64(o, "mod_revision", true, &kv->mod_revision, err) ||
	    get_int64(o, "version", false, &kv->version, err) ||
	    get_int64(o, "lease", false, &kv->lease, err))
		goto fail;
	if (!kv->key_len || strlen(kv->key) != kv->key_len) {
		garbage(err, "an empty key or one holding a NUL byte");
		goto fail;
	}
	if (!key_only && (!kv->create_revision || !kv->version ||
			  kv->mod_revision < kv->create_revision)) {
		garbage(err, "a key-value without its revisions");
		goto fail;
	}
	return 0;
fail:
	etcd_kv_free(kv);
	return -1;
}

/* An answer's object, or etcd's error in err. */
static json_object *answer(const char *text, size_t len, struct etcd_err *err)
{
	json_object *o = parse_object(text, len, err);

	if (o && etcd_error(o, err)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int etcd_parse_put(const char *text, size_t len, struct etcd_header *h,
		   struct etcd_err *err)
{
	json_object *o = answer(text, len, err);
	int rc;

	if (!o)
		return -1;
	rc = parse_header(o, h, true, err);
	json_object_put(o);
	return rc;
}

void etcd_range_free(struct etcd_range *r)
{
	for (size_t i = 0; i < r->nr_kvs; i++)
		etcd_kv_free(&r->kvs[i]);
	free(r->kvs);
	memset(r, 0, sizeof(*r));
}

int etcd_parse_range(const char *text, size_t len, struct etcd_range *r,
		     struct etcd_err *err)
{
	json_object *o = answer(text, len, err), *kvs;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (!o)
		return -1;
	if (parse_header(o, &r->h, true, err) ||
	    get_array(o, "kvs", &kvs, &n, err) ||
	    get_int64(o, "count", false, &r->count, err) ||
	    get_bool(o, "more", &r->more, err))
		goto fail;
	r->kvs = xcalloc(n ? n : 1, sizeof(*r->kvs));
	for (size_t i = 0; i < n; i++) {
		if (parse_kv(json_object_array_get_idx(kvs, i), &r->kvs[i],
			     false, err))
			goto fail;
		r->nr_kvs++;
		if (r->kvs[i].mod_revision > r->h.revision) {
			garbage(err,
				"a key changed after the answer's revision");
			goto fail;
		}
	}
	if ((int64_t)r->nr_kvs > r->count) {
		garbage(err, "more keys than the count");
		goto fail;
	}
	json_object_put(o);
	return 0;
fail:
	json_object_put(o);
	etcd_range_free(r);
	return -1;
}

int etcd_parse_delete(const char *text, size_t len, struct etcd_header *h,
		      int64_t *deleted, struct etcd_err *err)
{
	json_object *o = answer(text, len, err);
	int rc;

	if (!o)
		return -1;
	rc = parse_header(o, h, true, err) ||
	     get_int64(o, "deleted", false, deleted, err);
	json_object_put(o);
	return rc ? -1 : 0;
}

int etcd_parse_lease_grant(const char *text, size_t len, int64_t *id,
			   int64_t *ttl, struct etcd_err *err)
{
	json_object *o = answer(text, len, err), *e;
	struct etcd_header h;
	int rc = -1;

	if (!o)
		return -1;
	/* A refusal in a success's clothes: {"error": ""} is left out. */
	if (json_object_object_get_ex(o, "error", &e)) {
		garbage(err, "a lease grant with an error");
		goto out;
	}
	if (parse_header(o, &h, true, err) ||
	    get_int64(o, "ID", true, id, err) ||
	    get_int64(o, "TTL", true, ttl, err))
		goto out;
	if (*id <= 0 || *ttl <= 0) {
		garbage(err, "a lease grant without an ID or a TTL");
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int etcd_parse_lease_keepalive(const char *text, size_t len, int64_t id,
			       int64_t *ttl, struct etcd_err *err)
{
	json_object *o = answer(text, len, err), *res;
	struct etcd_header h;
	int64_t got;
	int rc = -1;

	if (!o)
		return -1;
	if (get_object(o, "result", true, &res, err) ||
	    parse_header(res, &h, false, err) ||
	    get_int64(res, "ID", true, &got, err) ||
	    get_int64(res, "TTL", false, ttl, err))
		goto out;
	if (got != id) {
		garbage(err, "a keep-alive of lease %lld, not %lld",
			(long long)got, (long long)id);
		goto out;
	}
	if (*ttl == 0) {
		etcd_fail(err, "etcd: lease %llx has expired or was revoked",
			  (unsigned long long)id);
		err->code = ETCD_NOT_FOUND;
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int etcd_parse_lease_revoke(const char *text, size_t len, struct etcd_err *err)
{
	json_object *o = answer(text, len, err);
	struct etcd_header h;
	int rc;

	if (!o)
		return -1;
	rc = parse_header(o, &h, true, err);
	json_object_put(o);
	return rc;
}

void etcd_watch_msg_free(struct etcd_watch_msg *m)
{
	for (size_t i = 0; i < m->nr_events; i++)
		etcd_kv_free(&m->events[i].kv);
	free(m->events);
	memset(m, 0, sizeof(*m));
}

static int parse_event(json_object *o, struct etcd_event *ev,
		       struct etcd_err *err)
{
	json_object *type, *kv;

	memset(ev, 0, sizeof(*ev));
	if (!json_object_is_type(o, json_type_object))
		return garbage(err, "an event that is not an object");
	ev->type = ETCD_EVENT_PUT;
	if (json_object_object_get_ex(o, "type", &type)) {
		const char *t = json_object_is_type(type, json_type_string)
					? json_object_get_string(type)
					: "";

		if (!strcmp(t, "DELETE"))
			ev->type = ETCD_EVENT_DELETE;
		else if (strcmp(t, "PUT"))
			return garbage(err, "an event of an unknown type");
	}
	if (get_object(o, "kv", true, &kv, err))
		return -1;
	return parse_kv(kv, &ev->kv, ev->type == ETCD_EVENT_DELETE, err);
}

int etcd_parse_watch(const char *text, size_t len, struct etcd_watch_msg *m,
		     struct etcd_err *err)
{
	json_object *o = answer(text, len, err), *res, *evs, *reason;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (!o)
		return -1;
	if (get_object(o, "result", true, &res, err) ||
	    parse_header(res, &m->h, false, err) ||
	    get_int64(res, "watch_id", false, &m->watch_id, err) ||
	    get_bool(res, "created", &m->created, err) ||
	    get_bool(res, "canceled", &m->canceled, err) ||
	    get_int64(res, "compact_revision", false, &m->compact_revision,
		      err) ||
	    get_array(res, "events", &evs, &n, err))
		goto fail;
	if (json_object_object_get_ex(res, "cancel_reason", &reason)) {
		if (!json_object_is_type(reason, json_type_string)) {
			garbage(err, "\"cancel_reason\" is not a string");
			goto fail;
		}
		printable(json_object_get_string(reason), m->cancel_reason,
			  sizeof(m->cancel_reason));
	}
	/* A message with events carries the revision they reach. */
	if (n && !m->h.revision) {
		garbage(err, "events without a revision");
		goto fail;
	}
	m->events = xcalloc(n ? n : 1, sizeof(*m->events));
	for (size_t i = 0; i < n; i++) {
		struct etcd_event *ev = &m->events[i];

		if (parse_event(json_object_array_get_idx(evs, i), ev, err))
			goto fail;
		m->nr_events++;
		if (ev->kv.mod_revision > m->h.revision ||
		    (i && ev->kv.mod_revision < ev[-1].kv.mod_revision)) {
			garbage(err, "events out of revision order");
			goto fail;
		}
	}
	json_object_put(o);
	return 0;
fail:
	json_object_put(o);
	etcd_watch_msg_free(m);
	return -1;
}
