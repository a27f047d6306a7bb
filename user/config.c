// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "config_lex.h"
#include "duration.h"

#define MAX_ERRORS 20

struct parser {
	struct lexer lx;
	struct token tok;
	struct config *c;
	const char *file;
	FILE *diag;
	int errors;
	int depth; /* open braces */
	bool mode_seen;
	bool policy_seen[EDGEFW_NR_ROLES][EDGEFW_NR_DIRS];
	bool fragments_seen[EDGEFW_NR_ROLES];
	bool flows_seen;
	bool icmp_seen;
	bool resolver_seen, refresh_seen, grace_seen, timeout_seen,
		anchor_seen; /* partners ... */
	size_t domains; /* in all sets so far */
	bool control_ttl_seen, control_partners_seen;
	size_t sets_cap, rules_cap, ifaces_cap; /* of the config's arrays */
	size_t set_ids; /* named sets and inline prefixes so far */
	size_t rbrace_off; /* of the '}' that closed the last list */
	bool events_seen;
};

static const char *const role_names[] = { "external", "internal" };
static const char *const dir_names[] = { "in", "out" };
static const char *const action_names[] = { "drop", "pass" };
static const char *const mode_names[] = { "enforce", "monitor" };
static const char *const icmp_errors_names[] = { "related", "any" };
static const char *const control_partners_names[] = { "refuse", "allow" };

const char *role_name(unsigned int role)
{
	return role < ARRAY_SIZE(role_names) ? role_names[role] : "?";
}

const char *dir_name(unsigned int dir)
{
	return dir < ARRAY_SIZE(dir_names) ? dir_names[dir] : "?";
}

const char *action_name(unsigned int action)
{
	return action < ARRAY_SIZE(action_names) ? action_names[action] : "?";
}

const char *mode_name(unsigned int mode)
{
	return mode < ARRAY_SIZE(mode_names) ? mode_names[mode] : "?";
}

const char *control_partners_name(bool allow)
{
	return control_partners_names[allow];
}

const char *icmp_errors_name(unsigned int v)
{
	return v < ARRAY_SIZE(icmp_errors_names) ? icmp_errors_names[v] : "?";
}

static void vdiag(FILE *diag, const char *file, struct src_loc loc,
		  const char *fmt, va_list ap)
{
	char shown[PATH_MAX];

	fprintf(diag, "%s:%u:%u: ", printable(file, shown, sizeof(shown)),
		loc.line, loc.col);
	vfprintf(diag, fmt, ap);
	fputc('\n', diag);
}

void config_diag(const struct config *c, FILE *diag, struct src_loc loc,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(diag, c->path, loc, fmt, ap);
	va_end(ap);
}

static void error_at(struct parser *ps, struct src_loc loc, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));
static void error_at(struct parser *ps, struct src_loc loc, const char *fmt,
		     ...)
{
	va_list ap;

	if (++ps->errors > MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vdiag(ps->diag, ps->file, loc, fmt, ap);
	va_end(ap);
}

static void next(struct parser *ps)
{
	lexer_next(&ps->lx, &ps->tok);
	if (ps->tok.kind == TOK_BAD)
		error_at(ps, ps->tok.loc, "%s", ps->tok.text);
}

static bool at_word(const struct parser *ps, const char *word)
{
	return ps->tok.kind == TOK_WORD && !strcmp(ps->tok.text, word);
}

static int unexpected(struct parser *ps, const char *expected)
{
	char shown[PRINTABLE_LEN];

	if (ps->tok.kind != TOK_BAD)
		error_at(ps, ps->tok.loc, "expected %s, found '%s'", expected,
			 token_describe(&ps->tok, shown));
	return -1;
}

/* The current word as messages show it. */
static const char *word_shown(const struct parser *ps,
			      char shown[PRINTABLE_LEN])
{
	return printable(ps->tok.text, shown, PRINTABLE_LEN);
}

/* One of choices, by index; on anything else an error naming them. */
static int parse_choice(struct parser *ps, const char *what,
			const char *const *choices, size_t n)
{
	char expected[128];
	size_t i, off;

	for (i = 0; ps->tok.kind == TOK_WORD && i < n; i++) {
		if (!strcmp(ps->tok.text, choices[i])) {
			next(ps);
			return (int)i;
		}
	}
	off = snprintf(expected, sizeof(expected), "%s (", what);
	for (i = 0; i < n && off < sizeof(expected); i++)
		off += snprintf(expected + off, sizeof(expected) - off, "%s%s",
				i ? (i + 1 == n ? " or " : ", ") : "",
				choices[i]);
	if (off < sizeof(expected))
		snprintf(expected + off, sizeof(expected) - off, ")");
	return unexpected(ps, expected);
}

#define PARSE_CHOICE(ps, what, names) \
	parse_choice(ps, what, names, ARRAY_SIZE(names))

/* A letter first: a word starting with a digit is an address or prefix. */
bool config_valid_name(const char *s)
{
	size_t i;

	if (!isalpha((unsigned char)s[0]) || strlen(s) >= NAME_LEN)
		return false;
	for (i = 1; s[i]; i++) {
		if (!isalnum((unsigned char)s[i]) && !strchr("_-.", s[i]))
			return false;
	}
	return strcmp(s, "any") && strcmp(s, "self");
}

static int parse_name(struct parser *ps, const char *what, char *out)
{
	char shown[PRINTABLE_LEN];

	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps, what);
	if (!config_valid_name(ps->tok.text)) {
		error_at(
			ps, ps->tok.loc,
			"invalid %s '%s': use up to %d letters, digits, '_', '-' or '.', starting with a letter (not 'any' or 'self')",
			what, word_shown(ps, shown), NAME_LEN - 1);
		return -1;
	}
	strcpy(out, ps->tok.text);
	next(ps);
	return 0;
}

/* A statement's first word: no list item can be one. */
static bool is_keyword(const struct token *t);

typedef int (*item_fn)(struct parser *ps, void *ctx);

/*
 * ITEM {, ITEM} on one line, or "{ ITEM ... }" where items are separated
 * by commas or line ends and the list may span lines.
 */
static int parse_list(struct parser *ps, const char *what, item_fn item,
		      void *ctx, bool braces_allowed)
{
	struct src_loc open = ps->tok.loc;

	if (ps->tok.kind == TOK_LBRACE && braces_allowed) {
		ps->depth++;
		next(ps);
		for (;;) {
			while (ps->tok.kind == TOK_NEWLINE ||
			       ps->tok.kind == TOK_COMMA)
				next(ps);
			if (ps->tok.kind == TOK_RBRACE) {
				ps->depth--;
				ps->rbrace_off = ps->tok.off;
				next(ps);
				return 0;
			}
			if (ps->tok.kind == TOK_EOF || is_keyword(&ps->tok)) {
				error_at(ps, open,
					 "'{' is never closed by a '}'");
				return -1;
			}
			if (ps->tok.kind != TOK_WORD)
				return unexpected(ps, what);
			if (item(ps, ctx))
				return -1;
			if (ps->tok.kind != TOK_COMMA &&
			    ps->tok.kind != TOK_NEWLINE &&
			    ps->tok.kind != TOK_RBRACE)
				return unexpected(ps, "',', a line end or '}'");
		}
	}
	for (;;) {
		if (ps->tok.kind != TOK_WORD)
			return unexpected(ps, what);
		if (item(ps, ctx))
			return -1;
		if (ps->tok.kind != TOK_COMMA)
			return 0;
		next(ps);
	}
}

static int parse_prefix_word(struct parser *ps, struct prefix *p,
			     bool address_only)
{
	char why[160];
	int err;

	err = address_only ? addr_parse(ps->tok.text, p, why, sizeof(why))
			   : prefix_parse(ps->tok.text, p, why, sizeof(why));
	if (err) {
		error_at(ps, ps->tok.loc, "%s", why);
		return -1;
	}
	next(ps);
	return 0;
}

static int parse_mode(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	int mode;

	next(ps);
	mode = PARSE_CHOICE(ps, "a mode", mode_names);
	if (mode < 0)
		return -1;
	if (ps->mode_seen) {
		error_at(ps, loc, "mode is set twice");
		return -1;
	}
	ps->mode_seen = true;
	ps->c->mode = mode;
	return 0;
}

static int iface_address(struct parser *ps, void *ctx)
{
	struct cfg_iface *ifc = ctx;
	struct prefix p;
	size_t i;

	if (parse_prefix_word(ps, &p, true))
		return -1;
	for (i = 0; i < ifc->nr_addrs; i++) {
		if (!prefix_cmp(&ifc->addrs[i], &p))
			return 0;
	}
	if (ifc->nr_addrs == EDGEFW_MAX_SELF_ADDRS) {
		error_at(ps, ps->tok.loc,
			 "interface %s: more than %d addresses", ifc->name,
			 EDGEFW_MAX_SELF_ADDRS);
		return -1;
	}
	ifc->addrs =
		xrealloc(ifc->addrs, ifc->nr_addrs + 1, sizeof(*ifc->addrs));
	ifc->addrs[ifc->nr_addrs++] = p;
	return 0;
}

static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < IF_NAMESIZE && !strchr(s, '/') && !strchr(s, ':') &&
	       strcmp(s, ".") && strcmp(s, "..");
}

static int parse_interface(struct parser *ps)
{
	struct config *c = ps->c;
	struct cfg_iface ifc = { .loc = ps->tok.loc };
	char shown[PRINTABLE_LEN];
	int role, first;

	next(ps);
	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps, "an interface name");
	if (!valid_ifname(ps->tok.text)) {
		error_at(
			ps, ps->tok.loc,
			"invalid interface name '%s': at most %d characters, no '/' or ':'",
			word_shown(ps, shown), IF_NAMESIZE - 1);
		return -1;
	}
	first = config_find_iface(c, ps->tok.text);
	if (first >= 0) {
		error_at(ps, ps->tok.loc,
			 "interface %s is configured twice (first on line %u)",
			 word_shown(ps, shown), c->ifaces[first].loc.line);
		return -1;
	}
	if (c->nr_ifaces == EDGEFW_MAX_IFACES) {
		error_at(ps, ps->tok.loc, "more than %d interfaces",
			 EDGEFW_MAX_IFACES);
		return -1;
	}
	strcpy(ifc.name, ps->tok.text);
	next(ps);
	if (!at_word(ps, "role"))
		return unexpected(ps, "'role'");
	next(ps);
	role = PARSE_CHOICE(ps, "a role", role_names);
	if (role < 0)
		return -1;
	ifc.role = role;
	if (at_word(ps, "address")) {
		next(ps);
		ifc.addrs_given = true;
		if (parse_list(ps, "an address", iface_address, &ifc, true)) {
			free(ifc.addrs);
			return -1;
		}
	}
	GROW(c->ifaces, ps->ifaces_cap, c->nr_ifaces + 1);
	c->ifaces[c->nr_ifaces] = ifc;
	name_index_add(&c->iface_names, NAMES_OF(c->ifaces, name),
		       c->nr_ifaces++);
	return 0;
}

const struct cfg_domain *config_find_domain(const struct cfg_set *s,
					    const char *domain)
{
	for (size_t i = 0; i < s->nr_domains; i++) {
		if (!strcmp(s->domains[i].name, domain))
			return &s->domains[i];
	}
	return NULL;
}

/* domain NAME [secure]: a partner by XMPP domain, resolved into the set */
static int set_domain(struct parser *ps, struct cfg_set *set)
{
	struct cfg_domain d = { .loc = ps->tok.loc };
	const struct cfg_domain *first;
	char why[256];

	next(ps);
	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps, "a domain name");
	if (dnsname_parse(ps->tok.text, d.name, why, sizeof(why))) {
		error_at(ps, ps->tok.loc, "%s", why);
		return -1;
	}
	first = config_find_domain(set, d.name);
	if (first) {
		error_at(ps, ps->tok.loc,
			 "domain %s is in set %s twice (first on line %u)",
			 d.name, set->name, first->loc.line);
		return -1;
	}
	if (++ps->domains > CONFIG_MAX_DOMAINS) {
		error_at(ps, ps->tok.loc, "more than %d partner domains",
			 CONFIG_MAX_DOMAINS);
		return -1;
	}
	next(ps);
	if (at_word(ps, "secure")) {
		d.secure = true;
		next(ps);
	}
	GROW(set->domains, set->domains_cap, set->nr_domains + 1);
	set->domains[set->nr_domains++] = d;
	return 0;
}

static int set_prefix(struct parser *ps, void *ctx)
{
	struct cfg_set *set = ctx;
	struct prefix p;

	if (at_word(ps, "domain"))
		return set_domain(ps, set);
	if (parse_prefix_word(ps, &p, false))
		return -1;
	GROW(set->prefixes, set->cap, set->nr_prefixes + 1);
	set->prefixes[set->nr_prefixes++] = p;
	return 0;
}

/*
 * Count a named set or an inline prefix of a rule, which the compiler
 * makes a set of its own (compile.h), in the order of the file: the one
 * beyond EDGEFW_MAX_SETS is an error, reported where it is written.
 */
static int count_set_id(struct parser *ps, struct src_loc loc)
{
	if (++ps->set_ids != EDGEFW_MAX_SETS + 1)
		return 0;
	error_at(ps, loc,
		 "more than %d sets (inline prefixes count as one each)",
		 EDGEFW_MAX_SETS);
	return -1;
}

static int parse_set(struct parser *ps)
{
	struct config *c = ps->c;
	struct cfg_set set = { .loc = ps->tok.loc };
	struct src_loc name_loc;
	int first;

	next(ps);
	name_loc = ps->tok.loc;
	if (parse_name(ps, "set name", set.name))
		return -1;
	first = config_find_set(c, set.name);
	if (first >= 0) {
		error_at(ps, name_loc,
			 "set %s is defined twice (first on line %u)", set.name,
			 c->sets[first].loc.line);
		return -1;
	}
	if (ps->tok.kind != TOK_LBRACE)
		return unexpected(ps, "'{'");
	set.body_start = ps->tok.off + 1;
	if (parse_list(ps, "a prefix or 'domain NAME'", set_prefix, &set,
		       true) ||
	    count_set_id(ps, set.loc)) {
		free(set.prefixes);
		free(set.domains);
		return -1;
	}
	set.body_end = ps->rbrace_off;
	GROW(c->sets, ps->sets_cap, c->nr_sets + 1);
	c->sets[c->nr_sets] = set;
	name_index_add(&c->set_names, NAMES_OF(c->sets, name), c->nr_sets++);
	return 0;
}

static const char *const proto_names[] = { "tcp", "udp", "icmp", "icmpv6" };

static int rule_proto(struct parser *ps, void *ctx)
{
	struct cfg_rule *r = ctx;
	struct src_loc loc = ps->tok.loc;
	int i = PARSE_CHOICE(ps, "a protocol", proto_names);

	if (i < 0)
		return -1;
	if (r->protos & (1u << i)) {
		error_at(ps, loc, "protocol %s is listed twice",
			 proto_names[i]);
		return -1;
	}
	r->protos |= 1u << i;
	return 0;
}

/* s: one number of the current word, which messages name whole */
static int parse_port_number(struct parser *ps, const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	char shown[PRINTABLE_LEN];

	if (!isdigit((unsigned char)*s) || *end || errno) {
		error_at(ps, ps->tok.loc, "malformed port '%s'",
			 word_shown(ps, shown));
		return -1;
	}
	if (v < 1 || v > 65535) {
		error_at(ps, ps->tok.loc, "port %s out of range (1-65535)",
			 printable(s, shown, sizeof(shown)));
		return -1;
	}
	*port = v;
	return 0;
}

static int rule_port(struct parser *ps, void *ctx)
{
	struct cfg_rule *r = ctx;
	char lo[TOKEN_MAX], shown[PRINTABLE_LEN], *dash;
	struct port_range range;

	snprintf(lo, sizeof(lo), "%s", ps->tok.text);
	dash = strchr(lo, '-');
	if (dash)
		*dash = '\0';
	if (parse_port_number(ps, lo, &range.lo))
		return -1;
	range.hi = range.lo;
	if (dash && parse_port_number(ps, dash + 1, &range.hi))
		return -1;
	if (range.hi < range.lo) {
		error_at(ps, ps->tok.loc, "empty port range %s",
			 word_shown(ps, shown));
		return -1;
	}
	r->ports = xrealloc(r->ports, r->nr_ports + 1, sizeof(range));
	r->ports[r->nr_ports++] = range;
	next(ps);
	return 0;
}

static int parse_peer(struct parser *ps, struct peer *p)
{
	const char *w = ps->tok.text;

	p->loc = ps->tok.loc;
	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps, "a set name, prefix, 'self' or 'any'");
	if (!strcmp(w, "any")) {
		p->kind = PEER_ANY;
	} else if (!strcmp(w, "self")) {
		p->kind = PEER_SELF;
	} else if (strchr(w, ':') || isdigit((unsigned char)w[0])) {
		p->kind = PEER_PREFIX;
		return parse_prefix_word(ps, &p->prefix, false);
	} else {
		p->kind = PEER_SET;
		return parse_name(ps, "set name", p->set_name);
	}
	next(ps);
	return 0;
}

static void rule_free(struct cfg_rule *r)
{
	free(r->ports);
	r->ports = NULL;
}

#define LIMIT_MAX_BURST 1000000

/* "R/s" or "R/m": a rate of 1 to 10^9 per second. */
static int parse_rate(struct parser *ps, struct rate_limit *l)
{
	char shown[PRINTABLE_LEN], *end;
	unsigned long rate;

	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps, "a rate such as 20/s or 30/m");
	errno = 0;
	rate = strtoul(ps->tok.text, &end, 10);
	if (!isdigit((unsigned char)ps->tok.text[0]) || errno ||
	    (strcmp(end, "/s") && strcmp(end, "/m"))) {
		error_at(
			ps, ps->tok.loc,
			"malformed rate '%s' (expected a number per second or minute, e.g. 20/s or 30/m)",
			word_shown(ps, shown));
		return -1;
	}
	l->unit = end[1] == 's' ? 1 : 60;
	if (rate < 1 || rate > 1000000000UL * l->unit) {
		error_at(ps, ps->tok.loc,
			 "rate %s out of range (1/m-1000000000/s)",
			 word_shown(ps, shown));
		return -1;
	}
	l->rate = rate;
	l->burst = rate; /* a second's (or minute's) worth by default */
	next(ps);
	return 0;
}

static int parse_burst(struct parser *ps, struct rate_limit *l)
{
	char shown[PRINTABLE_LEN], *end;
	unsigned long burst;

	next(ps);
	errno = 0;
	burst = strtoul(ps->tok.text, &end, 10);
	if (ps->tok.kind != TOK_WORD || *end || errno ||
	    !isdigit((unsigned char)ps->tok.text[0]) || burst < 1 ||
	    burst > LIMIT_MAX_BURST) {
		error_at(ps, ps->tok.loc,
			 "burst must be a number from 1 to %d, not '%s'",
			 LIMIT_MAX_BURST, token_describe(&ps->tok, shown));
		return -1;
	}
	l->burst = burst;
	next(ps);
	return 0;
}

/* limit R/s|R/m [burst B] [per source|total] */
static int parse_limit(struct parser *ps, struct rate_limit *l)
{
	next(ps);
	if (parse_rate(ps, l))
		return -1;
	l->kind = EDGEFW_LIMIT_PER_SOURCE;
	if (at_word(ps, "burst") && parse_burst(ps, l))
		return -1;
	if (at_word(ps, "per")) {
		next(ps);
		if (!at_word(ps, "source"))
			return unexpected(ps, "'source' after 'per'");
		next(ps);
	} else if (at_word(ps, "total")) {
		l->kind = EDGEFW_LIMIT_TOTAL;
		next(ps);
	}
	return 0;
}

static int parse_rule_clauses(struct parser *ps, struct cfg_rule *r)
{
	bool from_seen = false, to_seen = false;

	while (ps->tok.kind == TOK_WORD) {
		struct src_loc loc = ps->tok.loc;
		bool *seen;
		struct peer *peer;

		if (at_word(ps, "limit")) {
			if (r->limit.kind != EDGEFW_LIMIT_NONE) {
				error_at(ps, loc, "'limit' is given twice");
				return -1;
			}
			if (parse_limit(ps, &r->limit))
				return -1;
			continue;
		}
		if (at_word(ps, "from")) {
			seen = &from_seen;
			peer = &r->from;
		} else if (at_word(ps, "to")) {
			seen = &to_seen;
			peer = &r->to;
		} else {
			return unexpected(
				ps, "'from', 'to', 'limit' or a line end");
		}
		if (*seen) {
			error_at(ps, loc, "'%s' is given twice", ps->tok.text);
			return -1;
		}
		*seen = true;
		next(ps);
		if (parse_peer(ps, peer))
			return -1;
	}
	return 0;
}

static int parse_rule(struct parser *ps)
{
	struct config *c = ps->c;
	struct cfg_rule r = { .loc = ps->tok.loc };
	struct src_loc loc;
	int v;

	next(ps);
	loc = ps->tok.loc;
	if (parse_name(ps, "rule name", r.name))
		return -1;
	v = name_index_find(&c->rule_names, NAMES_OF(c->rules, name), r.name);
	if (v >= 0) {
		error_at(ps, loc, "rule %s is defined twice (first on line %u)",
			 r.name, c->rules[v].loc.line);
		return -1;
	}
	if (c->nr_rules == EDGEFW_MAX_RULES) {
		error_at(ps, loc, "more than %d rules", EDGEFW_MAX_RULES);
		return -1;
	}
	r.role_loc = ps->tok.loc;
	v = PARSE_CHOICE(ps, "a role", role_names);
	if (v < 0)
		return -1;
	r.role = v;
	v = PARSE_CHOICE(ps, "a direction", dir_names);
	if (v < 0)
		return -1;
	r.dir = v;
	if (parse_list(ps, "a protocol", rule_proto, &r, false))
		goto fail;
	if (ps->tok.kind == TOK_WORD &&
	    isdigit((unsigned char)ps->tok.text[0])) {
		loc = ps->tok.loc;
		if (parse_list(ps, "a port", rule_port, &r, false))
			goto fail;
		if (r.protos & ~(PROTO_TCP | PROTO_UDP)) {
			error_at(ps, loc, "ports apply to tcp and udp only");
			goto fail;
		}
	}
	if (parse_rule_clauses(ps, &r) ||
	    (r.from.kind == PEER_PREFIX && count_set_id(ps, r.from.loc)) ||
	    (r.to.kind == PEER_PREFIX && count_set_id(ps, r.to.loc)))
		goto fail;
	GROW(c->rules, ps->rules_cap, c->nr_rules + 1);
	c->rules[c->nr_rules] = r;
	name_index_add(&c->rule_names, NAMES_OF(c->rules, name), c->nr_rules++);
	return 0;
fail:
	rule_free(&r);
	return -1;
}

static int parse_policy(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	int role, dir, action;

	next(ps);
	role = PARSE_CHOICE(ps, "a role", role_names);
	if (role < 0)
		return -1;
	dir = PARSE_CHOICE(ps, "a direction", dir_names);
	if (dir < 0)
		return -1;
	action = PARSE_CHOICE(ps, "a policy", action_names);
	if (action < 0)
		return -1;
	if (ps->policy_seen[role][dir]) {
		error_at(ps, loc, "policy %s %s is set twice", role_name(role),
			 dir_name(dir));
		return -1;
	}
	ps->policy_seen[role][dir] = true;
	ps->c->policy[role][dir] = action;
	return 0;
}

static int parse_fragments(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	int role, action;

	next(ps);
	role = PARSE_CHOICE(ps, "a role", role_names);
	if (role < 0)
		return -1;
	action = PARSE_CHOICE(ps, "a fragment policy", action_names);
	if (action < 0)
		return -1;
	if (ps->fragments_seen[role]) {
		error_at(ps, loc, "fragments %s is set twice", role_name(role));
		return -1;
	}
	ps->fragments_seen[role] = true;
	ps->c->fragments[role] = action;
	return 0;
}

/* flows max N: the size of the flow table (an LRU: the oldest go first) */
static int parse_flows(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	char shown[PRINTABLE_LEN], *end;
	unsigned long n;

	next(ps);
	if (!at_word(ps, "max"))
		return unexpected(ps, "'max'");
	next(ps);
	errno = 0;
	n = strtoul(ps->tok.text, &end, 10);
	if (ps->tok.kind != TOK_WORD ||
	    !isdigit((unsigned char)ps->tok.text[0]) || *end || errno ||
	    n < EDGEFW_FLOW_MIN_ENTRIES || n > EDGEFW_FLOW_MAX_ENTRIES_LIMIT) {
		error_at(ps, ps->tok.loc,
			 "the flow table takes %u to %u flows, not '%s'",
			 EDGEFW_FLOW_MIN_ENTRIES, EDGEFW_FLOW_MAX_ENTRIES_LIMIT,
			 token_describe(&ps->tok, shown));
		return -1;
	}
	if (ps->flows_seen) {
		error_at(ps, loc, "flows max is set twice");
		return -1;
	}
	ps->flows_seen = true;
	ps->c->flows_max = n;
	next(ps);
	return 0;
}

/* icmp errors related|any: which ICMP errors pass (enum edgefw_icmp_errors) */
static int parse_icmp(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	int v;

	next(ps);
	if (!at_word(ps, "errors"))
		return unexpected(ps, "'errors'");
	next(ps);
	v = PARSE_CHOICE(ps, "which ICMP errors pass", icmp_errors_names);
	if (v < 0)
		return -1;
	if (ps->icmp_seen) {
		error_at(ps, loc, "icmp errors is set twice");
		return -1;
	}
	ps->icmp_seen = true;
	ps->c->icmp_errors = v;
	return 0;
}

/*
 * events off | events [rate R/s|R/m [burst B]] [sample R/s|R/m [burst B] |
 * sample off]: the drop events of `edgefw monitor` and the samples of the
 * daemon's drop summary, all CPUs together (each CPU takes its share).
 * What the statement leaves out keeps its default.
 */
static int parse_events(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	struct rate_limit l = {}, sl = {};
	bool off = false, sample_off = false, any = false;

	next(ps);
	if (at_word(ps, "off")) {
		next(ps);
		off = any = true;
	}
	if (!off && at_word(ps, "rate")) {
		next(ps);
		if (parse_rate(ps, &l))
			return -1;
		if (at_word(ps, "burst") && parse_burst(ps, &l))
			return -1;
		any = true;
	}
	if (!off && at_word(ps, "sample")) {
		next(ps);
		if (at_word(ps, "off")) {
			next(ps);
			sample_off = true;
		} else {
			if (parse_rate(ps, &sl))
				return -1;
			if (at_word(ps, "burst") && parse_burst(ps, &sl))
				return -1;
		}
		any = true;
	}
	if (!any)
		return unexpected(ps, "'rate', 'sample' or 'off'");
	if (ps->events_seen) {
		error_at(ps, loc, "events is set twice");
		return -1;
	}
	ps->events_seen = true;
	ps->c->events.off = off;
	if (l.rate) {
		ps->c->events.rate = l.rate;
		ps->c->events.unit = l.unit;
		ps->c->events.burst = l.burst;
	}
	ps->c->events.sample_off = off || sample_off;
	if (sl.rate) {
		ps->c->events.sample_rate = sl.rate;
		ps->c->events.sample_unit = sl.unit;
		ps->c->events.sample_burst = sl.burst;
	}
	return 0;
}

/*
 * metrics listen ADDR:PORT: the daemon serves the Prometheus metrics
 * there (README, Metrics). Checked here; a port that is taken is found
 * when the daemon binds it.
 */
static int parse_metrics(struct parser *ps)
{
	struct cfg_metrics *m = &ps->c->metrics;
	struct src_loc loc = ps->tok.loc;
	char why[256];

	next(ps);
	if (!at_word(ps, "listen"))
		return unexpected(ps, "'listen'");
	next(ps);
	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps,
				  "an address and port such as 127.0.0.1:9101");
	if (m->listen) {
		error_at(ps, loc,
			 "metrics listen is set twice (first on line %u)",
			 m->loc.line);
		return -1;
	}
	if (endpoint_parse(ps->tok.text, &m->at, why, sizeof(why))) {
		error_at(ps, ps->tok.loc, "metrics listen: %s", why);
		return -1;
	}
	m->listen = true;
	m->loc = ps->tok.loc;
	next(ps);
	return 0;
}

/* An absolute file name of the pool's tls clause. */
static int pool_file(struct parser *ps, const char *what, char *out, size_t len)
{
	char shown[PRINTABLE_LEN];

	if (ps->tok.kind != TOK_WORD || ps->tok.text[0] != '/') {
		char expected[96];

		snprintf(expected, sizeof(expected),
			 "the absolute file name of %s", what);
		return unexpected(ps, expected);
	}
	if (strlen(ps->tok.text) >= len) {
		error_at(ps, ps->tok.loc, "'%s' is too long",
			 word_shown(ps, shown));
		return -1;
	}
	strcpy(out, ps->tok.text);
	next(ps);
	return 0;
}

/*
 * pool etcd URL[, URL...] prefix PATH [tls CA CERT KEY]: the servers this
 * one shares its blocklist, set changes and partner domains with (README,
 * Pool). One scheme for all endpoints: https needs tls, http refuses it.
 */
static int parse_pool(struct parser *ps)
{
	struct cfg_pool p = { .loc = ps->tok.loc };
	struct src_loc scheme_loc = {};
	char why[256];
	bool tls;

	next(ps);
	if (!at_word(ps, "etcd"))
		return unexpected(ps, "'etcd'");
	next(ps);
	for (;;) {
		if (ps->tok.kind != TOK_WORD)
			return unexpected(
				ps,
				"an etcd endpoint such as http://127.0.0.1:2379");
		if (pool_url_check(ps->tok.text, &tls, why, sizeof(why))) {
			error_at(ps, ps->tok.loc, "pool: %s", why);
			return -1;
		}
		if (p.nr_endpoints == POOL_MAX_ENDPOINTS) {
			error_at(ps, ps->tok.loc,
				 "pool: more than %d endpoints",
				 POOL_MAX_ENDPOINTS);
			return -1;
		}
		if (p.nr_endpoints && tls != p.tls) {
			error_at(
				ps, ps->tok.loc,
				"pool: http and https endpoints mixed (the first is on column %u)",
				scheme_loc.col);
			return -1;
		}
		if (!p.nr_endpoints)
			scheme_loc = ps->tok.loc;
		p.tls = tls;
		strcpy(p.endpoints[p.nr_endpoints++], ps->tok.text);
		next(ps);
		if (ps->tok.kind != TOK_COMMA)
			break;
		next(ps);
	}
	if (!at_word(ps, "prefix"))
		return unexpected(ps, "',' or 'prefix'");
	next(ps);
	if (ps->tok.kind != TOK_WORD)
		return unexpected(
			ps, "the pool's key prefix, such as /edgefw/pool1");
	if (pool_prefix_check(ps->tok.text, why, sizeof(why))) {
		error_at(ps, ps->tok.loc, "pool: %s", why);
		return -1;
	}
	strcpy(p.prefix, ps->tok.text);
	next(ps);
	if (at_word(ps, "tls")) {
		struct src_loc tls_loc = ps->tok.loc;

		next(ps);
		if (pool_file(ps, "the CA", p.ca, sizeof(p.ca)) ||
		    pool_file(ps, "the client certificate", p.cert,
			      sizeof(p.cert)) ||
		    pool_file(ps, "the client key", p.key, sizeof(p.key)))
			return -1;
		if (!p.tls) {
			error_at(
				ps, tls_loc,
				"pool: tls with http endpoints (use https://)");
			return -1;
		}
	} else if (p.tls) {
		error_at(
			ps, scheme_loc,
			"pool: https endpoints need 'tls CA CERT KEY' after the prefix");
		return -1;
	}
	if (ps->c->pool.on) {
		error_at(ps, p.loc, "pool is set twice (first on line %u)",
			 ps->c->pool.loc.line);
		return -1;
	}
	p.on = true;
	ps->c->pool = p;
	return 0;
}

/* A duration clause of partners: seconds from min to max. */
static int partners_duration(struct parser *ps, const char *what, int64_t min,
			     int64_t max, uint32_t *out)
{
	char shown[PRINTABLE_LEN];
	int64_t v = ps->tok.kind == TOK_WORD ? duration_parse(ps->tok.text)
					     : -1;

	if (v < min || v > max) {
		char lo[32], hi[32];

		duration_format(min, lo, sizeof(lo));
		duration_format(max, hi, sizeof(hi));
		error_at(
			ps, ps->tok.loc,
			"%s takes a duration from %s to %s (90s, 15m, 2h, 1d), not '%s'",
			what, lo, hi, token_describe(&ps->tok, shown));
		return -1;
	}
	*out = v;
	next(ps);
	return 0;
}

static bool clause_once(struct parser *ps, bool *seen, struct src_loc loc,
			const char *what)
{
	if (*seen) {
		error_at(ps, loc, "partners %s is set twice", what);
		return false;
	}
	*seen = true;
	return true;
}

/* partners resolver ADDR[@PORT] */
static int partners_resolver(struct parser *ps, struct cfg_partners *pc)
{
	char shown[PRINTABLE_LEN], addr[TOKEN_MAX], why[160], *at, *end;
	struct prefix p;
	unsigned long port = 53;

	if (ps->tok.kind != TOK_WORD)
		return unexpected(ps,
				  "a resolver's address (ADDR or ADDR@PORT)");
	snprintf(addr, sizeof(addr), "%s", ps->tok.text);
	at = strchr(addr, '@');
	if (at) {
		*at = '\0';
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (!isdigit((unsigned char)at[1]) || *end || errno ||
		    port < 1 || port > 65535) {
			error_at(ps, ps->tok.loc,
				 "invalid port in resolver '%s': 1 to 65535",
				 word_shown(ps, shown));
			return -1;
		}
	}
	if (addr_parse(addr, &p, why, sizeof(why))) {
		error_at(ps, ps->tok.loc, "resolver: %s", why);
		return -1;
	}
	inet_ntop(p.family == EDGEFW_FAMILY_IPV4 ? AF_INET : AF_INET6, &p.addr,
		  shown, sizeof(shown));
	snprintf(pc->resolver, sizeof(pc->resolver), "%.*s@%lu",
		 INET6_ADDRSTRLEN, shown, port);
	next(ps);
	return 0;
}

/*
 * What members of group edgefw may do through the daemon's control socket:
 *   control block ttl max DUR          the longest block they may add
 *   control block partners refuse|allow  whether they may block partners
 */
static int parse_control(struct parser *ps)
{
	struct src_loc loc = ps->tok.loc;
	char shown[PRINTABLE_LEN];
	int64_t ttl;
	int v;

	next(ps);
	if (!at_word(ps, "block"))
		return unexpected(ps, "'block'");
	next(ps);
	if (at_word(ps, "partners")) {
		next(ps);
		v = PARSE_CHOICE(
			ps, "whether the control socket may block partners",
			control_partners_names);
		if (v < 0)
			return -1;
		if (ps->control_partners_seen) {
			error_at(ps, loc,
				 "control block partners is set twice");
			return -1;
		}
		ps->control_partners_seen = true;
		ps->c->control_block_partners = v;
		return 0;
	}
	if (!at_word(ps, "ttl"))
		return unexpected(ps, "'ttl' or 'partners'");
	next(ps);
	if (!at_word(ps, "max"))
		return unexpected(ps, "'max'");
	next(ps);
	ttl = ps->tok.kind == TOK_WORD ? duration_parse(ps->tok.text) : -1;
	if (ttl < 0) {
		error_at(
			ps, ps->tok.loc,
			"control block ttl max takes a duration such as 90s, 15m, 2h or 7d (up to 10 years), not '%s'",
			token_describe(&ps->tok, shown));
		return -1;
	}
	if (ps->control_ttl_seen) {
		error_at(ps, loc, "control block ttl max is set twice");
		return -1;
	}
	ps->control_ttl_seen = true;
	ps->c->control_ttl_max = ttl;
	next(ps);
	return 0;
}

/*
 * partners CLAUSE...: resolver ADDR[@PORT], refresh min DUR max DUR,
 * grace DUR, timeout DUR, trust-anchor FILE|none; each once in the file.
 */
static int parse_partners(struct parser *ps)
{
	struct cfg_partners *pc = &ps->c->partners;
	char shown[PRINTABLE_LEN];

	next(ps);
	if (ps->tok.kind != TOK_WORD)
		return unexpected(
			ps,
			"resolver, refresh, grace, timeout or trust-anchor");
	while (ps->tok.kind == TOK_WORD) {
		struct src_loc loc = ps->tok.loc;

		if (at_word(ps, "resolver")) {
			next(ps);
			if (!clause_once(ps, &ps->resolver_seen, loc,
					 "resolver") ||
			    partners_resolver(ps, pc))
				return -1;
		} else if (at_word(ps, "refresh")) {
			next(ps);
			if (!clause_once(ps, &ps->refresh_seen, loc, "refresh"))
				return -1;
			if (!at_word(ps, "min"))
				return unexpected(ps, "'min'");
			next(ps);
			if (partners_duration(ps, "refresh min", 1,
					      PARTNERS_REFRESH_MAX * 7,
					      &pc->refresh_min))
				return -1;
			if (!at_word(ps, "max"))
				return unexpected(ps, "'max'");
			next(ps);
			if (partners_duration(
				    ps, "refresh max", pc->refresh_min,
				    PARTNERS_REFRESH_MAX * 7, &pc->refresh_max))
				return -1;
		} else if (at_word(ps, "grace")) {
			next(ps);
			if (!clause_once(ps, &ps->grace_seen, loc, "grace") ||
			    partners_duration(ps, "grace", 1,
					      PARTNERS_REFRESH_MAX * 30,
					      &pc->grace))
				return -1;
		} else if (at_word(ps, "timeout")) {
			next(ps);
			if (!clause_once(ps, &ps->timeout_seen, loc,
					 "timeout") ||
			    partners_duration(ps, "timeout", 1,
					      PARTNERS_TIMEOUT_MAX,
					      &pc->timeout))
				return -1;
		} else if (at_word(ps, "trust-anchor")) {
			next(ps);
			if (!clause_once(ps, &ps->anchor_seen, loc,
					 "trust-anchor"))
				return -1;
			if (ps->tok.kind != TOK_WORD ||
			    ps->tok.text[0] != '/') {
				if (!at_word(ps, "none"))
					return unexpected(
						ps,
						"an absolute file name or 'none'");
			}
			if (strlen(ps->tok.text) >= sizeof(pc->trust_anchor)) {
				error_at(ps, ps->tok.loc, "'%s' is too long",
					 word_shown(ps, shown));
				return -1;
			}
			strcpy(pc->trust_anchor, ps->tok.text);
			next(ps);
		} else {
			return unexpected(
				ps,
				"resolver, refresh, grace, timeout or trust-anchor");
		}
	}
	return 0;
}

static const struct {
	const char *keyword;
	int (*parse)(struct parser *ps);
} statements[] = {
	{ "mode", parse_mode },		{ "interface", parse_interface },
	{ "set", parse_set },		{ "rule", parse_rule },
	{ "policy", parse_policy },	{ "fragments", parse_fragments },
	{ "flows", parse_flows },	{ "icmp", parse_icmp },
	{ "events", parse_events },	{ "metrics", parse_metrics },
	{ "partners", parse_partners }, { "control", parse_control },
	{ "pool", parse_pool },
};

static bool is_keyword(const struct token *t)
{
	for (size_t i = 0; t->kind == TOK_WORD && i < ARRAY_SIZE(statements);
	     i++) {
		if (!strcmp(t->text, statements[i].keyword))
			return true;
	}
	return false;
}

static void skip_statement(struct parser *ps)
{
	while (ps->tok.kind != TOK_EOF) {
		if (ps->tok.kind == TOK_LBRACE)
			ps->depth++;
		else if (ps->tok.kind == TOK_RBRACE && ps->depth > 0)
			ps->depth--;
		else if (ps->tok.kind == TOK_NEWLINE && ps->depth == 0)
			break;
		lexer_next(&ps->lx, &ps->tok);
	}
	ps->depth = 0;
}

static void parse_statement(struct parser *ps)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(statements); i++) {
		if (at_word(ps, statements[i].keyword))
			break;
	}
	if (i == ARRAY_SIZE(statements)) {
		char expected[192];
		size_t off =
			snprintf(expected, sizeof(expected), "a statement (");

		for (i = 0; i < ARRAY_SIZE(statements); i++)
			off += snprintf(expected + off, sizeof(expected) - off,
					"%s%s",
					!i ? ""
					: i + 1 < ARRAY_SIZE(statements)
						? ", "
						: " or ",
					statements[i].keyword);
		snprintf(expected + off, sizeof(expected) - off, ")");
		unexpected(ps, expected);
		skip_statement(ps);
		return;
	}
	if (statements[i].parse(ps) == 0) {
		if (ps->tok.kind == TOK_NEWLINE || ps->tok.kind == TOK_EOF)
			return;
		unexpected(ps, "a line end");
	}
	skip_statement(ps);
}

int config_find_set(const struct config *c, const char *name)
{
	return name_index_find(&c->set_names, NAMES_OF(c->sets, name), name);
}

int config_find_iface(const struct config *c, const char *name)
{
	return name_index_find(&c->iface_names, NAMES_OF(c->ifaces, name),
			       name);
}

static void resolve_peer(struct parser *ps, struct peer *p)
{
	int set;

	if (p->kind != PEER_SET)
		return;
	set = config_find_set(ps->c, p->set_name);
	if (set < 0)
		error_at(ps, p->loc, "unknown set '%s'", p->set_name);
	else
		p->set = set;
}

/* Checks that need the whole file: references and roles. */
static void resolve(struct parser *ps)
{
	struct config *c = ps->c;
	bool role_used[EDGEFW_NR_ROLES] = { false };

	if (c->nr_ifaces == 0) {
		error_at(
			ps, ps->tok.loc,
			"no interface is configured (add: interface NAME role external|internal)");
		return;
	}
	for (size_t i = 0; i < c->nr_ifaces; i++)
		role_used[c->ifaces[i].role] = true;
	for (size_t i = 0; i < c->nr_rules; i++) {
		struct cfg_rule *r = &c->rules[i];

		resolve_peer(ps, &r->from);
		resolve_peer(ps, &r->to);
		if (!role_used[r->role])
			error_at(
				ps, r->role_loc,
				"rule %s is for role %s, but no interface has that role",
				r->name, role_name(r->role));
	}
}

int config_parse(const char *file, const char *text, size_t len,
		 struct config *c, FILE *diag)
{
	struct parser ps = { .c = c, .file = file, .diag = diag };

	memset(c, 0, sizeof(*c));
	c->path = xstrdup(file);
	c->text = xcalloc(len + 1, 1);
	if (len)
		memcpy(c->text, text, len);
	c->text_len = len;
	sha256_hex(text, len, c->hash);
	c->mode = EDGEFW_MODE_ENFORCE;
	/* Safe defaults: nothing passes that no rule admits ... */
	memset(c->policy, EDGEFW_ACT_DROP, sizeof(c->policy));
	/* ... and fragments only pass on the internal side. */
	c->fragments[EDGEFW_ROLE_EXTERNAL] = EDGEFW_ACT_DROP;
	c->fragments[EDGEFW_ROLE_INTERNAL] = EDGEFW_ACT_PASS;
	c->flows_max = EDGEFW_FLOW_MAX_ENTRIES;
	c->events.rate = EDGEFW_EVENTS_RATE;
	c->events.unit = 1;
	c->events.burst = EDGEFW_EVENTS_BURST;
	c->events.sample_rate = EDGEFW_SAMPLES_RATE;
	c->events.sample_unit = 1;
	c->events.sample_burst = EDGEFW_SAMPLES_BURST;
	c->partners.refresh_min = PARTNERS_REFRESH_MIN;
	c->partners.refresh_max = PARTNERS_REFRESH_MAX;
	c->partners.grace = PARTNERS_GRACE;
	c->partners.timeout = PARTNERS_TIMEOUT;
	c->control_ttl_max = CONTROL_TTL_MAX_DEFAULT;

	lexer_init(&ps.lx, text, len);
	next(&ps);
	for (;;) {
		while (ps.tok.kind == TOK_NEWLINE)
			next(&ps);
		if (ps.tok.kind == TOK_EOF)
			break;
		parse_statement(&ps);
	}
	if (ps.errors == 0)
		resolve(&ps);
	if (ps.errors > MAX_ERRORS) {
		char shown[PATH_MAX];

		fprintf(diag, "%s: %d more errors not shown\n",
			printable(file, shown, sizeof(shown)),
			ps.errors - MAX_ERRORS);
	}
	if (ps.errors)
		config_free(c);
	return ps.errors;
}

int config_load(const char *path, struct config *c, FILE *diag)
{
	char shown[PATH_MAX];
	const char *why;
	size_t len;
	char *text = read_input(path, &len, &why);
	int errors;

	if (!text) {
		fprintf(diag, "edgefw: cannot read %s: %s\n",
			printable(path, shown, sizeof(shown)), why);
		return -1;
	}
	errors = config_parse(path, text, len, c, diag);
	free(text);
	return errors;
}

void config_free(struct config *c)
{
	for (size_t i = 0; i < c->nr_ifaces; i++)
		free(c->ifaces[i].addrs);
	for (size_t i = 0; i < c->nr_sets; i++) {
		free(c->sets[i].prefixes);
		free(c->sets[i].domains);
	}
	for (size_t i = 0; i < c->nr_rules; i++)
		rule_free(&c->rules[i]);
	free(c->ifaces);
	free(c->sets);
	free(c->rules);
	name_index_free(&c->set_names);
	name_index_free(&c->rule_names);
	name_index_free(&c->iface_names);
	free(c->path);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

static void protos_format(unsigned int protos, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(proto_names) && off < len; i++) {
		if (protos & (1u << i))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", proto_names[i]);
	}
}

static void ports_format(const struct cfg_rule *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nr_ports && off < len; i++) {
		const struct port_range *p = &r->ports[i];

		off += snprintf(buf + off, len - off, i ? ",%u" : "%u", p->lo);
		if (p->hi != p->lo && off < len)
			off += snprintf(buf + off, len - off, "-%u", p->hi);
	}
}

static void limit_format(const struct rate_limit *l, char *buf, size_t len)
{
	if (l->kind == EDGEFW_LIMIT_NONE) {
		buf[0] = '\0';
		return;
	}
	snprintf(buf, len, "%u/%c burst %u %s", l->rate,
		 l->unit == 1 ? 's' : 'm', l->burst,
		 l->kind == EDGEFW_LIMIT_TOTAL ? "total" : "per source");
}

static void peer_format(const struct config *c, const struct peer *p, char *buf,
			size_t len)
{
	switch (p->kind) {
	case PEER_ANY:
		snprintf(buf, len, "any");
		break;
	case PEER_SELF:
		snprintf(buf, len, "self");
		break;
	case PEER_SET:
		snprintf(buf, len, "%s", c->sets[p->set].name);
		break;
	case PEER_PREFIX:
		prefix_format(&p->prefix, buf, len);
		break;
	}
}

void rule_format(const struct config *c, const struct cfg_rule *r,
		 struct rule_text *t)
{
	protos_format(r->protos, t->protos, sizeof(t->protos));
	ports_format(r, t->ports, sizeof(t->ports));
	peer_format(c, &r->from, t->from, sizeof(t->from));
	peer_format(c, &r->to, t->to, sizeof(t->to));
	limit_format(&r->limit, t->limit, sizeof(t->limit));
}

void events_format(const struct config *c, char *buf, size_t len)
{
	int n;

	if (c->events.off) {
		snprintf(buf, len, "events off");
		return;
	}
	n = snprintf(buf, len, "events rate %u/%c burst %u", c->events.rate,
		     c->events.unit == 1 ? 's' : 'm', c->events.burst);
	if (n < 0 || (size_t)n >= len)
		return;
	if (c->events.sample_off)
		snprintf(buf + n, len - n, " sample off");
	else
		snprintf(buf + n, len - n, " sample %u/%c burst %u",
			 c->events.sample_rate,
			 c->events.sample_unit == 1 ? 's' : 'm',
			 c->events.sample_burst);
}

void pool_format(const struct config *c, char *buf, size_t len)
{
	const struct cfg_pool *p = &c->pool;
	size_t off = 0;

	buf[0] = '\0';
	if (!p->on)
		return;
	off += snprintf(buf, len, "pool etcd");
	for (size_t i = 0; i < p->nr_endpoints && off < len; i++)
		off += snprintf(buf + off, len - off, "%s %s", i ? "," : "",
				p->endpoints[i]);
	if (off < len)
		off += snprintf(buf + off, len - off, " prefix %s", p->prefix);
	if (p->tls && off < len)
		snprintf(buf + off, len - off, " tls %s %s %s", p->ca, p->cert,
			 p->key);
}
