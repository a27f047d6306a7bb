// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>
#include "commands.h"
#include "loader.h"
#include "lockout.h"
#include "log.h"
#include "privileges.h"
#include "probe.h"

/* Refuses when something is loaded, or left over from an earlier run. */
static int check_nothing_loaded(const struct paths *p)
{
	struct runtime_state st;
	struct stat sb;
	int err = state_read(p, &st);

	if (err == 0) {
		log_err("edgefw is already loaded (%s); use 'edgefw reload' to change the config, or 'edgefw unload' first",
			st.config_path);
		return -1;
	}
	if (err != -ENOENT)
		return -1;
	if (stat(p->pin_dir, &sb) == 0) {
		log_err("%s is left over from an earlier edgefw; run 'edgefw unload' first",
			p->pin_dir);
		return -1;
	}
	return 0;
}

static void summarise(const struct config *c, const struct generation *g)
{
	char ifaces[EDGEFW_MAX_IFACES * (IF_NAMESIZE + 12)] = "";
	size_t off = 0;

	for (size_t i = 0; i < g->nr_ifaces && off < sizeof(ifaces); i++)
		off += snprintf(ifaces + off, sizeof(ifaces) - off, "%s%s %s",
				i ? ", " : "", g->ifaces[i].st.name,
				g->ifaces[i].st.xdp_native ? "native"
							   : "generic");
	log_info("loaded %s (%s mode): %zu rules on %s", c->path,
		 mode_name(c->mode), c->nr_rules, ifaces);
}

/*
 * Every step that changes the kernel is undone if a later one fails: the
 * machine is left as it was found.
 */
static int load(const struct config *c, struct compiled *cc, enum xdp_mode mode,
		bool force, const struct paths *p)
{
	struct runtime_state st;
	struct generation g;
	int rc = EXIT_FAILED;

	if (check_nothing_loaded(p) || features_check_kernel() ||
	    ensure_bpffs(p))
		return EXIT_FAILED;
	if (gen_prepare(c, cc, p, NULL, &g))
		goto out;
	if (!force && lockout_check(c, &g, "load"))
		goto out;
	/* Recorded before attaching: an interrupted load can be undone. */
	gen_to_state(&g, c, &st);
	st.complete = false;
	if (state_write(p, &st))
		goto out;
	if (gen_attach(&g, mode))
		goto undo_state;
	if (gen_pin(&g, p))
		goto undo_attach;
	for (size_t i = 0; i < g.nr_ifaces; i++)
		st.ifaces[i] = g.ifaces[i].st;
	st.complete = true;
	if (write_file_atomic(p->snapshot, c->text, c->text_len, 0600)) {
		log_err("cannot write %s: %s", p->snapshot, strerror(errno));
		goto undo_pins;
	}
	if (state_write(p, &st))
		goto undo_pins;
	summarise(c, &g);
	rc = EXIT_OK;
	goto out;

undo_pins:
	pins_remove(p);
undo_attach:
	gen_detach(&g);
undo_state:
	state_remove(p);
out:
	gen_free(&g);
	return rc;
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "xdp-mode", required_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{},
	};
	bool force = false;
	const char *path = DEFAULT_CONFIG_PATH;
	enum xdp_mode mode = XDP_MODE_AUTO;
	struct compiled cc;
	struct config c;
	struct paths p;
	int opt, rc, lock;

	while ((opt = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'm':
			if (xdp_mode_parse(optarg, &mode))
				return usage_error(
					"load",
					"--xdp-mode takes auto, native or generic, not '%s'",
					optarg);
			break;
		default:
			return bad_option("load", argv);
		}
	}
	if (optind < argc)
		return usage_error("load", "unexpected argument '%s'",
				   argv[optind]);
	rc = read_config(path, &c, &cc);
	if (rc)
		return rc;
	rc = EXIT_FAILED;
	paths_init(&p);
	if (require_privileges("load") == 0) {
		lock = state_lock(&p);
		if (lock >= 0) {
			rc = load(&c, &cc, mode, force, &p);
			state_unlock(lock);
		}
	}
	compiled_free(&cc);
	config_free(&c);
	return rc;
}
