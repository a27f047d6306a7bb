// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's requests (user/control_parse.c), as the daemon
 * reads a line of any bytes, from root, from a member of group edgefw and
 * from a uid that is neither. A refusal always says why. What parses
 * names a command the socket serves (README, "The control socket": the
 * list below, said again here so that a command added to the table has
 * to be added here on purpose), with only the fields that command takes,
 * its operand when it needs one, and a ttl and reason the CLI's --ttl
 * and --reason take. Root and a member parse a line alike (the limits
 * are the command's, when it runs); a uid that is neither never gets a
 * request. A refusal's reason is printable ASCII. The same line parses
 * the same twice, and what parsed, written as the CLI writes a request,
 * parses the same again.
 */
#include "blocklist.h"
#include "control_parse.h"
#include "duration.h"
#include "fuzz.h"

/* What a member of group edgefw may run through the socket: README. */
static const char *const member_may[] = {
	"status",    "stats",	   "block add",
	"block del", "block list", "partner list",
};

/* The CLI's commands the socket does not serve (user/cli/commands.c). */
static const char *const cli_only[] = {
	"check",   "load",	  "reload",	 "unload",
	"save",	   "set list",	  "set add",	 "set del",
	"monitor", "partner add", "partner del", "partner refresh",
	"daemon",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool listed(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], name))
			return true;
	}
	return false;
}

static bool is_command(const char *name)
{
	return listed(cli_only, ARRAY_LEN(cli_only), name);
}

static bool same(const struct control_parsed *a, const struct control_parsed *b)
{
	return a->cmd == b->cmd && !a->operand == !b->operand &&
	       (!a->operand || !strcmp(a->operand, b->operand)) &&
	       !a->reason == !b->reason &&
	       (!a->reason || !strcmp(a->reason, b->reason)) &&
	       !strcmp(a->ttl, b->ttl) && a->json == b->json &&
	       a->force == b->force && a->bad_field == b->bad_field &&
	       !strcmp(a->error, b->error);
}

/*
 * A refusal's reason goes into the response, a JSON string (UTF-8), and
 * into the log: what it shows of the request is shown by printable().
 */
static bool printable_ascii(const char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			return false;
	}
	return true;
}

static void check(const struct control_parsed *r, int rc,
		  const struct control_caller *who)
{
	const struct control_command *cmd = r->cmd;

	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(memchr(r->error, '\0', sizeof(r->error)));
	FUZZ_ASSERT(memchr(r->ttl, '\0', sizeof(r->ttl)));
	/* a command, even of a refusal, is one of the table's */
	FUZZ_ASSERT(!cmd || (cmd >= control_commands &&
			     cmd < control_commands + control_nr_commands));
	FUZZ_ASSERT(!cmd || control_command_find(cmd->name) == cmd);
	if (rc) {
		FUZZ_ASSERT(r->error[0]);
		FUZZ_ASSERT(printable_ascii(r->error));
		FUZZ_ASSERT(!r->bad_field || cmd);
		FUZZ_ASSERT(r->bad_field == 0 || r->bad_field == CONTROL_TTL ||
			    r->bad_field == CONTROL_REASON);
		return;
	}
	FUZZ_ASSERT(!r->error[0] && !r->bad_field);
	FUZZ_ASSERT(who->uid == 0 || who->member);
	FUZZ_ASSERT(cmd);
	FUZZ_ASSERT(listed(member_may, ARRAY_LEN(member_may), cmd->name));
	FUZZ_ASSERT(!is_command(cmd->name));
	FUZZ_ASSERT(!r->operand || cmd->operand);
	FUZZ_ASSERT(!cmd->operand_needed || r->operand);
	FUZZ_ASSERT(!r->ttl[0] || ((cmd->fields & CONTROL_TTL) &&
				   duration_parse(r->ttl) > 0));
	FUZZ_ASSERT(!r->reason || ((cmd->fields & CONTROL_REASON) &&
				   block_reason_valid(r->reason)));
	FUZZ_ASSERT(!r->json || (cmd->fields & CONTROL_JSON));
	FUZZ_ASSERT(!r->force || (cmd->fields & CONTROL_FORCE));
}

/* The parsed request written as the CLI's client writes one. */
static char *request_line(const struct control_parsed *r)
{
	json_object *o = json_object_new_object();
	char *line;

	json_object_object_add(o, "v", json_object_new_int(CONTROL_VERSION));
	json_object_object_add(o, "cmd", json_object_new_string(r->cmd->name));
	if (r->operand)
		json_object_object_add(o, r->cmd->operand,
				       json_object_new_string(r->operand));
	if (r->ttl[0])
		json_object_object_add(o, "ttl",
				       json_object_new_string(r->ttl));
	if (r->reason)
		json_object_object_add(o, "reason",
				       json_object_new_string(r->reason));
	if (r->cmd->fields & CONTROL_JSON)
		json_object_object_add(o, "json",
				       json_object_new_boolean(r->json));
	if (r->cmd->fields & CONTROL_FORCE)
		json_object_object_add(o, "force",
				       json_object_new_boolean(r->force));
	line = xstrdup(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return line;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct control_caller root = { 0, 1, false },
					   member = { 1000, 2, true },
					   outsider = { 1001, 3, false };
	struct control_parsed r, again, m, out, back;
	const char *line = (const char *)data;
	int rc, rc_again, rc_m, rc_out, rc_back;
	char *text;

	/* the daemon refuses a longer line before it parses anything */
	if (size > CONTROL_LINE_MAX)
		return 0;
	rc = control_parse(&r, &root, line, size, is_command);
	check(&r, rc, &root);
	rc_again = control_parse(&again, &root, line, size, is_command);
	FUZZ_ASSERT(rc_again == rc && same(&r, &again));
	rc_m = control_parse(&m, &member, line, size, is_command);
	check(&m, rc_m, &member);
	FUZZ_ASSERT(rc_m == rc);
	FUZZ_ASSERT(rc || same(&m, &r));
	rc_out = control_parse(&out, &outsider, line, size, is_command);
	check(&out, rc_out, &outsider);
	FUZZ_ASSERT(rc_out);
	if (rc == 0) {
		text = request_line(&r);
		rc_back = control_parse(&back, &root, text, strlen(text),
					is_command);
		FUZZ_ASSERT(rc_back == 0 && same(&back, &r));
		control_parsed_free(&back);
		free(text);
	}
	control_parsed_free(&out);
	control_parsed_free(&m);
	control_parsed_free(&again);
	control_parsed_free(&r);
	return 0;
}
