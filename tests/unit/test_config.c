// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the configuration language (design.md §3) and of its
 * compiler: what a file parses to, every error with its exact message and
 * position, and the port classes and set keys the data plane will read.
 * Everything runs on strings: no privileges, no kernel.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include "compile.h"
#include "config.h"
#include "config_lex.h"
#include "tap.h"

/* The file name the parser puts in front of every message. */
#define FILE_NAME "t.conf"
#define EXAMPLE "examples/lync-xmpp.conf"

#define EXT EDGEFW_ROLE_EXTERNAL
#define INT EDGEFW_ROLE_INTERNAL
#define IN EDGEFW_DIR_IN
#define OUT EDGEFW_DIR_OUT
#define TCP EDGEFW_PORT_TCP
#define UDP EDGEFW_PORT_UDP

/* The same text used throughout as the message for an invalid name. */
#define NAME_RULES                                                        \
	"use up to 31 letters, digits, '_', '-' or '.', starting with a " \
	"letter (not 'any' or 'self')"

/* Print text as TAP diagnostics, one "#" line per line. */
static void diag_text(const char *label, const char *text)
{
	const char *line = text, *nl;

	tap_diag("%s:", label);
	if (!*text)
		tap_diag("  (nothing)");
	while (*line) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line);
		tap_diag("  %.*s", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
}

static FILE *diag_open(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		tap_bail("open_memstream failed");
	return f;
}

/* Parse text as FILE_NAME; *diag gets what the parser said (free it). */
static int parse(const char *text, size_t len, struct config *c, char **diag)
{
	size_t diag_len;
	FILE *f = diag_open(diag, &diag_len);
	int errors = config_parse(FILE_NAME, text, len, c, f);

	fclose(f);
	return errors;
}

static int compile_diag(const struct config *c, struct compiled *cc,
			char **diag)
{
	size_t diag_len;
	FILE *f = diag_open(diag, &diag_len);
	int errors = compile(c, cc, f);

	fclose(f);
	return errors;
}

static bool config_is_freed(const struct config *c)
{
	static const struct config zero;

	return !memcmp(c, &zero, sizeof(zero));
}

static bool compiled_is_freed(const struct compiled *cc)
{
	static const struct compiled zero;

	return !memcmp(cc, &zero, sizeof(zero));
}

/* Parse a text that must be valid and say nothing; bail out if not. */
static void parse_ok(const char *what, const char *text, struct config *c)
{
	char *diag;
	int errors = parse(text, strlen(text), c, &diag);
	bool ok = errors == 0 && !*diag;

	if (!CHECK(ok, "%s: parses without errors or warnings", what)) {
		tap_diag("%d errors", errors);
		diag_text("diagnostics", diag);
		free(diag);
		tap_bail("%s: cannot go on without the config", what);
	}
	free(diag);
}

static void compile_ok(const char *what, const struct config *c,
		       struct compiled *cc, const char *want_diag)
{
	char *diag;
	int errors = compile_diag(c, cc, &diag);
	bool ok = errors == 0 && !strcmp(diag, want_diag);

	if (!CHECK(ok, "%s: compiles without errors", what)) {
		tap_diag("%d errors", errors);
		diag_text("diagnostics", diag);
		diag_text("wanted", want_diag);
		free(diag);
		tap_bail("%s: cannot go on without the compiled config", what);
	}
	free(diag);
}

/*
 * The text must fail to parse with exactly the messages want (all lines,
 * in order), return nerrors, and leave the config freed.
 */
static void expect_parse_errors(const char *what, const char *text, int nerrors,
				const char *want)
{
	struct config c;
	char *diag;
	int errors = parse(text, strlen(text), &c, &diag);
	bool freed = config_is_freed(&c);

	if (!CHECK(errors == nerrors && !strcmp(diag, want) && freed,
		   "error: %s", what)) {
		tap_diag("errors: got %d, want %d", errors, nerrors);
		diag_text("got", diag);
		diag_text("want", want);
		if (!freed)
			tap_diag("the config was not freed");
	}
	if (!freed && !errors)
		config_free(&c);
	free(diag);
}

static void expect_parse_error(const char *what, const char *text,
			       const char *want)
{
	expect_parse_errors(what, text, 1, want);
}

/* The text parses, and compiling it fails with exactly want. */
static void expect_compile_error(const char *what, const char *text,
				 const char *want)
{
	struct compiled cc;
	struct config c;
	char *diag;
	int errors;
	bool freed;

	if (parse(text, strlen(text), &c, &diag)) {
		CHECK(false, "compile error: %s (the config does not parse)",
		      what);
		diag_text("parser", diag);
		free(diag);
		return;
	}
	free(diag);
	errors = compile_diag(&c, &cc, &diag);
	freed = compiled_is_freed(&cc);
	if (!CHECK(errors > 0 && !strcmp(diag, want) && freed,
		   "compile error: %s", what)) {
		tap_diag("errors: %d", errors);
		diag_text("got", diag);
		diag_text("want", want);
		if (!freed)
			tap_diag("the compiled config was not freed");
	}
	if (!errors)
		compiled_free(&cc);
	config_free(&c);
	free(diag);
}

/* The address, from inet_pton rather than from the parser under test. */
static void addr_of(const char *s, union edgefw_addr *a, uint8_t *family)
{
	memset(a, 0, sizeof(*a));
	*family = strchr(s, ':') ? EDGEFW_FAMILY_IPV6 : EDGEFW_FAMILY_IPV4;
	if (inet_pton(*family == EDGEFW_FAMILY_IPV6 ? AF_INET6 : AF_INET, s,
		      a->b) != 1)
		tap_bail("the test has a bad address: %s", s);
}

static bool prefix_is(const struct prefix *p, const char *addr,
		      unsigned int len)
{
	union edgefw_addr a;
	uint8_t family;

	addr_of(addr, &a, &family);
	return p->family == family && p->len == len &&
	       !memcmp(&p->addr, &a, sizeof(a));
}

static bool key_is(const struct edgefw_set_key *k, unsigned int set,
		   const char *addr, unsigned int len)
{
	union edgefw_addr a;
	uint8_t family;

	addr_of(addr, &a, &family);
	return k->set == set && k->family == family &&
	       k->prefixlen == EDGEFW_SET_KEY_BITS(len) && k->pad == 0 &&
	       !memcmp(&k->addr, &a, sizeof(a));
}

static int rule_index(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nr_rules; i++) {
		if (!strcmp(c->rules[i].name, name))
			return (int)i;
	}
	return -1;
}

static unsigned int port_class(const struct compiled *cc, unsigned int proto,
			       unsigned int port, unsigned int role,
			       unsigned int dir)
{
	return cc->ports[EDGEFW_PORT_KEY(proto, port)]
		.class_id[EDGEFW_ROLEDIR(role, dir)];
}

/* "a,b" for the candidates of a class, or "(none)". */
static void class_format(const struct config *c, const struct compiled *cc,
			 unsigned int id, char *buf, size_t len)
{
	size_t off = 0;

	snprintf(buf, len, "(none)");
	if (id >= cc->nr_classes) {
		snprintf(buf, len, "(class %u does not exist)", id);
		return;
	}
	for (size_t i = 0; i < cc->classes[id].nr_rules && off < len; i++) {
		unsigned int r = cc->classes[id].rule[i];

		off += snprintf(buf + off, len - off, "%s%s", i ? "," : "",
				r < c->nr_rules ? c->rules[r].name : "?");
	}
}

/*
 * Class id has exactly the rules named in want ("a,b"), in that order;
 * an empty want means class 0.
 */
static void expect_class(const struct config *c, const struct compiled *cc,
			 unsigned int id, const char *want, const char *what)
{
	char names[256], got[256], *tok, *save;
	struct edgefw_class w = { 0 };

	snprintf(names, sizeof(names), "%s", want);
	for (tok = strtok_r(names, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int r = rule_index(c, tok);

		if (r < 0)
			tap_bail("the test names no rule %s", tok);
		w.rule[w.nr_rules++] = r;
	}
	if (w.nr_rules == 0) {
		if (!CHECK_EQ(id, 0, "%s: class 0 (no candidates)", what)) {
			class_format(c, cc, id, got, sizeof(got));
			tap_diag("candidates: %s", got);
		}
		return;
	}
	if (!CHECK(id > 0 && id < cc->nr_classes &&
			   cc->classes[id].nr_rules == w.nr_rules &&
			   !memcmp(cc->classes[id].rule, w.rule, w.nr_rules),
		   "%s: candidates %s", what, want)) {
		class_format(c, cc, id, got, sizeof(got));
		tap_diag("class %u, candidates %s", id, got);
	}
}

/* The rules that may admit a packet, by reading the config directly. */
static size_t model_candidates(const struct config *c, unsigned int role,
			       unsigned int dir, unsigned int proto_bit,
			       long port, __u8 *ids)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nr_rules; i++) {
		const struct cfg_rule *r = &c->rules[i];
		bool has_port = r->nr_ports == 0;

		if (r->role != role || r->dir != dir ||
		    !(r->protos & proto_bit))
			continue;
		for (size_t j = 0; j < r->nr_ports && port >= 0; j++)
			has_port |= port >= r->ports[j].lo &&
				    port <= r->ports[j].hi;
		if (has_port && n < EDGEFW_MAX_CANDIDATES)
			ids[n++] = i;
	}
	return n;
}

static bool class_equals(const struct compiled *cc, unsigned int id,
			 const __u8 *ids, size_t n)
{
	if (n == 0)
		return id == 0;
	return id > 0 && id < cc->nr_classes && cc->classes[id].nr_rules == n &&
	       !memcmp(cc->classes[id].rule, ids, n);
}

/*
 * Every (role, direction, protocol, port), and ICMP, against the model:
 * the class of each lists exactly the rules that apply, in config order.
 */
static void check_every_port(const struct config *c, const struct compiled *cc,
			     const char *what)
{
	static const unsigned int port_bits[] = {
		[TCP] = PROTO_TCP, [UDP] = PROTO_UDP
	};
	static const unsigned int icmp_bits[] = { PROTO_ICMP, PROTO_ICMPV6 };
	static const char *const proto_names[] = { "tcp", "udp" };
	char why[256] = "", got[128];
	__u8 ids[EDGEFW_MAX_CANDIDATES];

	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++) {
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++) {
			for (unsigned int proto = 0; proto < 2; proto++) {
				for (unsigned int port = 0; port < 65536;
				     port++) {
					size_t n = model_candidates(
						c, role, dir, port_bits[proto],
						port, ids);
					unsigned int id = port_class(
						cc, proto, port, role, dir);

					if (class_equals(cc, id, ids, n))
						continue;
					class_format(c, cc, id, got,
						     sizeof(got));
					snprintf(
						why, sizeof(why),
						"%s %s %s port %u: class %u with %s, want %zu candidates",
						role_name(role), dir_name(dir),
						proto_names[proto], port, id,
						got, n);
					goto out;
				}
			}
			for (unsigned int v6 = 0; v6 < 2; v6++) {
				size_t n = model_candidates(
					c, role, dir, icmp_bits[v6], -1, ids);
				unsigned int id = cc->icmp_class[role][dir][v6];

				if (class_equals(cc, id, ids, n))
					continue;
				class_format(c, cc, id, got, sizeof(got));
				snprintf(
					why, sizeof(why),
					"%s %s icmp%s: class %u with %s, want %zu candidates",
					role_name(role), dir_name(dir),
					v6 ? "v6" : "", id, got, n);
				goto out;
			}
		}
	}
out:
	if (!CHECK(!why[0],
		   "%s: every port's class lists the rules for it, in config order",
		   what))
		tap_diag("%s", why);
}

/* Class 0 is the empty one, and no candidate list is stored twice. */
static void check_classes_distinct(const struct compiled *cc, const char *what)
{
	bool ok = cc->nr_classes >= 1 && cc->classes[0].nr_rules == 0;

	for (size_t i = 1; ok && i < cc->nr_classes; i++) {
		ok = cc->classes[i].nr_rules > 0;
		for (size_t j = 1; ok && j < i; j++)
			ok = cc->classes[i].nr_rules !=
				     cc->classes[j].nr_rules ||
			     memcmp(cc->classes[i].rule, cc->classes[j].rule,
				    cc->classes[i].nr_rules);
	}
	CHECK(ok,
	      "%s: class 0 is empty and identical candidate lists share one class",
	      what);
}

/* Keys are in (set, family, address, length) order, each once. */
static void check_keys_sorted(const struct compiled *cc, const char *what)
{
	bool ok = true;

	for (size_t i = 1; ok && i < cc->nr_set_keys; i++) {
		const struct edgefw_set_key *a = &cc->set_keys[i - 1];
		const struct edgefw_set_key *b = &cc->set_keys[i];
		int d = memcmp(&a->addr, &b->addr, sizeof(a->addr));

		if (a->set != b->set)
			ok = a->set < b->set;
		else if (a->family != b->family)
			ok = a->family < b->family;
		else if (d)
			ok = d < 0;
		else
			ok = a->prefixlen < b->prefixlen;
	}
	CHECK(ok, "%s: set keys are sorted, without duplicates", what);
}

static char *example_text(size_t *len)
{
	char path[4096];
	const char *why;
	char *text = read_input(EXAMPLE, len, &why), *slash;
	ssize_t n;

	if (text)
		return text;
	/* Not run from the top of the tree: go up from build/tests/unit/. */
	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(EXAMPLE));
	if (n > 0) {
		path[n] = '\0';
		for (int up = 0; up < 4 && (slash = strrchr(path, '/')); up++)
			*slash = '\0';
		strcat(path, "/" EXAMPLE);
		text = read_input(path, len, &why);
	}
	if (!text)
		tap_bail("cannot read %s: run from the top of the tree",
			 EXAMPLE);
	return text;
}

static void test_example(void)
{
	static const char *const what = "example";
	const struct cfg_rule *r;
	struct compiled cc;
	struct config c;
	size_t len;
	char *text = example_text(&len), *diag;
	int errors = parse(text, len, &c, &diag);

	free(text);
	if (!CHECK(errors == 0 && !*diag,
		   "example: %s parses without errors or warnings", EXAMPLE)) {
		diag_text("diagnostics", diag);
		tap_bail("the example does not parse");
	}
	free(diag);

	CHECK_EQ(c.mode, EDGEFW_MODE_ENFORCE, "example: mode enforce");

	CHECK_EQ(c.nr_ifaces, 2, "example: two interfaces");
	CHECK(!strcmp(c.ifaces[0].name, "ext0") && c.ifaces[0].role == EXT &&
		      c.ifaces[0].loc.line == 8,
	      "example: ext0 is external (line 8)");
	CHECK(!c.ifaces[0].addrs_given && c.ifaces[0].nr_addrs == 0,
	      "example: ext0's addresses are read from the NIC");
	CHECK(!strcmp(c.ifaces[1].name, "int0") && c.ifaces[1].role == INT,
	      "example: int0 is internal");
	CHECK(c.ifaces[1].addrs_given && c.ifaces[1].nr_addrs == 1 &&
		      prefix_is(&c.ifaces[1].addrs[0], "10.1.0.10", 32),
	      "example: int0's address is 10.1.0.10");

	CHECK_EQ(c.nr_sets, 2, "example: two sets (admin is commented out)");
	CHECK(!strcmp(c.sets[0].name, "partners") &&
		      c.sets[0].nr_prefixes == 2 &&
		      prefix_is(&c.sets[0].prefixes[0], "203.0.113.0", 24) &&
		      prefix_is(&c.sets[0].prefixes[1], "2001:db8:77::", 48),
	      "example: partners { 203.0.113.0/24, 2001:db8:77::/48 } over two lines");
	CHECK(!strcmp(c.sets[1].name, "frontends") &&
		      c.sets[1].nr_prefixes == 1 &&
		      prefix_is(&c.sets[1].prefixes[0], "10.1.1.0", 28),
	      "example: frontends { 10.1.1.0/28 }");
	CHECK_EQ(config_find_set(&c, "admin"), -1, "example: no admin set");

	CHECK_EQ(c.nr_rules, 4,
		 "example: four rules (ssh-admin is commented out)");
	r = &c.rules[0];
	CHECK(!strcmp(r->name, "xmpp-s2s-in") && r->role == EXT &&
		      r->dir == IN && r->protos == PROTO_TCP &&
		      r->nr_ports == 1 && r->ports[0].lo == 5269 &&
		      r->ports[0].hi == 5269 && r->from.kind == PEER_SET &&
		      r->from.set == 0 && r->to.kind == PEER_SELF &&
		      r->loc.line == 18 && r->loc.col == 1,
	      "example: xmpp-s2s-in external in tcp 5269 from partners to self (line 18)");
	r = &c.rules[1];
	CHECK(!strcmp(r->name, "xmpp-s2s-out") && r->role == EXT &&
		      r->dir == OUT && r->protos == PROTO_TCP &&
		      r->nr_ports == 1 && r->ports[0].lo == 5269 &&
		      r->ports[0].hi == 5269 && r->from.kind == PEER_ANY &&
		      r->to.kind == PEER_SET && r->to.set == 0,
	      "example: xmpp-s2s-out external out tcp 5269 from any to partners");
	r = &c.rules[2];
	CHECK(!strcmp(r->name, "xmpp-gw-in") && r->role == INT &&
		      r->dir == IN && r->protos == PROTO_TCP &&
		      r->nr_ports == 1 && r->ports[0].lo == 23456 &&
		      r->ports[0].hi == 23456 && r->from.kind == PEER_SET &&
		      r->from.set == 1 && r->to.kind == PEER_SELF,
	      "example: xmpp-gw-in internal in tcp 23456 from frontends to self");
	r = &c.rules[3];
	CHECK(!strcmp(r->name, "dns-out") && r->role == EXT && r->dir == OUT &&
		      r->protos == (PROTO_TCP | PROTO_UDP) &&
		      r->nr_ports == 1 && r->ports[0].lo == 53 &&
		      r->ports[0].hi == 53 && r->from.kind == PEER_ANY &&
		      r->to.kind == PEER_ANY && r->loc.line == 21,
	      "example: dns-out external out udp,tcp 53 from any to any (line 21)");
	CHECK_EQ(rule_index(&c, "ssh-admin"), -1, "example: no ssh-admin rule");

	CHECK(c.policy[EXT][IN] == EDGEFW_ACT_DROP &&
		      c.policy[EXT][OUT] == EDGEFW_ACT_DROP &&
		      c.policy[INT][IN] == EDGEFW_ACT_DROP &&
		      c.policy[INT][OUT] == EDGEFW_ACT_PASS,
	      "example: policies external in/out drop, internal in drop, internal out pass");
	CHECK(c.fragments[EXT] == EDGEFW_ACT_DROP &&
		      c.fragments[INT] == EDGEFW_ACT_PASS,
	      "example: fragments external drop, internal pass (default)");

	compile_ok(what, &c, &cc, "");
	CHECK_EQ(cc.nr_rules, 4, "example: four compiled rules");
	CHECK(cc.rules[0].from == 0 && cc.rules[0].to == EDGEFW_PEER_SELF &&
		      cc.rules[1].from == EDGEFW_PEER_ANY &&
		      cc.rules[1].to == 0 && cc.rules[2].from == 1 &&
		      cc.rules[2].to == EDGEFW_PEER_SELF &&
		      cc.rules[3].from == EDGEFW_PEER_ANY &&
		      cc.rules[3].to == EDGEFW_PEER_ANY,
	      "example: compiled peers are set ids, self and any");
	expect_class(&c, &cc, port_class(&cc, TCP, 5269, EXT, IN),
		     "xmpp-s2s-in", "example: tcp 5269 external in");
	expect_class(&c, &cc, port_class(&cc, TCP, 5269, EXT, OUT),
		     "xmpp-s2s-out", "example: tcp 5269 external out");
	expect_class(&c, &cc, port_class(&cc, TCP, 5269, INT, IN), "",
		     "example: tcp 5269 internal in");
	expect_class(&c, &cc, port_class(&cc, UDP, 5269, EXT, IN), "",
		     "example: udp 5269 external in");
	expect_class(&c, &cc, port_class(&cc, TCP, 23456, INT, IN),
		     "xmpp-gw-in", "example: tcp 23456 internal in");
	expect_class(&c, &cc, port_class(&cc, TCP, 53, EXT, OUT), "dns-out",
		     "example: tcp 53 external out");
	CHECK_EQ(port_class(&cc, UDP, 53, EXT, OUT),
		 port_class(&cc, TCP, 53, EXT, OUT),
		 "example: udp 53 external out shares tcp 53's class");
	check_every_port(&c, &cc, what);
	check_classes_distinct(&cc, what);

	CHECK_EQ(cc.nr_sets, 2, "example: two set ids");
	CHECK(cc.set_sizes[0] == 2 && cc.set_sizes[1] == 1,
	      "example: set sizes 2 and 1");
	CHECK(cc.nr_set_keys == 3 &&
		      key_is(&cc.set_keys[0], 0, "203.0.113.0", 24) &&
		      key_is(&cc.set_keys[1], 0, "2001:db8:77::", 48) &&
		      key_is(&cc.set_keys[2], 1, "10.1.1.0", 28),
	      "example: set keys partners v4, partners v6, frontends");
	compiled_free(&cc);
	config_free(&c);
}

static void test_defaults(void)
{
	struct config c;

	parse_ok("defaults", "interface e0 role external\n", &c);
	CHECK_EQ(c.mode, EDGEFW_MODE_ENFORCE, "defaults: mode enforce");
	CHECK(c.policy[EXT][IN] == EDGEFW_ACT_DROP &&
		      c.policy[EXT][OUT] == EDGEFW_ACT_DROP &&
		      c.policy[INT][IN] == EDGEFW_ACT_DROP &&
		      c.policy[INT][OUT] == EDGEFW_ACT_DROP,
	      "defaults: every policy drops");
	CHECK_EQ(c.fragments[EXT], EDGEFW_ACT_DROP,
		 "defaults: fragments external drop");
	CHECK_EQ(c.fragments[INT], EDGEFW_ACT_PASS,
		 "defaults: fragments internal pass");
	CHECK(c.nr_rules == 0 && c.nr_sets == 0, "defaults: no rules, no sets");
	CHECK_EQ(c.icmp_errors, EDGEFW_ICMP_ERRORS_RELATED,
		 "defaults: icmp errors related");
	CHECK_EQ(c.control_ttl_max, 86400,
		 "defaults: control block ttl max 1d");
	CHECK(!c.control_block_partners,
	      "defaults: control block partners refuse");
	config_free(&c);

	parse_ok("overrides",
		 "interface e0 role external\n"
		 "mode monitor\n"
		 "policy internal out pass\n"
		 "policy external in drop\n"
		 "fragments external pass\n"
		 "fragments internal drop\n"
		 "icmp errors any\n"
		 "control block ttl max 90m\n"
		 "control block partners allow\n",
		 &c);
	CHECK_EQ(c.mode, EDGEFW_MODE_MONITOR, "overrides: mode monitor");
	CHECK(c.policy[INT][OUT] == EDGEFW_ACT_PASS &&
		      c.policy[EXT][IN] == EDGEFW_ACT_DROP &&
		      c.policy[EXT][OUT] == EDGEFW_ACT_DROP &&
		      c.policy[INT][IN] == EDGEFW_ACT_DROP,
	      "overrides: policy internal out pass, the others drop");
	CHECK(c.fragments[EXT] == EDGEFW_ACT_PASS &&
		      c.fragments[INT] == EDGEFW_ACT_DROP,
	      "overrides: fragments external pass, internal drop");
	CHECK_EQ(c.icmp_errors, EDGEFW_ICMP_ERRORS_ANY,
		 "overrides: icmp errors any");
	CHECK_EQ(c.control_ttl_max, 5400,
		 "overrides: control block ttl max 90m");
	CHECK(c.control_block_partners,
	      "overrides: control block partners allow");
	config_free(&c);
}

/* Lists over lines, trailing commas, comments in every place. */
static const char syntax_text[] =
	"# a comment before anything\n"
	"\n"
	"   # an indented comment\n"
	"interface e0 role external # after a statement\n"
	"interface i0 role internal address { 10.1.0.10, # inside a list\n"
	"\t2001:db8:1::10,\n"
	"}\n"
	"set multi {\n"
	"\t# a comment line in a list\n"
	"\t203.0.113.0/24,\n"
	"\t2001:db8:77::/48 # after an item\n"
	"\t198.51.100.0/24,,\n"
	"}\n"
	"set one { 192.0.2.0/24, }\n"
	"set none { }\n"
	"rule r external in udp,tcp 53,5269,6000-6010 from multi to self#x\n"
	"rule spaced external in tcp , udp 80 , 443\n"
	"rule v6 external in tcp 443 from 2001:db8:abcd::/48 to ::/0\n"
	"rule v4 external out icmp to 192.0.2.7\n"
	"\t\t\n"
	"# the end, without a final line end";

static void check_syntax_config(const struct config *c, const char *what)
{
	const struct cfg_rule *r;

	CHECK(c->nr_ifaces == 2 && c->ifaces[1].addrs_given &&
		      c->ifaces[1].nr_addrs == 2 &&
		      prefix_is(&c->ifaces[1].addrs[0], "10.1.0.10", 32) &&
		      prefix_is(&c->ifaces[1].addrs[1], "2001:db8:1::10", 128),
	      "%s: an address list over lines with a trailing comma", what);
	CHECK(c->nr_sets == 3 && c->sets[0].nr_prefixes == 3 &&
		      prefix_is(&c->sets[0].prefixes[0], "203.0.113.0", 24) &&
		      prefix_is(&c->sets[0].prefixes[1], "2001:db8:77::", 48) &&
		      prefix_is(&c->sets[0].prefixes[2], "198.51.100.0", 24),
	      "%s: a set over lines with comments and trailing commas", what);
	CHECK(c->nr_sets == 3 && c->sets[1].nr_prefixes == 1 &&
		      prefix_is(&c->sets[1].prefixes[0], "192.0.2.0", 24),
	      "%s: a one-line set with a trailing comma", what);
	CHECK(c->nr_sets == 3 && c->sets[2].nr_prefixes == 0,
	      "%s: an empty set", what);
	CHECK_EQ(c->nr_rules, 4, "%s: four rules", what);
	if (c->nr_rules != 4)
		return;
	r = &c->rules[0];
	CHECK(r->protos == (PROTO_UDP | PROTO_TCP) && r->nr_ports == 3 &&
		      r->ports[0].lo == 53 && r->ports[0].hi == 53 &&
		      r->ports[1].lo == 5269 && r->ports[1].hi == 5269 &&
		      r->ports[2].lo == 6000 && r->ports[2].hi == 6010 &&
		      r->from.kind == PEER_SET && r->from.set == 0 &&
		      r->to.kind == PEER_SELF,
	      "%s: udp,tcp 53,5269,6000-6010 from multi to self", what);
	r = &c->rules[1];
	CHECK(r->protos == (PROTO_UDP | PROTO_TCP) && r->nr_ports == 2 &&
		      r->ports[0].lo == 80 && r->ports[1].lo == 443 &&
		      r->from.kind == PEER_ANY && r->to.kind == PEER_ANY,
	      "%s: lists with blanks around the commas", what);
	r = &c->rules[2];
	CHECK(r->from.kind == PEER_PREFIX &&
		      prefix_is(&r->from.prefix, "2001:db8:abcd::", 48) &&
		      r->to.kind == PEER_PREFIX &&
		      prefix_is(&r->to.prefix, "::", 0),
	      "%s: IPv6 prefixes as peers, ::/0 included", what);
	r = &c->rules[3];
	CHECK(r->protos == PROTO_ICMP && r->nr_ports == 0 &&
		      r->to.kind == PEER_PREFIX &&
		      prefix_is(&r->to.prefix, "192.0.2.7", 32) &&
		      r->loc.line == 19,
	      "%s: icmp to a single address (line 19)", what);
}

static void test_syntax(void)
{
	static const char digit_set[] = "interface e role external\n"
					"set 10net { 10.0.0.0/8 }\n"
					"rule a external in tcp 1 from 10net\n";
	size_t n = strlen(syntax_text), j = 0;
	char *crlf = malloc(2 * n + 1);
	struct config c;
	char *diag;
	int errors;

	parse_ok("syntax", syntax_text, &c);
	check_syntax_config(&c, "syntax");
	config_free(&c);

	for (size_t i = 0; i < n; i++) {
		if (syntax_text[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = syntax_text[i];
	}
	crlf[j] = '\0';
	parse_ok("CRLF", crlf, &c);
	check_syntax_config(&c, "CRLF");
	config_free(&c);
	free(crlf);

	/* A CR is a blank: positions are those of the same file with LF. */
	expect_parse_error("CRLF: an error's line and column",
			   "interface e role external\r\n"
			   "\r\n"
			   "rule a external in tcp 0\r\n",
			   FILE_NAME ":3:24: port 0 out of range (1-65535)\n");

	/* Names at their limits: 31 characters, 15 for an interface. */
	parse_ok(
		"names",
		"interface abcdefghijklmno role external\n"
		"interface eth0.100 role internal\n"
		"set a_b-c.9 { 10.0.0.0/8 }\n"
		"rule abcdefghijabcdefghijabcdefghija external in tcp 1 from a_b-c.9\n",
		&c);
	CHECK(c.nr_ifaces == 2 &&
		      !strcmp(c.ifaces[0].name, "abcdefghijklmno") &&
		      !strcmp(c.ifaces[1].name, "eth0.100") &&
		      c.nr_rules == 1 &&
		      !strcmp(c.rules[0].name,
			      "abcdefghijabcdefghijabcdefghija") &&
		      c.rules[0].from.kind == PEER_SET &&
		      c.rules[0].from.set == 0,
	      "names: a 31-character rule name, a 15-character interface name, '_', '-' and '.'");
	config_free(&c);

	/*
	 * A name starts with a letter: a word starting with a digit is an
	 * address or a prefix, so a set named like one could never be used.
	 */
	errors = parse(digit_set, strlen(digit_set), &c, &diag);
	if (!CHECK(errors > 0 && strstr(diag, FILE_NAME
					":2:5: invalid set name '10net'"),
		   "names: a set name may not start with a digit"))
		diag_text("diagnostics", diag);
	if (!errors)
		config_free(&c);
	free(diag);

	/* Parsing is not fooled by a length shorter than the string. */
	errors = parse("interface e0 role external\nbogus", 27, &c, &diag);
	CHECK(errors == 0 && !*diag && c.nr_ifaces == 1,
	      "syntax: only len bytes of the text are parsed");
	if (!errors)
		config_free(&c);
	free(diag);
}

static void test_errors(void)
{
	/* Unknown statements and tokens out of place. */
	expect_parse_error(
		"unknown statement", "interface e role external\nfoo bar\n",
		FILE_NAME
		":2:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found 'foo'\n");
	/* The events statement (drop events of edgefw monitor). */
	expect_parse_error(
		"events without rate, sample or off",
		"interface e role external\nevents max 5/s\n",
		FILE_NAME
		":2:8: expected 'rate', 'sample' or 'off', found 'max'\n");
	expect_parse_error(
		"events sample with a malformed rate",
		"interface e role external\nevents rate 5/s sample lots\n",
		FILE_NAME
		":2:24: malformed rate 'lots' (expected a number per second or minute, e.g. 20/s or 30/m)\n");
	expect_parse_error(
		"events sample burst out of range",
		"interface e role external\nevents sample 5/s burst 0\n",
		FILE_NAME
		":2:25: burst must be a number from 1 to 1000000, not '0'\n");
	expect_parse_error("events off takes no sample",
			   "interface e role external\nevents off sample 5/s\n",
			   FILE_NAME
			   ":2:12: expected a line end, found 'sample'\n");
	expect_parse_error(
		"events set twice",
		"interface e role external\nevents off\nevents off\n",
		FILE_NAME ":3:1: events is set twice\n");
	expect_parse_error(
		"events with a malformed rate",
		"interface e role external\nevents rate 5\n",
		FILE_NAME
		":2:13: malformed rate '5' (expected a number per second or minute, e.g. 20/s or 30/m)\n");
	expect_parse_error("unexpected token after interface",
			   "interface e role external foo\n",
			   FILE_NAME
			   ":1:27: expected a line end, found 'foo'\n");
	expect_parse_error("unexpected token after mode",
			   "interface e role external\nmode enforce now\n",
			   FILE_NAME
			   ":2:14: expected a line end, found 'now'\n");
	expect_parse_error(
		"unexpected token after a set",
		"interface e role external\nset a { 10.0.0.0/8 } extra\n",
		FILE_NAME ":2:22: expected a line end, found 'extra'\n");
	expect_parse_error(
		"unexpected token after a rule",
		"interface e role external\nrule a external in tcp 1 to self extra\n",
		FILE_NAME
		":2:34: expected 'from', 'to', 'limit' or a line end, found 'extra'\n");
	expect_parse_error("missing role", "interface e external\n",
			   FILE_NAME
			   ":1:13: expected 'role', found 'external'\n");
	expect_parse_error("missing role at the line end", "interface e\n",
			   FILE_NAME
			   ":1:12: expected 'role', found 'end of line'\n");
	expect_parse_error(
		"unknown role", "interface e role dmz\n",
		FILE_NAME
		":1:18: expected a role (external or internal), found 'dmz'\n");
	expect_parse_error(
		"no interface", "mode enforce\n",
		FILE_NAME
		":2:1: no interface is configured (add: interface NAME role external|internal)\n");
	expect_parse_error(
		"no interface in an empty file", "",
		FILE_NAME
		":1:1: no interface is configured (add: interface NAME role external|internal)\n");

	/* References and roles. */
	expect_parse_error("unknown set",
			   "interface e role external\n"
			   "rule a external in tcp 1 from nope\n",
			   FILE_NAME ":2:31: unknown set 'nope'\n");
	expect_parse_error("unknown set in 'to'",
			   "interface e role external\n"
			   "set nope2 { 10.0.0.0/8 }\n"
			   "rule a external out tcp 1 to nope\n",
			   FILE_NAME ":3:30: unknown set 'nope'\n");
	expect_parse_error(
		"rule for a role no interface has",
		"interface e role external\nrule a internal in tcp 1\n",
		FILE_NAME
		":2:8: rule a is for role internal, but no interface has that role\n");

	/* Duplicates. */
	expect_parse_error("duplicate rule",
			   "interface e role external\n"
			   "rule a external in tcp 1\n"
			   "rule a external in tcp 2\n",
			   FILE_NAME
			   ":3:6: rule a is defined twice (first on line 2)\n");
	expect_parse_error("duplicate set",
			   "interface e role external\n"
			   "set a { 10.0.0.0/8 }\n"
			   "set a { 10.0.0.0/8 }\n",
			   FILE_NAME
			   ":3:5: set a is defined twice (first on line 2)\n");
	expect_parse_error(
		"duplicate interface",
		"interface e role external\ninterface e role internal\n",
		FILE_NAME
		":2:11: interface e is configured twice (first on line 1)\n");
	expect_parse_error(
		"duplicate mode",
		"interface e role external\nmode enforce\nmode monitor\n",
		FILE_NAME ":3:1: mode is set twice\n");
	expect_parse_error("duplicate policy",
			   "interface e role external\n"
			   "policy external in drop\n"
			   "policy external in pass\n",
			   FILE_NAME ":3:1: policy external in is set twice\n");
	expect_parse_error("duplicate icmp errors",
			   "interface e role external\n"
			   "icmp errors any\n"
			   "icmp errors related\n",
			   FILE_NAME ":3:1: icmp errors is set twice\n");
	expect_parse_error("duplicate control block ttl max",
			   "interface e role external\n"
			   "control block ttl max 1h\n"
			   "control block ttl max 2h\n",
			   FILE_NAME
			   ":3:1: control block ttl max is set twice\n");
	expect_parse_error(
		"control block ttl max that is no duration",
		"interface e role external\ncontrol block ttl max forever\n",
		FILE_NAME
		":2:23: control block ttl max takes a duration such as 90s, 15m, 2h or 7d (up to 10 years), not 'forever'\n");
	expect_parse_error(
		"control block partners of an unknown kind",
		"interface e role external\ncontrol block partners maybe\n",
		FILE_NAME
		":2:24: expected whether the control socket may block partners (refuse or allow), found 'maybe'\n");
	expect_parse_error("control without block",
			   "interface e role external\ncontrol ttl 1h\n",
			   FILE_NAME ":2:9: expected 'block', found 'ttl'\n");
	expect_parse_error(
		"icmp errors of an unknown kind",
		"interface e role external\nicmp errors some\n",
		FILE_NAME
		":2:13: expected which ICMP errors pass (related or any), found 'some'\n");
	expect_parse_error("icmp without errors",
			   "interface e role external\nicmp related\n",
			   FILE_NAME
			   ":2:6: expected 'errors', found 'related'\n");
	expect_parse_error("duplicate fragments",
			   "interface e role external\n"
			   "fragments external drop\n"
			   "fragments external pass\n",
			   FILE_NAME ":3:1: fragments external is set twice\n");
	expect_parse_error(
		"duplicate protocol",
		"interface e role external\nrule a external in tcp,tcp\n",
		FILE_NAME ":2:24: protocol tcp is listed twice\n");

	/* Ports. */
	expect_parse_error(
		"port 0",
		"interface e role external\nrule a external in tcp 0\n",
		FILE_NAME ":2:24: port 0 out of range (1-65535)\n");
	expect_parse_error("port 65536",
			   "interface e role external\n"
			   "rule a external in tcp 65536\n",
			   FILE_NAME
			   ":2:24: port 65536 out of range (1-65535)\n");
	expect_parse_error("port range ending at 65536",
			   "interface e role external\n"
			   "rule a external in udp 1-65536\n",
			   FILE_NAME
			   ":2:24: port 65536 out of range (1-65535)\n");
	expect_parse_error("port range starting at 0",
			   "interface e role external\n"
			   "rule a external in udp 0-10\n",
			   FILE_NAME ":2:24: port 0 out of range (1-65535)\n");
	expect_parse_error("malformed port",
			   "interface e role external\n"
			   "rule a external in tcp 53x\n",
			   FILE_NAME ":2:24: malformed port '53x'\n");
	expect_parse_error("malformed port in a list",
			   "interface e role external\n"
			   "rule a external in tcp 53,5x69\n",
			   FILE_NAME ":2:27: malformed port '5x69'\n");
	/* The message must name what was written, not an empty string. */
	expect_parse_error("port range without an end",
			   "interface e role external\n"
			   "rule a external in tcp 5000-\n",
			   FILE_NAME ":2:24: malformed port '5000-'\n");
	expect_parse_error("empty port range",
			   "interface e role external\n"
			   "rule a external in tcp 5100-5000\n",
			   FILE_NAME ":2:24: empty port range 5100-5000\n");
	expect_parse_error(
		"ports with icmp",
		"interface e role external\nrule a external in icmp 5\n",
		FILE_NAME ":2:25: ports apply to tcp and udp only\n");
	expect_parse_error("ports with tcp,icmpv6",
			   "interface e role external\n"
			   "rule a external in tcp,icmpv6 5\n",
			   FILE_NAME
			   ":2:31: ports apply to tcp and udp only\n");
	expect_parse_error(
		"a trailing comma in a port list on one line",
		"interface e role external\nrule a external in tcp 1,\n",
		FILE_NAME ":2:26: expected a port, found 'end of line'\n");
	expect_parse_error(
		"unknown protocol",
		"interface e role external\nrule a external in sctp 1\n",
		FILE_NAME
		":2:20: expected a protocol (tcp, udp, icmp or icmpv6), found 'sctp'\n");

	/* Prefixes and addresses. */
	expect_parse_error("malformed prefix",
			   "interface e role external\n"
			   "rule a external in tcp 1 from 10.0.0/8\n",
			   FILE_NAME ":2:31: malformed prefix '10.0.0/8'\n");
	expect_parse_error("malformed prefix length",
			   "interface e role external\n"
			   "rule a external in tcp 1 from 10.0.0.0/x\n",
			   FILE_NAME
			   ":2:31: malformed prefix length in '10.0.0.0/x'\n");
	expect_parse_error(
		"malformed address in a set",
		"interface e role external\nset a { 10.0.0.0/8, 300.1.1.1 }\n",
		FILE_NAME
		":2:21: '300.1.1.1' is not an IPv4 or IPv6 address\n");
	expect_parse_error(
		"IPv4 prefix length out of range",
		"interface e role external\n"
		"rule a external in tcp 1 from 10.0.0.0/33\n",
		FILE_NAME
		":2:31: prefix length 33 out of range for IPv4 (0-32) in '10.0.0.0/33'\n");
	expect_parse_error(
		"IPv6 prefix length out of range",
		"interface e role external\n"
		"set a {\n\t2001:db8::/129\n}\n",
		FILE_NAME
		":3:2: prefix length 129 out of range for IPv6 (0-128) in '2001:db8::/129'\n");
	expect_parse_error(
		"IPv4 host bits set",
		"interface e role external\n"
		"rule a external in tcp 1 from 10.0.0.1/8\n",
		FILE_NAME
		":2:31: host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)\n");
	expect_parse_error(
		"IPv6 host bits set",
		"interface e role external\n"
		"set a { 2001:db8::1/32 }\n",
		FILE_NAME
		":2:9: host bits set in '2001:db8::1/32' (did you mean 2001:db8::/32?)\n");
	expect_parse_error(
		"an interface address with a prefix length",
		"interface e role external address 10.0.0.1/24\n",
		FILE_NAME
		":1:35: '10.0.0.1/24': an address takes no prefix length\n");
	expect_parse_error(
		"an interface address that is no address",
		"interface e role external address { 10.0.0.1, eth0 }\n",
		FILE_NAME ":1:47: 'eth0' is not an IPv4 or IPv6 address\n");

	/* Names. */
	expect_parse_error("invalid rule name",
			   "interface e role external\n"
			   "rule _a external in tcp 1\n",
			   FILE_NAME ":2:6: invalid rule name '_a': " NAME_RULES
				     "\n");
	expect_parse_error("rule named 'any'",
			   "interface e role external\n"
			   "rule any external in tcp 1\n",
			   FILE_NAME
			   ":2:6: invalid rule name 'any': " NAME_RULES "\n");
	expect_parse_error(
		"rule name of 32 characters",
		"interface e role external\n"
		"rule abcdefghijabcdefghijabcdefghijab external in tcp 1\n",
		FILE_NAME
		":2:6: invalid rule name 'abcdefghijabcdefghijabcdefghijab': " NAME_RULES
		"\n");
	expect_parse_error("invalid set name",
			   "interface e role external\n"
			   "set -x { 10.0.0.0/8 }\n",
			   FILE_NAME ":2:5: invalid set name '-x': " NAME_RULES
				     "\n");
	expect_parse_error("set named 'self'",
			   "interface e role external\n"
			   "set self { 10.0.0.0/8 }\n",
			   FILE_NAME
			   ":2:5: invalid set name 'self': " NAME_RULES "\n");
	expect_parse_error("invalid set name in a rule",
			   "interface e role external\n"
			   "rule a external in tcp 1 from -x\n",
			   FILE_NAME ":2:31: invalid set name '-x': " NAME_RULES
				     "\n");
	expect_parse_error(
		"interface name of 16 characters",
		"interface abcdefghijklmnop role external\n",
		FILE_NAME
		":1:11: invalid interface name 'abcdefghijklmnop': at most 15 characters, no '/' or ':'\n");
	expect_parse_error(
		"interface name with a '/'", "interface e/x role external\n",
		FILE_NAME
		":1:11: invalid interface name 'e/x': at most 15 characters, no '/' or ':'\n");

	/* Braces. */
	expect_parse_error("'{' never closed",
			   "interface e role external\nset a { 10.0.0.0/8\n",
			   FILE_NAME ":2:7: '{' is never closed by a '}'\n");
	expect_parse_error(
		"'{' never closed over lines",
		"interface e role external address {\n10.0.0.1,\n\n# c\n",
		FILE_NAME ":1:35: '{' is never closed by a '}'\n");
	expect_parse_error("set without '{'",
			   "interface e role external\nset a 10.0.0.0/8\n",
			   FILE_NAME
			   ":2:7: expected '{', found '10.0.0.0/8'\n");
}

static void test_many_errors(void)
{
	char text[1024] = "", want[4096] = "";
	size_t off = 0, woff = 0;

	/* Each statement is reported, and parsing goes on after it. */
	expect_parse_errors(
		"several errors, each with its line",
		"interface e role external\n"
		"rule a external in tcp 0\n"
		"set s { 10.0.0.1/8 }\n"
		"bogus\n"
		"mode enforce\n"
		"mode monitor\n"
		"rule b external in icmp 7\n"
		"set t {\n"
		"\t10.0.0.0/33\n"
		"\t10.1.0.0/16\n"
		"}\n"
		"policy external sideways drop\n",
		7,
		FILE_NAME
		":2:24: port 0 out of range (1-65535)\n" FILE_NAME
		":3:9: host bits set in '10.0.0.1/8' (did you mean 10.0.0.0/8?)\n" FILE_NAME
		":4:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found 'bogus'\n" FILE_NAME
		":6:1: mode is set twice\n" FILE_NAME
		":7:25: ports apply to tcp and udp only\n" FILE_NAME
		":9:2: prefix length 33 out of range for IPv4 (0-32) in '10.0.0.0/33'\n" FILE_NAME
		":12:17: expected a direction (in or out), found 'sideways'\n");

	/* 25 errors: the first 20 are shown, then how many more. */
	off = snprintf(text, sizeof(text), "interface e role external\n");
	for (int i = 1; i <= 25; i++) {
		off += snprintf(text + off, sizeof(text) - off, "bad%d\n", i);
		if (i <= 20)
			woff += snprintf(
				want + woff, sizeof(want) - woff,
				FILE_NAME
				":%d:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found 'bad%d'\n",
				i + 1, i);
	}
	snprintf(want + woff, sizeof(want) - woff,
		 FILE_NAME ": 5 more errors not shown\n");
	expect_parse_errors("25 errors: 20 shown, the rest counted", text, 25,
			    want);
}

/*
 * "interface e role external", then line i (of at most 48 bytes) written
 * by line for i from 0 to nr - 1, then extra.
 */
static char *config_lines(int nr, int (*line)(char *buf, size_t len, int i),
			  const char *extra)
{
	size_t len = 64 + (size_t)nr * 48 + strlen(extra);
	char *text = malloc(len);
	size_t off;

	if (!text)
		tap_bail("out of memory");
	off = snprintf(text, len, "interface e role external\n");
	for (int i = 0; i < nr; i++)
		off += line(text + off, len - off, i);
	snprintf(text + off, len - off, "%s", extra);
	return text;
}

static int same_port_rule(char *buf, size_t len, int i)
{
	return snprintf(buf, len, "rule r%d external in tcp 5269\n", i + 1);
}

/* A file of nr rules "rule rN external in tcp 5269", after an interface. */
static char *same_port_rules(int nr, const char *extra)
{
	return config_lines(nr, same_port_rule, extra);
}

static void test_candidate_limit(void)
{
	struct compiled cc;
	struct config c;
	char *text;

	text = same_port_rules(EDGEFW_MAX_CANDIDATES, "");
	parse_ok("15 rules on one port", text, &c);
	compile_ok("15 rules on one port", &c, &cc, "");
	CHECK_EQ(cc.classes[port_class(&cc, TCP, 5269, EXT, IN)].nr_rules,
		 EDGEFW_MAX_CANDIDATES,
		 "15 rules on one port: all 15 are candidates");
	compiled_free(&cc);
	config_free(&c);
	free(text);

	text = same_port_rules(EDGEFW_MAX_CANDIDATES + 1, "");
	expect_compile_error(
		"16 rules on one port", text,
		FILE_NAME
		":17:1: rule r16: more than 15 rules of external in apply to the same packets (tcp port 5269); merge some of them\n");
	free(text);

	/* The same rules, but the 16th on another port: no overlap. */
	text = same_port_rules(EDGEFW_MAX_CANDIDATES,
			       "rule r16 external in tcp 5270\n");
	parse_ok("16 rules on two ports", text, &c);
	compile_ok("16 rules on two ports", &c, &cc, "");
	compiled_free(&cc);
	config_free(&c);
	free(text);
}

static const char classes_text[] =
	"interface e0 role external\n"
	"interface i0 role internal\n"
	"set a { 10.0.0.0/8 }\n"
	"rule web   external in  tcp 80,443 from a to self\n"
	"rule range external in  tcp 5000-5100\n"
	"rule over  external in  tcp,udp 5050-6000\n"
	"rule dns   external out udp,tcp 53\n"
	"rule all   internal in  tcp\n"
	"rule ping  external in  icmp\n"
	"rule ping6 external in  icmpv6 from 2001:db8::/32\n"
	"rule pout  internal out icmp,icmpv6\n"
	"rule web2  internal in  tcp 80 from any to self\n"
	"rule hi    external in  tcp 8000-8100\n"
	"rule lo    external in  tcp 7900-8000\n"
	"rule udpx  internal out udp 443,1-2\n";

static void test_port_classes(void)
{
	static const char *const what = "classes";
	struct compiled cc;
	struct config c;

	parse_ok(what, classes_text, &c);
	compile_ok(what, &c, &cc, "");

	expect_class(&c, &cc, port_class(&cc, TCP, 80, EXT, IN), "web",
		     "tcp 80 external in");
	expect_class(&c, &cc, port_class(&cc, TCP, 443, EXT, IN), "web",
		     "tcp 443 external in");
	CHECK_EQ(port_class(&cc, TCP, 80, EXT, IN),
		 port_class(&cc, TCP, 443, EXT, IN),
		 "tcp 80 and 443 external in share one class");
	expect_class(&c, &cc, port_class(&cc, TCP, 81, EXT, IN), "",
		     "tcp 81 external in (between web's ports)");
	expect_class(&c, &cc, port_class(&cc, UDP, 80, EXT, IN), "",
		     "udp 80 external in (web is tcp only)");
	expect_class(&c, &cc, port_class(&cc, TCP, 80, EXT, OUT), "",
		     "tcp 80 external out (web is in only)");

	/* range 5000-5100 overlaps over 5050-6000. */
	expect_class(&c, &cc, port_class(&cc, TCP, 4999, EXT, IN), "",
		     "tcp 4999 external in (range's lo - 1)");
	expect_class(&c, &cc, port_class(&cc, TCP, 5000, EXT, IN), "range",
		     "tcp 5000 external in (range's lo)");
	expect_class(&c, &cc, port_class(&cc, TCP, 5049, EXT, IN), "range",
		     "tcp 5049 external in (over's lo - 1)");
	expect_class(&c, &cc, port_class(&cc, TCP, 5050, EXT, IN), "range,over",
		     "tcp 5050 external in (over's lo)");
	expect_class(&c, &cc, port_class(&cc, TCP, 5100, EXT, IN), "range,over",
		     "tcp 5100 external in (range's hi)");
	expect_class(&c, &cc, port_class(&cc, TCP, 5101, EXT, IN), "over",
		     "tcp 5101 external in (range's hi + 1)");
	expect_class(&c, &cc, port_class(&cc, TCP, 6000, EXT, IN), "over",
		     "tcp 6000 external in (over's hi)");
	expect_class(&c, &cc, port_class(&cc, TCP, 6001, EXT, IN), "",
		     "tcp 6001 external in (over's hi + 1)");
	expect_class(&c, &cc, port_class(&cc, UDP, 5000, EXT, IN), "",
		     "udp 5000 external in (range is tcp only)");
	expect_class(&c, &cc, port_class(&cc, UDP, 5050, EXT, IN), "over",
		     "udp 5050 external in (over is tcp and udp)");
	expect_class(&c, &cc, port_class(&cc, UDP, 6000, EXT, IN), "over",
		     "udp 6000 external in");
	CHECK(port_class(&cc, UDP, 5050, EXT, IN) ==
		      port_class(&cc, TCP, 5101, EXT, IN),
	      "udp 5050 and tcp 5101 external in share one class");

	/* Config order, not port order: hi comes before lo in the file. */
	expect_class(&c, &cc, port_class(&cc, TCP, 7999, EXT, IN), "lo",
		     "tcp 7999 external in");
	expect_class(&c, &cc, port_class(&cc, TCP, 8000, EXT, IN), "hi,lo",
		     "tcp 8000 external in (config order)");
	expect_class(&c, &cc, port_class(&cc, TCP, 8001, EXT, IN), "hi",
		     "tcp 8001 external in");

	expect_class(&c, &cc, port_class(&cc, TCP, 53, EXT, OUT), "dns",
		     "tcp 53 external out");
	expect_class(&c, &cc, port_class(&cc, UDP, 53, EXT, OUT), "dns",
		     "udp 53 external out");
	expect_class(&c, &cc, port_class(&cc, UDP, 53, EXT, IN), "",
		     "udp 53 external in (dns is out only)");
	expect_class(&c, &cc, port_class(&cc, UDP, 52, EXT, OUT), "",
		     "udp 52 external out");
	expect_class(&c, &cc, port_class(&cc, UDP, 54, EXT, OUT), "",
		     "udp 54 external out");

	/* A rule without ports: every port of its protocol. */
	expect_class(&c, &cc, port_class(&cc, TCP, 1, INT, IN), "all",
		     "tcp 1 internal in (rule without ports)");
	expect_class(&c, &cc, port_class(&cc, TCP, 65535, INT, IN), "all",
		     "tcp 65535 internal in (rule without ports)");
	expect_class(&c, &cc, port_class(&cc, TCP, 80, INT, IN), "all,web2",
		     "tcp 80 internal in (all, then web2)");
	expect_class(&c, &cc, port_class(&cc, UDP, 80, INT, IN), "",
		     "udp 80 internal in (all is tcp only)");
	expect_class(&c, &cc, port_class(&cc, UDP, 1, INT, OUT), "udpx",
		     "udp 1 internal out (port 1 as a range boundary)");
	expect_class(&c, &cc, port_class(&cc, UDP, 3, INT, OUT), "",
		     "udp 3 internal out");
	expect_class(&c, &cc, port_class(&cc, UDP, 65535, INT, OUT), "",
		     "udp 65535 internal out");

	/* ICMP has no ports: one class per (role, direction, family). */
	expect_class(&c, &cc, cc.icmp_class[EXT][IN][0], "ping",
		     "icmp external in");
	expect_class(&c, &cc, cc.icmp_class[EXT][IN][1], "ping6",
		     "icmpv6 external in");
	expect_class(&c, &cc, cc.icmp_class[INT][OUT][0], "pout",
		     "icmp internal out");
	CHECK_EQ(cc.icmp_class[INT][OUT][1], cc.icmp_class[INT][OUT][0],
		 "icmpv6 internal out shares icmp's class");
	expect_class(&c, &cc, cc.icmp_class[EXT][OUT][0], "",
		     "icmp external out");
	expect_class(&c, &cc, cc.icmp_class[INT][IN][1], "",
		     "icmpv6 internal in (all is tcp only)");
	expect_class(&c, &cc, port_class(&cc, TCP, 0, EXT, IN), "",
		     "tcp 0 external in (icmp rules have no port)");

	check_every_port(&c, &cc, what);
	check_classes_distinct(&cc, what);

	/* Peers. */
	CHECK(cc.nr_rules == c.nr_rules, "classes: every rule is compiled");
	CHECK(cc.rules[0].from == 0 && cc.rules[0].to == EDGEFW_PEER_SELF,
	      "peers: web from set a (id 0) to self");
	CHECK(cc.rules[1].from == EDGEFW_PEER_ANY &&
		      cc.rules[1].to == EDGEFW_PEER_ANY,
	      "peers: no from/to is any");
	CHECK(cc.rules[8].from == EDGEFW_PEER_ANY &&
		      cc.rules[8].to == EDGEFW_PEER_SELF,
	      "peers: explicit 'from any to self'");
	CHECK(cc.rules[6].from == 1 && cc.nr_sets == 2 &&
		      cc.set_sizes[1] == 1 && cc.nr_set_keys == 2 &&
		      key_is(&cc.set_keys[1], 1, "2001:db8::", 32),
	      "peers: ping6's inline prefix is set 1, after the named set");
	compiled_free(&cc);
	config_free(&c);
}

/*
 * What a class tells the data plane of its candidates' sources: set4_any
 * is asked where some are indexed sets, and skips the candidates when all
 * of them are (bpf/rules.h, match_class).
 */
static void test_class_flags(void)
{
	static const char text[] =
		"interface e0 role external\n"
		"set a { 192.0.2.0/24 }\n"
		"set b { 198.51.100.0/24 }\n"
		"rule one external in tcp 1000-1003 from a\n"
		"rule two external in tcp 1001-1003 from b\n"
		"rule inl external in tcp 1002 from 203.0.113.0/24\n"
		"rule all external in tcp 1003-1004\n";
	static const struct {
		unsigned int port;
		__u8 flags;
		const char *what;
	} want[] = {
		{ 1000, EDGEFW_CLASS_ASK_ANY4 | EDGEFW_CLASS_ALL_INDEXED,
		  "one indexed set: asked, and it decides" },
		{ 1004, 0, "any source: not asked" },
		{ 1001, EDGEFW_CLASS_ASK_ANY4 | EDGEFW_CLASS_ALL_INDEXED,
		  "two indexed sets and nothing else: asked, and it decides" },
		{ 1002, EDGEFW_CLASS_ASK_ANY4,
		  "two indexed sets and an inline prefix: asked, not all" },
		{ 1003, EDGEFW_CLASS_ASK_ANY4,
		  "two indexed sets and any source: asked, not all" },
	};
	struct compiled cc;
	struct config c;

	parse_ok("class flags", text, &c);
	compile_ok("class flags", &c, &cc, "");
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		unsigned int id = port_class(&cc, TCP, want[i].port, EXT, IN);

		CHECK_EQ(cc.classes[id].flags, want[i].flags,
			 "class flags, tcp %u: %s", want[i].port, want[i].what);
	}
	compiled_free(&cc);
	config_free(&c);
}

static const char sets_text[] =
	"interface e0 role external\n"
	"set b { 192.0.2.0/24, 10.0.0.0/16, 2001:db8::/32, 10.0.0.0/8,\n"
	"\t1.2.3.4, 10.0.0.0/8, ::/0 }\n"
	"set a { 198.51.100.0/24 }\n"
	"set none { }\n"
	"rule r1 external in tcp 1 from 203.0.113.0/24 to self\n"
	"rule r2 external in tcp 2 from a to 2001:db8:1::/48\n"
	"rule r3 external in tcp 3 from 203.0.113.0/24\n";

/* The keys of one set id, and whether they are exactly one prefix. */
static bool set_is_one_prefix(const struct compiled *cc, unsigned int set,
			      const char *addr, unsigned int len)
{
	size_t found = 0;
	bool ok = true;

	for (size_t i = 0; i < cc->nr_set_keys; i++) {
		if (cc->set_keys[i].set != set)
			continue;
		found++;
		ok &= key_is(&cc->set_keys[i], set, addr, len);
	}
	return ok && found == 1 && set < cc->nr_sets && cc->set_sizes[set] == 1;
}

static void test_set_keys(void)
{
	static const char *const what = "sets";
	const struct edgefw_set_key *k;
	struct compiled cc;
	struct config c;
	unsigned int r1, r2, r3;

	parse_ok(what, sets_text, &c);
	CHECK(c.nr_sets == 3 && c.sets[0].nr_prefixes == 7,
	      "sets: set b keeps all 7 prefixes as written");
	compile_ok(what, &c, &cc,
		   FILE_NAME
		   ":2:1: warning: set b lists 10.0.0.0/8 more than once\n");

	check_keys_sorted(&cc, what);
	k = cc.set_keys;
	CHECK_EQ(cc.nr_set_keys, 10, "sets: 10 keys (6 + 1 + 0 + 3 inline)");
	CHECK(cc.nr_set_keys >= 7 && key_is(&k[0], 0, "1.2.3.4", 32) &&
		      key_is(&k[1], 0, "10.0.0.0", 8) &&
		      key_is(&k[2], 0, "10.0.0.0", 16) &&
		      key_is(&k[3], 0, "192.0.2.0", 24) &&
		      key_is(&k[4], 0, "::", 0) &&
		      key_is(&k[5], 0, "2001:db8::", 32) &&
		      key_is(&k[6], 1, "198.51.100.0", 24),
	      "sets: b's keys sorted (IPv4 first, shorter first), duplicate gone, then a's");
	CHECK(cc.set_sizes[0] == 6 && cc.set_sizes[1] == 1 &&
		      cc.set_sizes[2] == 0,
	      "sets: sizes 6, 1 and 0 (the empty set)");

	/* Inline prefixes: a set each, after the named sets. */
	CHECK_EQ(cc.nr_sets, 6, "sets: 3 named + 3 inline set ids");
	r1 = cc.rules[0].from;
	r2 = cc.rules[1].to;
	r3 = cc.rules[2].from;
	CHECK(r1 >= 3 && r2 >= 3 && r3 >= 3 && r1 != r2 && r1 != r3 && r2 != r3,
	      "sets: each inline prefix has its own set id (%u, %u, %u)", r1,
	      r2, r3);
	CHECK(set_is_one_prefix(&cc, r1, "203.0.113.0", 24),
	      "sets: r1's inline set holds 203.0.113.0/24");
	CHECK(set_is_one_prefix(&cc, r2, "2001:db8:1::", 48),
	      "sets: r2's inline set holds 2001:db8:1::/48");
	CHECK(set_is_one_prefix(&cc, r3, "203.0.113.0", 24),
	      "sets: r3's inline set holds 203.0.113.0/24 too");
	CHECK(cc.rules[0].to == EDGEFW_PEER_SELF && cc.rules[1].from == 1 &&
		      cc.rules[2].to == EDGEFW_PEER_ANY,
	      "sets: r1 to self, r2 from a (id 1), r3 to any");
	compiled_free(&cc);
	config_free(&c);
}

/* metrics listen ADDR:PORT: off by default, checked at FILE:LINE:COL */
static void check_text(const char *got, const char *want, const char *what)
{
	if (!CHECK(!strcmp(got, want), "%s", what))
		tap_diag("got '%s', wanted '%s'", got, want);
}

/* events [rate R [burst B]] [sample R [burst B] | sample off] | off */
static void test_events(void)
{
	struct edgefw_iface_config ic;
	struct config c;
	char text[128];

	parse_ok("events by default", "interface e role external\n", &c);
	events_format(&c, text, sizeof(text));
	check_text(text, "events rate 1000/s burst 1000 sample 100/s burst 100",
		   "events: monitor's 1000/s and the daemon's samples 100/s");
	compile_events(&c, 2, &ic);
	CHECK(ic.events_interval_ns == 2000000 &&
		      ic.sample_interval_ns == 20000000 &&
		      ic.sample_burst_ns == 49 * ic.sample_interval_ns,
	      "events: each reader's own bucket, shared out among 2 CPUs");
	config_free(&c);

	parse_ok("events sample alone",
		 "interface e role external\nevents sample 10/m burst 4\n", &c);
	events_format(&c, text, sizeof(text));
	check_text(text, "events rate 1000/s burst 1000 sample 10/m burst 4",
		   "events sample: the samples' rate, monitor's the default");
	config_free(&c);

	parse_ok("events sample off",
		 "interface e role external\nevents rate 50/s sample off\n",
		 &c);
	events_format(&c, text, sizeof(text));
	check_text(text, "events rate 50/s burst 50 sample off",
		   "events ... sample off: monitor's events alone");
	compile_events(&c, 2, &ic);
	CHECK(ic.events_interval_ns && !ic.sample_interval_ns,
	      "events ... sample off: no samples bucket (the verifier drops them)");
	config_free(&c);

	parse_ok("events off", "interface e role external\nevents off\n", &c);
	events_format(&c, text, sizeof(text));
	check_text(text, "events off", "events off: neither");
	compile_events(&c, 2, &ic);
	CHECK(!ic.events_interval_ns && !ic.sample_interval_ns,
	      "events off: neither bucket");
	config_free(&c);
}

static void test_metrics(void)
{
	struct config c;

	parse_ok("metrics off", "interface e role external\n", &c);
	CHECK(!c.metrics.listen, "metrics: off unless the config says where");
	config_free(&c);

	parse_ok("metrics IPv4",
		 "interface e role external\nmetrics listen 127.0.0.1:9464\n",
		 &c);
	CHECK(c.metrics.listen && c.metrics.at.port == 9464 &&
		      prefix_is(&c.metrics.at.addr, "127.0.0.1", 32) &&
		      c.metrics.loc.line == 2 && c.metrics.loc.col == 16,
	      "metrics listen 127.0.0.1:9464: the address, port and place");
	config_free(&c);

	parse_ok("metrics IPv6",
		 "metrics listen [::1]:65535 # loopback\n"
		 "interface e role external\n",
		 &c);
	CHECK(c.metrics.listen && c.metrics.at.port == 65535 &&
		      prefix_is(&c.metrics.at.addr, "::1", 128),
	      "metrics listen [::1]:65535: an IPv6 address in brackets");
	config_free(&c);

	expect_parse_error(
		"metrics: no port",
		"interface e role external\nmetrics listen 127.0.0.1\n",
		FILE_NAME
		":2:16: metrics listen: '127.0.0.1' has no port: expected ADDRESS:PORT, such as 127.0.0.1:9101 or [::1]:9101\n");
	expect_parse_error(
		"metrics: IPv6 without brackets",
		"interface e role external\nmetrics listen ::1:9464\n",
		FILE_NAME
		":2:16: metrics listen: malformed address and port '::1:9464': an IPv6 address goes in brackets, as in [::1]:9101\n");
	expect_parse_error(
		"metrics: a name",
		"interface e role external\nmetrics  listen localhost:9464\n",
		FILE_NAME
		":2:17: metrics listen: 'localhost' is not an IPv4 or IPv6 address (no name is looked up: give such as 127.0.0.1:9101 or [::1]:9101)\n");
	expect_parse_error(
		"metrics: port out of range",
		"interface e role external\nmetrics listen [::1]:65536\n",
		FILE_NAME
		":2:16: metrics listen: port '65536' is not a number from 1 to 65535\n");
	expect_parse_error(
		"metrics: port 0",
		"interface e role external\nmetrics listen 127.0.0.1:0\n",
		FILE_NAME
		":2:16: metrics listen: port '0' is not a number from 1 to 65535\n");
	expect_parse_error(
		"metrics: IPv4 in brackets",
		"interface e role external\nmetrics listen [127.0.0.1]:80\n",
		FILE_NAME
		":2:16: metrics listen: '127.0.0.1' in brackets is not an IPv6 address: expected such as 127.0.0.1:9101 or [::1]:9101\n");
	expect_parse_error(
		"metrics: unclosed bracket",
		"interface e role external\nmetrics listen [::1:80\n",
		FILE_NAME
		":2:16: metrics listen: malformed address and port '[::1:80': expected [IPV6]:PORT, such as 127.0.0.1:9101 or [::1]:9101\n");
	expect_parse_error("metrics: no listen",
			   "interface e role external\nmetrics 127.0.0.1:80\n",
			   FILE_NAME
			   ":2:9: expected 'listen', found '127.0.0.1:80'\n");
	expect_parse_error(
		"metrics: no address",
		"interface e role external\nmetrics listen\n",
		FILE_NAME
		":2:15: expected an address and port such as 127.0.0.1:9101, found 'end of line'\n");
	expect_parse_error(
		"metrics: twice",
		"interface e role external\nmetrics listen 127.0.0.1:1\n"
		"metrics listen 127.0.0.1:2\n",
		FILE_NAME
		":3:1: metrics listen is set twice (first on line 2)\n");
}

/* pool etcd URL[, URL...] prefix PATH [tls CA CERT KEY] (README, Pool) */
static void test_pool(void)
{
	char text[POOL_MAX_ENDPOINTS * POOL_URL_LEN + 4 * PATH_MAX];
	struct config c;

	parse_ok("pool off", "interface e role external\n", &c);
	CHECK(!c.pool.on, "pool: off unless the config names one");
	config_free(&c);

	parse_ok(
		"pool: three endpoints",
		"interface e role external\n"
		"pool etcd http://127.0.0.1:2379, http://[::1]:2379,\thttp://etcd-3.example:32379 prefix /edgefw/p-1\n",
		&c);
	CHECK(c.pool.on && !c.pool.tls && c.pool.nr_endpoints == 3 &&
		      !strcmp(c.pool.endpoints[0], "http://127.0.0.1:2379") &&
		      !strcmp(c.pool.endpoints[1], "http://[::1]:2379") &&
		      !strcmp(c.pool.endpoints[2],
			      "http://etcd-3.example:32379") &&
		      !strcmp(c.pool.prefix, "/edgefw/p-1") &&
		      c.pool.loc.line == 2 && c.pool.loc.col == 1,
	      "pool: the endpoints in order, the prefix, the place");
	pool_format(&c, text, sizeof(text));
	CHECK(!strcmp(text,
		      "pool etcd http://127.0.0.1:2379, http://[::1]:2379, http://etcd-3.example:32379 prefix /edgefw/p-1"),
	      "pool: printed back as the config writes it");
	if (strcmp(text,
		   "pool etcd http://127.0.0.1:2379, http://[::1]:2379, http://etcd-3.example:32379 prefix /edgefw/p-1"))
		diag_text("printed", text);
	config_free(&c);

	parse_ok(
		"pool: https with tls",
		"pool etcd https://e1:2379,https://e2:2379 prefix /a/b tls /etc/ca.pem /etc/c.pem /etc/c.key\n"
		"interface e role external\n",
		&c);
	CHECK(c.pool.on && c.pool.tls && c.pool.nr_endpoints == 2 &&
		      !strcmp(c.pool.ca, "/etc/ca.pem") &&
		      !strcmp(c.pool.cert, "/etc/c.pem") &&
		      !strcmp(c.pool.key, "/etc/c.key"),
	      "pool: https endpoints and their tls files");
	config_free(&c);

	expect_parse_error(
		"pool: not a URL",
		"interface e role external\npool etcd 127.0.0.1:2379 prefix /p\n",
		FILE_NAME
		":2:11: pool: '127.0.0.1:2379' is not a URL: expected http://HOST:PORT or https://HOST:PORT, such as http://127.0.0.1:2379\n");
	expect_parse_error(
		"pool: the second endpoint not a URL",
		"interface e role external\npool etcd http://a:1, ftp://b:2 prefix /p\n",
		FILE_NAME
		":2:23: pool: 'ftp://b:2' is not a URL: expected http://HOST:PORT or https://HOST:PORT, such as http://127.0.0.1:2379\n");
	expect_parse_error(
		"pool: no port",
		"interface e role external\npool etcd http://127.0.0.1 prefix /p\n",
		FILE_NAME
		":2:11: pool: 'http://127.0.0.1' has no port: expected such as http://127.0.0.1:2379\n");
	expect_parse_error(
		"pool: port 0",
		"interface e role external\npool etcd http://h:0 prefix /p\n",
		FILE_NAME
		":2:11: pool: 'http://h:0': the port is not a number from 1 to 65535\n");
	expect_parse_error(
		"pool: a path after the port",
		"interface e role external\npool etcd http://h:2379/v3 prefix /p\n",
		FILE_NAME
		":2:11: pool: 'http://h:2379/v3': nothing may follow the port (no path, query or user)\n");
	expect_parse_error(
		"pool: a user",
		"interface e role external\npool etcd http://u@h:2379 prefix /p\n",
		FILE_NAME
		":2:11: pool: 'http://u@h:2379' has no port: expected such as http://127.0.0.1:2379\n");
	expect_parse_error(
		"pool: brackets not an IPv6 address",
		"interface e role external\npool etcd http://[1.2.3.4]:1 prefix /p\n",
		FILE_NAME
		":2:11: pool: 'http://[1.2.3.4]:1': what is in brackets is not an IPv6 address\n");
	expect_parse_error(
		"pool: no host",
		"interface e role external\npool etcd http://:2379 prefix /p\n",
		FILE_NAME
		":2:11: pool: 'http://:2379' has no host (a name or address)\n");
	expect_parse_error(
		"pool: http and https mixed",
		"interface e role external\npool etcd http://a:1, https://b:2 prefix /p\n",
		FILE_NAME
		":2:23: pool: http and https endpoints mixed (the first is on column 11)\n");
	expect_parse_error(
		"pool: https without tls",
		"interface e role external\npool etcd https://a:1 prefix /p\n",
		FILE_NAME
		":2:11: pool: https endpoints need 'tls CA CERT KEY' after the prefix\n");
	expect_parse_error(
		"pool: tls with http",
		"interface e role external\npool etcd http://a:1 prefix /p tls /ca /c /k\n",
		FILE_NAME
		":2:32: pool: tls with http endpoints (use https://)\n");
	expect_parse_error(
		"pool: tls file not absolute",
		"interface e role external\npool etcd https://a:1 prefix /p tls ca.pem /c /k\n",
		FILE_NAME
		":2:37: expected the absolute file name of the CA, found 'ca.pem'\n");
	expect_parse_error(
		"pool: tls missing the key",
		"interface e role external\npool etcd https://a:1 prefix /p tls /ca /c\n",
		FILE_NAME
		":2:43: expected the absolute file name of the client key, found 'end of line'\n");
	expect_parse_error(
		"pool: no etcd",
		"interface e role external\npool http://a:1 prefix /p\n",
		FILE_NAME ":2:6: expected 'etcd', found 'http://a:1'\n");
	expect_parse_error(
		"pool: no prefix",
		"interface e role external\npool etcd http://a:1\n",
		FILE_NAME
		":2:21: expected ',' or 'prefix', found 'end of line'\n");
	expect_parse_error(
		"pool: a comma and nothing",
		"interface e role external\npool etcd http://a:1, prefix /p\n",
		FILE_NAME
		":2:23: pool: 'prefix' is not a URL: expected http://HOST:PORT or https://HOST:PORT, such as http://127.0.0.1:2379\n");
	expect_parse_error(
		"pool: relative prefix",
		"interface e role external\npool etcd http://a:1 prefix edgefw\n",
		FILE_NAME
		":2:29: pool: the pool's prefix 'edgefw' is not an absolute key of 2 to 128 characters, such as /edgefw/pool1\n");
	expect_parse_error(
		"pool: prefix ending in /",
		"interface e role external\npool etcd http://a:1 prefix /edgefw/\n",
		FILE_NAME
		":2:29: pool: the pool's prefix '/edgefw/' has an empty, '.' or '..' component (or ends with '/')\n");
	expect_parse_error(
		"pool: prefix with ..",
		"interface e role external\npool etcd http://a:1 prefix /edgefw/../x\n",
		FILE_NAME
		":2:29: pool: the pool's prefix '/edgefw/../x' has an empty, '.' or '..' component (or ends with '/')\n");
	expect_parse_error(
		"pool: prefix with a space-like byte",
		"interface e role external\npool etcd http://a:1 prefix /a*b\n",
		FILE_NAME
		":2:29: pool: the pool's prefix '/a*b' may hold letters, digits, '_', '-', '.' and '/' only\n");
	expect_parse_error(
		"pool: twice",
		"interface e role external\npool etcd http://a:1 prefix /p\n"
		"pool etcd http://b:1 prefix /q\n",
		FILE_NAME ":3:1: pool is set twice (first on line 2)\n");
	{
		size_t off = snprintf(text, sizeof(text),
				      "interface e role external\npool etcd ");

		for (int i = 0; i <= POOL_MAX_ENDPOINTS; i++)
			off += snprintf(text + off, sizeof(text) - off,
					"%shttp://h%d:1", i ? "," : "", i);
		snprintf(text + off, sizeof(text) - off, " prefix /p\n");
		expect_parse_error("pool: 17 endpoints", text,
				   FILE_NAME
				   ":2:209: pool: more than 16 endpoints\n");
	}
}

/*
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, prefixes inside ::ffff:0:0/96) is
 * IPv4 to the data plane's packets: the config means IPv4, length - 96.
 */
static const char mapped_text[] =
	"interface e role external address { ::ffff:192.0.2.1, 2001:db8::1 }\n"
	"set m { ::ffff:198.51.100.0/120, ::ffff:203.0.113.7, ::fffe:0:0/95,\n"
	"\t::ffff:c000:0242, ::ffff:0:0/96 }\n"
	"set d { 192.0.2.0/24, ::ffff:192.0.2.0/120 }\n"
	"rule r external in tcp 1 from ::ffff:10.0.0.0/104 to self\n"
	"rule s external in tcp 2 from m to ::ffff:192.0.2.1\n";

static void test_mapped(void)
{
	static const char *const what = "mapped";
	const struct cfg_set *m;
	struct compiled cc;
	struct config c;

	parse_ok(what, mapped_text, &c);
	CHECK(c.ifaces[0].nr_addrs == 2 &&
		      prefix_is(&c.ifaces[0].addrs[0], "192.0.2.1", 32) &&
		      prefix_is(&c.ifaces[0].addrs[1], "2001:db8::1", 128),
	      "mapped: an interface address ::ffff:192.0.2.1 is 192.0.2.1");
	m = &c.sets[0];
	CHECK(m->nr_prefixes == 5 &&
		      prefix_is(&m->prefixes[0], "198.51.100.0", 24) &&
		      prefix_is(&m->prefixes[1], "203.0.113.7", 32) &&
		      prefix_is(&m->prefixes[3], "192.0.2.66", 32) &&
		      prefix_is(&m->prefixes[4], "0.0.0.0", 0),
	      "mapped: set prefixes inside ::ffff:0:0/96 are IPv4, length - 96 (hex too)");
	CHECK(m->nr_prefixes == 5 &&
		      prefix_is(&m->prefixes[2], "::fffe:0:0", 95),
	      "mapped: ::fffe:0:0/95, which holds more than IPv4, stays IPv6");
	CHECK(prefix_is(&c.rules[0].from.prefix, "10.0.0.0", 8) &&
		      prefix_is(&c.rules[1].to.prefix, "192.0.2.1", 32),
	      "mapped: a rule's prefix and address are IPv4");
	compile_ok(what, &c, &cc,
		   FILE_NAME
		   ":4:1: warning: set d lists 192.0.2.0/24 more than once\n");
	CHECK_EQ(
		cc.set_sizes[1], 1,
		"mapped: 192.0.2.0/24 and ::ffff:192.0.2.0/120 are one prefix");
	compiled_free(&cc);
	config_free(&c);

	expect_parse_error(
		"mapped: host bits set, in the notation written",
		"interface e role external\nset a { ::ffff:192.0.2.1/120 }\n",
		FILE_NAME
		":2:9: host bits set in '::ffff:192.0.2.1/120' (did you mean ::ffff:192.0.2.0/120?)\n");
}

/*
 * A set id each for named sets and inline prefixes: the one beyond 1024
 * is reported where the file has it, a set or a rule's prefix.
 */
static int set_line(char *buf, size_t len, int i)
{
	return snprintf(buf, len, "set s%d { 10.%d.%d.0/24 }\n", i,
			i / 256 % 256, i % 256);
}

static char *many_sets(int nr, const char *extra)
{
	return config_lines(nr, set_line, extra);
}

static void test_set_limit(void)
{
	struct compiled cc;
	struct config c;
	char *text;

	text = many_sets(EDGEFW_MAX_SETS,
			 "rule r external in tcp 1 from s0 to s1023\n");
	parse_ok("1024 sets", text, &c);
	compile_ok("1024 sets", &c, &cc, "");
	CHECK_EQ(cc.nr_sets, EDGEFW_MAX_SETS, "1024 sets: 1024 set ids");
	compiled_free(&cc);
	config_free(&c);
	free(text);

	text = many_sets(EDGEFW_MAX_SETS + 2, "");
	expect_parse_error(
		"1026 sets: the error at set 1025, once", text,
		FILE_NAME
		":1026:1: more than 1024 sets (inline prefixes count as one each)\n");
	free(text);

	text = many_sets(
		EDGEFW_MAX_SETS - 1,
		"rule r external in tcp 1 from 192.0.2.0/24 to s0\n"
		"rule q external in tcp 1 from s1 to 198.51.100.0/24\n");
	expect_parse_error(
		"1023 sets and two inline prefixes: the error at the second prefix",
		text,
		FILE_NAME
		":1026:37: more than 1024 sets (inline prefixes count as one each)\n");
	free(text);

	text = many_sets(EDGEFW_MAX_SETS - 1,
			 "rule r external in tcp 1 from 192.0.2.0/24 to ::1\n");
	expect_parse_error(
		"1023 sets and a rule of two inline prefixes: the error at its 'to'",
		text,
		FILE_NAME
		":1025:47: more than 1024 sets (inline prefixes count as one each)\n");
	free(text);
}

/* Parsing time of text, in seconds; its errors are not looked at. */
static double parse_seconds(const char *text, int *errors)
{
	struct timespec t0, t1;
	struct config c;
	char *diag;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*errors = parse(text, strlen(text), &c, &diag);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!*errors)
		config_free(&c);
	free(diag);
	return (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/*
 * Names are found by hash: 100,000 sets (over the limit: one error), or
 * the same with rules naming them, parse in well under a second where
 * comparing each set with all before it took 15 s.
 */
static void test_many_names(void)
{
	char *text = many_sets(100000, "");
	char *rules = many_sets(
		100000, "rule r external in tcp 1 from s99999 to s50000\n");
	double t;
	int errors;

	t = parse_seconds(text, &errors);
	tap_diag("100,000 sets without rules: parsed in %.3f s", t);
	CHECK(errors == 1 && t < 5,
	      "100,000 sets parse in under 5 s, one error");
	t = parse_seconds(rules, &errors);
	tap_diag("100,000 sets and a rule naming two: parsed in %.3f s", t);
	CHECK(errors == 1 && t < 5,
	      "100,000 sets and a rule parse in under 5 s, one error");
	free(rules);
	free(text);
}

/*
 * Input is shown in messages as printable() shows it: control bytes and
 * bytes beyond ASCII escaped, long words cut, never raw.
 */
static void test_raw_input(void)
{
	char long_word[TOKEN_MAX + 8], text[512], want[512];

	expect_parse_error(
		"a control byte in an unknown statement",
		"interface e role external\n\x1b[31mred\n",
		FILE_NAME
		":2:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found '\\x1b[31mred'\n");
	expect_parse_error(
		"bytes beyond ASCII in a set name",
		"interface e role external\nset caf\xc3\xa9 { 10.0.0.0/8 }\n",
		FILE_NAME ":2:5: invalid set name 'caf\\xc3\\xa9': " NAME_RULES
			  "\n");
	expect_parse_error(
		"a control byte in an address",
		"interface e role external\nset a { 10.0.0.\x01 }\n",
		FILE_NAME
		":2:9: '10.0.0.\\x01' is not an IPv4 or IPv6 address\n");
	expect_parse_error(
		"a control byte in a prefix length",
		"interface e role external\nset a { 10.0.0.0/\x7f }\n",
		FILE_NAME
		":2:9: malformed prefix length in '10.0.0.0/\\x7f'\n");
	expect_parse_error(
		"a backslash is escaped too",
		"interface e role external\nrule a external in tcp 1\\x01\n",
		FILE_NAME ":2:24: malformed port '1\\\\x01'\n");
	expect_parse_error(
		"a control byte in an interface name",
		"interface e\x02 role external\ninterface e\x02 role internal\n",
		FILE_NAME
		":2:11: interface e\\x02 is configured twice (first on line 1)\n");
	expect_parse_error(
		"bytes beyond ASCII in a rate",
		"interface e role external\nrule a external in tcp 1 limit 5/\xe2\x80\x8bs\n",
		FILE_NAME
		":2:32: malformed rate '5/\\xe2\\x80\\x8bs' (expected a number per second or minute, e.g. 20/s or 30/m)\n");
	expect_parse_error(
		"a control byte in a burst",
		"interface e role external\nrule a external in tcp 1 limit 5/s burst 9\x1b\n",
		FILE_NAME
		":2:42: burst must be a number from 1 to 1000000, not '9\\x1b'\n");
	expect_parse_error(
		"a control byte in flows max",
		"interface e role external\nflows max \x7f\n",
		FILE_NAME
		":2:11: the flow table takes 1024 to 16777216 flows, not '\\x7f'\n");

	/* A word of 255 characters, the longest: shown cut to 64 and "...". */
	memset(long_word, 'a', TOKEN_MAX - 1);
	long_word[TOKEN_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "interface e role external\n%s\n",
		 long_word);
	snprintf(
		want, sizeof(want),
		FILE_NAME
		":2:1: expected a statement (mode, interface, set, rule, policy, fragments, flows, icmp, events, metrics, partners, control or pool), found '%.*s...'\n",
		PRINTABLE_LEN - 4, long_word);
	expect_parse_error("a long word is cut", text, want);

	/* The file's name is shown escaped too. */
	{
		struct config c;
		char *diag;
		size_t diag_len;
		FILE *f = diag_open(&diag, &diag_len);
		int errors =
			config_parse("bad\nname\x01.conf", "bogus\n", 6, &c, f);

		fclose(f);
		CHECK(errors == 1 &&
			      !strncmp(diag, "bad\\x0aname\\x01.conf:1:1: ",
				       strlen("bad\\x0aname\\x01.conf:1:1: ")),
		      "the file's name is shown escaped");
		if (!errors)
			config_free(&c);
		free(diag);
	}
}

int main(void)
{
	test_example();
	test_pool();
	test_defaults();
	test_syntax();
	test_errors();
	test_events();
	test_metrics();
	test_many_errors();
	test_candidate_limit();
	test_port_classes();
	test_class_flags();
	test_set_keys();
	test_mapped();
	test_set_limit();
	test_many_names();
	test_raw_input();
	return tap_done();
}
