// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <linux/rtnetlink.h>
#include "log.h"
#include "util.h"
#include "watch.h"

struct watch {
	struct nl_sock *sk;
	bool changed;
};

static int on_message(struct nl_msg *msg, void *arg)
{
	struct watch *w = arg;

	switch (nlmsg_hdr(msg)->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_NEWADDR:
	case RTM_DELADDR:
		w->changed = true;
	}
	return NL_OK;
}

struct watch *watch_open(void)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	int err;

	w->sk = nl_socket_alloc();
	if (!w->sk) {
		log_err("cannot allocate a netlink socket");
		free(w);
		return NULL;
	}
	/* events are not answers to requests of ours */
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_message, w);
	err = nl_connect(w->sk, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_add_memberships(w->sk, RTNLGRP_LINK,
						RTNLGRP_IPV4_IFADDR,
						RTNLGRP_IPV6_IFADDR, 0);
	if (!err)
		err = nl_socket_set_nonblocking(w->sk);
	if (err) {
		log_err("cannot listen to netlink: %s", nl_geterror(err));
		watch_close(w);
		return NULL;
	}
	return w;
}

void watch_close(struct watch *w)
{
	if (!w)
		return;
	nl_socket_free(w->sk);
	free(w);
}

int watch_fd(const struct watch *w)
{
	return nl_socket_get_fd(w->sk);
}

int watch_read(struct watch *w)
{
	int err;

	w->changed = false;
	for (;;) {
		err = nl_recvmsgs_default(w->sk);
		if (err >= 0)
			continue;
		if (err == -NLE_AGAIN)
			return w->changed;
		/* ENOBUFS: the kernel dropped events for us */
		log_warn(
			"netlink events were lost (%s); resyncing from the kernel's state",
			nl_geterror(err));
		return -1;
	}
}
