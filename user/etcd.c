// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "base64.h"
#include "etcd.h"
#include "lazylibs.h"
#include "log.h"
#include "util.h"

/* A unary answer: a range of 10,000 entries is some 3 MB. */
#define ANSWER_MAX (256u << 20)
/* One message of a watch stream: a transaction's events together. */
#define WATCH_LINE_MAX (64u << 20)
/*
 * A watch is quiet while nothing changes, so only TCP's keep-alive tells
 * a live one from one whose member or path went silently away (a
 * partition): probed after 2 s of quiet, every second, given up after 3
 * unanswered: within about 5 s the watch ends and resumes elsewhere.
 */
#define WATCH_KEEPIDLE_S 2L
#define WATCH_KEEPINTVL_S 1L
#define WATCH_KEEPCNT 3

/* Set by etcd_lib_load (etcd_new's first); the rest runs after one. */
static const struct curl_api *libcurl;

struct buf {
	char *p;
	size_t len, cap, max;
	bool over;
};

struct etcd {
	char **endpoints;
	size_t nr_endpoints;
	size_t cur; /* tried first */
	char *ca, *cert, *key;
	long timeout_ms, connect_timeout_ms;
	CURL *easy;
	struct curl_slist *headers;
	struct buf answer;
};

static bool buf_append(struct buf *b, const char *data, size_t n)
{
	if (b->len + n > b->max) {
		b->over = true;
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xrealloc(b->p, cap, 1);
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

static size_t answer_write(char *data, size_t size, size_t n, void *user)
{
	return buf_append(user, data, size * n) ? size * n : 0;
}

static char *opt_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int etcd_lib_load(char *err, size_t len)
{
	static bool curl_ready;
	const struct curl_api *api;

	if (curl_ready)
		return 0;
	api = curl_api(err, len);
	if (!api)
		return -1;
	if (api->global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, len, "cannot set up libcurl");
		return -1;
	}
	libcurl = api;
	curl_ready = true;
	return 0;
}

struct etcd *etcd_new(const struct etcd_opts *o, struct etcd_err *err)
{
	char why[256];
	struct etcd *e;

	if (!o->nr_endpoints) {
		etcd_fail(err, "etcd: no endpoint");
		return NULL;
	}
	if (etcd_lib_load(why, sizeof(why))) {
		etcd_fail(err, "etcd: %s", why);
		return NULL;
	}
	e = xcalloc(1, sizeof(*e));
	e->easy = libcurl->easy_init();
	e->headers =
		libcurl->slist_append(NULL, "Content-Type: application/json");
	if (!e->easy || !e->headers) {
		etcd_free(e);
		etcd_fail(err, "etcd: cannot set up libcurl");
		return NULL;
	}
	e->endpoints = xcalloc(o->nr_endpoints, sizeof(*e->endpoints));
	for (size_t i = 0; i < o->nr_endpoints; i++)
		e->endpoints[i] = xstrdup(o->endpoints[i]);
	e->nr_endpoints = o->nr_endpoints;
	e->ca = opt_dup(o->ca);
	e->cert = opt_dup(o->cert);
	e->key = opt_dup(o->key);
	e->timeout_ms = o->timeout_ms ? o->timeout_ms : 2000;
	e->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms
						      : 1000;
	e->answer.max = ANSWER_MAX;
	return e;
}

void etcd_free(struct etcd *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nr_endpoints; i++)
		free(e->endpoints[i]);
	free(e->endpoints);
	free(e->ca);
	free(e->cert);
	free(e->key);
	if (e->easy)
		libcurl->easy_cleanup(e->easy);
	libcurl->slist_free_all(e->headers);
	free(e->answer.p);
	free(e);
}

const char *etcd_endpoint(const struct etcd *e)
{
	return e->endpoints[e->cur];
}

/* What a request to etcd sets on an easy handle, unary or a watch. */
static void setup_easy(const struct etcd *e, CURL *h, const char *url,
		       const char *body)
{
	libcurl->easy_setopt(h, CURLOPT_URL, url);
	libcurl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	libcurl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	libcurl->easy_setopt(h, CURLOPT_HTTPHEADER, e->headers);
	libcurl->easy_setopt(h, CURLOPT_POSTFIELDS, body);
	libcurl->easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	libcurl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			     e->connect_timeout_ms);
	libcurl->easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	libcurl->easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 10L);
	libcurl->easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 5L);
	if (e->ca) {
		libcurl->easy_setopt(h, CURLOPT_CAINFO, e->ca);
		libcurl->easy_setopt(h, CURLOPT_SSLCERT, e->cert);
		libcurl->easy_setopt(h, CURLOPT_SSLKEY, e->key);
	}
}

/*
 * POST body to path on the endpoints in turn, from the one that answered
 * last, until one answers (anything but no connection, a time-out or 503,
 * etcd's "unavailable"). 0 with the answer in e->answer and *ep the
 * endpoint; -1 with err when none did or the answer is too long.
 */
static int request(struct etcd *e, const char *path, const char *body,
		   size_t *ep, struct etcd_err *err)
{
	char failures[sizeof(err->msg)] = "";
	size_t off = 0;

	for (size_t i = 0; i < e->nr_endpoints; i++) {
		size_t at = (e->cur + i) % e->nr_endpoints;
		char url[512];
		long status = 0;
		CURLcode rc;

		snprintf(url, sizeof(url), "%s%s", e->endpoints[at], path);
		libcurl->easy_reset(e->easy);
		setup_easy(e, e->easy, url, body);
		libcurl->easy_setopt(e->easy, CURLOPT_TIMEOUT_MS,
				     e->timeout_ms);
		libcurl->easy_setopt(e->easy, CURLOPT_WRITEFUNCTION,
				     answer_write);
		libcurl->easy_setopt(e->easy, CURLOPT_WRITEDATA, &e->answer);
		e->answer.len = 0;
		e->answer.over = false;
		if (e->answer.p)
			e->answer.p[0] = '\0';
		rc = libcurl->easy_perform(e->easy);
		if (rc == CURLE_WRITE_ERROR && e->answer.over) {
			etcd_fail(err, "etcd %s: an answer longer than %u MiB",
				  e->endpoints[at], ANSWER_MAX >> 20);
			err->garbage = true;
			return -1;
		}
		if (rc == CURLE_OK)
			libcurl->easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE,
					      &status);
		if (rc == CURLE_OK && status != 503) {
			e->cur = at;
			*ep = at;
			if (!e->answer.p)
				buf_append(&e->answer, "", 0);
			return 0;
		}
		if (off < sizeof(failures))
			off += snprintf(failures + off, sizeof(failures) - off,
					"%s%s: %s", off ? "; " : "",
					e->endpoints[at],
					rc == CURLE_OK
						? "unavailable (HTTP 503)"
						: libcurl->easy_strerror(rc));
	}
	etcd_fail(err, "no etcd endpoint answered: %s", failures);
	err->transport = true;
	err->code = ETCD_UNAVAILABLE;
	return -1;
}

/* An answer's error, named by the endpoint that gave it. */
static int answered_error(const struct etcd *e, size_t ep, struct etcd_err *err)
{
	char msg[sizeof(err->msg)];
	long status = 0;

	libcurl->easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE, &status);
	if (err->garbage && status != 200)
		snprintf(msg, sizeof(msg), "etcd %s: HTTP %ld: %.200s",
			 e->endpoints[ep], status, err->msg);
	else
		snprintf(msg, sizeof(msg), "etcd %s: %.200s", e->endpoints[ep],
			 err->msg);
	memcpy(err->msg, msg, sizeof(msg));
	return -1;
}

static json_object *bytes_json(const void *data, size_t len)
{
	char *b64 = xcalloc(BASE64_LEN(len) + 1, 1);
	json_object *j;

	base64_encode(data, len, b64);
	j = json_object_new_string(b64);
	free(b64);
	return j;
}

/* int64 as the gateway writes them: decimal strings. */
static json_object *int64_json(int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	return json_object_new_string(s);
}

/* The end of the range of keys starting with prefix: its last byte + 1. */
static char *prefix_end(const char *prefix, size_t *len)
{
	char *end = xstrdup(prefix);
	size_t n = strlen(end);

	while (n && (unsigned char)end[n - 1] == 0xff)
		n--;
	if (n)
		end[n - 1]++;
	else
		end[0] = '\0'; /* "\0": every key; unused with edgefw's keys */
	*len = n ? n : 1;
	return end;
}

/* POST o (consumed) to path; the answer text in e->answer. */
static int call(struct etcd *e, const char *path, json_object *o, size_t *ep,
		struct etcd_err *err)
{
	int rc = request(e, path, json_object_to_json_string(o), ep, err);

	json_object_put(o);
	return rc;
}

/* "key" in o, and with prefix "range_end": every key that starts with key. */
static void add_key_range(json_object *o, const char *key, bool prefix)
{
	json_object_object_add(o, "key", bytes_json(key, strlen(key)));
	if (prefix) {
		size_t n;
		char *end = prefix_end(key, &n);

		json_object_object_add(o, "range_end", bytes_json(end, n));
		free(end);
	}
}

int etcd_put(struct etcd *e, const char *key, const void *value, size_t len,
	     int64_t lease, struct etcd_header *h, struct etcd_err *err)
{
	json_object *o = json_object_new_object();
	size_t ep;

	json_object_object_add(o, "key", bytes_json(key, strlen(key)));
	json_object_object_add(o, "value", bytes_json(value, len));
	if (lease)
		json_object_object_add(o, "lease", int64_json(lease));
	if (call(e, "/v3/kv/put", o, &ep, err))
		return -1;
	if (etcd_parse_put(e->answer.p, e->answer.len, h, err))
		return answered_error(e, ep, err);
	return 0;
}

static int range(struct etcd *e, const char *key, bool prefix, int64_t revision,
		 struct etcd_range *r, struct etcd_err *err)
{
	json_object *o = json_object_new_object();
	size_t ep;

	memset(r, 0, sizeof(*r));
	add_key_range(o, key, prefix);
	if (revision)
		json_object_object_add(o, "revision", int64_json(revision));
	if (call(e, "/v3/kv/range", o, &ep, err))
		return -1;
	if (etcd_parse_range(e->answer.p, e->answer.len, r, err))
		return answered_error(e, ep, err);
	if (!prefix &&
	    (r->nr_kvs > 1 || (r->nr_kvs && strcmp(r->kvs[0].key, key)))) {
		etcd_range_free(r);
		etcd_fail(err, "etcd %s: a get of one key answered others",
			  e->endpoints[ep]);
		err->garbage = true;
		return -1;
	}
	for (size_t i = 0; prefix && i < r->nr_kvs; i++) {
		if (strncmp(r->kvs[i].key, key, strlen(key))) {
			etcd_range_free(r);
			etcd_fail(err,
				  "etcd %s: a range answered a key outside it",
				  e->endpoints[ep]);
			err->garbage = true;
			return -1;
		}
	}
	return 0;
}

int etcd_range_prefix(struct etcd *e, const char *prefix, int64_t revision,
		      struct etcd_range *r, struct etcd_err *err)
{
	return range(e, prefix, true, revision, r, err);
}

int etcd_get(struct etcd *e, const char *key, int64_t revision,
	     struct etcd_range *r, struct etcd_err *err)
{
	return range(e, key, false, revision, r, err);
}

int etcd_delete(struct etcd *e, const char *key, bool prefix, int64_t *deleted,
		struct etcd_header *h, struct etcd_err *err)
{
	json_object *o = json_object_new_object();
	size_t ep;

	add_key_range(o, key, prefix);
	if (call(e, "/v3/kv/deleterange", o, &ep, err))
		return -1;
	if (etcd_parse_delete(e->answer.p, e->answer.len, h, deleted, err))
		return answered_error(e, ep, err);
	return 0;
}

int etcd_lease_grant(struct etcd *e, int64_t ttl, int64_t *id, int64_t *granted,
		     struct etcd_err *err)
{
	json_object *o = json_object_new_object();
	size_t ep;

	json_object_object_add(o, "TTL", int64_json(ttl));
	if (call(e, "/v3/lease/grant", o, &ep, err))
		return -1;
	if (etcd_parse_lease_grant(e->answer.p, e->answer.len, id, granted,
				   err))
		return answered_error(e, ep, err);
	return 0;
}

int etcd_lease_keepalive(struct etcd *e, int64_t id, int64_t *ttl,
			 struct etcd_err *err)
{
	json_object *o = json_object_new_object();
	size_t ep;

	json_object_object_add(o, "ID", int64_json(id));
	if (call(e, "/v3/lease/keepalive", o, &ep, err))
		return -1;
	if (etcd_parse_lease_keepalive(e->answer.p, e->answer.len, id, ttl,
				       err))
		return answered_error(e, ep, err);
	return 0;
}

int etcd_lease_revoke(struct etcd *e, int64_t id, struct etcd_err *err)
{
	json_object *o = json_object_new_object();
	size_t ep;

	json_object_object_add(o, "ID", int64_json(id));
	if (call(e, "/v3/lease/revoke", o, &ep, err))
		return -1;
	if (etcd_parse_lease_revoke(e->answer.p, e->answer.len, err))
		return answered_error(e, ep, err);
	return 0;
}

struct etcd_watch {
	struct etcd *e;
	size_t ep;
	CURLM *multi;
	CURL *easy;
	char *body;
	struct etcd_watch_io io;
	char *prefix;
	struct buf line; /* what came after the last '\n' */
	struct etcd_event *queue;
	size_t head, nr, cap;
	bool created, ended;
	struct etcd_err end;
	int64_t resume, compacted;
	uint64_t foreign;
};

static void watch_end(struct etcd_watch *w, const struct etcd_err *err)
{
	if (w->ended)
		return;
	w->ended = true;
	w->end = *err;
	/*
	 * A member going away tells its watchers "transport is closing"
	 * (code 14) before it closes: as much a lost connection as a reset.
	 * The next watch (and request) starts at the next endpoint. Its
	 * gateway may instead say "grpc: the client connection is closing"
	 * (code 1, cancelled): its own connection to the member went first.
	 */
	if (err->code == ETCD_UNAVAILABLE || err->code == ETCD_CANCELED) {
		w->end.transport = true;
		if (w->e->cur == w->ep)
			w->e->cur = (w->ep + 1) % w->e->nr_endpoints;
	}
}

static void watch_message(struct etcd_watch *w, const char *text, size_t len)
{
	struct etcd_watch_msg m;
	struct etcd_err err;

	if (w->ended)
		return;
	if (etcd_parse_watch(text, len, &m, &err)) {
		char msg[sizeof(err.msg)];

		snprintf(msg, sizeof(msg), "etcd %s: watch: %.200s",
			 w->e->endpoints[w->ep], err.msg);
		memcpy(err.msg, msg, sizeof(msg));
		watch_end(w, &err);
		return;
	}
	if (m.created)
		w->created = true;
	for (size_t i = 0; i < m.nr_events; i++) {
		struct etcd_event *ev = &m.events[i];

		if (strncmp(ev->kv.key, w->prefix, strlen(w->prefix))) {
			char shown[PRINTABLE_LEN];

			if (w->foreign++ % 1000 == 0)
				log_warn(
					"etcd %s: a key not under %s ignored: '%s' (%llu so far)",
					w->e->endpoints[w->ep], w->prefix,
					printable(ev->kv.key, shown,
						  sizeof(shown)),
					(unsigned long long)w->foreign);
			etcd_kv_free(&ev->kv);
			continue;
		}
		if (ev->kv.mod_revision + 1 > w->resume)
			w->resume = ev->kv.mod_revision + 1;
		GROW(w->queue, w->cap, w->nr + 1);
		w->queue[w->nr++] = *ev;
		memset(ev, 0, sizeof(*ev));
	}
	if (m.canceled) {
		if (m.compact_revision) {
			etcd_fail(
				&err,
				"etcd %s: watch: revision %lld was compacted away (etcd keeps from %lld)",
				w->e->endpoints[w->ep], (long long)w->resume,
				(long long)m.compact_revision);
			err.code = ETCD_OUT_OF_RANGE;
			w->compacted = m.compact_revision;
		} else {
			etcd_fail(&err, "etcd %s: watch cancelled: %s",
				  w->e->endpoints[w->ep],
				  m.cancel_reason[0] ? m.cancel_reason
						     : "no reason given");
		}
		watch_end(w, &err);
	}
	etcd_watch_msg_free(&m);
}

static size_t watch_write(char *data, size_t size, size_t n, void *user)
{
	struct etcd_watch *w = user;
	size_t len = size * n, start = 0;
	char *nl;

	if (!buf_append(&w->line, data, len)) {
		struct etcd_err err;

		etcd_fail(&err, "etcd %s: watch: a message longer than %u MiB",
			  w->e->endpoints[w->ep], WATCH_LINE_MAX >> 20);
		err.garbage = true;
		watch_end(w, &err);
		return 0;
	}
	while ((nl = memchr(w->line.p + start, '\n', w->line.len - start))) {
		watch_message(w, w->line.p + start, nl - (w->line.p + start));
		start = nl + 1 - w->line.p;
	}
	memmove(w->line.p, w->line.p + start, w->line.len - start + 1);
	w->line.len -= start;
	return len;
}

static int watch_sock(CURL *easy, curl_socket_t s, int what, void *user,
		      void *socketp)
{
	struct etcd_watch *w = user;
	unsigned int ev = 0;

	(void)easy;
	(void)socketp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= EPOLLOUT;
	w->io.sock(w->io.user, s, ev);
	return 0;
}

static int watch_timer(CURLM *multi, long ms, void *user)
{
	struct etcd_watch *w = user;

	(void)multi;
	w->io.timer(w->io.user, ms);
	return 0;
}

static int watch_sockopt(void *user, curl_socket_t fd, curlsocktype purpose)
{
	int cnt = WATCH_KEEPCNT;

	(void)user;
	if (purpose == CURLSOCKTYPE_IPCXN)
		setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	return CURL_SOCKOPT_OK;
}

static void watch_done(struct etcd_watch *w)
{
	struct etcd_err err;
	CURLMsg *msg;
	int left;

	while ((msg = libcurl->multi_info_read(w->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		/* The last message may come without its '\n'. */
		if (w->line.len && !w->ended) {
			watch_message(w, w->line.p, w->line.len);
			w->line.len = 0;
		}
		if (msg->data.result != CURLE_OK) {
			etcd_fail(&err, "etcd %s: watch: %.200s",
				  w->e->endpoints[w->ep],
				  libcurl->easy_strerror(msg->data.result));
			err.transport = true;
			err.code = ETCD_UNAVAILABLE;
		} else {
			etcd_fail(&err, "etcd %s: the watch stream ended",
				  w->e->endpoints[w->ep]);
			err.transport = true;
			err.code = ETCD_UNAVAILABLE;
		}
		watch_end(w, &err);
	}
}

struct etcd_watch *etcd_watch_new(struct etcd *e, const char *prefix,
				  int64_t start_revision,
				  const struct etcd_watch_io *io,
				  struct etcd_err *err)
{
	json_object *o = json_object_new_object(),
		    *c = json_object_new_object();
	struct etcd_watch *w = xcalloc(1, sizeof(*w));
	char url[512], *end;
	size_t n;

	w->e = e;
	w->ep = e->cur;
	w->io = *io;
	w->prefix = xstrdup(prefix);
	w->resume = start_revision;
	w->line.max = WATCH_LINE_MAX;
	end = prefix_end(prefix, &n);
	json_object_object_add(c, "key", bytes_json(prefix, strlen(prefix)));
	json_object_object_add(c, "range_end", bytes_json(end, n));
	free(end);
	if (start_revision)
		json_object_object_add(c, "start_revision",
				       int64_json(start_revision));
	json_object_object_add(c, "progress_notify",
			       json_object_new_boolean(1));
	json_object_object_add(o, "create_request", c);
	w->body = xstrdup(json_object_to_json_string(o));
	json_object_put(o);

	w->multi = libcurl->multi_init();
	w->easy = libcurl->easy_init();
	if (!w->multi || !w->easy) {
		etcd_watch_free(w);
		etcd_fail(err, "etcd: cannot set up libcurl");
		return NULL;
	}
	snprintf(url, sizeof(url), "%s/v3/watch", e->endpoints[w->ep]);
	setup_easy(e, w->easy, url, w->body);
	libcurl->easy_setopt(w->easy, CURLOPT_TCP_KEEPIDLE, WATCH_KEEPIDLE_S);
	libcurl->easy_setopt(w->easy, CURLOPT_TCP_KEEPINTVL, WATCH_KEEPINTVL_S);
	libcurl->easy_setopt(w->easy, CURLOPT_SOCKOPTFUNCTION, watch_sockopt);
	libcurl->easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, watch_write);
	libcurl->easy_setopt(w->easy, CURLOPT_WRITEDATA, w);
	libcurl->multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, watch_sock);
	libcurl->multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
	libcurl->multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, watch_timer);
	libcurl->multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
	if (libcurl->multi_add_handle(w->multi, w->easy)) {
		etcd_watch_free(w);
		etcd_fail(err, "etcd: cannot start a watch");
		return NULL;
	}
	return w;
}

void etcd_watch_free(struct etcd_watch *w)
{
	if (!w)
		return;
	if (w->multi && w->easy)
		libcurl->multi_remove_handle(w->multi, w->easy);
	if (w->easy)
		libcurl->easy_cleanup(w->easy);
	if (w->multi)
		libcurl->multi_cleanup(w->multi);
	for (size_t i = w->head; i < w->nr; i++)
		etcd_kv_free(&w->queue[i].kv);
	free(w->queue);
	free(w->line.p);
	free(w->body);
	free(w->prefix);
	free(w);
}

void etcd_watch_socket(struct etcd_watch *w, int fd, unsigned int events)
{
	int flags = 0, running;

	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	libcurl->multi_socket_action(w->multi, fd, flags, &running);
	watch_done(w);
}

void etcd_watch_timer(struct etcd_watch *w)
{
	int running;

	libcurl->multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0,
				     &running);
	watch_done(w);
}

int etcd_watch_next(struct etcd_watch *w, struct etcd_event *ev,
		    struct etcd_err *err)
{
	if (w->head < w->nr) {
		*ev = w->queue[w->head++];
		if (w->head == w->nr)
			w->head = w->nr = 0;
		return 1;
	}
	if (w->ended) {
		*err = w->end;
		return -1;
	}
	return 0;
}

bool etcd_watch_created(const struct etcd_watch *w)
{
	return w->created;
}

int64_t etcd_watch_resume_revision(const struct etcd_watch *w)
{
	return w->resume;
}

int64_t etcd_watch_compacted(const struct etcd_watch *w)
{
	return w->compacted;
}

uint64_t etcd_watch_foreign(const struct etcd_watch *w)
{
	return w->foreign;
}
