/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Partners by XMPP domain: each domain of a set (the config's `domain`
 * items and those of 'edgefw partner add') owns the addresses DNS gave
 * for it, kept with what its last resolution found in the state
 * directory's partners.json. A set holds its own prefixes (the config's
 * and sets.json's) and every address a domain of it owns: an address
 * leaves the set when no domain owns it and no prefix of its own is it.
 */
#ifndef EDGEFW_PARTNERS_H
#define EDGEFW_PARTNERS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "config.h"
#include "paths.h"
#include "prefix_list.h"

/* SRV targets resolved per domain; the rest are left out, with a warning. */
#define PARTNER_MAX_TARGETS 32
/* Addresses a domain may own (all its targets' A and AAAA together). */
#define PARTNER_MAX_ADDRS 256
#define PARTNER_ERROR_LEN 256

enum dnssec_status {
	DNSSEC_UNKNOWN, /* never resolved */
	DNSSEC_INSECURE,
	DNSSEC_SECURE,
	DNSSEC_BOGUS,
};

const char *dnssec_name(unsigned int s);

/* Why a resolution failed (the set kept what it had), as counted. */
enum partner_failure {
	PF_TIMEOUT, /* no answer within partners timeout */
	PF_SERVFAIL,
	PF_REFUSED,
	PF_RCODE, /* another error code: FORMERR, NOTIMP, ... */
	PF_BOGUS, /* DNSSEC validation failed */
	PF_INSECURE, /* an insecure answer for a domain marked secure */
	PF_SPECIAL_USE, /* a special-use domain the resolver answers itself */
	PF_ERROR, /* libunbound or libldns could not ask or read */
	PF_NR
};

/* The cause's name in partners.json and the metrics: "timeout", ... */
const char *partner_failure_name(unsigned int f);

struct partner_target {
	char host[DNSNAME_LEN]; /* "." for "no service" */
	uint16_t port;
	bool tls; /* from _xmpps-server._tcp (XEP-0368) */
};

/* An address gone from DNS, kept in the set until its grace runs out. */
struct partner_leaving {
	struct prefix addr;
	int64_t until_ms;
};

struct partner {
	char domain[DNSNAME_LEN];
	char set[NAME_LEN];
	bool from_cli; /* 'edgefw partner add'; else the config's */
	bool secure; /* only DNSSEC-secure answers change the set */
	struct prefix_list addrs; /* as DNS last said, sorted */
	struct partner_leaving *leaving;
	size_t nr_leaving;
	struct partner_target *targets;
	size_t nr_targets;
	uint32_t ttl; /* seconds, the least of the answers' */
	uint8_t dnssec; /* enum dnssec_status, of the last answer */
	int64_t last_refresh_ms; /* the last resolution that succeeded; 0 */
	int64_t next_refresh_ms; /* 0: at once */
	char last_error[PARTNER_ERROR_LEN]; /* of the last resolution; "" */
	uint64_t failures; /* resolutions that failed, in all */
	uint64_t failures_by[PF_NR]; /* the same by cause (enum partner_failure) */
};

struct partners_file {
	struct partner *v;
	size_t n;
	size_t cap;
};

struct sf_err;

int partners_parse(const char *text, size_t len, struct partners_file *f,
		   struct sf_err *e);
/* 0 (no file: no partners), or -1 after reporting the file refused. */
int partners_read(const struct paths *p, struct partners_file *f);
int partners_write(const struct paths *p, const struct partners_file *f);
json_object *partners_json(const struct partners_file *f);
void partners_free(struct partners_file *f);
void partner_free(struct partner *pt);
void partner_copy(struct partner *dst, const struct partner *src);
void partners_copy(struct partners_file *dst, const struct partners_file *src);

struct partner *partners_find(struct partners_file *f, const char *set,
			      const char *domain);
struct partner *partners_add(struct partners_file *f, const char *set,
			     const char *domain);
void partners_remove(struct partners_file *f, struct partner *pt);

/*
 * Make the file's domains those of the config plus those added with the
 * CLI (to sets the config has): the config's domains are added (to be
 * resolved at once), those it no longer has go. true if anything changed.
 */
bool partners_sync_config(struct partners_file *f, const struct config *c);

/* The addresses pt owns: from DNS, and those leaving; sorted, unique. */
void partner_owned(const struct partner *pt, struct prefix_list *out);

/* What the domains of set own, all together; sorted and unique. */
void partners_owned_in_set(const struct partners_file *f, const char *set,
			   struct prefix_list *out);

/*
 * What the config's set s holds: its prefixes with the changes of
 * sets.json (static, sorted and unique) and what its domains own.
 */
void partners_set_effective(const struct prefix_list *stat,
			    const struct partners_file *f, const char *set,
			    struct prefix_list *out);

/*
 * A resolution that succeeded: addrs (sorted, unique) are what DNS says
 * now. What it no longer says stays as leaving until now + grace_ms;
 * what it says again stops leaving.
 */
void partner_merge(struct partner *pt, const struct prefix_list *addrs,
		   int64_t now_ms, int64_t grace_ms);

/* Drop the leaving addresses whose grace ran out; true if any went. */
bool partner_expire(struct partner *pt, int64_t now_ms);

/*
 * Put the domains' addresses into the config's sets, before it is
 * compiled, as set_changes_apply does with sets.json.
 */
void partners_apply(struct config *c, const struct partners_file *f);

#endif
