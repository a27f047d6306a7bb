// SPDX-License-Identifier: GPL-2.0
/*
 * Reload: a new generation is verified and filled beside the running
 * one, then each interface switches program in one step: the XDP link is
 * pointed at the new program (bpf_link_update) and the TC filter replaced
 * in place. A program reads only its own generation's rules, classes and
 * sets, so every packet meets either the old config or the new, never a
 * mix. Flows and the blocklist are shared and carry over. Until the
 * switch nothing running is touched; a failure during it puts back the
 * old programs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "build.h"
#include "flowfilter.h"
#include "lockout.h"
#include "log.h"
#include "maps.h"
#include "op.h"
#include "op_load.h"
#include "probe.h"
#include "setindex.h"
#include "snapshot.h"

/* An interface of the running generation. */
struct running {
	struct iface_state st;
	int link_fd; /* its pinned XDP link; -1 if gone */
	int old_xdp; /* the program the link runs, to switch back to */
	int old_tc; /* the pinned TC program */
	int next; /* its index in the new generation, or -1 */
	bool switched;
};

static int prog_of_link(int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -1;
	return bpf_prog_get_fd_by_id(info.prog_id);
}

static void open_running(const struct paths *p, const struct runtime_state *st,
			 const struct generation *g, struct running *run)
{
	for (size_t j = 0; j < st->nr_ifaces; j++) {
		struct running *r = &run[j];

		r->st = st->ifaces[j];
		r->link_fd = r->old_xdp = r->old_tc = r->next = -1;
		r->switched = false;
		if (!iface_present(&r->st))
			continue; /* waiting: nothing of it is attached */
		r->link_fd = pins_open_iface(p, PIN_XDP_LINK, r->st.name);
		r->old_xdp = r->link_fd >= 0 ? prog_of_link(r->link_fd) : -1;
		r->old_tc = pins_open_iface(p, PIN_TC_PROG, r->st.name);
		for (size_t i = 0; i < g->nr_ifaces; i++) {
			/* the same device, still there, still ours */
			if (!strcmp(g->ifaces[i].st.name, r->st.name) &&
			    g->ifaces[i].st.ifindex == r->st.ifindex &&
			    r->old_xdp >= 0 && r->old_tc >= 0)
				r->next = (int)i;
		}
	}
}

static void close_running(struct running *run, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		int fds[] = { run[j].link_fd, run[j].old_xdp, run[j].old_tc };

		for (size_t k = 0; k < ARRAY_SIZE(fds); k++) {
			if (fds[k] >= 0)
				close(fds[k]);
		}
	}
}

static struct running *running_of(struct running *run, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++) {
		if (run[j].next == (int)i)
			return &run[j];
	}
	return NULL;
}

static int switch_iface(struct gen_iface *gi, struct running *r)
{
	bool unused;

	if (replace_xdp(gi->st.name, r->link_fd,
			bpf_program__fd(gi->skel->progs.edgefw_xdp)))
		return -1;
	r->switched = true;
	if (attach_tc(gi->st.name, gi->st.ifindex,
		      bpf_program__fd(gi->skel->progs.edgefw_tc), true,
		      &unused))
		return -1;
	/* the link and the qdisc stay what they were */
	gi->st.xdp_native = r->st.xdp_native;
	gi->st.qdisc_created = r->st.qdisc_created;
	return 0;
}

static void switch_back(struct running *run, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		struct running *r = &run[j];
		bool unused;

		if (!r->switched)
			continue;
		replace_xdp(r->st.name, r->link_fd, r->old_xdp);
		attach_tc(r->st.name, r->st.ifindex, r->old_tc, true, &unused);
		r->switched = false;
	}
}

/* Switch kept interfaces, attach added ones; undo everything on failure. */
static int switch_all(struct generation *g, struct running *run, size_t nr_run,
		      enum xdp_mode mode)
{
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		struct gen_iface *gi = &g->ifaces[i];
		struct running *r = running_of(run, nr_run, i);
		int fd;

		if (!iface_present(&gi->st))
			continue;
		if (r) {
			if (switch_iface(gi, r))
				goto fail;
			continue;
		}
		fd = attach_xdp(gi->st.name, gi->st.ifindex,
				bpf_program__fd(gi->skel->progs.edgefw_xdp),
				mode, &gi->st.xdp_native);
		if (fd < 0)
			goto fail;
		gi->xdp_link_fd = fd;
		if (attach_tc(gi->st.name, gi->st.ifindex,
			      bpf_program__fd(gi->skel->progs.edgefw_tc), false,
			      &gi->st.qdisc_created))
			goto fail;
		gi->tc_attached = true;
	}
	return 0;
fail:
	switch_back(run, nr_run);
	gen_detach(g); /* only what this reload attached */
	return -1;
}

/* The interfaces the new config no longer has. */
static void detach_removed(const struct paths *p, struct running *run, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		struct running *r = &run[j];
		int ifindex = if_nametoindex(r->st.name);

		if (r->next >= 0 || !iface_present(&r->st))
			continue;
		if (r->link_fd >= 0 && bpf_link_detach(r->link_fd) &&
		    errno != ENOLINK)
			log_warn("%s: cannot detach the XDP program: %s",
				 r->st.name, strerror(errno));
		if (ifindex == r->st.ifindex)
			detach_tc(r->st.name, ifindex, r->st.qdisc_created);
		pins_unpin_iface(p, PIN_XDP_LINK, r->st.name);
		pins_unpin_iface(p, PIN_TC_PROG, r->st.name);
	}
}

/*
 * Pins follow the switch: the new generation's maps replace gen/ as one
 * directory, TC programs are re-pinned, added interfaces pinned.
 */
static int repin(const struct generation *g, struct running *run, size_t n,
		 const struct paths *p)
{
	char fresh[PATH_MAX + 8], stale[PATH_MAX + 8];
	int err = 0;

	/* bpffs refuses dots in names */
	snprintf(fresh, sizeof(fresh), "%s_new", p->gen_dir);
	snprintf(stale, sizeof(stale), "%s_old", p->gen_dir);
	remove_tree(fresh);
	remove_tree(stale);
	if (gen_pin_maps(g, fresh) || rename(p->gen_dir, stale) ||
	    rename(fresh, p->gen_dir)) {
		log_err("cannot pin the new maps under %s: %s", p->gen_dir,
			strerror(errno));
		return -1;
	}
	remove_tree(stale);
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		const struct gen_iface *gi = &g->ifaces[i];

		if (!iface_present(&gi->st))
			continue;
		if (!running_of(run, n, i)) {
			err |= gen_pin_iface(g, i, p);
			continue;
		}
		pins_unpin_iface(p, PIN_TC_PROG, gi->st.name);
		err |= pins_pin_iface(
			p, PIN_TC_PROG, gi->st.name,
			bpf_program__fd(gi->skel->progs.edgefw_tc));
	}
	return err;
}

/*
 * Whether a pinned map of those a reload makes has the shape this
 * edgefw's programs use: an edgefw from before the daemon's samples had
 * one lease and one bucket (8-byte events_ctl, not mmapped; one
 * events_cpu entry), and the flow filter is of this edgefw's layout, its
 * words following the flow table's size (the programs compute where a
 * key's bits lie from that size, user space from the filter's).
 */
static bool newer_map_fits(enum edgefw_map m, int fd,
			   const struct map_fds *shared)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return true; /* the load that uses it will say */
	switch (m) {
	case MAP_EVENTS_CTL:
		return info.value_size == sizeof(struct edgefw_events_ctl) &&
		       (info.map_flags & BPF_F_MMAPABLE);
	case MAP_EVENTS_CPU:
		return info.max_entries == EDGEFW_NR_READERS;
	case MAP_FLOW_FILTER:
		return flow_filter_fits(
			fd, map_max_entries(shared->fd[MAP_FLOWS4]));
	default:
		return true;
	}
}

/*
 * The event maps and the flow filter, which an edgefw loaded before they
 * existed lacks, or has in another shape: the new generation then creates
 * them (*created), to be pinned with it in place of the old ones.
 */
static int open_newer_maps(const struct paths *p, struct map_fds *shared,
			   unsigned int *created)
{
	*created = 0;
	for (int m = 0; m < NR_MAPS; m++) {
		char path[PATH_MAX];

		if (!(NEWER_MAP_BITS & MAP_BIT(m)))
			continue;
		if (pins_map_path(p, m, path, sizeof(path)))
			return -1;
		shared->fd[m] = bpf_obj_get(path);
		if (shared->fd[m] >= 0 &&
		    newer_map_fits(m, shared->fd[m], shared))
			continue;
		if (shared->fd[m] >= 0) {
			log_info("%s is an older edgefw's: replacing it", path);
			close(shared->fd[m]);
			shared->fd[m] = -1;
		} else if (errno != ENOENT) {
			log_err("cannot open %s: %s", path, strerror(errno));
			return -1;
		}
		*created |= MAP_BIT(m);
	}
	return 0;
}

static int pin_created(const struct generation *g, const struct paths *p,
		       unsigned int created)
{
	int err = 0;

	for (int m = 0; m < NR_MAPS; m++) {
		char path[PATH_MAX];

		if (!(created & MAP_BIT(m)))
			continue;
		/* an older edgefw's map of another shape goes */
		if (!pins_map_path(p, m, path, sizeof(path)))
			unlink(path);
		err |= pin_fd(gen_map_fd(g, m), p->pin_dir, map_name(m));
	}
	return err;
}

/*
 * After the switch, when no program of an older edgefw, which knew no
 * filter, still inserts flows: the filter a reload made beside an older
 * edgefw's flows is filled from them, and one too full is built anew.
 * Until then the programs ask the tables, so a failure costs only time.
 */
static void refresh_flow_filter(const struct generation *g)
{
	struct flow_filter_fill before;
	int err = flow_filter_refresh(gen_map_fd(g, MAP_FLOW_FILTER),
				      gen_map_fd(g, MAP_FLOWS4),
				      gen_map_fd(g, MAP_FLOWS6), &before);

	if (err < 0)
		log_warn(
			"cannot refresh the flow filter (the flow tables are asked instead): %s",
			strerror(-err));
}

int op_reload(const struct paths *p, const struct runtime_state *old,
	      struct config *c, const struct load_opts *o,
	      struct runtime_state *st)
{
	struct running run[EDGEFW_MAX_IFACES];
	struct sets_reuse reuse = { .digest = old->sets_digest };
	struct map_fds shared;
	struct compiled cc;
	struct generation g;
	unsigned int created;
	bool reused = false;
	int rc;

	if (features_check_kernel() ||
	    pins_open_maps(p, SHARED_MAP_BITS & ~NEWER_MAP_BITS, 0, &shared)) {
		state_count_failed_reload(p);
		return OP_FAILED;
	}
	if (open_newer_maps(p, &shared, &created)) {
		map_fds_close(&shared);
		state_count_failed_reload(p);
		return OP_FAILED;
	}
	/*
	 * The running set maps, to take as they are if the new config's sets
	 * are what they hold; unknown (an older edgefw's state, a set change
	 * cut short), unreadable or some missing (an older edgefw's
	 * generation), the sets are filled anew.
	 */
	if (!old->sets_digest_known ||
	    pins_open_maps(p, SETS_MAP_BITS, PINS_MISSING_OK | PINS_OLDER_OK,
			   &reuse.fds))
		map_fds_init(&reuse.fds);
	rc = gen_build(p, c, &shared,
		       old->sets_digest_known &&
				       map_fds_all(&reuse.fds, SETS_MAP_BITS)
			       ? &reuse
			       : NULL,
		       o->wait_for_ifaces, &cc, &g, &reused);
	if (reused)
		log_debug("the sets are those running: their maps are kept");
	if (rc == 0 && !o->force && lockout_check(c, &g, "reload"))
		rc = OP_FAILED;
	if (rc) {
		log_err("nothing changed: the running config stays");
		state_count_failed_reload(p);
		goto free_gen;
	}
	open_running(p, old, &g, run);
	if (switch_all(&g, run, old->nr_ifaces, o->xdp_mode)) {
		log_err("nothing changed: the running config stays");
		state_count_failed_reload(p);
		rc = OP_FAILED;
		goto close;
	}
	/* From here the new config runs: what fails is reported, not undone. */
	detach_removed(p, run, old->nr_ifaces);
	if (repin(&g, run, old->nr_ifaces, p) || pin_created(&g, p, created))
		rc = OP_FAILED;
	refresh_flow_filter(&g);
	gen_to_state(&g, c, &cc, st);
	st->generation = old->generation + 1;
	st->complete = true;
	st->reloads_ok = old->reloads_ok + !rc;
	st->reloads_failed = old->reloads_failed + !!rc;
	if (snapshot_write(p, c) || state_write(p, st))
		rc = OP_FAILED;
close:
	close_running(run, old->nr_ifaces);
free_gen:
	gen_free(&g);
	compiled_free(&cc);
	map_fds_close(&shared);
	map_fds_close(&reuse.fds);
	return rc;
}
