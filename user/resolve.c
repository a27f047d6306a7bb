// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lazylibs.h"
#include "log.h"
#include "resolve.h"
#include "util.h"

/* The root's trust anchor as Debian's dns-root-data keeps it. */
#define ROOT_ANCHOR "/usr/share/dns/root.key"

enum query_kind { Q_SRV, Q_SRVS, Q_A, Q_AAAA };

static const char *const kind_names[] = { "SRV", "SRV", "A", "AAAA" };

struct lookup;

struct query {
	struct lookup *lk;
	enum query_kind kind;
	int id; /* libunbound's async id */
	bool done;
	char name[DNSNAME_LEN + 32];
};

/* An SRV record, before the targets are chosen by priority. */
struct srv {
	uint16_t priority;
	struct partner_target t;
};

struct lookup {
	struct resolver *r;
	struct lookup *next;
	bool secure_required;
	bool failed;
	bool all_secure;
	bool any_data;
	size_t srv_records; /* SRV records found, "." included */
	size_t dot_records;
	struct srv *srvs;
	size_t nr_srvs, srvs_cap;
	struct query **queries;
	size_t nr_queries, queries_cap, pending;
	int64_t deadline_ms;
	char warning[PARTNER_ERROR_LEN];
	struct resolution res;
	resolve_done_fn done;
	void *ctx;
};

/* Set by the first resolver_new; every other function runs after one. */
static const struct ub_api *libub;
static const struct ldns_api *libldns;

struct resolver {
	struct ub_ctx *ub;
	struct lookup *lookups;
	int64_t timeout_ms;
	bool forwarder; /* the config's partners resolver */
};

/*
 * Special-use domains libunbound answers itself (its default local
 * zones) and never asks a DNS server about. Those meant for names of
 * one's own network (RFC 6761's test., RFC 8375's home.arpa.) are the
 * operator's resolver's to answer when the config names one; the others
 * never hold a partner.
 */
static const struct special_zone {
	const char *zone;
	bool forwarded; /* asked of the config's partners resolver */
	const char *rfc;
} special_zones[] = {
	{ "test", true, "RFC 6761" },	    { "home.arpa", true, "RFC 8375" },
	{ "localhost", false, "RFC 6761" }, { "invalid", false, "RFC 6761" },
	{ "onion", false, "RFC 7686" },
};

static const struct special_zone *special_zone_of(const char *domain)
{
	size_t len = strlen(domain);

	for (size_t i = 0; i < ARRAY_SIZE(special_zones); i++) {
		const char *z = special_zones[i].zone;
		size_t zl = strlen(z);

		if (len >= zl && !strcmp(domain + len - zl, z) &&
		    (len == zl || domain[len - zl - 1] == '.'))
			return &special_zones[i];
	}
	return NULL;
}

/*
 * The operator's resolver answers the special-use zones meant for its own
 * names: libunbound passes them on (a transparent local zone with no data)
 * and does not expect the root to vouch for them (domain-insecure; a trust
 * anchor of the zone's own still makes it secure).
 */
static int forward_special_zones(struct ub_ctx *ub)
{
	int err = 0;

	for (size_t i = 0; !err && i < ARRAY_SIZE(special_zones); i++) {
		char value[64];

		if (!special_zones[i].forwarded)
			continue;
		snprintf(value, sizeof(value), "%s. transparent",
			 special_zones[i].zone);
		err = libub->ctx_set_option(ub, "local-zone:", value);
		if (!err) {
			snprintf(value, sizeof(value), "%s.",
				 special_zones[i].zone);
			err = libub->ctx_set_option(ub,
						    "domain-insecure:", value);
		}
	}
	return err;
}

static int64_t mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

void resolution_free(struct resolution *res)
{
	plist_free(&res->addrs);
}

struct resolver *resolver_new(const struct cfg_partners *pc)
{
	const char *anchor = pc->trust_anchor;
	struct resolver *r;
	char why[256];
	int err;

	libub = ub_api(why, sizeof(why));
	if (libub)
		libldns = ldns_api(why, sizeof(why));
	if (!libub || !libldns) {
		log_err("cannot create a DNS resolver: %s", why);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->timeout_ms = (int64_t)pc->timeout * 1000;
	r->ub = libub->ctx_create();
	if (!r->ub) {
		log_err("cannot create a DNS resolver (libunbound)");
		free(r);
		return NULL;
	}
	/* a thread, not a forked process: one address space to sandbox */
	err = libub->ctx_async(r->ub, 1);
	if (!err && pc->resolver[0]) {
		r->forwarder = true;
		err = libub->ctx_set_option(r->ub,
					    "do-not-query-localhost:", "no");
		if (!err)
			err = libub->ctx_set_fwd(r->ub, pc->resolver);
		if (!err)
			err = forward_special_zones(r->ub);
	} else if (!err) {
		err = libub->ctx_resolvconf(r->ub, NULL);
	}
	if (!err && !anchor[0] && access(ROOT_ANCHOR, R_OK) == 0)
		anchor = ROOT_ANCHOR;
	if (!err && anchor[0] && strcmp(anchor, "none"))
		err = libub->ctx_add_ta_file(r->ub, anchor);
	if (err) {
		log_err("cannot set up the DNS resolver (%s%s%s): %s",
			pc->resolver[0] ? pc->resolver : "/etc/resolv.conf",
			anchor[0] ? ", trust anchor " : "", anchor,
			libub->strerror(err));
		libub->ctx_delete(r->ub);
		free(r);
		return NULL;
	}
	return r;
}

static void lookup_free(struct lookup *lk)
{
	for (size_t i = 0; i < lk->nr_queries; i++) {
		if (!lk->queries[i]->done)
			libub->cancel(lk->r->ub, lk->queries[i]->id);
		free(lk->queries[i]);
	}
	free(lk->queries);
	free(lk->srvs);
	resolution_free(&lk->res);
	free(lk);
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	while (r->lookups) {
		struct lookup *lk = r->lookups;

		r->lookups = lk->next;
		lookup_free(lk);
	}
	libub->ctx_delete(r->ub);
	free(r);
}

int resolver_fd(const struct resolver *r)
{
	return libub->fd(r->ub);
}

size_t resolver_pending(const struct resolver *r)
{
	size_t n = 0;

	for (const struct lookup *lk = r->lookups; lk; lk = lk->next)
		n++;
	return n;
}

int64_t resolver_next_deadline(const struct resolver *r)
{
	int64_t t = INT64_MAX;

	for (const struct lookup *lk = r->lookups; lk; lk = lk->next) {
		if (lk->deadline_ms < t)
			t = lk->deadline_ms;
	}
	return t;
}

static void fail(struct lookup *lk, enum partner_failure cause, const char *fmt,
		 ...) __attribute__((format(printf, 3, 4)));
static void fail(struct lookup *lk, enum partner_failure cause, const char *fmt,
		 ...)
{
	va_list ap;

	if (lk->failed)
		return; /* the first trouble is the one to tell */
	lk->failed = true;
	lk->res.cause = cause;
	va_start(ap, fmt);
	vsnprintf(lk->res.error, sizeof(lk->res.error), fmt, ap);
	va_end(ap);
}

static void warn(struct lookup *lk, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct lookup *lk, const char *fmt, ...)
{
	va_list ap;

	if (lk->warning[0])
		return;
	va_start(ap, fmt);
	vsnprintf(lk->warning, sizeof(lk->warning), fmt, ap);
	va_end(ap);
}

static void on_answer(void *arg, int err, struct ub_result *result);

static void ask(struct lookup *lk, const char *name, enum query_kind kind)
{
	static const int types[] = { LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_SRV,
				     LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	struct query *q = xcalloc(1, sizeof(*q));
	int err;

	q->lk = lk;
	q->kind = kind;
	snprintf(q->name, sizeof(q->name), "%s", name);
	err = libub->resolve_async(lk->r->ub, q->name, types[kind],
				   LDNS_RR_CLASS_IN, q, on_answer, &q->id);
	if (err) {
		fail(lk, PF_ERROR, "cannot ask for %s %s: %s", q->name,
		     kind_names[kind], libub->strerror(err));
		free(q);
		return;
	}
	GROW(lk->queries, lk->queries_cap, lk->nr_queries + 1);
	lk->queries[lk->nr_queries++] = q;
	lk->pending++;
}

static const char *rcode_name(int rcode)
{
	static const char *const names[] = { "NOERROR",	 "FORMERR", "SERVFAIL",
					     "NXDOMAIN", "NOTIMP",  "REFUSED" };

	return rcode >= 0 && rcode < (int)ARRAY_SIZE(names) ? names[rcode]
							    : "an error";
}

/* The SRV records of an answer, parsed by libldns. */
static void take_srv(struct lookup *lk, struct query *q,
		     const struct ub_result *result)
{
	ldns_rr_list *rrs;
	ldns_pkt *pkt;

	if (libldns->wire2pkt(&pkt, result->answer_packet,
			      result->answer_len) != LDNS_STATUS_OK) {
		fail(lk, PF_ERROR, "%s SRV: an answer libldns cannot read",
		     q->name);
		return;
	}
	rrs = libldns->pkt_rr_list_by_type(pkt, LDNS_RR_TYPE_SRV,
					   LDNS_SECTION_ANSWER);
	for (size_t i = 0; rrs && i < libldns->rr_list_rr_count(rrs); i++) {
		ldns_rr *rr = libldns->rr_list_rr(rrs, i);
		struct srv s = { .t.tls = q->kind == Q_SRVS };
		char *host, why[256];
		size_t len;

		if (libldns->rr_rd_count(rr) != 4)
			continue;
		s.priority = libldns->rdf2native_int16(libldns->rr_rdf(rr, 0));
		s.t.port = libldns->rdf2native_int16(libldns->rr_rdf(rr, 2));
		host = libldns->rdf2str(libldns->rr_rdf(rr, 3));
		if (!host)
			continue;
		lk->srv_records++;
		len = strlen(host);
		if (!strcmp(host, ".")) {
			lk->dot_records++;
		} else if (len && host[len - 1] == '.' &&
			   dnsname_parse(host, s.t.host, why, sizeof(why)) ==
				   0) {
			GROW(lk->srvs, lk->srvs_cap, lk->nr_srvs + 1);
			lk->srvs[lk->nr_srvs++] = s;
		} else {
			warn(lk, "%s: SRV target left out: %s", q->name, why);
		}
		free(host);
	}
	libldns->rr_list_deep_free(rrs);
	libldns->pkt_free(pkt);
}

static void take_addrs(struct lookup *lk, struct query *q,
		       const struct ub_result *result)
{
	for (int i = 0; result->data[i]; i++) {
		struct prefix p = { .family = q->kind == Q_A
						      ? EDGEFW_FAMILY_IPV4
						      : EDGEFW_FAMILY_IPV6 };
		size_t want = q->kind == Q_A ? 4 : 16;

		if ((size_t)result->len[i] != want)
			continue;
		memcpy(&p.addr, result->data[i], want);
		p.len = family_bits(p.family);
		if (p.family == EDGEFW_FAMILY_IPV6) {
			char text[INET6_ADDRSTRLEN], why[160];

			/* as everywhere in edgefw: IPv4-mapped is IPv4 */
			inet_ntop(AF_INET6, &p.addr, text, sizeof(text));
			if (addr_parse(text, &p, why, sizeof(why)))
				continue;
		}
		if (lk->res.addrs.n == PARTNER_MAX_ADDRS) {
			warn(lk,
			     "more than %d addresses: the rest are left out",
			     PARTNER_MAX_ADDRS);
			return;
		}
		plist_add(&lk->res.addrs, &p);
	}
}

static void finish(struct lookup *lk);
static void next_phase(struct lookup *lk);

static void on_answer(void *arg, int err, struct ub_result *result)
{
	struct query *q = arg;
	struct lookup *lk = q->lk;

	q->done = true;
	lk->pending--;
	if (err) {
		fail(lk, PF_ERROR, "%s %s: %s", q->name, kind_names[q->kind],
		     libub->strerror(err));
	} else if (result->bogus) {
		lk->res.dnssec = DNSSEC_BOGUS;
		fail(lk, PF_BOGUS, "%s %s: bogus DNSSEC answer: %s", q->name,
		     kind_names[q->kind],
		     result->why_bogus ? result->why_bogus : "no reason given");
	} else if (result->rcode != LDNS_RCODE_NOERROR &&
		   result->rcode != LDNS_RCODE_NXDOMAIN) {
		fail(lk,
		     result->rcode == LDNS_RCODE_SERVFAIL  ? PF_SERVFAIL
		     : result->rcode == LDNS_RCODE_REFUSED ? PF_REFUSED
							   : PF_RCODE,
		     "%s %s: %s", q->name, kind_names[q->kind],
		     rcode_name(result->rcode));
	} else {
		if (!result->secure)
			lk->all_secure = false;
		if (lk->secure_required && !result->secure)
			fail(lk, PF_INSECURE,
			     "%s %s: the answer is not DNSSEC-secure, and the config requires it",
			     q->name, kind_names[q->kind]);
		if (result->havedata &&
		    (!lk->any_data || (uint32_t)result->ttl < lk->res.ttl))
			lk->res.ttl = result->ttl;
		lk->any_data |= result->havedata;
		if (result->havedata && (q->kind == Q_SRV || q->kind == Q_SRVS))
			take_srv(lk, q, result);
		else if (result->havedata)
			take_addrs(lk, q, result);
		else if (result->nxdomain &&
			 (q->kind == Q_A || q->kind == Q_AAAA))
			warn(lk, "%s: no such domain (NXDOMAIN)", q->name);
	}
	if (result)
		libub->resolve_free(result);
	if (lk->pending)
		return;
	if (!lk->failed && lk->nr_queries == 2)
		next_phase(lk);
	if (!lk->pending)
		finish(lk);
}

static int cmp_srv(const void *a, const void *b)
{
	const struct srv *x = a, *y = b;

	return (int)x->priority - (int)y->priority;
}

/* The SRV answers are in: ask for the addresses of their targets. */
static void next_phase(struct lookup *lk)
{
	const char *domain = lk->res.domain;
	size_t hosts = 0;

	if (!lk->nr_srvs && lk->dot_records) {
		struct partner_target *t = &lk->res.targets[0];

		snprintf(t->host, sizeof(t->host), ".");
		lk->res.nr_targets = 1;
		warn(lk,
		     "%s has SRV target \".\": it offers no server-to-server XMPP service",
		     domain);
		return;
	}
	if (!lk->nr_srvs) {
		/* RFC 6120 §3.2.2: no SRV record, the domain itself */
		struct partner_target *t = &lk->res.targets[0];

		snprintf(t->host, sizeof(t->host), "%s", domain);
		t->port = 5269;
		lk->res.nr_targets = 1;
		ask(lk, domain, Q_A);
		ask(lk, domain, Q_AAAA);
		return;
	}
	qsort(lk->srvs, lk->nr_srvs, sizeof(*lk->srvs), cmp_srv);
	for (size_t i = 0; i < lk->nr_srvs; i++) {
		const struct partner_target *t = &lk->srvs[i].t;
		bool seen = false;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(lk->srvs[j].t.host, t->host);
		if (lk->res.nr_targets < ARRAY_SIZE(lk->res.targets))
			lk->res.targets[lk->res.nr_targets++] = *t;
		if (seen)
			continue;
		if (hosts == PARTNER_MAX_TARGETS) {
			warn(lk,
			     "%s has more than %d SRV targets (%zu records): the first %d by priority are resolved",
			     domain, PARTNER_MAX_TARGETS, lk->nr_srvs,
			     PARTNER_MAX_TARGETS);
			break;
		}
		hosts++;
		ask(lk, t->host, Q_A);
		ask(lk, t->host, Q_AAAA);
	}
}

static void finish(struct lookup *lk)
{
	struct resolver *r = lk->r;
	struct lookup **pp;

	for (pp = &r->lookups; *pp && *pp != lk; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = lk->next;
	lk->res.ok = !lk->failed;
	if (lk->res.dnssec != DNSSEC_BOGUS)
		lk->res.dnssec = lk->all_secure ? DNSSEC_SECURE
						: DNSSEC_INSECURE;
	if (lk->failed)
		plist_free(&lk->res.addrs);
	else
		snprintf(lk->res.error, sizeof(lk->res.error), "%s",
			 lk->warning);
	plist_sort_unique(&lk->res.addrs);
	lk->done(&lk->res, lk->ctx);
	lookup_free(lk);
}

int resolver_start(struct resolver *r, const char *domain, bool secure,
		   resolve_done_fn done, void *ctx)
{
	struct lookup *lk = xcalloc(1, sizeof(*lk));
	const struct special_zone *zone;
	char name[DNSNAME_LEN + 32];

	lk->r = r;
	lk->secure_required = secure;
	lk->all_secure = true;
	lk->done = done;
	lk->ctx = ctx;
	lk->deadline_ms = mono_ms() + r->timeout_ms;
	snprintf(lk->res.domain, sizeof(lk->res.domain), "%s", domain);
	lk->next = r->lookups;
	r->lookups = lk;
	zone = special_zone_of(domain);
	if (zone && (!zone->forwarded || !r->forwarder)) {
		/* libunbound would answer NXDOMAIN itself: say why instead */
		if (zone->forwarded)
			fail(lk, PF_SPECIAL_USE,
			     "%s is under %s., a special-use domain (%s) the resolver answers itself without asking a DNS server: name the DNS server that serves it with 'partners resolver ADDR'",
			     domain, zone->zone, zone->rfc);
		else
			fail(lk, PF_SPECIAL_USE,
			     "%s is under %s., a special-use domain (%s) that is never resolved: no partner can be there",
			     domain, zone->zone, zone->rfc);
		lk->deadline_ms = 0; /* finished by the next resolver_process */
		return 0;
	}
	snprintf(name, sizeof(name), "_xmpp-server._tcp.%s", domain);
	ask(lk, name, Q_SRV);
	snprintf(name, sizeof(name), "_xmpps-server._tcp.%s", domain);
	ask(lk, name, Q_SRVS);
	if (lk->failed) {
		log_err("cannot resolve %s: %s", domain, lk->res.error);
		for (struct lookup **pp = &r->lookups; *pp; pp = &(*pp)->next) {
			if (*pp == lk) {
				*pp = lk->next;
				break;
			}
		}
		lookup_free(lk);
		return -1;
	}
	return 0;
}

void resolver_process(struct resolver *r)
{
	int64_t now;
	bool again = true;

	libub->process(r->ub);
	now = mono_ms();
	while (again) {
		again = false;
		for (struct lookup *lk = r->lookups; lk; lk = lk->next) {
			if (lk->deadline_ms > now)
				continue;
			fail(lk, PF_TIMEOUT,
			     "no answer within %" PRId64 " s (time-out)",
			     r->timeout_ms / 1000);
			lk->pending = 0;
			finish(lk); /* cancels what is still asked */
			again = true; /* the list changed under us */
			break;
		}
	}
}

void resolver_wait(struct resolver *r)
{
	while (r->lookups) {
		int64_t wait = resolver_next_deadline(r) - mono_ms();
		struct pollfd pfd = { .fd = libub->fd(r->ub),
				      .events = POLLIN };

		if (wait < 0)
			wait = 0;
		if (poll(&pfd, 1, wait > 1000 ? 1000 : (int)wait) < 0 &&
		    errno != EINTR)
			break;
		resolver_process(r);
	}
}
