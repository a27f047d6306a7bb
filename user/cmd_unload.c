// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "attach.h"
#include "commands.h"
#include "loader.h"
#include "log.h"
#include "privileges.h"

/* Detach through the pin, so that no other holder keeps it attached. */
static int detach_xdp_pin(const struct paths *p, const char *ifname)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (pin_path(path, sizeof(path), p, "xdp", ifname))
		return -1;
	fd = bpf_obj_get(path);
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
		struct iface_state s = { .ifindex = i->if_index };

		snprintf(s.name, sizeof(s.name), "%s", i->if_name);
		if (detach_xdp_pin(p, s.name))
			err = -1;
		if (query_tc_prog(i->if_index) &&
		    detach_tc(s.name, i->if_index, false))
			err = -1;
	}
	if_freenameindex(ifs);
	return err;
}

static int unload(const struct paths *p, bool force)
{
	struct runtime_state st;
	struct stat sb;
	int err, rc = EXIT_OK;

	err = state_read(p, &st);
	if (err == -ENOENT && stat(p->pin_dir, &sb) != 0) {
		log_info("not loaded; nothing to unload");
		return EXIT_OK;
	}
	if (err == 0 && state_check_netns(&st, "unload")) {
		if (!force)
			return EXIT_FAILED;
		/* XDP goes with its pins; TC filters die with the namespace */
		log_warn("--force: removing edgefw's pins and state only");
		for (size_t i = 0; i < st.nr_ifaces; i++)
			detach_xdp_pin(p, st.ifaces[i].name);
	} else if (err == 0) {
		for (size_t i = 0; i < st.nr_ifaces; i++) {
			if (detach_iface(p, &st.ifaces[i]))
				rc = EXIT_FAILED;
		}
	} else {
		log_warn(
			"without the runtime state, edgefw's programs are found by their pins and tc handle; a clsact qdisc edgefw added stays");
		if (detach_unknown(p))
			rc = EXIT_FAILED;
	}
	if (pins_remove(p))
		rc = EXIT_FAILED;
	if (state_remove(p)) {
		log_err("cannot remove the state in %s", p->run_dir);
		rc = EXIT_FAILED;
	}
	if (rc == EXIT_OK)
		log_info("unloaded");
	return rc;
}

int cmd_unload(int argc, char **argv)
{
	bool force = argc == 2 && !strcmp(argv[1], "--force");
	struct paths p;
	int rc, lock;

	if (argc > 1 && !force)
		return usage_error("unload", "unexpected argument '%s'",
				   argv[1]);
	if (require_privileges("unload"))
		return EXIT_FAILED;
	paths_init(&p);
	lock = state_lock(&p);
	if (lock < 0)
		return EXIT_FAILED;
	rc = unload(&p, force);
	state_unlock(lock);
	return rc;
}
