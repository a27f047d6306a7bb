/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An address and a port to listen on, as the config writes them:
 * 127.0.0.1:9101, or [::1]:9101 for IPv6.
 */
#ifndef EDGEFW_ENDPOINT_H
#define EDGEFW_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "addr.h"

/* "[" INET6_ADDRSTRLEN "]:65535" */
#define ENDPOINT_STRLEN (INET6_ADDRSTRLEN + 8)

struct endpoint {
	struct prefix addr; /* a whole address: /32 or /128 */
	uint16_t port;
};

/*
 * "ADDR:PORT" or "[ADDR6]:PORT"; a literal address (no name is looked
 * up) and a port from 1 to 65535. -1 with why written to err.
 */
int endpoint_parse(const char *s, struct endpoint *e, char *err, size_t errlen);

/* Back to text, as endpoint_parse reads it. */
void endpoint_format(const struct endpoint *e, char *buf, size_t len);

/* The socket address to bind; its length. */
socklen_t endpoint_sockaddr(const struct endpoint *e,
			    struct sockaddr_storage *ss);

#endif
