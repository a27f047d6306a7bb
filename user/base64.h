/* SPDX-License-Identifier: GPL-2.0 */
/* Base64 (RFC 4648, with padding), as etcd's JSON gateway writes bytes. */
#ifndef EDGEFW_BASE64_H
#define EDGEFW_BASE64_H

#include <stddef.h>

/* The encoded length of n bytes, without the NUL. */
#define BASE64_LEN(n) (((n) + 2) / 3 * 4)

/* Encode n bytes of in into out (BASE64_LEN(n) + 1 bytes, NUL-ended). */
void base64_encode(const void *in, size_t n, char *out);

/*
 * Decode len characters of in into out (at least len / 4 * 3 + 1 bytes;
 * a NUL follows what is decoded). Strict: padded to a multiple of 4, the
 * alphabet only, no bits set past the end. The decoded length, or -1.
 */
long base64_decode(const char *in, size_t len, unsigned char *out);

#endif
