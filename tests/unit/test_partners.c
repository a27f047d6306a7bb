// SPDX-License-Identifier: GPL-2.0
/*
 * Partners by domain, without DNS: the ownership arithmetic (a set holds
 * its own prefixes and every address one of its domains owns; removing a
 * domain takes exactly what nobody else holds), the grace period of an
 * address gone from DNS, partners.json read back as written and refused
 * whole when anything in it is wrong, the config's domain items and
 * partners settings, and domain names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "partners.h"
#include "statefile.h"
#include "tap.h"

static struct prefix P(const char *s) {
	struct prefix p;
	char why[160];

	if (prefix_parse(s, &p, why, sizeof(why)))
		tap_bail("%s", why);
	return p;
}

static void
list(struct prefix_list *l, const char *words)
{
	char buf[1024], *save, *w;

	snprintf(buf, sizeof(buf), "%s", words);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		struct prefix p = P(w);

		plist_add(l, &p);
	}
	plist_sort_unique(l);
}

static bool holds(const struct prefix_list *l, const char *s)
{
	struct prefix p = P(s);

	return plist_contains(l, &p);
}

static struct partner *with(struct partners_file *f, const char *set,
			    const char *domain, const char *addrs)
{
	struct partner *pt = partners_add(f, set, domain);

	list(&pt->addrs, addrs);
	pt->from_cli = true;
	return pt;
}

static void test_ownership(void)
{
	struct partners_file f = {}, g = {};
	struct prefix_list stat = {}, before = {}, after = {};

	list(&stat, "198.51.100.0/24 203.0.113.50");
	with(&f, "partners", "one.example", "203.0.113.20 2001:db8::20");
	with(&f, "partners", "two.example", "203.0.113.20 203.0.113.21");
	with(&f, "partners", "three.example", "203.0.113.50 198.51.100.7");
	with(&f, "other", "one.example", "203.0.113.99");
	partners_set_effective(&stat, &f, "partners", &before);
	CHECK_EQ(
		before.n, 6,
		"the set: its 2 prefixes, and 4 more addresses of its domains (203.0.113.50 is both)");
	CHECK(!holds(&before, "203.0.113.99"),
	      "another set's domain adds nothing to it");

	partners_copy(&g, &f);
	partners_remove(&g, partners_find(&g, "partners", "two.example"));
	partners_set_effective(&stat, &g, "partners", &after);
	CHECK(holds(&after, "203.0.113.20"),
	      "two.example gone: the address it shared with one.example stays");
	CHECK(!holds(&after, "203.0.113.21"),
	      "two.example gone: its own address goes");
	CHECK_EQ(before.n - after.n, 1, "exactly one address leaves");
	plist_free(&after);

	partners_remove(&g, partners_find(&g, "partners", "three.example"));
	partners_set_effective(&stat, &g, "partners", &after);
	CHECK(holds(&after, "203.0.113.50"),
	      "three.example gone: an address that is a static prefix stays");
	CHECK(!holds(&after, "198.51.100.7"),
	      "an address inside a static prefix is no entry of its own: it goes (the prefix still admits it)");
	CHECK(holds(&after, "198.51.100.0/24"), "the static prefix stays");
	plist_free(&after);

	partners_remove(&g, partners_find(&g, "partners", "one.example"));
	partners_set_effective(&stat, &g, "partners", &after);
	CHECK_EQ(after.n, stat.n,
		 "every domain gone: the set is its own prefixes again");
	plist_free(&after);
	plist_free(&before);
	plist_free(&stat);
	partners_free(&g);
	partners_free(&f);
}

static void test_grace(void)
{
	struct partners_file f = {};
	struct partner *pt =
		with(&f, "partners", "p.example", "203.0.113.5 203.0.113.6");
	struct prefix_list now = {}, owned = {};

	list(&now, "203.0.113.6 203.0.113.7");
	partner_merge(pt, &now, 1000, 3000);
	partner_owned(pt, &owned);
	CHECK_EQ(owned.n, 3,
		 "gone from DNS: still owned, beside the new address");
	CHECK_EQ(pt->nr_leaving, 1, "one address is leaving");
	CHECK(pt->nr_leaving && pt->leaving[0].until_ms == 4000,
	      "until now + grace");
	CHECK(!partner_expire(pt, 3999), "before its grace runs out it stays");
	CHECK(partner_expire(pt, 4000), "then it goes");
	plist_free(&owned);
	partner_owned(pt, &owned);
	CHECK_EQ(owned.n, 2, "owned: what DNS says");
	plist_free(&owned);

	/* back in DNS during its grace: it is no longer leaving */
	plist_free(&now);
	list(&now, "203.0.113.7");
	partner_merge(pt, &now, 5000, 3000);
	CHECK_EQ(pt->nr_leaving, 1, "203.0.113.6 leaves");
	plist_free(&now);
	list(&now, "203.0.113.6 203.0.113.7");
	partner_merge(pt, &now, 6000, 3000);
	CHECK_EQ(pt->nr_leaving, 0, "back in DNS: it stays for good");
	plist_free(&now);
	partners_free(&f);
}

static void test_file(void)
{
	struct partners_file f = {}, back;
	struct partner *pt =
		with(&f, "partners", "p.example", "203.0.113.5 2001:db8::5");
	struct sf_err e = {};
	json_object *o;
	const char *text;

	pt->leaving = calloc(1, sizeof(*pt->leaving));
	pt->leaving[0].addr = P("203.0.113.4");
	pt->leaving[0].until_ms = 1234;
	pt->nr_leaving = 1;
	pt->targets = calloc(1, sizeof(*pt->targets));
	snprintf(pt->targets[0].host, sizeof(pt->targets[0].host),
		 "xmpp.p.example");
	pt->targets[0].port = 5269;
	pt->nr_targets = 1;
	pt->dnssec = DNSSEC_SECURE;
	pt->ttl = 300;
	snprintf(pt->last_error, sizeof(pt->last_error), "a warning");
	o = partners_json(&f);
	text = json_object_to_json_string(o);
	CHECK(partners_parse(text, strlen(text), &back, &e) == 0,
	      "partners.json reads back: %s%s", e.at, e.why);
	CHECK(back.n == 1 && back.v[0].addrs.n == 2 &&
		      back.v[0].nr_leaving == 1 &&
		      back.v[0].leaving[0].until_ms == 1234 &&
		      back.v[0].nr_targets == 1 && back.v[0].ttl == 300 &&
		      back.v[0].dnssec == DNSSEC_SECURE &&
		      !strcmp(back.v[0].last_error, "a warning") &&
		      back.v[0].from_cli,
	      "... as it was written");
	partners_free(&back);
	json_object_put(o);

	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "{\"version\":1,\"partners\":[{\"domain\":\"bad_name\"}]}",
		  "no domain name" },
		{ "{\"version\":2,\"partners\":[]}", "version" },
		{ "{\"version\":1,\"partners\":{}}", "not an array" },
		{ "{\"version\":1,\"partners\":[{\"domain\":\"a.example\",\"set\":\"partners\",\"origin\":\"cli\",\"secure\":false,\"addresses\":[\"203.0.113.0/24\"]}]}",
		  "not an address" },
		{ "{\"version\":1,\"partners\":[{\"domain\":\"a.example\",\"set\":\"partners\",\"origin\":\"elsewhere\"}]}",
		  "origin" },
		{ "{\"version\":1,\"partners\":[{\"domain\":\"a.example\",\"set\":\"partners\",\"origin\":\"cli\",\"secure\":false,\"addresses\":[],\"leaving\":[],\"targets\":[],\"ttl\":1,\"dnssec\":\"maybe\"}]}",
		  "DNSSEC" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sf_err e2 = {};
		int rc = partners_parse(bad[i].text, strlen(bad[i].text), &back,
					&e2);

		CHECK(rc < 0 && back.n == 0 && strstr(e2.why, bad[i].why),
		      "refused whole: %s (said: %s%s)", bad[i].why, e2.at,
		      e2.why);
	}
	partners_free(&f);
}

static int parse(const char *text, struct config *c, char *diag, size_t len)
{
	FILE *f = fmemopen(diag, len, "w");
	int errors = config_parse("t.conf", text, strlen(text), c, f);

	fclose(f);
	return errors;
}

static void test_config(void)
{
	struct partners_file f = {};
	char diag[1024] = "";
	struct config c;
	int errors = parse(
		"interface ext0 role external\n"
		"set partners { 203.0.113.0/24, domain Partner.Example.,\n"
		"  domain other.example secure }\n"
		"partners resolver 127.0.0.1@5353 refresh min 30s max 2h\n"
		"partners grace 10m timeout 5s trust-anchor none\n",
		&c, diag, sizeof(diag));

	CHECK_EQ(errors, 0, "domain items and partners settings parse: %s",
		 diag);
	if (errors)
		return;
	CHECK(c.sets[0].nr_domains == 2 &&
		      !strcmp(c.sets[0].domains[0].name, "partner.example") &&
		      !c.sets[0].domains[0].secure &&
		      c.sets[0].domains[1].secure,
	      "the set's domains, lower case, without the root's dot, 'secure' read");
	CHECK(!strcmp(c.partners.resolver, "127.0.0.1@5353") &&
		      c.partners.refresh_min == 30 &&
		      c.partners.refresh_max == 7200 &&
		      c.partners.grace == 600 && c.partners.timeout == 5 &&
		      !strcmp(c.partners.trust_anchor, "none"),
	      "the partners settings");
	CHECK(partners_sync_config(&f, &c) && f.n == 2 && !f.v[0].from_cli &&
		      f.v[1].secure,
	      "the config's domains enter partners.json");
	config_free(&c);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "set p { domain a..example }",
		  "t.conf:2:16: 'a..example' is no domain name: it has an empty label" },
		{ "set p { domain x.example, domain x.example }",
		  "domain x.example is in set p twice" },
		{ "set p { domain 192.0.2.1 }", "is an address, not a domain" },
		{ "set p { domain a.123 }", "its last label is all digits" },
		{ "set p { domain }", "expected a domain name" },
		{ "partners resolver 10.0.0.1@99999",
		  "invalid port in resolver" },
		{ "partners resolver host.example", "resolver:" },
		{ "partners refresh min 1h max 1m",
		  "refresh max takes a duration from 1h" },
		{ "partners grace 1s\npartners grace 2s",
		  "partners grace is set twice" },
		{ "partners trust-anchor relative.key",
		  "an absolute file name or 'none'" },
		{ "partners colour blue",
		  "expected resolver, refresh, grace, timeout or trust-anchor" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512];

		snprintf(text, sizeof(text),
			 "interface ext0 role external\n%s\n", bad[i].text);
		diag[0] = '\0';
		errors = parse(text, &c, diag, sizeof(diag));
		CHECK(errors > 0 && strstr(diag, bad[i].msg), "refused: %s",
		      bad[i].msg);
		if (!errors || !strstr(diag, bad[i].msg))
			tap_diag("said: %s", diag);
	}
	partners_free(&f);
}

static void test_names(void)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
	} cases[] = {
		{ "partner.example", "partner.example" },
		{ "XMPP.Partner.Example.", "xmpp.partner.example" },
		{ "xn--bcher-kva.example", "xn--bcher-kva.example" },
		{ "a-b.c1", "a-b.c1" },
		{ "b\xc3\xbc"
		  "cher.example",
		  NULL },
		{ "under_score.example", NULL },
		{ ".", NULL },
		{ "", NULL },
		{ "-a.example", NULL },
		{ "a-.example", NULL },
		{ "2001:db8::1", NULL },
		{ "1.2.3.4", NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[DNSNAME_LEN], why[256];
		int rc = dnsname_parse(cases[i].in, out, why, sizeof(why));

		if (cases[i].out)
			CHECK(rc == 0 && !strcmp(out, cases[i].out),
			      "'%s' is the domain %s", cases[i].in,
			      cases[i].out);
		else
			CHECK(rc < 0, "'%s' is refused (%s)", cases[i].in,
			      rc < 0 ? why : "accepted");
	}
	char longname[300];

	memset(longname, 'a', sizeof(longname));
	for (int i = 60; i < 299; i += 61)
		longname[i] = '.';
	longname[299] = '\0';
	char out[DNSNAME_LEN], why[256];

	CHECK(dnsname_parse(longname, out, why, sizeof(why)) < 0 &&
		      strstr(why, "longer than 253"),
	      "a name over 253 characters is refused");
}

int main(void)
{
	test_ownership();
	test_grace();
	test_file();
	test_config();
	test_names();
	return tap_done();
}
