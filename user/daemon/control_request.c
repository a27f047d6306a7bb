// SPDX-License-Identifier: GPL-2.0
/*
 * A request of the control socket, run as the CLI runs its command: the
 * request's fields become the command's operand and options (checked by
 * the CLI's own checks), the command runs through cli_execute with what
 * it prints to stdout and stderr captured for the response, so that the
 * CLI of an unprivileged user prints exactly what root's does. Members of
 * group edgefw get the commands flagged CMD_CONTROL, within the config's
 * 'control block' limits; root gets the same commands without limits.
 * Every change, and every refusal, is logged with the caller's uid and
 * pid.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "control_proto.h"
#include "control_request.h"
#include "log.h"
#include "op_block.h"
#include "util.h"

struct request {
	const struct cli_command *cmd;
	struct cli_args a;
	char *operand;
	char *reason; /* the request's strings outlive its JSON */
	char ttl[32];
	char error[256]; /* what is wrong with it, for the response */
};

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

static int fail(struct request *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct request *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* A string without NUL bytes, copied; NULL after saying why. */
static const char *string_field(struct request *r, const char *key,
				json_object *v)
{
	if (!json_object_is_type(v, json_type_string))
		return fail(r, "\"%s\" must be a string", key), NULL;
	if (strlen(json_object_get_string(v)) !=
	    (size_t)json_object_get_string_len(v))
		return fail(r, "\"%s\" holds a NUL byte", key), NULL;
	return json_object_get_string(v);
}

static int option_field(struct request *r, int opt, const char *value)
{
	char shown[PRINTABLE_LEN];

	if (cli_set_option(r->cmd->name, opt, value, &r->a))
		return fail(r, "\"%s\" is not valid for %s: '%s'",
			    opt == OPT_TTL ? "ttl" : "reason", r->cmd->name,
			    printable(value, shown, sizeof(shown)));
	return 0;
}

static int field(struct request *r, const char *key, json_object *v)
{
	const struct cli_command *cmd = r->cmd;
	const char *s;

	if (!strcmp(key, "v") || !strcmp(key, "cmd"))
		return 0;
	if (cmd->control_operand && !strcmp(key, cmd->control_operand)) {
		s = string_field(r, key, v);
		if (!s)
			return -1;
		r->operand = xstrdup(s);
		return 0;
	}
	if (!strcmp(key, "ttl") && (cmd->options & OPT(OPT_TTL))) {
		if (json_object_is_type(v, json_type_int)) {
			snprintf(r->ttl, sizeof(r->ttl), "%llds",
				 (long long)json_object_get_int64(v));
			return option_field(r, OPT_TTL, r->ttl);
		}
		s = string_field(r, key, v);
		if (!s)
			return -1;
		snprintf(r->ttl, sizeof(r->ttl), "%s", s);
		return option_field(r, OPT_TTL, r->ttl);
	}
	if (!strcmp(key, "reason") && (cmd->options & OPT(OPT_REASON))) {
		s = string_field(r, key, v);
		if (!s)
			return -1;
		free(r->reason);
		r->reason = xstrdup(s);
		return option_field(r, OPT_REASON, r->reason);
	}
	if ((!strcmp(key, "json") && (cmd->options & OPT(OPT_JSON))) ||
	    (!strcmp(key, "force") && (cmd->options & OPT(OPT_FORCE)))) {
		if (!json_object_is_type(v, json_type_boolean))
			return fail(r, "\"%s\" must be true or false", key);
		*(key[0] == 'j' ? &r->a.json : &r->a.force) =
			json_object_get_boolean(v);
		return 0;
	}
	return fail(r, "%s takes no field \"%s\"", cmd->name, key);
}

/* The commands a member may run, for the message that refuses others. */
static void served_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cli_nr_commands && off < len; i++) {
		if (cli_commands[i].flags & CMD_CONTROL)
			off += snprintf(buf + off, len - off, "%s%s",
					off ? ", " : "", cli_commands[i].name);
	}
}

static int parse(struct request *r, const struct control_caller *who,
		 const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new_ex(4);
	json_object *o, *v;
	char shown[PRINTABLE_LEN], served[256];
	const char *name;
	int rc = -1;

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
	served_list(served, sizeof(served));
	r->cmd = cli_find(name);
	if (!r->cmd || !(r->cmd->flags & CMD_CONTROL)) {
		fail(r,
		     "'%s' is not served by the control socket, which serves %s%s",
		     printable(name, shown, sizeof(shown)), served,
		     r->cmd && who->uid == 0
			     ? "; run it as root, without the daemon"
			     : "");
		r->cmd = NULL;
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
	if (r->cmd->control_operand && !r->operand && r->cmd->min_operands) {
		fail(r, "%s needs \"%s\"", r->cmd->name,
		     r->cmd->control_operand);
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

/*
 * What the loaded config lets members block: read under the state lock
 * by the request that needs it, and kept between requests while what is
 * loaded stays the same (member_policy.h). The daemon's loop is one
 * thread.
 */
static struct member_policy policy;

static void audit(const struct control_caller *who, const struct request *r,
		  int rc, const char *msg)
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
	struct request r = { .a = { .xdp_mode = XDP_MODE_AUTO } };
	struct block_limits lim = { .uid = who->uid, .policy = &policy };
	struct cli_ctx ctx = {};
	struct capture cap;
	char msg[512];
	json_object *o;
	int rc;

	capture_begin(&cap);
	rc = parse(&r, who, line, len);
	if (rc == 0) {
		r.a.operands = &r.operand;
		r.a.nr_operands = r.operand ? 1 : 0;
		if (who->uid != 0 && (r.cmd->flags & CMD_CHANGES))
			ctx.limits = &lim;
		rc = cli_execute(r.cmd, &r.a, &ctx, false);
	} else {
		fprintf(stderr, "edgefw: %s\n", r.error);
		rc = 2;
	}
	capture_end(&cap);
	first_message(cap.err ? cap.err : "", msg, sizeof(msg));
	if (r.cmd && ((r.cmd->flags & CMD_CHANGES) || rc))
		audit(who, &r, rc, msg);
	else if (!r.cmd)
		log_info("control socket: uid %u pid %d: refused: %s",
			 (unsigned int)who->uid, (int)who->pid, r.error);
	o = response(rc == 0, rc, cap.out ? cap.out : "",
		     cap.err ? cap.err : "", rc ? msg : NULL);
	free(cap.out);
	free(cap.err);
	free(r.operand);
	free(r.reason);
	return line_of(o);
}
