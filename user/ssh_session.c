// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ssh_session.h"

/* SSH_CONNECTION: "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT" */
bool ssh_session_from_env(struct ssh_session *s)
{
	const char *env = getenv("SSH_CONNECTION");
	char client[64], server[64], why[128];

	if (!env || sscanf(env, "%63s %u %63s %u", client, &s->client_port,
			   server, &s->server_port) != 4)
		return false;
	/* an IPv4 client of a dual-stack sshd shows as ::ffff:a.b.c.d */
	if (!strncmp(client, "::ffff:", 7) && strchr(client, '.'))
		memmove(client, client + 7, strlen(client + 7) + 1);
	if (!strncmp(server, "::ffff:", 7) && strchr(server, '.'))
		memmove(server, server + 7, strlen(server + 7) + 1);
	return addr_parse(client, &s->client, why, sizeof(why)) == 0 &&
	       addr_parse(server, &s->server, why, sizeof(why)) == 0 &&
	       s->client.family == s->server.family && s->client_port < 65536 &&
	       s->server_port < 65536;
}
