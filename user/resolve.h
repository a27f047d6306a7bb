/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Resolving a partner's XMPP domain as RFC 6120 §3.2 says, with
 * libunbound (validating, asynchronous): the SRV records of
 * _xmpp-server._tcp.DOMAIN and of XEP-0368's _xmpps-server._tcp.DOMAIN,
 * then the A and AAAA records of every target (CNAMEs followed by
 * libunbound, within its bound); with no SRV record, the domain's own A
 * and AAAA; a target "." means no service. Answers are parsed by libldns.
 *
 * A resolution that meets DNS trouble (SERVFAIL, a time-out, a bogus
 * answer, or an insecure one where DNSSEC is required) says so and
 * carries nothing the set may take: the caller keeps what it had.
 */
#ifndef EDGEFW_RESOLVE_H
#define EDGEFW_RESOLVE_H

#include <stdbool.h>
#include <stdint.h>
#include "config.h"
#include "partners.h"

struct resolution {
	char domain[DNSNAME_LEN];
	bool ok; /* false: DNS trouble, error says what; nothing may change */
	char error[PARTNER_ERROR_LEN]; /* or, when ok, a warning; "" */
	struct partner_target targets[2 * PARTNER_MAX_TARGETS];
	size_t nr_targets;
	struct prefix_list addrs; /* sorted, unique; only when ok */
	uint32_t ttl; /* the least of the answers' TTLs */
	uint8_t dnssec; /* enum dnssec_status */
	uint8_t cause; /* when not ok: enum partner_failure */
};

void resolution_free(struct resolution *res);

typedef void (*resolve_done_fn)(struct resolution *res, void *ctx);

struct resolver;

/* A resolver as the config's partners statement says; NULL after logging. */
struct resolver *resolver_new(const struct cfg_partners *pc);
void resolver_free(struct resolver *r); /* lookups under way are dropped */

/* Readable when answers wait: call resolver_process. */
int resolver_fd(const struct resolver *r);

/*
 * Start resolving domain; done(res, ctx) is called from resolver_process
 * (or resolver_wait) once, res freed after it returns. 0, or -1 after
 * logging.
 */
int resolver_start(struct resolver *r, const char *domain, bool secure,
		   resolve_done_fn done, void *ctx);

/* Take the answers that came, and end the lookups past their time. */
void resolver_process(struct resolver *r);

/* When the next lookup runs out of time (CLOCK_MONOTONIC ms); INT64_MAX. */
int64_t resolver_next_deadline(const struct resolver *r);

size_t resolver_pending(const struct resolver *r);

/* Block until every lookup under way is done (for the CLI). */
void resolver_wait(struct resolver *r);

#endif
