// SPDX-License-Identifier: GPL-2.0
/*
 * Every command of the command line, in the order `edgefw help` lists
 * them: what it takes, what it needs before it runs, and the function
 * that runs it. The usage lines, the README's command table (checked by
 * tests/cli/test_cli.sh) and argument errors all come from here.
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define ANY -1

#define SET_NOT_LOADED "edgefw is not loaded; sets change on a running edgefw"
#define PARTNER_NOT_LOADED \
	"edgefw is not loaded; partners change on a running edgefw"

/* set add and set del take the same, and differ in what they do */
#define SET_CHANGE(verb, fn)                                                   \
	{                                                                      \
		.name = verb, .operands = "NAME (PREFIX... | -f FILE | -f -)", \
		.options = OPT(OPT_FILE), .shown_in_operands = OPT(OPT_FILE),  \
		.min_operands = 1, .max_operands = ANY,                        \
		.flags = CMD_ROOT | CMD_LOCK | CMD_LOADED,                     \
		.not_loaded = SET_NOT_LOADED, .check = check_set_input,        \
		.free_input = free_set_input, .run = fn,                       \
	}

const struct cli_command cli_commands[] = {
	{
		.name = "check",
		.options = OPT(OPT_CONFIG),
		.run = cmd_check,
	},
	{
		.name = "load",
		.options = OPT(OPT_CONFIG) | OPT(OPT_XDP_MODE) | OPT(OPT_FORCE),
		.flags = CMD_ROOT | CMD_LOCK,
		.check = check_load_config,
		.free_input = free_config_input,
		.run = cmd_load,
	},
	{
		.name = "reload",
		.options = OPT(OPT_CONFIG) | OPT(OPT_XDP_MODE) | OPT(OPT_FORCE),
		.flags = CMD_ROOT | CMD_LOCK | CMD_LOADED | CMD_NETNS,
		.not_loaded = "edgefw is not loaded; use 'edgefw load'",
		.run = cmd_reload,
	},
	{
		.name = "unload",
		.options = OPT(OPT_FORCE),
		.flags = CMD_ROOT | CMD_LOCK,
		.run = cmd_unload,
	},
	{
		.name = "status",
		.options = OPT(OPT_JSON),
		.flags = CMD_ROOT | CMD_INSPECTS | CMD_NETNS | CMD_SHAPE,
		.run = cmd_status,
	},
	{
		.name = "stats",
		.options = OPT(OPT_JSON) | OPT(OPT_PROMETHEUS) |
			   OPT(OPT_TEXTFILE) | OPT(OPT_WATCH),
		.flags = CMD_ROOT | CMD_LOADED | CMD_SHAPE,
		.check = check_stats_options,
		.not_loaded = "not loaded",
		.run = cmd_stats,
	},
	{
		.name = "save",
		.flags = CMD_ROOT | CMD_LOADED,
		.not_loaded = "not loaded",
		.run = cmd_save,
	},
	{
		.name = "set list",
		.operands = "NAME",
		.options = OPT(OPT_JSON),
		.min_operands = 1,
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOCK | CMD_LOADED,
		.not_loaded = SET_NOT_LOADED,
		.check = check_set_name,
		.run = cmd_set_list,
	},
	SET_CHANGE("set add", cmd_set_add),
	SET_CHANGE("set del", cmd_set_del),
	{
		.name = "block add",
		.operands = "ADDR[/LEN]",
		.options = OPT(OPT_TTL) | OPT(OPT_REASON) | OPT(OPT_FORCE),
		.min_operands = 1,
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOCK | CMD_CHANGES,
		.check = check_block_prefix,
		.free_input = free,
		.run = cmd_block_add,
	},
	{
		.name = "block del",
		.operands = "ADDR[/LEN]",
		.min_operands = 1,
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOCK | CMD_CHANGES,
		.check = check_block_prefix,
		.free_input = free,
		.run = cmd_block_del,
	},
	{
		.name = "block list",
		.options = OPT(OPT_JSON),
		.flags = CMD_ROOT | CMD_LOCK,
		.run = cmd_block_list,
	},
	{
		.name = "monitor",
		.options = OPT(OPT_JSON) | OPT(OPT_INTERFACE) |
			   OPT(OPT_DROP_REASON) | OPT(OPT_RULE),
		.flags = CMD_ROOT | CMD_LOADED,
		.not_loaded = "not loaded",
		.run = cmd_monitor,
	},
	{
		.name = "partner list",
		.operands = "[DOMAIN]",
		.options = OPT(OPT_SET) | OPT(OPT_JSON),
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOADED | CMD_SHAPE,
		.not_loaded = PARTNER_NOT_LOADED,
		.check = check_partner_domain,
		.free_input = free,
		.run = cmd_partner_list,
	},
	{
		.name = "partner add",
		.operands = "DOMAIN",
		.options = OPT(OPT_SET) | OPT(OPT_SECURE) | OPT(OPT_JSON),
		.min_operands = 1,
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOADED,
		.not_loaded = PARTNER_NOT_LOADED,
		.check = check_partner_domain,
		.free_input = free,
		.run = cmd_partner_add,
	},
	{
		.name = "partner del",
		.operands = "DOMAIN",
		.options = OPT(OPT_SET) | OPT(OPT_JSON),
		.min_operands = 1,
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOADED,
		.not_loaded = PARTNER_NOT_LOADED,
		.check = check_partner_domain,
		.free_input = free,
		.run = cmd_partner_del,
	},
	{
		.name = "partner refresh",
		.operands = "[DOMAIN]",
		.options = OPT(OPT_SET) | OPT(OPT_JSON),
		.max_operands = 1,
		.flags = CMD_ROOT | CMD_LOADED,
		.not_loaded = PARTNER_NOT_LOADED,
		.check = check_partner_domain,
		.free_input = free,
		.run = cmd_partner_refresh,
	},
	{
		.name = "daemon",
		.options = OPT(OPT_CONFIG) | OPT(OPT_XDP_MODE),
		.flags = CMD_ROOT,
		.run = cmd_daemon,
	},
};

const size_t cli_nr_commands = sizeof(cli_commands) / sizeof(cli_commands[0]);

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_nr_commands; i++) {
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	}
	return NULL;
}
