/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DNS names as partners are named: an XMPP domain is a host name (RFC
 * 6120 §2.1, RFC 1123 §2.1), written in ASCII; an internationalised one
 * as its A-label (xn--...).
 */
#ifndef EDGEFW_DNSNAME_H
#define EDGEFW_DNSNAME_H

#include <stdbool.h>
#include <stddef.h>

#define DNSNAME_LEN 254 /* 253 characters without the root's dot, a NUL */

/*
 * s as a domain in out (lower case, no trailing dot): 0, or -1 with why
 * saying what is wrong (s is quoted escaped).
 */
int dnsname_parse(const char *s, char out[DNSNAME_LEN], char *why,
		  size_t why_len);

#endif
