// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "attach.h"
#include "commands.h"
#include "inspect.h"
#include "log.h"
#include "privileges.h"

/* An interface as the kernel has it now, against what was loaded. */
struct iface_check {
	int ifindex; /* 0: the interface is gone */
	__u32 xdp_id, xdp_pinned;
	bool xdp_native;
	__u32 tc_id, tc_pinned;
};

static void check_iface(const struct loaded *l, const struct iface_state *s,
			struct iface_check *ck)
{
	memset(ck, 0, sizeof(*ck));
	ck->ifindex = if_nametoindex(s->name);
	ck->xdp_pinned = pinned_prog_id(&l->paths, "xdp", s->name);
	ck->tc_pinned = pinned_prog_id(&l->paths, "tc", s->name);
	if (!ck->ifindex)
		return;
	ck->xdp_id = query_xdp_prog(ck->ifindex, &ck->xdp_native);
	ck->tc_id = query_tc_prog(ck->ifindex);
}

/* The problem with an interface, or NULL when it is as loaded. */
static const char *iface_problem(const struct iface_state *s,
				 const struct iface_check *ck)
{
	if (!ck->ifindex)
		return "the interface is gone";
	if (ck->ifindex != s->ifindex)
		return "the interface was recreated since edgefw loaded; reload";
	if (!ck->xdp_pinned || ck->xdp_id != ck->xdp_pinned)
		return "edgefw's XDP program is not attached";
	if (!ck->tc_pinned || ck->tc_id != ck->tc_pinned)
		return "edgefw's TC egress program is not attached";
	return NULL;
}

static void format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void format_addrs(const struct iface_state *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nr_self && off < len; i++) {
		char a[PREFIX_STRLEN];

		prefix_format(&s->self[i], a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s%s", i ? ", " : "", a);
	}
	if (!s->nr_self)
		snprintf(buf, len, "(none)");
}

static void print_rule(const struct config *c, const struct cfg_rule *r)
{
	struct rule_text t;

	rule_format(c, r, &t);
	printf("  %-20s %-8s %-3s %-8s %-12s from %-14s to %-14s %s%s\n",
	       r->name, role_name(r->role), dir_name(r->dir), t.protos,
	       t.ports[0] ? t.ports : "all", t.from, t.to,
	       t.limit[0] ? "limit " : "", t.limit);
}

static int print_text(const struct loaded *l)
{
	const struct config *c = &l->cfg;
	char when[32];
	int problems = 0;

	format_time(l->st.loaded_at, when, sizeof(when));
	printf("edgefw: loaded, %s mode, generation %lu, since %s\n",
	       mode_name(c->mode), l->st.generation, when);
	printf("config: %s (sha256 %s)\n", l->st.config_path,
	       l->st.config_hash);
	printf("interfaces:\n");
	for (size_t i = 0; i < l->st.nr_ifaces; i++) {
		const struct iface_state *s = &l->st.ifaces[i];
		struct iface_check ck;
		const char *problem;
		char addrs[512];

		check_iface(l, s, &ck);
		problem = iface_problem(s, &ck);
		format_addrs(s, addrs, sizeof(addrs));
		printf("  %-10s %-8s xdp %s prog %u, tc egress prog %u, self %s\n",
		       s->name, role_name(c->ifaces[i].role),
		       s->xdp_native ? "native" : "generic", ck.xdp_id,
		       ck.tc_id, addrs);
		if (problem) {
			printf("    PROBLEM: %s\n", problem);
			problems++;
		}
	}
	printf("rules: %zu\n", c->nr_rules);
	for (size_t i = 0; i < c->nr_rules; i++)
		print_rule(c, &c->rules[i]);
	printf("sets: %zu%s\n", c->nr_sets,
	       l->deltas_corrupt ? " (as configured: sets.json is corrupt)"
				 : "");
	problems += l->deltas_corrupt;
	for (size_t i = 0; i < c->nr_sets; i++)
		printf("  %-20s %zu %s\n", c->sets[i].name, l->cc.set_sizes[i],
		       l->cc.set_sizes[i] == 1 ? "prefix" : "prefixes");
	printf("policy:");
	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++)
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			printf("%s %s %s %s", role || dir ? "," : "",
			       role_name(role), dir_name(dir),
			       action_name(c->policy[role][dir]));
	printf("\n");
	printf("blocklist: %u entries\n", l->nr_blocked);
	printf("flow table: up to %u flows\n", c->flows_max);
	printf("fragments: external %s, internal %s\n",
	       action_name(c->fragments[EDGEFW_ROLE_EXTERNAL]),
	       action_name(c->fragments[EDGEFW_ROLE_INTERNAL]));
	return problems ? EXIT_FAILED : EXIT_OK;
}

static json_object *rule_json(const struct config *c, const struct cfg_rule *r)
{
	json_object *o = json_object_new_object();
	struct rule_text t;

	rule_format(c, r, &t);
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "role",
			       json_object_new_string(role_name(r->role)));
	json_object_object_add(o, "direction",
			       json_object_new_string(dir_name(r->dir)));
	json_object_object_add(o, "protocols",
			       json_object_new_string(t.protos));
	json_object_object_add(o, "ports",
			       json_object_new_string(t.ports[0] ? t.ports
								 : "all"));
	json_object_object_add(o, "from", json_object_new_string(t.from));
	json_object_object_add(o, "to", json_object_new_string(t.to));
	json_object_object_add(o, "limit",
			       t.limit[0] ? json_object_new_string(t.limit)
					  : NULL);
	return o;
}

static json_object *iface_json(const struct loaded *l, size_t i,
			       json_object *problems)
{
	const struct iface_state *s = &l->st.ifaces[i];
	json_object *o = json_object_new_object();
	json_object *addrs = json_object_new_array();
	struct iface_check ck;
	const char *problem;

	check_iface(l, s, &ck);
	problem = iface_problem(s, &ck);
	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "ifindex", json_object_new_int(s->ifindex));
	json_object_object_add(
		o, "role",
		json_object_new_string(role_name(l->cfg.ifaces[i].role)));
	json_object_object_add(
		o, "xdp_mode",
		json_object_new_string(s->xdp_native ? "native" : "generic"));
	json_object_object_add(o, "xdp_prog_id",
			       json_object_new_int64(ck.xdp_id));
	json_object_object_add(o, "tc_prog_id",
			       json_object_new_int64(ck.tc_id));
	for (size_t j = 0; j < s->nr_self; j++) {
		char a[PREFIX_STRLEN];

		prefix_format(&s->self[j], a, sizeof(a));
		json_object_array_add(addrs, json_object_new_string(a));
	}
	json_object_object_add(o, "addresses", addrs);
	json_object_object_add(o, "healthy", json_object_new_boolean(!problem));
	if (problem) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s: %s", s->name, problem);
		json_object_array_add(problems, json_object_new_string(msg));
	}
	return o;
}

static json_object *action_json(unsigned int action)
{
	return json_object_new_string(action_name(action));
}

static json_object *policy_json(const struct config *c)
{
	json_object *o = json_object_new_object();

	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++) {
		json_object *r = json_object_new_object();

		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++)
			json_object_object_add(
				r, dir_name(dir),
				action_json(c->policy[role][dir]));
		json_object_object_add(o, role_name(role), r);
	}
	return o;
}

static json_object *fragments_json(const struct config *c)
{
	json_object *o = json_object_new_object();

	for (unsigned int role = 0; role < EDGEFW_NR_ROLES; role++)
		json_object_object_add(o, role_name(role),
				       action_json(c->fragments[role]));
	return o;
}

static int print_json(const struct loaded *l)
{
	const struct config *c = &l->cfg;
	json_object *root = json_object_new_object();
	json_object *problems = json_object_new_array();
	json_object *arr;
	char when[32];
	int rc;

	format_time(l->st.loaded_at, when, sizeof(when));
	json_object_object_add(root, "loaded", json_object_new_boolean(true));
	json_object_object_add(root, "mode",
			       json_object_new_string(mode_name(c->mode)));
	json_object_object_add(root, "generation",
			       json_object_new_int64(l->st.generation));
	json_object_object_add(root, "loaded_at", json_object_new_string(when));
	json_object_object_add(root, "config_path",
			       json_object_new_string(l->st.config_path));
	json_object_object_add(root, "config_sha256",
			       json_object_new_string(l->st.config_hash));
	arr = json_object_new_array();
	for (size_t i = 0; i < l->st.nr_ifaces; i++)
		json_object_array_add(arr, iface_json(l, i, problems));
	json_object_object_add(root, "interfaces", arr);
	arr = json_object_new_array();
	for (size_t i = 0; i < c->nr_rules; i++)
		json_object_array_add(arr, rule_json(c, &c->rules[i]));
	json_object_object_add(root, "rules", arr);
	arr = json_object_new_array();
	for (size_t i = 0; i < c->nr_sets; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
				       json_object_new_string(c->sets[i].name));
		json_object_object_add(
			o, "prefixes",
			json_object_new_int64(l->cc.set_sizes[i]));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "sets", arr);
	json_object_object_add(root, "policy", policy_json(c));
	json_object_object_add(root, "fragments", fragments_json(c));
	json_object_object_add(root, "blocklist_entries",
			       json_object_new_int64(l->nr_blocked));
	json_object_object_add(root, "flows_max",
			       json_object_new_int64(c->flows_max));
	if (l->deltas_corrupt)
		json_object_array_add(
			problems,
			json_object_new_string(
				"sets.json is corrupt: set sizes are as configured"));
	rc = json_object_array_length(problems) ? EXIT_FAILED : EXIT_OK;
	json_object_object_add(root, "healthy",
			       json_object_new_boolean(rc == EXIT_OK));
	json_object_object_add(root, "problems", problems);
	puts(json_object_to_json_string_ext(
		root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	struct loaded l;
	bool json;
	int rc;

	rc = parse_json_option("status", argc, argv, &json);
	if (rc)
		return rc;
	if (require_privileges("status"))
		return EXIT_FAILED;
	rc = loaded_open(&l, true);
	if (rc == 1) {
		if (json)
			puts("{ \"loaded\": false }");
		else
			log_info("not loaded");
		rc = EXIT_FAILED;
	} else if (rc == 0 && state_check_netns(&l.st, "status") == 0) {
		rc = json ? print_json(&l) : print_text(&l);
	} else {
		/* the reason is on stderr; stdout still gets a document */
		if (json)
			puts("{ \"loaded\": null, \"healthy\": false }");
		rc = EXIT_FAILED;
	}
	loaded_close(&l);
	return rc;
}
