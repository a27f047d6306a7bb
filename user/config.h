/* SPDX-License-Identifier: GPL-2.0 */
/* The configuration language of design.md §3, parsed into a syntax tree. */
#ifndef EDGEFW_CONFIG_H
#define EDGEFW_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include "addr.h"
#include "dnsname.h"
#include "edgefw.h"
#include "endpoint.h"
#include "names.h"
#include "pool_conf.h"
#include "util.h"

#define DEFAULT_CONFIG_PATH "/etc/edgefw/edgefw.conf"
#define NAME_LEN 32 /* rule and set names, with the NUL */
/* control block ttl max: a day, unless the config says otherwise */
#define CONTROL_TTL_MAX_DEFAULT (24 * 3600)

struct src_loc {
	unsigned int line;
	unsigned int col;
};

enum peer_kind {
	PEER_ANY,
	PEER_SELF,
	PEER_SET,
	PEER_PREFIX,
};

struct peer {
	enum peer_kind kind;
	unsigned int set; /* PEER_SET: index into config.sets */
	struct prefix prefix; /* PEER_PREFIX */
	char set_name[NAME_LEN]; /* PEER_SET, as written */
	struct src_loc loc;
};

enum proto_bit {
	PROTO_TCP = 1 << 0,
	PROTO_UDP = 1 << 1,
	PROTO_ICMP = 1 << 2,
	PROTO_ICMPV6 = 1 << 3,
};

struct port_range {
	uint16_t lo;
	uint16_t hi;
};

struct rate_limit {
	uint8_t kind; /* enum edgefw_limit */
	uint32_t rate; /* per unit */
	uint32_t unit; /* seconds: 1 or 60 */
	uint32_t burst;
};

struct cfg_rule {
	char name[NAME_LEN];
	uint8_t role;
	uint8_t dir;
	unsigned int protos; /* enum proto_bit */
	struct port_range *ports; /* none: every port */
	size_t nr_ports;
	struct peer from;
	struct peer to;
	struct rate_limit limit;
	struct src_loc loc;
	struct src_loc role_loc;
};

/* A partner by XMPP domain: its servers' addresses, from DNS, join the set. */
struct cfg_domain {
	char name[DNSNAME_LEN];
	bool secure; /* only DNSSEC-secure answers change the set */
	struct src_loc loc;
};

/* Partner domains in all sets together, config and 'edgefw partner add'. */
#define CONFIG_MAX_DOMAINS 4096

struct cfg_set {
	char name[NAME_LEN];
	struct prefix *prefixes;
	size_t nr_prefixes;
	size_t cap;
	struct cfg_domain *domains;
	size_t nr_domains;
	size_t domains_cap;
	struct src_loc loc;
	/* what lies between its braces, as offsets into the config's text */
	size_t body_start, body_end;
};

/* partners ...: how the partner domains are resolved and refreshed */
struct cfg_partners {
	char resolver[INET6_ADDRSTRLEN + 8]; /* ADDR[@PORT]; "": resolv.conf */
	char trust_anchor[PATH_MAX]; /* "": the default; "none": no DNSSEC */
	uint32_t refresh_min; /* seconds: the TTL is clamped to these */
	uint32_t refresh_max;
	uint32_t grace; /* seconds an address gone from DNS stays */
	uint32_t timeout; /* seconds a resolution may take */
};

#define PARTNERS_REFRESH_MIN 60
#define PARTNERS_REFRESH_MAX 86400
#define PARTNERS_GRACE 3600
#define PARTNERS_TIMEOUT 10
#define PARTNERS_TIMEOUT_MAX 300

struct cfg_iface {
	char name[IF_NAMESIZE];
	uint8_t role;
	bool addrs_given; /* else read from the NIC when loading */
	struct prefix *addrs;
	size_t nr_addrs;
	struct src_loc loc;
};

/* metrics listen ADDR:PORT: where the daemon serves GET /metrics */
struct cfg_metrics {
	bool listen; /* off unless the config says where */
	struct endpoint at;
	struct src_loc loc; /* of ADDR:PORT, for errors found when binding */
};

/* pool etcd URL[, URL...] prefix PATH [tls CA CERT KEY] (README, Pool) */
struct cfg_pool {
	bool on;
	bool tls; /* https endpoints, with the files below */
	char endpoints[POOL_MAX_ENDPOINTS][POOL_URL_LEN];
	size_t nr_endpoints;
	char prefix[POOL_PREFIX_MAX + 1];
	char ca[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	struct src_loc loc;
};

struct config {
	char *path;
	char *text; /* the source, kept as the snapshot of what is loaded */
	size_t text_len;
	char hash[SHA256_HEX_LEN + 1];
	uint8_t mode;
	struct cfg_iface *ifaces;
	size_t nr_ifaces;
	struct cfg_set *sets;
	size_t nr_sets;
	struct cfg_rule *rules;
	size_t nr_rules;
	uint8_t policy[EDGEFW_NR_ROLES][EDGEFW_NR_DIRS]; /* edgefw_action */
	uint8_t fragments[EDGEFW_NR_ROLES]; /* edgefw_action */
	uint32_t flows_max; /* size of the flow table */
	uint8_t icmp_errors; /* enum edgefw_icmp_errors */
	struct cfg_metrics metrics;
	struct cfg_pool pool;
	struct cfg_partners partners;
	/* the control socket's members of group edgefw (control.h) */
	int64_t control_ttl_max; /* seconds: the longest block they add */
	bool control_block_partners; /* they may block partners */
	/* the names of sets, rules and interfaces, indexed (names.h) */
	struct name_index set_names, rule_names, iface_names;
	/*
	 * drop events: events rate RATE/UNIT burst BURST sample RATE/UNIT
	 * burst BURST, all CPUs together: edgefw monitor's stream, and the
	 * samples of the daemon's drop summary (its top sources)
	 */
	struct {
		bool off; /* events off: neither */
		uint32_t rate; /* per unit */
		uint32_t unit; /* seconds: 1 or 60 */
		uint32_t burst;
		bool sample_off; /* events ... sample off */
		uint32_t sample_rate;
		uint32_t sample_unit;
		uint32_t sample_burst;
	} events;
};

/*
 * Parse text, named file in messages. Errors and warnings go to diag as
 * "FILE:LINE:COL: message". Returns the number of errors; on errors the
 * config is freed.
 */
int config_parse(const char *file, const char *text, size_t len,
		 struct config *c, FILE *diag);

/* Read and parse a file ("-" is stdin); -1 if it cannot be read. */
int config_load(const char *path, struct config *c, FILE *diag);

void config_free(struct config *c);

/* Report a problem found after parsing, in the parser's format. */
void config_diag(const struct config *c, FILE *diag, struct src_loc loc,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

int config_find_set(const struct config *c, const char *name);
int config_find_iface(const struct config *c, const char *name);

/* The domain of the config's set, or NULL. */
const struct cfg_domain *config_find_domain(const struct cfg_set *s,
					    const char *domain);

/*
 * A name a set or rule may have: up to NAME_LEN - 1 letters, digits,
 * '_', '-' or '.', a letter first, neither "any" nor "self".
 */
bool config_valid_name(const char *s);

const char *role_name(unsigned int role);
const char *dir_name(unsigned int dir);
const char *action_name(unsigned int action);
const char *mode_name(unsigned int mode);
const char *icmp_errors_name(unsigned int v);
const char *control_partners_name(bool allow);

/* A rule's clauses as text, for status and save. */
struct rule_text {
	char protos[32]; /* "tcp", "tcp,udp" */
	char ports[1024]; /* "5269", "5000-5100,5269"; "" for every port */
	char from[NAME_LEN + PREFIX_STRLEN]; /* a set, a prefix, self, any */
	char to[NAME_LEN + PREFIX_STRLEN];
	char limit[96]; /* "20/s burst 40 per source"; "" without */
};

void rule_format(const struct config *c, const struct cfg_rule *r,
		 struct rule_text *t);

/* The pool statement as the config writes it, "" without one. */
void pool_format(const struct config *c, char *buf, size_t len);

/*
 * The events statement, "events rate 1000/s burst 1000 sample 100/s burst
 * 100" or "events off".
 */
void events_format(const struct config *c, char *buf, size_t len);

#endif
