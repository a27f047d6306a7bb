/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The answers of etcd's v3 JSON gateway (etcd 3.4, grpc-gateway), read
 * strictly: anything that is not what etcd sends is a clear error, never a
 * crash. int64 fields come as decimal strings ("revision": "42"), bytes as
 * base64, and fields at their zero value are left out ("kvs" with no key,
 * "type" of a PUT event). Requests go out the same way (etcd.c).
 */
#ifndef EDGEFW_ETCD_JSON_H
#define EDGEFW_ETCD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What edgefw reads of a key and a value, decoded; longer is refused. */
#define ETCD_KEY_MAX 1024
#define ETCD_VALUE_MAX 65536

/* gRPC status codes etcd answers with (the "code" of an error). */
enum etcd_code {
	ETCD_OK = 0,
	ETCD_CANCELED = 1, /* a member's gateway losing its own server */
	ETCD_INVALID_ARGUMENT = 3,
	ETCD_NOT_FOUND = 5, /* a lease */
	ETCD_OUT_OF_RANGE = 11, /* a revision compacted away */
	ETCD_UNAVAILABLE = 14,
};

struct etcd_err {
	int code; /* etcd's gRPC code; 0 when the error is not etcd's */
	bool transport; /* no answer: no connection, a time-out */
	bool garbage; /* an answer that is not what etcd sends */
	char msg[512];
};

struct etcd_header {
	uint64_t cluster_id;
	uint64_t member_id;
	int64_t revision;
	int64_t raft_term;
};

struct etcd_kv {
	char *key; /* decoded; NUL-ended (a key holding a NUL is refused) */
	size_t key_len;
	char *value; /* decoded; NUL-ended for convenience */
	size_t value_len;
	int64_t create_revision;
	int64_t mod_revision;
	int64_t version;
	int64_t lease;
};

struct etcd_range {
	struct etcd_header h;
	struct etcd_kv *kvs;
	size_t nr_kvs;
	int64_t count; /* in the range, beyond a limit too */
	bool more;
};

enum etcd_event_type { ETCD_EVENT_PUT, ETCD_EVENT_DELETE };

struct etcd_event {
	enum etcd_event_type type;
	struct etcd_kv kv; /* a DELETE's has the key and mod_revision only */
};

/* One message of a watch stream. */
struct etcd_watch_msg {
	struct etcd_header h;
	int64_t watch_id;
	bool created;
	bool canceled;
	int64_t compact_revision; /* canceled: the start was compacted */
	char cancel_reason[256];
	struct etcd_event *events;
	size_t nr_events;
};

int etcd_parse_put(const char *text, size_t len, struct etcd_header *h,
		   struct etcd_err *err);
int etcd_parse_range(const char *text, size_t len, struct etcd_range *r,
		     struct etcd_err *err);
int etcd_parse_delete(const char *text, size_t len, struct etcd_header *h,
		      int64_t *deleted, struct etcd_err *err);
int etcd_parse_lease_grant(const char *text, size_t len, int64_t *id,
			   int64_t *ttl, struct etcd_err *err);
/* A keep-alive's one answer ({"result": ...}); a TTL of 0: the lease is gone. */
int etcd_parse_lease_keepalive(const char *text, size_t len, int64_t id,
			       int64_t *ttl, struct etcd_err *err);
int etcd_parse_lease_revoke(const char *text, size_t len, struct etcd_err *err);
/* One line of a watch stream. */
int etcd_parse_watch(const char *text, size_t len, struct etcd_watch_msg *m,
		     struct etcd_err *err);

void etcd_kv_free(struct etcd_kv *kv);
void etcd_range_free(struct etcd_range *r);
void etcd_watch_msg_free(struct etcd_watch_msg *m);

/* Set err's message (code 0, no flags); returns -1. */
int etcd_fail(struct etcd_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
