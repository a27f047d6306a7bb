// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "jsonutil.h"
#include "log.h"
#include "partners.h"
#include "statefile.h"
#include "util.h"

#define PARTNERS_FILE_VERSION 1

static const char *const dnssec_names[] = { "unknown", "insecure", "secure",
					    "bogus" };

const char *dnssec_name(unsigned int s)
{
	return s < ARRAY_SIZE(dnssec_names) ? dnssec_names[s] : "?";
}

static const char *const failure_names[PF_NR] = {
	[PF_TIMEOUT] = "timeout",
	[PF_SERVFAIL] = "servfail",
	[PF_REFUSED] = "refused",
	[PF_RCODE] = "rcode",
	[PF_BOGUS] = "bogus",
	[PF_INSECURE] = "insecure",
	[PF_SPECIAL_USE] = "special_use",
	[PF_ERROR] = "error",
};

const char *partner_failure_name(unsigned int f)
{
	return f < PF_NR ? failure_names[f] : "?";
}

void partner_free(struct partner *pt)
{
	plist_free(&pt->addrs);
	free(pt->leaving);
	free(pt->targets);
	memset(pt, 0, sizeof(*pt));
}

void partners_free(struct partners_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		partner_free(&f->v[i]);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void partner_copy(struct partner *dst, const struct partner *src)
{
	*dst = *src;
	memset(&dst->addrs, 0, sizeof(dst->addrs));
	for (size_t i = 0; i < src->addrs.n; i++)
		plist_add(&dst->addrs, &src->addrs.v[i]);
	dst->leaving = src->nr_leaving
			       ? xcalloc(src->nr_leaving, sizeof(*dst->leaving))
			       : NULL;
	if (src->nr_leaving)
		memcpy(dst->leaving, src->leaving,
		       src->nr_leaving * sizeof(*dst->leaving));
	dst->targets = src->nr_targets
			       ? xcalloc(src->nr_targets, sizeof(*dst->targets))
			       : NULL;
	if (src->nr_targets)
		memcpy(dst->targets, src->targets,
		       src->nr_targets * sizeof(*dst->targets));
}

void partners_copy(struct partners_file *dst, const struct partners_file *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++) {
		GROW(dst->v, dst->cap, dst->n + 1);
		partner_copy(&dst->v[dst->n++], &src->v[i]);
	}
}

struct partner *partners_find(struct partners_file *f, const char *set,
			      const char *domain)
{
	for (size_t i = 0; i < f->n; i++) {
		if (!strcmp(f->v[i].set, set) &&
		    !strcmp(f->v[i].domain, domain))
			return &f->v[i];
	}
	return NULL;
}

struct partner *partners_add(struct partners_file *f, const char *set,
			     const char *domain)
{
	struct partner *pt;

	GROW(f->v, f->cap, f->n + 1);
	pt = &f->v[f->n++];
	memset(pt, 0, sizeof(*pt));
	snprintf(pt->domain, sizeof(pt->domain), "%s", domain);
	snprintf(pt->set, sizeof(pt->set), "%s", set);
	pt->dnssec = DNSSEC_UNKNOWN;
	return pt;
}

void partners_remove(struct partners_file *f, struct partner *pt)
{
	size_t i = pt - f->v;

	partner_free(pt);
	memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof(*f->v));
	f->n--;
}

bool partners_sync_config(struct partners_file *f, const struct config *c)
{
	bool changed = false;

	for (size_t i = 0; i < f->n;) {
		struct partner *pt = &f->v[i];
		int set = config_find_set(c, pt->set);
		const struct cfg_domain *d =
			set < 0 ? NULL
				: config_find_domain(&c->sets[set], pt->domain);

		if (d && (pt->from_cli || pt->secure != d->secure)) {
			/* the config has it now: the config says how */
			pt->from_cli = false;
			pt->secure = d->secure;
			changed = true;
		}
		if (d || (pt->from_cli && set >= 0)) {
			i++;
			continue;
		}
		partners_remove(f, pt);
		changed = true;
	}
	for (size_t s = 0; s < c->nr_sets; s++) {
		const struct cfg_set *set = &c->sets[s];

		for (size_t i = 0; i < set->nr_domains; i++) {
			struct partner *pt;

			if (partners_find(f, set->name, set->domains[i].name))
				continue;
			pt = partners_add(f, set->name, set->domains[i].name);
			pt->secure = set->domains[i].secure;
			changed = true;
		}
	}
	return changed;
}

void partner_owned(const struct partner *pt, struct prefix_list *out)
{
	for (size_t i = 0; i < pt->addrs.n; i++)
		plist_add(out, &pt->addrs.v[i]);
	for (size_t i = 0; i < pt->nr_leaving; i++)
		plist_add(out, &pt->leaving[i].addr);
	plist_sort_unique(out);
}

void partners_owned_in_set(const struct partners_file *f, const char *set,
			   struct prefix_list *out)
{
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].set, set))
			continue;
		for (size_t j = 0; j < f->v[i].addrs.n; j++)
			plist_add(out, &f->v[i].addrs.v[j]);
		for (size_t j = 0; j < f->v[i].nr_leaving; j++)
			plist_add(out, &f->v[i].leaving[j].addr);
	}
	plist_sort_unique(out);
}

void partners_set_effective(const struct prefix_list *stat,
			    const struct partners_file *f, const char *set,
			    struct prefix_list *out)
{
	partners_owned_in_set(f, set, out);
	plist_append(out, stat->v, stat->n);
	plist_sort_unique(out);
}

void partner_merge(struct partner *pt, const struct prefix_list *addrs,
		   int64_t now_ms, int64_t grace_ms)
{
	struct partner_leaving *leaving = NULL;
	size_t n = 0, cap = 0;

	/* still leaving: neither expired nor back in DNS */
	for (size_t i = 0; i < pt->nr_leaving; i++) {
		if (pt->leaving[i].until_ms <= now_ms ||
		    plist_contains(addrs, &pt->leaving[i].addr))
			continue;
		GROW(leaving, cap, n + 1);
		leaving[n++] = pt->leaving[i];
	}
	/* newly gone from DNS: their grace starts now */
	for (size_t i = 0; i < pt->addrs.n; i++) {
		if (plist_contains(addrs, &pt->addrs.v[i]))
			continue;
		GROW(leaving, cap, n + 1);
		leaving[n].addr = pt->addrs.v[i];
		leaving[n++].until_ms = now_ms + grace_ms;
	}
	free(pt->leaving);
	pt->leaving = leaving;
	pt->nr_leaving = n;
	plist_free(&pt->addrs);
	for (size_t i = 0; i < addrs->n; i++)
		plist_add(&pt->addrs, &addrs->v[i]);
	plist_sort_unique(&pt->addrs);
}

bool partner_expire(struct partner *pt, int64_t now_ms)
{
	size_t out = 0;

	for (size_t i = 0; i < pt->nr_leaving; i++) {
		if (pt->leaving[i].until_ms > now_ms)
			pt->leaving[out++] = pt->leaving[i];
	}
	if (out == pt->nr_leaving)
		return false;
	pt->nr_leaving = out;
	return true;
}

void partners_apply(struct config *c, const struct partners_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct partner *pt = &f->v[i];
		int set = config_find_set(c, pt->set);
		struct prefix_list owned = {};
		struct cfg_set *s;

		if (set < 0) {
			log_warn(
				"partner %s is in set %s, which the config does not have: its addresses are kept, not applied",
				pt->domain, pt->set);
			continue;
		}
		s = &c->sets[set];
		partner_owned(pt, &owned);
		for (size_t j = 0; j < owned.n; j++) {
			GROW(s->prefixes, s->cap, s->nr_prefixes + 1);
			s->prefixes[s->nr_prefixes++] = owned.v[j];
		}
		plist_free(&owned);
	}
}

/* ---- partners.json ---- */

static bool host_address(const struct prefix *p)
{
	return p->len == family_bits(p->family);
}

static bool parse_addrs(json_object *o, struct partner *pt, struct sf_err *e)
{
	if (!sf_prefixes(o, "addresses", &pt->addrs, e))
		return false;
	for (size_t i = 0; i < pt->addrs.n; i++) {
		char buf[PREFIX_STRLEN];

		if (host_address(&pt->addrs.v[i]))
			continue;
		prefix_format(&pt->addrs.v[i], buf, sizeof(buf));
		return sf_fail(e, "\"addresses\" has %s, not an address", buf);
	}
	if (pt->addrs.n > PARTNER_MAX_ADDRS)
		return sf_fail(e, "\"addresses\" has more than %d addresses",
			       PARTNER_MAX_ADDRS);
	return true;
}

static bool parse_leaving(json_object *o, struct partner *pt, struct sf_err *e)
{
	json_object *arr = sf_member(o, "leaving", json_type_array, e);
	size_t n;

	if (!arr)
		return false;
	n = json_object_array_length(arr);
	if (n > PARTNER_MAX_ADDRS)
		return sf_fail(e, "\"leaving\" has more than %d addresses",
			       PARTNER_MAX_ADDRS);
	pt->leaving = n ? xcalloc(n, sizeof(*pt->leaving)) : NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		struct partner_leaving *l = &pt->leaving[i];
		char text[PREFIX_STRLEN], why[160];

		if (!json_object_is_type(v, json_type_object))
			return sf_fail(e,
				       "\"leaving\"[%zu] is %s, not an object",
				       i, sf_type(v));
		if (!sf_string(v, "address", text, sizeof(text), e) ||
		    !sf_int(v, "until_ms", 0, STATEFILE_TIME_MAX_MS,
			    &l->until_ms, e))
			return false;
		if (addr_parse(text, &l->addr, why, sizeof(why)))
			return sf_fail(e, "\"leaving\"[%zu]: %s", i, why);
		pt->nr_leaving++;
	}
	return true;
}

static bool parse_targets(json_object *o, struct partner *pt, struct sf_err *e)
{
	json_object *arr = sf_member(o, "targets", json_type_array, e);
	size_t n;

	if (!arr)
		return false;
	n = json_object_array_length(arr);
	if (n > 2 * PARTNER_MAX_TARGETS)
		return sf_fail(e, "\"targets\" has more than %d targets",
			       2 * PARTNER_MAX_TARGETS);
	pt->targets = n ? xcalloc(n, sizeof(*pt->targets)) : NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		struct partner_target *t = &pt->targets[i];
		char why[256];
		int64_t port;

		if (!json_object_is_type(v, json_type_object))
			return sf_fail(e,
				       "\"targets\"[%zu] is %s, not an object",
				       i, sf_type(v));
		if (!sf_string(v, "host", t->host, sizeof(t->host), e) ||
		    !sf_int(v, "port", 0, 65535, &port, e) ||
		    !sf_bool(v, "tls", &t->tls, e))
			return false;
		if (strcmp(t->host, ".") &&
		    dnsname_parse(t->host, t->host, why, sizeof(why)))
			return sf_fail(e, "\"targets\"[%zu]: %s", i, why);
		t->port = port;
		pt->nr_targets++;
	}
	return true;
}

/* Optional: a file of an edgefw that did not count by cause has none. */
static bool parse_failures_by(json_object *o, struct partner *pt,
			      struct sf_err *e)
{
	json_object *by;

	if (!json_object_object_get_ex(o, "failures_by_cause", &by))
		return true;
	if (!json_object_is_type(by, json_type_object))
		return sf_fail(e, "\"failures_by_cause\" is %s, not an object",
			       sf_type(by));
	json_object_object_foreach(by, key, val) {
		unsigned int f;
		int64_t v;

		(void)val;
		for (f = 0; f < PF_NR && strcmp(key, failure_names[f]); f++)
			;
		if (f == PF_NR)
			return sf_fail(
				e,
				"\"failures_by_cause\": \"%.40s\" is no cause",
				key);
		if (!sf_int(by, key, 0, INT64_MAX, &v, e))
			return false;
		pt->failures_by[f] = v;
	}
	return true;
}

static bool parse_partner(json_object *o, size_t i, struct partner *pt,
			  struct sf_err *e)
{
	char text[DNSNAME_LEN + 8], why[256], origin[16], dnssec[16];
	int64_t v;
	size_t k;

	memset(pt, 0, sizeof(*pt));
	e->at[0] = '\0';
	if (!json_object_is_type(o, json_type_object))
		return sf_fail(e, "\"partners\"[%zu] is %s, not an object", i,
			       sf_type(o));
	sf_at(e, "\"partners\"[%zu]: ", i);
	if (!sf_string(o, "domain", text, sizeof(text), e))
		return false;
	if (dnsname_parse(text, pt->domain, why, sizeof(why)))
		return sf_fail(e, "\"domain\": %s", why);
	sf_at(e, "\"partners\"[%zu] (%s): ", i, pt->domain);
	if (!sf_string(o, "set", pt->set, sizeof(pt->set), e))
		return false;
	if (!config_valid_name(pt->set))
		return sf_fail(e, "\"set\" is no set name");
	if (!sf_string(o, "origin", origin, sizeof(origin), e))
		return false;
	if (strcmp(origin, "cli") && strcmp(origin, "config"))
		return sf_fail(e,
			       "\"origin\" is neither \"cli\" nor \"config\"");
	pt->from_cli = !strcmp(origin, "cli");
	if (!sf_bool(o, "secure", &pt->secure, e) || !parse_addrs(o, pt, e) ||
	    !parse_leaving(o, pt, e) || !parse_targets(o, pt, e) ||
	    !sf_int(o, "ttl", 0, UINT32_MAX, &v, e))
		return false;
	pt->ttl = v;
	if (!sf_string(o, "dnssec", dnssec, sizeof(dnssec), e))
		return false;
	for (k = 0; k < ARRAY_SIZE(dnssec_names); k++) {
		if (!strcmp(dnssec, dnssec_names[k]))
			break;
	}
	if (k == ARRAY_SIZE(dnssec_names))
		return sf_fail(e, "\"dnssec\" is no DNSSEC status");
	pt->dnssec = k;
	if (!sf_int(o, "last_refresh_ms", 0, STATEFILE_TIME_MAX_MS,
		    &pt->last_refresh_ms, e) ||
	    !sf_int(o, "next_refresh_ms", 0, STATEFILE_TIME_MAX_MS,
		    &pt->next_refresh_ms, e) ||
	    !sf_string(o, "last_error", pt->last_error, sizeof(pt->last_error),
		       e) ||
	    !sf_int(o, "failures", 0, INT64_MAX, &v, e))
		return false;
	pt->failures = v;
	return parse_failures_by(o, pt, e);
}

int partners_parse(const char *text, size_t len, struct partners_file *f,
		   struct sf_err *e)
{
	json_object *root, *arr;
	int64_t version;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	root = statefile_parse(text, len, PARTNERS_FILE_VERSION,
			       PARTNERS_FILE_VERSION, &version, e);
	if (!root)
		return -1;
	arr = sf_member(root, "partners", json_type_array, e);
	if (arr)
		n = json_object_array_length(arr);
	if (n > CONFIG_MAX_DOMAINS)
		sf_fail(e, "\"partners\" has %zu entries, more than %d", n,
			CONFIG_MAX_DOMAINS);
	for (size_t i = 0; !e->failed && i < n; i++) {
		struct partner pt;

		if (!parse_partner(json_object_array_get_idx(arr, i), i, &pt,
				   e)) {
			partner_free(&pt);
			break;
		}
		if (partners_find(f, pt.set, pt.domain)) {
			sf_fail(e, "domain %s of set %s is listed twice",
				pt.domain, pt.set);
			partner_free(&pt);
			break;
		}
		GROW(f->v, f->cap, f->n + 1);
		f->v[f->n++] = pt;
	}
	json_object_put(root);
	if (e->failed) {
		partners_free(f);
		return -1;
	}
	return 0;
}

static int parse_file(const char *text, size_t len, void *f, struct sf_err *e)
{
	return partners_parse(text, len, f, e);
}

int partners_read(const struct paths *p, struct partners_file *f)
{
	memset(f, 0, sizeof(*f));
	return statefile_load(p->partners_file, parse_file, f);
}

static json_object *partner_json(const struct partner *pt)
{
	json_object *o = json_object_new_object();
	json_object *leaving = json_object_new_array();
	json_object *targets = json_object_new_array();
	json_object *by;

	json_object_object_add(o, "domain", json_object_new_string(pt->domain));
	json_object_object_add(o, "set", json_object_new_string(pt->set));
	json_object_object_add(o, "origin",
			       json_object_new_string(pt->from_cli ? "cli"
								   : "config"));
	json_object_object_add(o, "secure",
			       json_object_new_boolean(pt->secure));
	json_object_object_add(o, "addresses",
			       json_prefixes(pt->addrs.v, pt->addrs.n));
	for (size_t i = 0; i < pt->nr_leaving; i++) {
		json_object *l = json_object_new_object();
		char buf[PREFIX_STRLEN];

		prefix_format(&pt->leaving[i].addr, buf, sizeof(buf));
		json_object_object_add(l, "address",
				       json_object_new_string(buf));
		json_object_object_add(
			l, "until_ms",
			json_object_new_int64(pt->leaving[i].until_ms));
		json_object_array_add(leaving, l);
	}
	json_object_object_add(o, "leaving", leaving);
	for (size_t i = 0; i < pt->nr_targets; i++) {
		json_object *t = json_object_new_object();

		json_object_object_add(
			t, "host", json_object_new_string(pt->targets[i].host));
		json_object_object_add(
			t, "port", json_object_new_int(pt->targets[i].port));
		json_object_object_add(
			t, "tls", json_object_new_boolean(pt->targets[i].tls));
		json_object_array_add(targets, t);
	}
	json_object_object_add(o, "targets", targets);
	json_object_object_add(o, "ttl", json_object_new_int64(pt->ttl));
	json_object_object_add(o, "dnssec",
			       json_object_new_string(dnssec_name(pt->dnssec)));
	json_object_object_add(o, "last_refresh_ms",
			       json_object_new_int64(pt->last_refresh_ms));
	json_object_object_add(o, "next_refresh_ms",
			       json_object_new_int64(pt->next_refresh_ms));
	json_object_object_add(o, "last_error",
			       json_object_new_string(pt->last_error));
	json_object_object_add(o, "failures",
			       json_object_new_int64((int64_t)pt->failures));
	by = json_object_new_object();
	for (unsigned int f = 0; f < PF_NR; f++)
		json_object_object_add(
			by, failure_names[f],
			json_object_new_int64((int64_t)pt->failures_by[f]));
	json_object_object_add(o, "failures_by_cause", by);
	return o;
}

json_object *partners_json(const struct partners_file *f)
{
	json_object *root = json_object_new_object();
	json_object *arr = json_object_new_array();

	json_object_object_add(root, "version",
			       json_object_new_int(PARTNERS_FILE_VERSION));
	for (size_t i = 0; i < f->n; i++)
		json_object_array_add(arr, partner_json(&f->v[i]));
	json_object_object_add(root, "partners", arr);
	return root;
}

int partners_write(const struct paths *p, const struct partners_file *f)
{
	return statefile_write(p, p->partners_file, partners_json(f));
}
