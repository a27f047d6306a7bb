// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "endpoint.h"

#define EXAMPLE "such as 127.0.0.1:9101 or [::1]:9101"

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s) || strlen(s) > 5)
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

int endpoint_parse(const char *s, struct endpoint *e, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1], why[160];
	const char *port, *colon = strrchr(s, ':');
	bool bracketed = s[0] == '[';
	size_t n;

	memset(e, 0, sizeof(*e));
	if (bracketed) {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			snprintf(
				err, errlen,
				"malformed address and port '%s': expected [IPV6]:PORT, " EXAMPLE,
				s);
			return -1;
		}
		n = close - (s + 1);
		port = close + 2;
		s++;
	} else if (!colon) {
		snprintf(err, errlen,
			 "'%s' has no port: expected ADDRESS:PORT, " EXAMPLE,
			 s);
		return -1;
	} else if (strchr(s, ':') != colon) {
		snprintf(
			err, errlen,
			"malformed address and port '%s': an IPv6 address goes in brackets, as in [::1]:9101",
			s);
		return -1;
	} else {
		n = colon - s;
		port = colon + 1;
	}
	if (n >= sizeof(addr) || n == 0) {
		snprintf(
			err, errlen,
			"malformed address in '%.*s': expected an IPv4 or IPv6 address",
			(int)(port - s), s);
		return -1;
	}
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (addr_parse(addr, &e->addr, why, sizeof(why))) {
		snprintf(err, errlen, "%s (no name is looked up: give %s)", why,
			 EXAMPLE);
		return -1;
	}
	if (bracketed != (e->addr.family == EDGEFW_FAMILY_IPV6)) {
		snprintf(
			err, errlen,
			"'%s' in brackets is not an IPv6 address: expected " EXAMPLE,
			addr);
		return -1;
	}
	if (parse_port(port, &e->port)) {
		snprintf(err, errlen,
			 "port '%s' is not a number from 1 to 65535", port);
		return -1;
	}
	return 0;
}

void endpoint_format(const struct endpoint *e, char *buf, size_t len)
{
	char a[PREFIX_STRLEN];

	prefix_format(&e->addr, a, sizeof(a));
	if (e->addr.family == EDGEFW_FAMILY_IPV6)
		snprintf(buf, len, "[%s]:%u", a, e->port);
	else
		snprintf(buf, len, "%s:%u", a, e->port);
}

socklen_t endpoint_sockaddr(const struct endpoint *e,
			    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->addr.family == EDGEFW_FAMILY_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(e->port);
		memcpy(&sin->sin_addr, e->addr.addr.b, 4);
		return sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(e->port);
		memcpy(&sin6->sin6_addr, e->addr.addr.b, 16);
		return sizeof(*sin6);
	}
}
