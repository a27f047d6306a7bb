/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's control socket, as its two ends (user/daemon/control.c and
 * user/cli/control_client.c) and the stanza proxies (contrib/) speak it:
 * one JSON object a line each way, a request and then its response, on a
 * Unix stream socket. README.md, "The control socket", documents it.
 *
 *   {"v":1,"cmd":"block add","addr":"192.0.2.66","ttl":"1h","reason":"s2s"}
 *   {"v":1,"ok":true,"exit":0,"stdout":"","stderr":"edgefw: blocked ..."}
 *
 * A block a member adds is recorded as its uid's (blocklist.h); a
 * member's block del or block add of a block root added is refused with
 * exit 2, naming root.
 */
#ifndef EDGEFW_CONTROL_PROTO_H
#define EDGEFW_CONTROL_PROTO_H

#define CONTROL_VERSION 1
#define CONTROL_GROUP "edgefw" /* its members may use the socket */
#define CONTROL_LINE_MAX 65536 /* a longer request is refused */
#define CONTROL_CLIENTS_MAX 32 /* connected at once; more are refused */
#define CONTROL_IDLE_MS \
	10000 /* a request, or the reading of a reply, takes no longer */

#endif
