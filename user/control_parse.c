// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's requests, parsed (control_parse.h): strict JSON,
 * one object, version 1, a served command, the caller root or a member
 * of group edgefw, and only the fields the command takes, each of its
 * type; a ttl or reason must be what the CLI's --ttl or --reason takes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "blocklist.h"
#include "control_parse.h"
#include "duration.h"
#include "util.h"

/* In the order of the CLI's table, which `edgefw help` lists. */
const struct control_command control_commands[] = {
	{ .name = "status", .fields = CONTROL_JSON },
	{ .name = "stats", .fields = CONTROL_JSON },
	{
		.name = "block add",
		.operand = "addr",
		.operand_needed = true,
		.fields = CONTROL_TTL | CONTROL_REASON | CONTROL_FORCE,
	},
	{ .name = "block del", .operand = "addr", .operand_needed = true },
	{ .name = "block list", .fields = CONTROL_JSON },
	{ .name = "partner list", .operand = "domain", .fields = CONTROL_JSON },
};

const size_t control_nr_commands =
	sizeof(control_commands) / sizeof(control_commands[0]);

const struct control_command *control_command_find(const char *name)
{
	for (size_t i = 0; i < control_nr_commands; i++) {
		if (!strcmp(control_commands[i].name, name))
			return &control_commands[i];
	}
	return NULL;
}

void control_served_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < control_nr_commands && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
				control_commands[i].name);
}

static int fail(struct control_parsed *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct control_parsed *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* A string without NUL bytes, copied; NULL after saying why. */
static const char *string_field(struct control_parsed *r, const char *key,
				json_object *v)
{
	if (!json_object_is_type(v, json_type_string))
		return fail(r, "\"%s\" must be a string", key), NULL;
	if (strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v))
		return fail(r, "\"%s\" holds a NUL byte", key), NULL;
	return json_object_get_string(v);
}

/* A ttl or reason the CLI's --ttl or --reason would refuse: refused. */
static int option_field(struct control_parsed *r, unsigned int field,
			const char *value)
{
	bool ok = field == CONTROL_TTL ? duration_parse(value) >= 0
				       : block_reason_valid(value);
	char shown[PRINTABLE_LEN];

	if (ok)
		return 0;
	r->bad_field = field;
	return fail(r, "\"%s\" is not valid for %s: '%s'",
		    field == CONTROL_TTL ? "ttl" : "reason", r->cmd->name,
		    printable(value, shown, sizeof(shown)));
}

static int field(struct control_parsed *r, const char *key, json_object *v)
{
	const struct control_command *cmd = r->cmd;
	char shown[PRINTABLE_LEN];
	const char *s;

	if (!strcmp(key, "v") || !strcmp(key, "cmd"))
		return 0;
	if (cmd->operand && !strcmp(key, cmd->operand)) {
		s = string_field(r, key, v);
		if (!s)
			return -1;
		free(r->operand);
		r->operand = xstrdup(s);
		return 0;
	}
	if (!strcmp(key, "ttl") && (cmd->fields & CONTROL_TTL)) {
		if (json_object_is_type(v, json_type_int)) {
			snprintf(r->ttl, sizeof(r->ttl), "%llds",
				 (long long)json_object_get_int64(v));
			return option_field(r, CONTROL_TTL, r->ttl);
		}
		s = string_field(r, key, v);
		if (!s)
			return -1;
		snprintf(r->ttl, sizeof(r->ttl), "%s", s);
		return option_field(r, CONTROL_TTL, r->ttl);
	}
	if (!strcmp(key, "reason") && (cmd->fields & CONTROL_REASON)) {
		s = string_field(r, key, v);
		if (!s)
			return -1;
		free(r->reason);
		r->reason = xstrdup(s);
		return option_field(r, CONTROL_REASON, r->reason);
	}
	if ((!strcmp(key, "json") && (cmd->fields & CONTROL_JSON)) ||
	    (!strcmp(key, "force") && (cmd->fields & CONTROL_FORCE))) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(r, "\"%s\" must be true or false", key);
		*(key[0] == 'j' ? &r->json : &r->force) =
			json_object_get_boolean(v);
		return 0;
	}
	return fail(r, "%s takes no field \"%s\"", cmd->name,
		    printable(key, shown, sizeof(shown)));
}

int control_parse(struct control_parsed *r, const struct control_caller *who,
		  const char *line, size_t len,
		  bool (*is_command)(const char *name))
{
	json_tokener *tok = json_tokener_new_ex(4);
	json_object *o, *v;
	char shown[PRINTABLE_LEN], served[256];
	const char *name;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (!tok)
		return fail(r, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
					    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		fail(r, "a request is one JSON object on one line: %s",
		     o || e == json_tokener_success ? "something follows it"
		     : e == json_tokener_continue   ? "it ends too soon"
						  : json_tokener_error_desc(e));
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		fail(r, "a request is one JSON object, not %s",
		     json_type_to_name(json_object_get_type(o)));
		goto out;
	}
	if (!json_object_object_get_ex(o, "v", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) != CONTROL_VERSION) {
		fail(r,
		     "a request needs \"v\": %d, the version of the protocol this daemon speaks",
		     CONTROL_VERSION);
		goto out;
	}
	if (!json_object_object_get_ex(o, "cmd", &v) ||
	    !(name = string_field(r, "cmd", v))) {
		if (!r->error[0])
			fail(r,
			     "a request needs \"cmd\", such as \"block add\"");
		goto out;
	}
	r->cmd = control_command_find(name);
	if (!r->cmd) {
		control_served_list(served, sizeof(served));
		fail(r,
		     "'%s' is not served by the control socket, which serves %s%s",
		     printable(name, shown, sizeof(shown)), served,
		     who->uid == 0 && is_command && is_command(name)
			     ? "; run it as root, without the daemon"
			     : "");
		goto out;
	}
	if (who->uid != 0 && !who->member) {
		fail(r,
		     "refused: uid %u is neither root nor a member of group " CONTROL_GROUP,
		     (unsigned int)who->uid);
		goto out;
	}
	json_object_object_foreach(o, key, val) {
		if (field(r, key, val))
			goto out;
	}
	if (r->cmd->operand_needed && !r->operand) {
		fail(r, "%s needs \"%s\"", r->cmd->name, r->cmd->operand);
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

void control_parsed_free(struct control_parsed *r)
{
	free(r->operand);
	free(r->reason);
	r->operand = r->reason = NULL;
}
