// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach.h"
#include "log.h"
#include "op.h"
#include "op_load.h"
#include "pins.h"

/* Detach through the pin, so that no other holder keeps it attached. */
static int detach_xdp_pin(const struct paths *p, const char *ifname)
{
	int fd = pins_open_iface(p, PIN_XDP_LINK, ifname), err = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (bpf_link_detach(fd)) {
		log_err("%s: cannot detach the XDP program: %s", ifname,
			strerror(errno));
		err = -1;
	}
	close(fd);
	return err;
}

static int detach_iface(const struct paths *p, const struct iface_state *s)
{
	int ifindex = if_nametoindex(s->name);
	int err = detach_xdp_pin(p, s->name);

	/* An interface that is gone took its filters with it. */
	if (ifindex && detach_tc(s->name, ifindex, s->qdisc_created))
		err = -1;
	return err;
}

/* Without a readable state, find edgefw's filters by their handle. */
static int detach_unknown(const struct paths *p)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err = 0;

	for (i = ifs; i && i->if_index; i++) {
		if (detach_xdp_pin(p, i->if_name))
			err = -1;
		if (query_tc_prog(i->if_index) &&
		    detach_tc(i->if_name, i->if_index, false))
			err = -1;
	}
	if_freenameindex(ifs);
	return err;
}

int op_unload(const struct paths *p, bool force, bool *loaded)
{
	struct runtime_state st;
	struct stat sb;
	int err, rc = 0;

	err = state_read(p, &st);
	*loaded = !(err == -ENOENT && stat(p->pin_dir, &sb) != 0);
	if (!*loaded)
		return 0;
	if (err == 0 && state_check_netns(&st, "unload")) {
		if (!force)
			return OP_FAILED;
		/* XDP goes with its pins; TC filters die with the namespace */
		log_warn("--force: removing edgefw's pins and state only");
		for (size_t i = 0; i < st.nr_ifaces; i++)
			detach_xdp_pin(p, st.ifaces[i].name);
	} else if (err == 0) {
		for (size_t i = 0; i < st.nr_ifaces; i++) {
			if (detach_iface(p, &st.ifaces[i]))
				rc = OP_FAILED;
		}
	} else {
		log_warn(
			"without the runtime state, edgefw's programs are found by their pins and tc handle; a clsact qdisc edgefw added stays");
		if (detach_unknown(p))
			rc = OP_FAILED;
	}
	if (pins_remove(p))
		rc = OP_FAILED;
	if (state_remove(p)) {
		log_err("cannot remove the state in %s", p->run_dir);
		rc = OP_FAILED;
	}
	return rc;
}
