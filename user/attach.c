// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach.h"
#include "log.h"

int xdp_mode_parse(const char *s, enum xdp_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = XDP_MODE_AUTO;
	else if (!strcmp(s, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(s, "generic"))
		*mode = XDP_MODE_GENERIC;
	else
		return -1;
	return 0;
}

static int link_xdp(int ifindex, int prog_fd, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

/* EBUSY: a program in the same mode; EEXIST: one in the other mode. */
static const char *busy_hint(int err)
{
	return err == -EBUSY || err == -EEXIST
		       ? " (another XDP program is attached; see 'ip link show')"
		       : "";
}

int attach_xdp(const char *ifname, int ifindex, int prog_fd, enum xdp_mode mode,
	       bool *native)
{
	int fd;

	if (mode != XDP_MODE_GENERIC) {
		fd = link_xdp(ifindex, prog_fd, XDP_FLAGS_DRV_MODE);
		if (fd >= 0) {
			*native = true;
			return fd;
		}
		if (mode == XDP_MODE_NATIVE || fd != -EOPNOTSUPP) {
			log_err("%s: cannot attach XDP program%s: %s%s", ifname,
				mode == XDP_MODE_NATIVE ? " in native mode"
							: "",
				strerror(-fd), busy_hint(fd));
			return -1;
		}
		log_warn(
			"%s: the driver has no native XDP; using generic XDP, which is slower",
			ifname);
	}
	fd = link_xdp(ifindex, prog_fd, XDP_FLAGS_SKB_MODE);
	if (fd < 0) {
		log_err("%s: cannot attach XDP program in generic mode: %s%s",
			ifname, strerror(-fd), busy_hint(fd));
		return -1;
	}
	*native = false;
	return fd;
}

int replace_xdp(const char *ifname, int link_fd, int prog_fd)
{
	if (bpf_link_update(link_fd, prog_fd, NULL)) {
		log_err("%s: cannot replace the XDP program: %s", ifname,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void tc_hook_init(struct bpf_tc_hook *hook, int ifindex)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = BPF_TC_EGRESS;
}

static void tc_opts_init(struct bpf_tc_opts *opts, int prog_fd, __u32 flags)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = EDGEFW_TC_HANDLE;
	opts->priority = EDGEFW_TC_PRIORITY;
	opts->prog_fd = prog_fd;
	opts->flags = flags;
}

int attach_tc(const char *ifname, int ifindex, int prog_fd, bool replace,
	      bool *qdisc_created)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	tc_hook_init(&hook, ifindex);
	if (!replace) {
		err = bpf_tc_hook_create(&hook);
		if (err && err != -EEXIST) {
			log_err("%s: cannot add a clsact qdisc: %s", ifname,
				strerror(-err));
			return -1;
		}
		*qdisc_created = err == 0;
	}
	tc_opts_init(&opts, prog_fd, replace ? BPF_TC_F_REPLACE : 0);
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		log_err("%s: cannot attach TC egress program: %s%s", ifname,
			strerror(-err),
			err == -EEXIST
				? " (a filter with edgefw's handle is there; is another edgefw loaded?)"
				: "");
		if (!replace && *qdisc_created) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
			*qdisc_created = false;
		}
		return -1;
	}
	return 0;
}

int detach_tc(const char *ifname, int ifindex, bool qdisc_created)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err, rc = 0;

	tc_hook_init(&hook, ifindex);
	tc_opts_init(&opts, 0, 0);
	err = bpf_tc_detach(&hook, &opts);
	if (err && err != -ENOENT && err != -EINVAL) {
		log_err("%s: cannot detach TC egress program: %s", ifname,
			strerror(-err));
		rc = -1;
	}
	if (qdisc_created) {
		/* clsact is one qdisc for both hooks: destroy it whole */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		err = bpf_tc_hook_destroy(&hook);
		if (err && err != -ENOENT && err != -EINVAL) {
			log_err("%s: cannot remove the clsact qdisc: %s",
				ifname, strerror(-err));
			rc = -1;
		}
	}
	return rc;
}

__u32 query_tc_prog(int ifindex)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	tc_hook_init(&hook, ifindex);
	tc_opts_init(&opts, 0, 0);
	return bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
}

__u32 query_xdp_prog(int ifindex, bool *native)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, opts);

	if (bpf_xdp_query(ifindex, 0, &opts))
		return 0;
	*native = opts.attach_mode == XDP_ATTACHED_DRV;
	return opts.attach_mode == XDP_ATTACHED_DRV   ? opts.drv_prog_id
	       : opts.attach_mode == XDP_ATTACHED_SKB ? opts.skb_prog_id
						      : opts.prog_id;
}
