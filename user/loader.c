// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "flowfilter.h"
#include "log.h"
#include "loader.h"
#include "maps.h"
#include "netlink.h"
#include "setdigest.h"
#include "setindex.h"

static bool is_loopback(const char *ifname)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool lo = false;

	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		lo = ifr.ifr_flags & IFF_LOOPBACK;
	close(fd);
	return lo;
}

static int resolve_iface(const struct config *c, size_t i, bool missing_ok,
			 struct gen_iface *gi)
{
	const struct cfg_iface *ifc = &c->ifaces[i];
	struct iface_state *st = &gi->st;
	char why[256];
	int n;

	snprintf(st->name, sizeof(st->name), "%s", ifc->name);
	st->ifindex = if_nametoindex(ifc->name);
	if (!st->ifindex && missing_ok)
		return 0; /* waiting: its programs load, nothing attaches */
	if (!st->ifindex) {
		log_err("%s: no such interface (%s:%u)", ifc->name, c->path,
			ifc->loc.line);
		return -1;
	}
	if (is_loopback(ifc->name)) {
		log_err("%s: refusing to filter a loopback interface (%s:%u)",
			ifc->name, c->path, ifc->loc.line);
		return -1;
	}
	if (ifc->addrs_given) {
		memcpy(st->self, ifc->addrs,
		       ifc->nr_addrs * sizeof(*ifc->addrs));
		st->nr_self = ifc->nr_addrs;
		return 0;
	}
	n = netlink_iface_addrs(st->ifindex, st->self, EDGEFW_MAX_SELF_ADDRS,
				why, sizeof(why));
	if (n < 0) {
		log_err("%s: %s", ifc->name, why);
		return -1;
	}
	if (n > EDGEFW_MAX_SELF_ADDRS) {
		log_err("%s has %d addresses, edgefw handles %d; list the service addresses with 'address' (%s:%u)",
			ifc->name, n, EDGEFW_MAX_SELF_ADDRS, c->path,
			ifc->loc.line);
		return -1;
	}
	if (n == 0)
		log_warn(
			"%s has no address; rules with 'self' cannot match on it",
			ifc->name);
	st->nr_self = n;
	return 0;
}

int gen_resolve(const struct config *c, bool missing_ok, struct generation *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < c->nr_ifaces; i++) {
		g->ifaces[i].xdp_link_fd = -1;
		g->nr_ifaces++;
		if (resolve_iface(c, i, missing_ok, &g->ifaces[i]))
			return -1;
	}
	return 0;
}

static int reuse_map(struct bpf_map *map, int fd)
{
	int err = bpf_map__reuse_fd(map, fd);

	if (err)
		log_err("cannot share map %s: %s", bpf_map__name(map),
			strerror(-err));
	return err;
}

/*
 * The first interface's skeleton creates the generation's maps, or takes
 * the running edgefw's shared ones; every other interface shares them all.
 */
static int share_maps(struct edgefw_bpf *skel, const struct edgefw_bpf *first,
		      const struct map_fds *shared, const struct map_fds *sets)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, skel->obj)
	{
		const char *name = bpf_map__name(map);
		enum edgefw_map id = map_by_name(name);
		int fd = -1;

		if (bpf_map__is_internal(map))
			continue;
		if (first)
			fd = bpf_map__fd(
				bpf_object__find_map_by_name(first->obj, name));
		else if (shared && id < NR_MAPS && map_is_shared(id))
			fd = shared->fd[id];
		else if (sets && id < NR_MAPS && (SETS_MAP_BITS & MAP_BIT(id)))
			fd = sets->fd[id];
		if (fd >= 0 && reuse_map(map, fd))
			return -1;
	}
	return 0;
}

/* The running flow tables' size (a reload keeps them), or the config's. */
static __u32 flow_table_size(const struct config *c,
			     const struct map_fds *shared)
{
	__u32 n = shared && shared->fd[MAP_FLOWS4] >= 0
			  ? map_max_entries(shared->fd[MAP_FLOWS4])
			  : 0;

	return n ? n : c->flows_max;
}

static int load_iface(const struct config *c, const struct compiled *cc,
		      struct generation *g, size_t i,
		      const struct map_fds *shared, const struct map_fds *sets)
{
	__u32 filter_log2 = edgefw_flow_filter_log2(flow_table_size(c, shared));
	struct gen_iface *gi = &g->ifaces[i];
	struct edgefw_bpf *skel;
	int err;

	skel = edgefw_bpf__open();
	if (!skel) {
		log_err("cannot open edgefw's BPF object: %s", strerror(errno));
		return -1;
	}
	gi->skel = skel;
	compile_iface(c, cc, i, gi->st.ifindex, gi->st.self, gi->st.nr_self,
		      &skel->rodata->cfg);
	skel->rodata->cfg.flow_filter_log2 = filter_log2;
	memcpy(skel->rodata->rules, cc->rules, sizeof(cc->rules));
	memcpy(skel->rodata->classes, cc->classes, sizeof(cc->classes));
	if (share_maps(skel, i ? g->ifaces[0].skel : NULL, shared, sets))
		return -1;
	if (i == 0 && !sets &&
	    bpf_map__set_max_entries(skel->maps.set4_by24,
				     (cc->nr_indexed ? cc->nr_indexed : 1) *
					     EDGEFW_SET4_WORDS_PER_SLOT)) {
		log_err("cannot size the IPv4 set index");
		return -1;
	}
	if (i == 0 && !shared &&
	    (bpf_map__set_max_entries(skel->maps.flows4, c->flows_max) ||
	     bpf_map__set_max_entries(skel->maps.flows6, c->flows_max))) {
		log_err("cannot size the flow table");
		return -1;
	}
	/* made by a load, or by a reload of an older edgefw's flows */
	if (i == 0 && (!shared || shared->fd[MAP_FLOW_FILTER] < 0) &&
	    bpf_map__set_max_entries(skel->maps.flow_filter,
				     edgefw_flow_filter_entries(filter_log2))) {
		log_err("cannot size the flow filter");
		return -1;
	}
	err = edgefw_bpf__load(skel);
	if (err) {
		log_err("%s: the kernel refused edgefw's BPF programs: %s; run with -v for the verifier's log",
			gi->st.name, strerror(-err));
		return -1;
	}
	return 0;
}

static const char *set_label(const struct config *c, size_t id, char *buf,
			     size_t len)
{
	if (id < c->nr_sets)
		snprintf(buf, len, "set %s", c->sets[id].name);
	else
		snprintf(buf, len, "an inline prefix of a rule");
	return buf;
}

/* The trie: the sets without an index, which answer from it alone. */
static int fill_sets(const struct config *c, const struct compiled *cc, int fd)
{
	struct edgefw_set_key *keys =
		xcalloc(cc->nr_set_keys + 1, sizeof(*keys));
	__u8 *values = xcalloc(cc->nr_set_keys + 1, 1);
	size_t n = 0, done;
	int err;

	for (size_t i = 0; i < cc->nr_set_keys; i++) {
		if (!compiled_set_in_trie(cc, cc->set_keys[i].set))
			continue;
		keys[n++] = cc->set_keys[i];
	}
	memset(values, 1, n);
	err = map_update_many(fd, keys, values, n, sizeof(*keys), 1, &done);
	if (err) {
		char label[64], buf[PREFIX_STRLEN];
		struct prefix p;

		prefix_from_set_key(&keys[done], &p);
		prefix_format(&p, buf, sizeof(buf));
		log_err("cannot add %s to %s: %s", buf,
			set_label(c, keys[done].set, label, sizeof(label)),
			strerror(-err));
	}
	free(values);
	free(keys);
	return err ? -1 : 0;
}

/* Filters of the sets in use; the rest stay zero, which rejects all. */
static int fill_set_filters(const struct compiled *cc, int fd)
{
	size_t n = 2 * cc->nr_sets, done;
	__u32 *keys = xcalloc(n ? n : 1, sizeof(*keys));
	int err;

	for (__u32 k = 0; k < n; k++)
		keys[k] = k;
	err = map_update_many(fd, keys, cc->filters, n, sizeof(*keys),
			      sizeof(*cc->filters), &done);
	free(keys);
	if (err)
		log_err("cannot fill the set filters: %s", strerror(-err));
	return err ? -1 : 0;
}

static int fill_set_indexes(const struct compiled *cc,
			    const struct generation *g)
{
	struct map_fds fds;
	int err = 0;

	gen_map_fds(g, &fds);
	for (unsigned int slot = 0; slot < cc->nr_indexed && !err; slot++) {
		struct prefix_list prefixes = {};

		compiled_set_prefixes(cc, cc->indexed_sets[slot], &prefixes);
		err = set_indexes_write(&fds, cc->indexed_sets[slot], slot,
					NULL, &prefixes);
		plist_free(&prefixes);
	}
	return err;
}

static int fill_port_classes(const struct compiled *cc, int fd)
{
	struct edgefw_port_classes *values;
	__u32 *keys;
	size_t n = 0, done;
	int err;

	keys = xcalloc(EDGEFW_PORT_KEYS, sizeof(*keys));
	values = xcalloc(EDGEFW_PORT_KEYS, sizeof(*values));
	/* A new array map is all zeroes: write the ports with a class. */
	for (__u32 k = 0; k < EDGEFW_PORT_KEYS; k++) {
		static const struct edgefw_port_classes none;

		if (!memcmp(&cc->ports[k], &none, sizeof(none)))
			continue;
		keys[n] = k;
		values[n++] = cc->ports[k];
	}
	err = map_update_many(fd, keys, values, n, sizeof(*keys),
			      sizeof(*values), &done);
	free(keys);
	free(values);
	if (err)
		log_err("cannot fill the port classes: %s", strerror(-err));
	return err ? -1 : 0;
}

/* A shared map keeps its size: a reload cannot resize the flow table. */
static void warn_flow_table_size(const struct config *c, int flows_fd)
{
	__u32 n = map_max_entries(flows_fd);

	if (n && n != c->flows_max)
		log_warn(
			"the flow table keeps its size of %u flows until unload and load (the config says %u)",
			n, c->flows_max);
}

/*
 * A load's flow tables are empty: the filter holds all their flows, and
 * the programs ask it from their first packet (a reload's: op_reload).
 */
static int ready_flow_filter(const struct generation *g)
{
	int err = flow_filter_rebuild(gen_map_fd(g, MAP_FLOW_FILTER),
				      gen_map_fd(g, MAP_FLOWS4),
				      gen_map_fd(g, MAP_FLOWS6));

	if (err)
		log_err("cannot prepare the flow filter: %s", strerror(-err));
	return err ? -1 : 0;
}

int gen_load(const struct config *c, const struct compiled *cc,
	     struct generation *g, const struct map_fds *shared,
	     const struct map_fds *sets)
{
	if (shared)
		warn_flow_table_size(c, shared->fd[MAP_FLOWS4]);
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		if (load_iface(c, cc, g, i, shared, sets))
			return -1;
	}
	if (!shared && ready_flow_filter(g))
		return -1;
	if (fill_port_classes(cc, gen_map_fd(g, MAP_PORT_CLASSES)))
		return -1;
	/* taken as they are: they hold what cc compiled (setdigest.h) */
	if (sets)
		return 0;
	if (fill_set_filters(cc, gen_map_fd(g, MAP_SET_FILTER)) ||
	    fill_sets(c, cc, gen_map_fd(g, MAP_SETS)) ||
	    fill_set_indexes(cc, g))
		return -1;
	return 0;
}

int gen_attach(struct generation *g, enum xdp_mode mode)
{
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		struct gen_iface *gi = &g->ifaces[i];
		struct iface_state *st = &gi->st;
		int fd;

		if (!iface_present(st))
			continue;
		fd = attach_xdp(st->name, st->ifindex,
				bpf_program__fd(gi->skel->progs.edgefw_xdp),
				mode, &st->xdp_native);
		if (fd < 0)
			goto fail;
		gi->xdp_link_fd = fd;
		if (attach_tc(st->name, st->ifindex,
			      bpf_program__fd(gi->skel->progs.edgefw_tc), false,
			      &st->qdisc_created))
			goto fail;
		gi->tc_attached = true;
	}
	return 0;
fail:
	gen_detach(g);
	return -1;
}

void gen_detach(struct generation *g)
{
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		struct gen_iface *gi = &g->ifaces[i];

		if (gi->tc_attached)
			detach_tc(gi->st.name, gi->st.ifindex,
				  gi->st.qdisc_created);
		gi->tc_attached = false;
		if (gi->xdp_link_fd >= 0) {
			bpf_link_detach(gi->xdp_link_fd);
			close(gi->xdp_link_fd);
		}
		gi->xdp_link_fd = -1;
	}
}

void gen_free(struct generation *g)
{
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		struct gen_iface *gi = &g->ifaces[i];

		/* A pinned link stays attached when its fd is closed. */
		if (gi->xdp_link_fd >= 0)
			close(gi->xdp_link_fd);
		edgefw_bpf__destroy(gi->skel);
	}
	memset(g, 0, sizeof(*g));
}

int gen_map_fd(const struct generation *g, enum edgefw_map m)
{
	return bpf_map__fd(bpf_object__find_map_by_name(g->ifaces[0].skel->obj,
							map_name(m)));
}

void gen_map_fds(const struct generation *g, struct map_fds *fds)
{
	for (int m = 0; m < NR_MAPS; m++)
		fds->fd[m] = gen_map_fd(g, m);
}

void gen_to_state(const struct generation *g, const struct config *c,
		  const struct compiled *cc, struct runtime_state *st)
{
	char *abs = realpath(c->path, NULL);

	memset(st, 0, sizeof(*st));
	snprintf(st->config_path, sizeof(st->config_path), "%s",
		 abs ? abs : c->path);
	free(abs);
	memcpy(st->config_hash, c->hash, sizeof(st->config_hash));
	st->loaded_at = time(NULL);
	st->generation = 1;
	state_set_netns(st);
	for (size_t i = 0; i < g->nr_ifaces; i++)
		st->ifaces[i] = g->ifaces[i].st;
	st->nr_ifaces = g->nr_ifaces;
	st->set_sizes_known = st->set_sizes6_known = true;
	sets_digest_compiled(cc, &st->sets_digest);
	st->sets_digest_known = true;
	st->nr_sets = c->nr_sets;
	for (size_t i = 0; i < c->nr_sets; i++) {
		st->set_sizes[i] = cc->set_sizes[i];
		st->set_sizes6[i] = cc->set_sizes6[i];
	}
	st->nr_protected = protected_collect(
		c, NULL, st->protected, PROTECT_MAX, &st->protected_truncated);
}

int gen_pin_maps(const struct generation *g, const char *dir)
{
	int err = mkdir_p(dir, 0700);

	if (err) {
		log_err("cannot create %s: %s", dir, strerror(-err));
		return -1;
	}
	for (int m = 0; m < FIRST_SHARED_MAP; m++) {
		if (pin_fd(gen_map_fd(g, m), dir, map_name(m)))
			return -1;
	}
	return 0;
}

/* The shared maps are pinned once, by the load that created them. */
static int pin_shared_maps(const struct generation *g, const struct paths *p)
{
	for (int m = FIRST_SHARED_MAP; m < NR_MAPS; m++) {
		if (pin_fd(gen_map_fd(g, m), p->pin_dir, map_name(m)))
			return -1;
	}
	return 0;
}

int gen_pin_iface(const struct generation *g, size_t i, const struct paths *p)
{
	const struct gen_iface *gi = &g->ifaces[i];

	return pins_pin_iface(p, PIN_XDP_LINK, gi->st.name, gi->xdp_link_fd) ||
			       pins_pin_iface(
				       p, PIN_TC_PROG, gi->st.name,
				       bpf_program__fd(
					       gi->skel->progs.edgefw_tc))
		       ? -1
		       : 0;
}

int gen_pin(const struct generation *g, const struct paths *p)
{
	if (gen_pin_maps(g, p->gen_dir) || pin_shared_maps(g, p))
		goto fail;
	for (size_t i = 0; i < g->nr_ifaces; i++) {
		if (iface_present(&g->ifaces[i].st) && gen_pin_iface(g, i, p))
			goto fail;
	}
	return 0;
fail:
	pins_remove(p);
	return -1;
}
