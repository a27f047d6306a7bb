// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <inttypes.h>
#include <limits.h>
#include <json-c/json.h>
#include "jsonutil.h"
#include "log.h"
#include "state.h"
#include "statefile.h"

#define STATE_VERSION 1
#define LOCK_WAIT_MS 10000

static json_object *sizes_to_json(const size_t *sizes, size_t n)
{
	json_object *arr = json_object_new_array_ext(n);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_int64(sizes[i]));
	return arr;
}

/*
 * An array of set sizes, name: absent is fine (*found false). n: its
 * length, at most EDGEFW_MAX_SETS.
 */
static bool parse_size_array(json_object *root, const char *name, size_t *sizes,
			     size_t *n, bool *found, struct sf_err *e)
{
	json_object *arr;

	*found = false;
	if (!json_object_object_get_ex(root, name, &arr))
		return true;
	e->at[0] = '\0';
	arr = sf_member(root, name, json_type_array, e);
	if (!arr)
		return false;
	*n = json_object_array_length(arr);
	if (*n > EDGEFW_MAX_SETS)
		return sf_fail(e, "\"%s\" has %zu entries, more than %d sets",
			       name, *n, EDGEFW_MAX_SETS);
	for (size_t i = 0; i < *n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int64_t size;

		if (!json_object_is_type(v, json_type_int))
			return sf_fail(e, "\"%s\"[%zu] is %s, not an integer",
				       name, i, sf_type(v));
		size = json_object_get_int64(v);
		if (size < 0 || size > EDGEFW_SET_MAX_ENTRIES)
			return sf_fail(e,
				       "\"%s\"[%zu] is %" PRId64
				       ", out of range (0 to %u)",
				       name, i, size, EDGEFW_SET_MAX_ENTRIES);
		sizes[i] = size;
	}
	*found = true;
	return true;
}

/*
 * Optional: an older edgefw's state has no set_sizes, and one a little
 * less old no set_sizes6 (the IPv6 part of each).
 */
static bool parse_sizes(json_object *root, struct runtime_state *st,
			struct sf_err *e)
{
	size_t n6 = 0;

	if (!parse_size_array(root, "set_sizes", st->set_sizes, &st->nr_sets,
			      &st->set_sizes_known, e) ||
	    !parse_size_array(root, "set_sizes6", st->set_sizes6, &n6,
			      &st->set_sizes6_known, e))
		return false;
	if (!st->set_sizes6_known)
		return true;
	if (!st->set_sizes_known || n6 != st->nr_sets)
		return sf_fail(
			e, "\"set_sizes6\" has %zu entries, \"set_sizes\" %zu",
			n6, st->set_sizes_known ? st->nr_sets : 0);
	for (size_t i = 0; i < n6; i++) {
		if (st->set_sizes6[i] > st->set_sizes[i])
			return sf_fail(
				e,
				"\"set_sizes6\"[%zu] is %zu, more than the set's %zu prefixes",
				i, st->set_sizes6[i], st->set_sizes[i]);
	}
	return true;
}

static json_object *protected_to_json(const struct runtime_state *st)
{
	json_object *arr = json_object_new_array_ext(st->nr_protected);

	for (size_t i = 0; i < st->nr_protected; i++) {
		json_object *o = json_object_new_object();
		char buf[PREFIX_STRLEN];

		prefix_format(&st->protected[i].prefix, buf, sizeof(buf));
		json_object_object_add(o, "prefix",
				       json_object_new_string(buf));
		json_object_object_add(
			o, "by", json_object_new_string(st->protected[i].by));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Optional too: an older edgefw recorded none. */
static bool parse_protected(json_object *root, struct runtime_state *st,
			    struct sf_err *e)
{
	json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(root, "protected", &arr))
		return true;
	e->at[0] = '\0';
	arr = sf_member(root, "protected", json_type_array, e);
	if (!arr)
		return false;
	n = json_object_array_length(arr);
	if (n > PROTECT_MAX)
		return sf_fail(e, "\"protected\" has %zu entries, more than %d",
			       n, PROTECT_MAX);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct protected_prefix *pp = &st->protected[i];
		char text[PREFIX_STRLEN], why[160];

		e->at[0] = '\0';
		if (!json_object_is_type(o, json_type_object))
			return sf_fail(
				e, "\"protected\"[%zu] is %s, not an object", i,
				sf_type(o));
		sf_at(e, "\"protected\"[%zu]: ", i);
		if (!sf_string(o, "prefix", text, sizeof(text), e) ||
		    !sf_string(o, "by", pp->by, sizeof(pp->by), e))
			return false;
		if (prefix_parse(text, &pp->prefix, why, sizeof(why)))
			return sf_fail(e, "\"prefix\": %s", why);
	}
	st->nr_protected = n;
	e->at[0] = '\0';
	return sf_bool(root, "protected_truncated", &st->protected_truncated,
		       e);
}

json_object *state_json(const struct runtime_state *st)
{
	json_object *root = json_object_new_object();
	json_object *ifaces = json_object_new_array();
	json_object *reloads;

	json_object_object_add(root, "version",
			       json_object_new_int(STATE_VERSION));
	json_object_object_add(root, "config_path",
			       json_object_new_string(st->config_path));
	json_object_object_add(root, "config_sha256",
			       json_object_new_string(st->config_hash));
	json_object_object_add(root, "loaded_at",
			       json_object_new_int64(st->loaded_at));
	json_object_object_add(root, "generation",
			       json_object_new_int64(st->generation));
	json_object_object_add(root, "complete",
			       json_object_new_boolean(st->complete));
	json_object_object_add(root, "netns_dev",
			       json_object_new_int64(st->netns_dev));
	json_object_object_add(root, "netns_ino",
			       json_object_new_int64(st->netns_ino));
	for (size_t i = 0; i < st->nr_ifaces; i++) {
		const struct iface_state *s = &st->ifaces[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name",
				       json_object_new_string(s->name));
		json_object_object_add(o, "ifindex",
				       json_object_new_int(s->ifindex));
		json_object_object_add(o, "xdp_native",
				       json_object_new_boolean(s->xdp_native));
		json_object_object_add(
			o, "qdisc_created",
			json_object_new_boolean(s->qdisc_created));
		json_object_object_add(o, "self",
				       json_prefixes(s->self, s->nr_self));
		json_object_array_add(ifaces, o);
	}
	json_object_object_add(root, "interfaces", ifaces);
	if (st->set_sizes_known)
		json_object_object_add(root, "set_sizes",
				       sizes_to_json(st->set_sizes,
						     st->nr_sets));
	if (st->set_sizes_known && st->set_sizes6_known)
		json_object_object_add(root, "set_sizes6",
				       sizes_to_json(st->set_sizes6,
						     st->nr_sets));
	json_object_object_add(root, "protected", protected_to_json(st));
	json_object_object_add(
		root, "protected_truncated",
		json_object_new_boolean(st->protected_truncated));
	reloads = json_object_new_object();
	json_object_object_add(reloads, "ok",
			       json_object_new_int64(st->reloads_ok));
	json_object_object_add(reloads, "failed",
			       json_object_new_int64(st->reloads_failed));
	json_object_object_add(root, "reloads", reloads);
	return root;
}

int state_write(const struct paths *p, const struct runtime_state *st)
{
	json_object *root = state_json(st);
	int err;

	err = mkdir_p(p->run_dir, 0700);
	if (!err)
		err = json_write_file(p->state, root);
	json_object_put(root);
	if (err)
		log_err("cannot write %s: %s", p->state, strerror(-err));
	return err;
}

/* The addresses of an interface: "self": [ ADDR, ... ] */
static bool parse_self(json_object *o, struct iface_state *s, struct sf_err *e)
{
	json_object *self = sf_member(o, "self", json_type_array, e);
	size_t n;

	if (!self)
		return false;
	n = json_object_array_length(self);
	if (n > EDGEFW_MAX_SELF_ADDRS)
		return sf_fail(e, "\"self\" has %zu addresses, more than %d", n,
			       EDGEFW_MAX_SELF_ADDRS);
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(self, i);
		char why[160];

		if (!json_object_is_type(a, json_type_string))
			return sf_fail(e, "\"self\"[%zu] is %s, not a string",
				       i, sf_type(a));
		if (addr_parse(json_object_get_string(a), &s->self[i], why,
			       sizeof(why)))
			return sf_fail(e, "\"self\"[%zu]: %s", i, why);
	}
	s->nr_self = n;
	return true;
}

static bool parse_iface(json_object *o, size_t i, struct iface_state *s,
			struct sf_err *e)
{
	char shown[PRINTABLE_LEN];
	int64_t ifindex;

	e->at[0] = '\0';
	if (!json_object_is_type(o, json_type_object))
		return sf_fail(e, "\"interfaces\"[%zu] is %s, not an object", i,
			       sf_type(o));
	sf_at(e, "\"interfaces\"[%zu]: ", i);
	if (!sf_string(o, "name", s->name, sizeof(s->name), e))
		return false;
	if (!s->name[0])
		return sf_fail(e, "\"name\" is empty");
	sf_at(e, "\"interfaces\"[%zu] (%s): ", i,
	      printable(s->name, shown, sizeof(shown)));
	/* 0: waiting for the interface to appear */
	if (!sf_int(o, "ifindex", 0, INT_MAX, &ifindex, e) ||
	    !sf_bool(o, "xdp_native", &s->xdp_native, e) ||
	    !sf_bool(o, "qdisc_created", &s->qdisc_created, e))
		return false;
	s->ifindex = ifindex;
	return parse_self(o, s, e);
}

static bool parse_ifaces(json_object *root, struct runtime_state *st,
			 struct sf_err *e)
{
	json_object *ifaces = sf_member(root, "interfaces", json_type_array, e);
	size_t n;

	if (!ifaces)
		return false;
	n = json_object_array_length(ifaces);
	if (n > EDGEFW_MAX_IFACES)
		return sf_fail(e,
			       "\"interfaces\" has %zu entries, more than %d",
			       n, EDGEFW_MAX_IFACES);
	for (size_t i = 0; i < n; i++) {
		if (!parse_iface(json_object_array_get_idx(ifaces, i), i,
				 &st->ifaces[i], e))
			return false;
		for (size_t j = 0; j < i; j++) {
			char shown[PRINTABLE_LEN];

			if (strcmp(st->ifaces[j].name, st->ifaces[i].name))
				continue;
			e->at[0] = '\0';
			return sf_fail(e, "\"interfaces\" lists %s twice",
				       printable(st->ifaces[i].name, shown,
						 sizeof(shown)));
		}
	}
	st->nr_ifaces = n;
	return true;
}

static bool is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

/* Optional: an older edgefw counted none. */
static bool parse_reloads(json_object *root, struct runtime_state *st,
			  struct sf_err *e)
{
	int64_t ok, failed;
	json_object *o;

	if (!json_object_object_get_ex(root, "reloads", &o))
		return true;
	e->at[0] = '\0';
	o = sf_member(root, "reloads", json_type_object, e);
	if (!o)
		return false;
	sf_at(e, "\"reloads\": ");
	if (!sf_int(o, "ok", 0, INT64_MAX, &ok, e) ||
	    !sf_int(o, "failed", 0, INT64_MAX, &failed, e))
		return false;
	st->reloads_ok = ok;
	st->reloads_failed = failed;
	return true;
}

int state_parse(const char *text, size_t len, struct runtime_state *st,
		struct sf_err *e)
{
	int64_t version, loaded_at, generation, netns_dev, netns_ino;
	json_object *root;
	bool ok;

	memset(st, 0, sizeof(*st));
	root = statefile_parse(text, len, STATE_VERSION, STATE_VERSION,
			       &version, e);
	if (!root)
		return -1;
	ok = sf_string(root, "config_path", st->config_path,
		       sizeof(st->config_path), e) &&
	     (st->config_path[0] || sf_fail(e, "\"config_path\" is empty")) &&
	     sf_string(root, "config_sha256", st->config_hash,
		       sizeof(st->config_hash), e) &&
	     (is_hex(st->config_hash, SHA256_HEX_LEN) ||
	      sf_fail(e, "\"config_sha256\" is not %d hex digits",
		      SHA256_HEX_LEN)) &&
	     sf_int(root, "loaded_at", 0, STATEFILE_TIME_MAX_MS / 1000,
		    &loaded_at, e) &&
	     sf_int(root, "generation", 0, INT64_MAX, &generation, e) &&
	     sf_bool(root, "complete", &st->complete, e) &&
	     sf_int(root, "netns_dev", INT64_MIN, INT64_MAX, &netns_dev, e) &&
	     sf_int(root, "netns_ino", INT64_MIN, INT64_MAX, &netns_ino, e) &&
	     parse_ifaces(root, st, e) && parse_sizes(root, st, e) &&
	     parse_protected(root, st, e) && parse_reloads(root, st, e);
	json_object_put(root);
	if (!ok)
		return -1;
	st->loaded_at = loaded_at;
	st->generation = generation;
	st->netns_dev = netns_dev;
	st->netns_ino = netns_ino;
	return 0;
}

static int parse_file(const char *text, size_t len, void *st, struct sf_err *e)
{
	return state_parse(text, len, st, e);
}

int state_read(const struct paths *p, struct runtime_state *st)
{
	struct sf_err e = {};
	int rc;

	memset(st, 0, sizeof(*st));
	rc = statefile_read(p->state, parse_file, st, &e);
	if (rc == 1)
		return -ENOENT;
	if (rc < 0) {
		log_err("edgefw's runtime state %s is corrupt (%s)", p->state,
			e.why);
		return -EINVAL;
	}
	return 0;
}

int state_count_failed_reload(const struct paths *p)
{
	struct runtime_state *st = xcalloc(1, sizeof(*st));
	int rc = state_read(p, st);

	if (rc == 0) {
		st->reloads_failed++;
		rc = state_write(p, st);
	} else if (rc == -ENOENT) {
		rc = 0;
	}
	free(st);
	return rc ? -1 : 0;
}

int state_remove(const struct paths *p)
{
	int err = 0;

	if (unlink(p->state) && errno != ENOENT)
		err = -errno;
	if (unlink(p->snapshot) && errno != ENOENT)
		err = -errno;
	return err;
}

int state_lock(const struct paths *p)
{
	int fd, waited;

	if (paths_private_dir(p->run_dir) || paths_private_dir(p->state_dir))
		return -1;
	/* O_NOFOLLOW: a link planted as the lock is refused, not followed */
	fd = open(p->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_err("cannot open %s: %s", p->lock,
			errno == ELOOP ? "it is a symbolic link"
				       : strerror(errno));
		return -1;
	}
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += 100) {
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS) {
			log_err("another edgefw command holds %s; try again when it is done",
				p->lock);
			close(fd);
			return -1;
		}
		usleep(100 * 1000);
	}
	return fd;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void state_set_netns(struct runtime_state *st)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) == 0) {
		st->netns_dev = sb.st_dev;
		st->netns_ino = sb.st_ino;
	}
}

/* The name under /run/netns of the namespace, if it has one. */
static bool netns_name(const struct runtime_state *st, char *buf, size_t len)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d))) {
		char path[PATH_MAX];
		struct stat sb;

		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		if (de->d_name[0] != '.' && stat(path, &sb) == 0 &&
		    sb.st_ino == st->netns_ino && sb.st_dev == st->netns_dev) {
			snprintf(buf, len, "%s", de->d_name);
			found = true;
		}
	}
	if (d)
		closedir(d);
	return found;
}

int state_check_netns(const struct runtime_state *st, const char *command)
{
	struct runtime_state here = { 0 };
	char name[NAME_MAX + 1];

	state_set_netns(&here);
	if (here.netns_ino == st->netns_ino && here.netns_dev == st->netns_dev)
		return 0;
	if (netns_name(st, name, sizeof(name)))
		log_err("edgefw was loaded in network namespace %s: run 'nsenter --net=/run/netns/%s edgefw %s'",
			name, name, command);
	else
		log_err("edgefw was loaded in another network namespace (net:[%llu]); run 'edgefw %s' there%s",
			(unsigned long long)st->netns_ino, command,
			strcmp(command, "unload")
				? ""
				: ", or 'edgefw unload --force' if that namespace is gone");
	return -1;
}
