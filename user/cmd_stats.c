// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "commands.h"
#include "inspect.h"
#include "log.h"
#include "maps.h"
#include "privileges.h"
#include "reasons.h"

/* The counters of one interface and direction, summed over CPUs. */
struct dir_counters {
	struct edgefw_counter slot[EDGEFW_SLOTS_PER_DIR];
};

static int read_dir(const struct loaded *l, size_t iface, unsigned int dir,
		    struct dir_counters *out)
{
	for (__u32 v = 0; v < EDGEFW_NR_REASONS + l->cfg.nr_rules; v++) {
		int err = counter_read(l->counters_fd,
				       EDGEFW_COUNTER_INDEX(iface, dir, v),
				       &out->slot[v]);

		if (err) {
			log_err("cannot read the counters: %s", strerror(-err));
			return -1;
		}
	}
	return 0;
}

static bool rule_counts_here(const struct cfg_rule *r, unsigned int role,
			     unsigned int dir)
{
	return r->role == role && r->dir == dir;
}

static void print_line(const char *verdict, const char *what,
		       const struct edgefw_counter *ctr, bool *any)
{
	if (!ctr->packets)
		return;
	printf("  %-4s %-24s %14" PRIu64 " packets %16" PRIu64 " bytes\n",
	       verdict, what, (uint64_t)ctr->packets, (uint64_t)ctr->bytes);
	*any = true;
}

static void print_dir_text(const struct loaded *l, size_t iface,
			   unsigned int dir, const struct dir_counters *dc)
{
	const struct config *c = &l->cfg;
	unsigned int role = c->ifaces[iface].role;
	bool any = false;

	printf("%s (%s) %s:\n", c->ifaces[iface].name, role_name(role),
	       dir_name(dir));
	for (size_t r = 0; r < c->nr_rules; r++) {
		if (rule_counts_here(&c->rules[r], role, dir))
			print_line("rule", c->rules[r].name,
				   &dc->slot[EDGEFW_VERDICT_RULE(r)], &any);
	}
	for (unsigned int v = 0; v < EDGEFW_NR_REASONS; v++)
		print_line(reason_drops(v) ? "drop" : "pass", reason_name(v),
			   &dc->slot[v], &any);
	if (!any)
		printf("  (no packets)\n");
}

static json_object *counter_json(const struct edgefw_counter *ctr)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "packets",
			       json_object_new_int64(ctr->packets));
	json_object_object_add(o, "bytes", json_object_new_int64(ctr->bytes));
	return o;
}

static json_object *dir_json(const struct loaded *l, size_t iface,
			     unsigned int dir, const struct dir_counters *dc)
{
	const struct config *c = &l->cfg;
	unsigned int role = c->ifaces[iface].role;
	json_object *o = json_object_new_object();
	json_object *rules = json_object_new_object();
	json_object *pass = json_object_new_object();
	json_object *drop = json_object_new_object();

	for (size_t r = 0; r < c->nr_rules; r++) {
		if (rule_counts_here(&c->rules[r], role, dir))
			json_object_object_add(
				rules, c->rules[r].name,
				counter_json(
					&dc->slot[EDGEFW_VERDICT_RULE(r)]));
	}
	for (unsigned int v = 0; v < EDGEFW_NR_REASONS; v++)
		json_object_object_add(reason_drops(v) ? drop : pass,
				       reason_name(v),
				       counter_json(&dc->slot[v]));
	json_object_object_add(o, "rules", rules);
	json_object_object_add(o, "pass", pass);
	json_object_object_add(o, "drop", drop);
	return o;
}

static int print_stats(const struct loaded *l, bool json)
{
	json_object *root = json_object_new_object();
	json_object *ifaces = json_object_new_array();
	struct dir_counters dc;
	int rc = EXIT_OK;

	for (size_t i = 0; i < l->cfg.nr_ifaces && rc == EXIT_OK; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(
			o, "name",
			json_object_new_string(l->cfg.ifaces[i].name));
		json_object_object_add(o, "role",
				       json_object_new_string(role_name(
					       l->cfg.ifaces[i].role)));
		for (unsigned int dir = 0; dir < EDGEFW_NR_DIRS; dir++) {
			if (read_dir(l, i, dir, &dc)) {
				rc = EXIT_FAILED;
				break;
			}
			if (json)
				json_object_object_add(o, dir_name(dir),
						       dir_json(l, i, dir,
								&dc));
			else
				print_dir_text(l, i, dir, &dc);
		}
		json_object_array_add(ifaces, o);
	}
	json_object_object_add(root, "interfaces", ifaces);
	if (json && rc == EXIT_OK)
		puts(json_object_to_json_string_ext(root,
						    JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return rc;
}

int cmd_stats(int argc, char **argv)
{
	struct loaded l;
	bool json;
	int rc;

	rc = parse_json_option("stats", argc, argv, &json);
	if (rc)
		return rc;
	if (require_privileges("stats"))
		return EXIT_FAILED;
	rc = loaded_open(&l, true);
	if (rc == 1)
		log_err("not loaded");
	rc = rc == 0 ? print_stats(&l, json) : EXIT_FAILED;
	loaded_close(&l);
	return rc;
}
