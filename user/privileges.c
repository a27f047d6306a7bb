// SPDX-License-Identifier: GPL-2.0
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "log.h"
#include "privileges.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

bool have_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	return syscall(SYS_capget, &hdr, data) == 0 &&
	       (has_cap(data, CAP_BPF) || has_cap(data, CAP_SYS_ADMIN)) &&
	       has_cap(data, CAP_NET_ADMIN);
}

int require_privileges(const char *command)
{
	if (have_privileges())
		return 0;
	log_err("%s needs root (CAP_BPF and CAP_NET_ADMIN); run it with sudo",
		command);
	return -1;
}
