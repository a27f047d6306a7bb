// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach.h"
#include "inspect.h"
#include "log.h"
#include "pins.h"
#include "snapshot.h"

static int read_nr_blocked(struct loaded *l)
{
	struct edgefw_control ctl = {};
	struct map_fds m;
	__u32 zero = 0;
	int err = 0;

	if (pins_open_maps(&l->paths, MAP_BIT(MAP_CONTROL), 0, &m))
		return -1;
	if (bpf_map_lookup_elem(m.fd[MAP_CONTROL], &zero, &ctl)) {
		log_err("cannot read %s/%s: %s", l->paths.pin_dir,
			map_name(MAP_CONTROL), strerror(errno));
		err = -1;
	}
	map_fds_close(&m);
	l->nr_blocked = ctl.nr_blocked;
	return err;
}

static int open_as(const struct paths *p, struct loaded *l, bool shape_only)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->paths = *p;
	err = state_read(p, &l->st);
	if (err == -ENOENT)
		return 1;
	if (err)
		return -1;
	if (!l->st.complete) {
		log_err("a load was interrupted; run 'edgefw unload' to clean up, then load again");
		return -1;
	}
	if (snapshot_load(p, l->st.config_hash, shape_only, &l->cfg))
		return -1;
	/*
	 * What reads the sets' sizes (status, stats) needs one for each set
	 * of the config; reload, which counts them again, reads none.
	 */
	if (shape_only && l->st.set_sizes_known &&
	    l->st.nr_sets != l->cfg.nr_sets) {
		log_err("edgefw's runtime state %s is corrupt (\"set_sizes\" has %zu entries for the %zu sets of the loaded config); run 'edgefw reload' to count them again",
			p->state, l->st.nr_sets, l->cfg.nr_sets);
		return -1;
	}
	return read_nr_blocked(l);
}

int loaded_open(const struct paths *p, struct loaded *l)
{
	return open_as(p, l, false);
}

int loaded_open_shape(const struct paths *p, struct loaded *l)
{
	return open_as(p, l, true);
}

void loaded_close(struct loaded *l)
{
	config_free(&l->cfg);
}

void loaded_iface_health(const struct loaded *l, size_t i,
			 struct iface_health *h)
{
	const struct iface_state *s = &l->st.ifaces[i];

	memset(h, 0, sizeof(*h));
	h->ifindex = if_nametoindex(s->name);
	h->xdp_pinned = pins_iface_prog_id(&l->paths, PIN_XDP_LINK, s->name);
	h->tc_pinned = pins_iface_prog_id(&l->paths, PIN_TC_PROG, s->name);
	if (h->ifindex) {
		h->xdp_id = query_xdp_prog(h->ifindex, &h->xdp_native);
		h->tc_id = query_tc_prog(h->ifindex);
	}
	if (!iface_present(s))
		h->problem =
			h->ifindex
				? "waiting: the interface appeared, and is not filtered yet"
				: "waiting for the interface to appear";
	else if (!h->ifindex)
		h->problem = "the interface is gone";
	else if (h->ifindex != s->ifindex)
		h->problem =
			"the interface was recreated since edgefw loaded; reload";
	else if (!h->xdp_pinned || h->xdp_id != h->xdp_pinned)
		h->problem = "edgefw's XDP program is not attached";
	else if (!h->tc_pinned || h->tc_id != h->tc_pinned)
		h->problem = "edgefw's TC egress program is not attached";
}
