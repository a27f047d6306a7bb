// SPDX-License-Identifier: GPL-2.0
/*
 * A request of the control socket, run as the CLI runs its command: the
 * request, parsed by the library (control_parse.c, which has no side
 * effects and is fuzzed), becomes the command's operand and options
 * (checked by the CLI's own checks), the command runs through cli_execute
 * with what it prints to stdout and stderr captured for the response, so
 * that the CLI of an unprivileged user prints exactly what root's does.
 * Members of group edgefw get the commands the socket serves
 * (control_parse.h), within the config's 'control block' limits; root
 * gets the same commands without limits.
 * Every change, and every refusal, is logged with the caller's uid and
 * pid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "control_request.h"
#include "log.h"
#include "op_block.h"
#include "util.h"

/* What a command run for the socket printed. */
struct capture {
	FILE *saved_out, *saved_err;
	bool saved_journal;
	char *out, *err;
	size_t out_len, err_len;
};

/*
 * stdout and stderr are glibc's variables, which a program may set (the
 * glibc manual, "Standard Streams"): the command prints into memory. The
 * daemon's loop is one thread, so nothing else prints meanwhile.
 */
static void capture_begin(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->saved_out = stdout;
	c->saved_err = stderr;
	c->saved_journal = log_journal;
	fflush(stdout);
	fflush(stderr);
	stdout = open_memstream(&c->out, &c->out_len);
	stderr = open_memstream(&c->err, &c->err_len);
	if (!stdout || !stderr) {
		if (stdout)
			fclose(stdout);
		if (stderr)
			fclose(stderr);
		stdout = c->saved_out;
		stderr = c->saved_err;
		c->saved_out = NULL;
	}
	log_journal = false;
}

static void capture_end(struct capture *c)
{
	if (c->saved_out) {
		fclose(stdout);
		fclose(stderr);
		stdout = c->saved_out;
		stderr = c->saved_err;
	}
	log_journal = c->saved_journal;
}

static json_object *response(bool ok, int exit_status, const char *out,
			     const char *err, const char *error)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(CONTROL_VERSION));
	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	json_object_object_add(o, "exit", json_object_new_int(exit_status));
	json_object_object_add(o, "stdout", json_object_new_string(out));
	json_object_object_add(o, "stderr", json_object_new_string(err));
	if (error)
		json_object_object_add(o, "error",
				       json_object_new_string(error));
	return o;
}

static char *line_of(json_object *o)
{
	const char *text =
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(text);
	char *line = xcalloc(n + 2, 1);

	memcpy(line, text, n);
	line[n] = '\n';
	json_object_put(o);
	return line;
}

char *control_error(int exit_status, const char *error)
{
	char err[512];

	snprintf(err, sizeof(err), "edgefw: %s\n", error);
	return line_of(response(false, exit_status, "", err, error));
}

/* The first message, without "edgefw: " and its line end. */
static void first_message(const char *err, char *buf, size_t len)
{
	const char *p = err, *nl;

	if (!strncmp(p, "edgefw: ", 8))
		p += 8;
	nl = strchr(p, '\n');
	snprintf(buf, len, "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
}

/* Whether a name the socket does not serve is a command root may run. */
static bool is_command(const char *name)
{
	return cli_find(name) != NULL;
}

/*
 * The parsed request as the CLI's arguments, its ttl and reason checked
 * by the CLI's own --ttl and --reason; for a ttl or reason the parser
 * refused (bad_field), that check prints the CLI's message, as the
 * command line would, before the refusal's.
 */
static int args_of(const struct cli_command *cmd, struct control_parsed *r,
		   struct cli_args *a)
{
	int rc = 0;

	/* a ttl of "" is refused too */
	if (r->ttl[0] || r->bad_field == CONTROL_TTL)
		rc |= cli_set_option(cmd->name, OPT_TTL, r->ttl, a);
	if (r->reason)
		rc |= cli_set_option(cmd->name, OPT_REASON, r->reason, a);
	a->json = r->json;
	a->force = r->force;
	a->operands = &r->operand;
	a->nr_operands = r->operand ? 1 : 0;
	return rc;
}

/*
 * What the loaded config lets members block: read under the state lock
 * by the request that needs it, and kept between requests while what is
 * loaded stays the same (member_policy.h). The daemon's loop is one
 * thread.
 */
static struct member_policy policy;

static void audit(const struct control_caller *who,
		  const struct control_parsed *r, int rc, const char *msg)
{
	char op[PREFIX_STRLEN + 64], shown[PRINTABLE_LEN];

	snprintf(op, sizeof(op), "%s%s%s%s%s", r->cmd->name,
		 r->operand ? " " : "",
		 r->operand ? printable(r->operand, shown, sizeof(shown)) : "",
		 r->ttl[0] ? " ttl " : "", r->ttl);
	log_info("control socket: uid %u pid %d%s: %s: %s%s",
		 (unsigned int)who->uid, (int)who->pid,
		 who->uid == 0 ? "" : " (group " CONTROL_GROUP ")", op,
		 rc ? "refused: " : "", msg);
}

char *control_request(const struct control_caller *who, const char *line,
		      size_t len)
{
	struct control_parsed r;
	struct cli_args a = { .xdp_mode = XDP_MODE_AUTO };
	struct block_limits lim = { .uid = who->uid, .policy = &policy };
	const struct cli_command *cmd = NULL;
	struct cli_ctx ctx = {};
	struct capture cap;
	char msg[512];
	json_object *o;
	int rc;

	capture_begin(&cap);
	rc = control_parse(&r, who, line, len, is_command);
	if (r.cmd) {
		/* every command the socket serves is one of the CLI's */
		cmd = cli_find(r.cmd->name);
		if (!cmd) {
			snprintf(r.error, sizeof(r.error),
				 "%s is not a command of this edgefw",
				 r.cmd->name);
			rc = -1;
		} else if (args_of(cmd, &r, &a) && rc == 0) {
			/* the parser's checks are the CLI's: never */
			snprintf(
				r.error, sizeof(r.error),
				"the options of the request are not valid for %s",
				cmd->name);
			rc = -1;
		}
	}
	if (rc == 0) {
		if (who->uid != 0 && (cmd->flags & CMD_CHANGES))
			ctx.limits = &lim;
		rc = cli_execute(cmd, &a, &ctx, false);
	} else {
		fprintf(stderr, "edgefw: %s\n", r.error);
		rc = 2;
	}
	capture_end(&cap);
	first_message(cap.err ? cap.err : "", msg, sizeof(msg));
	if (r.cmd && ((cmd && (cmd->flags & CMD_CHANGES)) || rc))
		audit(who, &r, rc, msg);
	else if (!r.cmd)
		log_info("control socket: uid %u pid %d: refused: %s",
			 (unsigned int)who->uid, (int)who->pid, r.error);
	o = response(rc == 0, rc, cap.out ? cap.out : "",
		     cap.err ? cap.err : "", rc ? msg : NULL);
	free(cap.out);
	free(cap.err);
	control_parsed_free(&r);
	return line_of(o);
}
