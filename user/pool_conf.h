/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pool statement's words, checked as the config and the etcd client
 * both need them: an endpoint URL and the pool's key prefix (README, Pool).
 */
#ifndef EDGEFW_POOL_CONF_H
#define EDGEFW_POOL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define POOL_MAX_ENDPOINTS 16
#define POOL_URL_LEN 256 /* with the NUL */
#define POOL_PREFIX_MAX 128 /* characters */

/*
 * "http://HOST:PORT" or "https://HOST:PORT": HOST a name, an IPv4 address
 * or [IPV6], PORT 1 to 65535, nothing after it. -1 with why written.
 * *tls: whether it is https.
 */
int pool_url_check(const char *url, bool *tls, char *why, size_t len);

/*
 * An absolute key prefix of letters, digits, '_', '-', '.' and '/', no
 * ending '/', no empty, "." or ".." component, up to POOL_PREFIX_MAX
 * characters. -1 with why written.
 */
int pool_prefix_check(const char *prefix, char *why, size_t len);

#endif
