// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI run by a user without root's privileges: the command goes to
 * the daemon's control socket as one request (control_proto.h), and what
 * the daemon answers is printed as the command would have printed it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "cli.h"
#include "control_parse.h"
#include "log.h"
#include "util.h"

#define REPLY_MAX (64 << 20) /* a status or block list of any size */

static json_object *request_of(const struct cli_command *cmd,
			       const struct cli_args *a)
{
	const struct control_command *cc = control_command_find(cmd->name);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "v", json_object_new_int(CONTROL_VERSION));
	json_object_object_add(o, "cmd", json_object_new_string(cmd->name));
	if (cc && cc->operand && a->nr_operands)
		json_object_object_add(o, cc->operand,
				       json_object_new_string(a->operands[0]));
	if (a->ttl) {
		char ttl[32];

		snprintf(ttl, sizeof(ttl), "%llds", (long long)a->ttl);
		json_object_object_add(o, "ttl", json_object_new_string(ttl));
	}
	if (a->reason)
		json_object_object_add(o, "reason",
				       json_object_new_string(a->reason));
	if (a->json)
		json_object_object_add(o, "json", json_object_new_boolean(1));
	if (a->force)
		json_object_object_add(o, "force", json_object_new_boolean(1));
	return o;
}

static int connect_to(const struct cli_command *cmd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		log_err("cannot reach the edgefw daemon at %s: %s", path,
			fd < 0 ? strerror(errno) : "path too long");
		goto fail;
	}
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (errno == ENOENT || errno == ECONNREFUSED)
		log_err("%s needs root, or the edgefw daemon, which is not running (no %s): start it (systemctl start edgefw), or run the command as root",
			cmd->name, path);
	else if (errno == EACCES || errno == EPERM)
		log_err("%s needs root, or membership of group " CONTROL_GROUP
			" to ask the edgefw daemon (%s: %s): run it as root, or add the user to the group (usermod -aG " CONTROL_GROUP
			" USER; it applies at the next login)",
			cmd->name, path, strerror(errno));
	else
		log_err("cannot reach the edgefw daemon at %s: %s", path,
			strerror(errno));
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* One line; NULL after saying why. */
static char *read_line(int fd, const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = xcalloc(cap, 1);

	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (cap >= REPLY_MAX)
				break;
			buf = xrealloc(buf, cap * 2, 1);
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		buf[len] = '\0';
		if (memchr(buf + len - n, '\n', n))
			return buf;
	}
	log_err("the edgefw daemon at %s did not answer%s", path,
		len ? " in full" : " (see its log: journalctl -u edgefw)");
	free(buf);
	return NULL;
}

static const char *member_string(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int control_client_run(const struct cli_command *cmd, const struct cli_args *a)
{
	struct paths p;
	json_object *req, *reply = NULL, *exit_v;
	const char *text, *out, *err;
	char *line = NULL;
	int fd, rc = EXIT_FAILED;

	if (paths_init(&p))
		return EXIT_FAILED;
	fd = connect_to(cmd, p.control_sock);
	if (fd < 0)
		return EXIT_FAILED;
	req = request_of(cmd, a);
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	if (send_all(fd, text, strlen(text)) || send_all(fd, "\n", 1)) {
		log_err("cannot send to the edgefw daemon at %s: %s",
			p.control_sock, strerror(errno));
		goto out;
	}
	line = read_line(fd, p.control_sock);
	if (!line)
		goto out;
	reply = json_tokener_parse(line);
	if (!reply || !json_object_object_get_ex(reply, "exit", &exit_v) ||
	    !json_object_is_type(exit_v, json_type_int)) {
		log_err("the edgefw daemon at %s answered what this edgefw does not read",
			p.control_sock);
		goto out;
	}
	out = member_string(reply, "stdout");
	err = member_string(reply, "stderr");
	if (out)
		fputs(out, stdout);
	if (err)
		fputs(err, stderr);
	rc = json_object_get_int(exit_v);
out:
	json_object_put(req);
	json_object_put(reply);
	free(line);
	close(fd);
	return rc;
}
