/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client of etcd's v3 JSON gateway (etcd 3.4: POST /v3/...,
 * libcurl): put (with a lease), range at a revision, delete, leases, and
 * a watch stream that an event loop drives without blocking. Endpoints
 * are tried in turn: the next one on no connection, a time-out or etcd
 * being unavailable (code 14); etcd's other errors are answers and
 * returned. Every answer is validated (etcd_json.h).
 */
#ifndef EDGEFW_ETCD_H
#define EDGEFW_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "etcd_json.h"

struct etcd_opts {
	const char *const *endpoints; /* http[s]://HOST:PORT */
	size_t nr_endpoints;
	const char *ca, *cert, *key; /* https: all three; else NULL */
	long timeout_ms; /* a request, on one endpoint; 0: 2000 */
	long connect_timeout_ms; /* 0: 1000 */
};

struct etcd;

/*
 * Opens libcurl (dynlib.h) and sets it up, once: 0, or -1 with err
 * naming the library and what it lacks. etcd_new calls it; a command
 * that must reach etcd after changing something calls it first.
 */
int etcd_lib_load(char *err, size_t len);

struct etcd *etcd_new(const struct etcd_opts *o, struct etcd_err *err);
void etcd_free(struct etcd *e);

/* The endpoint that answered last (the one tried first next). */
const char *etcd_endpoint(const struct etcd *e);

/* key = value, bound to lease (0: none); h gets the revision written. */
int etcd_put(struct etcd *e, const char *key, const void *value, size_t len,
	     int64_t lease, struct etcd_header *h, struct etcd_err *err);

/*
 * The keys starting with prefix ("" to end: every key is asked for only
 * under it), as of revision (0: the latest). r is freed by the caller.
 */
int etcd_range_prefix(struct etcd *e, const char *prefix, int64_t revision,
		      struct etcd_range *r, struct etcd_err *err);

/* One key (r->nr_kvs is 0 or 1). */
int etcd_get(struct etcd *e, const char *key, int64_t revision,
	     struct etcd_range *r, struct etcd_err *err);

/* The key, or every key under it if prefix; *deleted how many. */
int etcd_delete(struct etcd *e, const char *key, bool prefix, int64_t *deleted,
		struct etcd_header *h, struct etcd_err *err);

/* A lease of ttl seconds; *granted what etcd gave (it has a minimum). */
int etcd_lease_grant(struct etcd *e, int64_t ttl, int64_t *id, int64_t *granted,
		     struct etcd_err *err);
/* One keep-alive; *ttl the seconds it has again. */
int etcd_lease_keepalive(struct etcd *e, int64_t id, int64_t *ttl,
			 struct etcd_err *err);
int etcd_lease_revoke(struct etcd *e, int64_t id, struct etcd_err *err);

/*
 * A watch of every key under prefix from start_revision on, as a stream
 * an epoll loop drives: the client asks for its sockets to be watched
 * (sock: events EPOLLIN and/or EPOLLOUT, 0 to stop watching fd) and for
 * a timer (timer: ms from now, -1 none, 0 at once); the loop reports back
 * with etcd_watch_socket and etcd_watch_timer, then takes what arrived
 * with etcd_watch_next. Nothing blocks.
 */
struct etcd_watch_io {
	void (*sock)(void *user, int fd, unsigned int events);
	void (*timer)(void *user, long ms);
	void *user;
};

struct etcd_watch;

struct etcd_watch *etcd_watch_new(struct etcd *e, const char *prefix,
				  int64_t start_revision,
				  const struct etcd_watch_io *io,
				  struct etcd_err *err);
void etcd_watch_free(struct etcd_watch *w);

/* fd is ready for events (EPOLLIN, EPOLLOUT, EPOLLERR). */
void etcd_watch_socket(struct etcd_watch *w, int fd, unsigned int events);
/* The timer ran out. */
void etcd_watch_timer(struct etcd_watch *w);

/*
 * The next change: 1 with ev filled (etcd_kv_free(&ev->kv) after), 0 when
 * none is waiting, -1 when the watch has ended (err says why: the
 * connection lost, etcd's error, the start revision compacted away (code
 * ETCD_OUT_OF_RANGE; etcd_watch_compacted says up to where)). A key not
 * under the prefix is never returned: it is logged and counted.
 */
int etcd_watch_next(struct etcd_watch *w, struct etcd_event *ev,
		    struct etcd_err *err);

/* Whether etcd has confirmed the watch. */
bool etcd_watch_created(const struct etcd_watch *w);
/* The revision to watch from again after an end: nothing is missed. */
int64_t etcd_watch_resume_revision(const struct etcd_watch *w);
/* The revision etcd compacted to, when that ended the watch; else 0. */
int64_t etcd_watch_compacted(const struct etcd_watch *w);
/* Keys not under the prefix that etcd sent (ignored). */
uint64_t etcd_watch_foreign(const struct etcd_watch *w);

#endif
