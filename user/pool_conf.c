// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pool_conf.h"
#include "util.h"

static bool host_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '.';
}

int pool_url_check(const char *url, bool *tls, char *why, size_t len)
{
	char shown[PRINTABLE_LEN], host[POOL_URL_LEN];
	const char *p, *port;
	unsigned long n;
	char *end;
	size_t hl;

	printable(url, shown, sizeof(shown));
	if (!strncmp(url, "http://", 7)) {
		*tls = false;
		p = url + 7;
	} else if (!strncmp(url, "https://", 8)) {
		*tls = true;
		p = url + 8;
	} else {
		snprintf(
			why, len,
			"'%s' is not a URL: expected http://HOST:PORT or https://HOST:PORT, such as http://127.0.0.1:2379",
			shown);
		return -1;
	}
	if (*p == '[') {
		const char *close = strchr(p, ']');
		struct in6_addr a6;

		hl = close ? (size_t)(close - p - 1) : 0;
		if (!close || hl == 0 || hl >= sizeof(host)) {
			snprintf(
				why, len,
				"'%s': an IPv6 address in brackets is not closed",
				shown);
			return -1;
		}
		memcpy(host, p + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			snprintf(
				why, len,
				"'%s': what is in brackets is not an IPv6 address",
				shown);
			return -1;
		}
		port = close + 1;
	} else {
		for (hl = 0; host_char(p[hl]); hl++)
			;
		if (hl == 0 || hl > 253) {
			snprintf(why, len,
				 "'%s' has no host (a name or address)", shown);
			return -1;
		}
		port = p + hl;
	}
	if (*port != ':') {
		snprintf(
			why, len,
			"'%s' has no port: expected such as http://127.0.0.1:2379",
			shown);
		return -1;
	}
	errno = 0;
	n = strtoul(port + 1, &end, 10);
	if (!isdigit((unsigned char)port[1]) || errno || n < 1 || n > 65535) {
		snprintf(why, len,
			 "'%s': the port is not a number from 1 to 65535",
			 shown);
		return -1;
	}
	if (*end) {
		snprintf(
			why, len,
			"'%s': nothing may follow the port (no path, query or user)",
			shown);
		return -1;
	}
	return 0;
}

int pool_prefix_check(const char *prefix, char *why, size_t len)
{
	char shown[PRINTABLE_LEN];
	size_t n = strlen(prefix);
	const char *c;

	printable(prefix, shown, sizeof(shown));
	if (prefix[0] != '/' || n < 2 || n > POOL_PREFIX_MAX) {
		snprintf(
			why, len,
			"the pool's prefix '%s' is not an absolute key of 2 to %d characters, such as /edgefw/pool1",
			shown, POOL_PREFIX_MAX);
		return -1;
	}
	for (c = prefix; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("_-./", *c)) {
			snprintf(
				why, len,
				"the pool's prefix '%s' may hold letters, digits, '_', '-', '.' and '/' only",
				shown);
			return -1;
		}
	}
	/* Each component between slashes: not empty, "." or "..". */
	for (c = prefix; *c; c++) {
		const char *e;

		if (*c != '/')
			continue;
		e = strchr(c + 1, '/');
		if (!e)
			e = c + strlen(c);
		if (e == c + 1 || (e - c == 2 && c[1] == '.') ||
		    (e - c == 3 && c[1] == '.' && c[2] == '.')) {
			snprintf(
				why, len,
				"the pool's prefix '%s' has an empty, '.' or '..' component (or ends with '/')",
				shown);
			return -1;
		}
	}
	return 0;
}
