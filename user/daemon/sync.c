// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "drift.h"
#include "log.h"
#include "op_load.h"
#include "sync.h"
#include "util.h"

void sync_count_failed_reload(const struct paths *p)
{
	int lock = state_lock(p);

	if (lock >= 0)
		state_count_failed_reload(p);
	state_unlock(lock);
}

/* The first 12 hex digits of a config hash name it in the log. */
#define HASH_SHOWN 12

/* "ext0 native, ext1 waiting": how each interface is attached */
static void ifaces_text(const struct runtime_state *st, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->nr_ifaces && off < len; i++) {
		const struct iface_state *s = &st->ifaces[i];

		off += snprintf(buf + off, len - off, "%s%s %s", i ? ", " : "",
				s->name,
				!iface_present(s) ? "waiting"
				: s->xdp_native	  ? "native"
						  : "generic");
	}
}

/*
 * What a reload changed in the attachments: "; attached ext1 (native)",
 * "; detached ext1 (gone)", "; re-attached ext0 (created anew)".
 */
static void attach_changes(const struct runtime_state *old,
			   const struct runtime_state *st, char *buf,
			   size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->nr_ifaces && off < len; i++) {
		const struct iface_state *s = &st->ifaces[i], *was = NULL;

		for (size_t j = 0; j < old->nr_ifaces; j++) {
			if (!strcmp(old->ifaces[j].name, s->name))
				was = &old->ifaces[j];
		}
		if (was && was->ifindex == s->ifindex)
			continue;
		if (!iface_present(s))
			off += snprintf(buf + off, len - off,
					"; detached %s (gone)", s->name);
		else
			off += snprintf(buf + off, len - off, "; %s %s (%s)",
					was && iface_present(was)
						? "re-attached"
						: "attached",
					s->name,
					s->xdp_native ? "native" : "generic");
	}
}

int sync_read_config(struct daemon_config *dc)
{
	struct config c;
	const char *why;
	size_t len;
	char *text = read_input(dc->path, &len, &why);

	if (!text) {
		log_err("cannot read %s: %s", dc->path, why);
		return -1;
	}
	if (config_parse(dc->path, text, len, &c, stderr)) {
		log_err("%s has errors; what runs stays", dc->path);
		free(text);
		return -1;
	}
	dc->metrics = c.metrics;
	dc->pool = c.pool.on;
	dc->pool_loc = c.pool.loc;
	config_free(&c);
	free(dc->text);
	dc->text = text;
	dc->len = len;
	return 0;
}

/* A fresh parse: a build applies the set changes to the config it gets. */
static int parse(const struct daemon_config *dc, struct config *c)
{
	if (config_parse(dc->path, dc->text, dc->len, c, stderr)) {
		log_err("%s: cannot parse the config that was checked",
			dc->path);
		return -1;
	}
	return 0;
}

static int load(const struct paths *p, const struct daemon_config *dc)
{
	const struct load_opts o = { .xdp_mode = dc->mode,
				     .wait_for_ifaces = true };
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	struct config c;
	int rc = -1;

	if (parse(dc, &c) == 0) {
		char ifaces[512];

		rc = op_load(p, &c, &o, st) ? -1 : 0;
		ifaces_text(st, ifaces, sizeof(ifaces));
		if (!rc)
			log_info(
				"loaded %s (sha256 %.*s, %s mode, generation %lu): %s",
				c.path, HASH_SHOWN, c.hash, mode_name(c.mode),
				st->generation, ifaces);
		else
			log_err("loading %s (sha256 %.*s) failed: nothing is loaded",
				c.path, HASH_SHOWN, c.hash);
		config_free(&c);
	}
	free(st);
	return rc;
}

/* Reload dc over old; what fails leaves old running. */
static int reload(const struct paths *p, const struct daemon_config *dc,
		  const struct runtime_state *old, const char *why)
{
	const struct load_opts o = { .xdp_mode = dc->mode,
				     .force = true,
				     .wait_for_ifaces = true };
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	struct config c;
	int rc = -1;

	if (parse(dc, &c) == 0) {
		char ifaces[512], changes[512];

		/* op_reload counts it in state.json, as for the CLI */
		rc = op_reload(p, old, &c, &o, st) ? -1 : 0;
		if (!rc) {
			ifaces_text(st, ifaces, sizeof(ifaces));
			attach_changes(old, st, changes, sizeof(changes));
			log_info(
				"reloaded %s (sha256 %.*s, generation %lu): %s%s; now %s",
				c.path, HASH_SHOWN, c.hash, st->generation, why,
				changes, ifaces);
		} else {
			log_err("reloading %s (sha256 %.*s: %s) failed: generation %lu (sha256 %.*s) keeps running",
				c.path, HASH_SHOWN, c.hash, why,
				old->generation, HASH_SHOWN, old->config_hash);
		}
		config_free(&c);
	} else {
		state_count_failed_reload(p); /* under sync_apply's lock */
	}
	free(st);
	return rc;
}

/*
 * What is loaded: 1 when nothing (or only a load cut short, which a load
 * cleans up), 0 with *st, -1 after reporting.
 */
static int read_loaded(const struct paths *p, struct runtime_state *st)
{
	int err = state_read(p, st);

	if (err == -ENOENT || (err == 0 && !st->complete))
		return SYNC_UNLOADED;
	if (err)
		return -1;
	return state_check_netns(st, "daemon") ? -1 : 0;
}

int sync_apply(const struct paths *p, const struct daemon_config *dc,
	       bool force, bool *reloaded)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	char why[256] = "the config file was reloaded";
	struct config c;
	int rc, lock = state_lock(p);

	*reloaded = false;
	if (lock < 0) {
		free(st);
		return -1;
	}
	/*
	 * Unloaded under us ('edgefw unload'): the operator's word stands,
	 * the daemon does not load it back (rc 1, SYNC_UNLOADED).
	 */
	rc = read_loaded(p, st);
	if (rc == 0 && !force && parse(dc, &c) == 0) {
		if (machine_drifted(&c, st, why, sizeof(why)))
			force = true;
		config_free(&c);
	}
	if (rc == 0 && force) {
		rc = reload(p, dc, st, why);
		*reloaded = rc == 0;
	}
	state_unlock(lock);
	free(st);
	return rc;
}

bool sync_unloaded(const struct paths *p)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	int lock = state_lock(p);
	bool unloaded = lock >= 0 && read_loaded(p, st) == SYNC_UNLOADED;

	state_unlock(lock);
	free(st);
	return unloaded;
}

int sync_start(const struct paths *p, const struct daemon_config *dc)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	char hash[SHA256_HEX_LEN + 1];
	bool reloaded;
	int rc, lock = state_lock(p);

	if (lock < 0) {
		free(st);
		return -1;
	}
	rc = read_loaded(p, st);
	state_unlock(lock);
	if (rc == SYNC_UNLOADED) {
		lock = state_lock(p);
		rc = lock < 0 ? -1 : load(p, dc);
		state_unlock(lock);
	} else if (rc == 0) {
		/* adopt: change nothing that still matches */
		sha256_hex(dc->text, dc->len, hash);
		log_info("adopting generation %lu of %s (sha256 %.*s)%s",
			 st->generation, st->config_path, HASH_SHOWN,
			 st->config_hash,
			 strcmp(hash, st->config_hash)
				 ? "; the config file changed since: reloading"
				 : "");
		rc = sync_apply(p, dc, strcmp(hash, st->config_hash) != 0,
				&reloaded);
	}
	free(st);
	return rc;
}
