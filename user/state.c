// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "jsonutil.h"
#include "log.h"
#include "state.h"

#define STATE_VERSION 1
#define LOCK_WAIT_MS 10000

static json_object *sizes_to_json(const struct runtime_state *st)
{
	json_object *arr = json_object_new_array_ext(st->nr_sets);

	for (size_t i = 0; i < st->nr_sets; i++)
		json_object_array_add(arr,
				      json_object_new_int64(st->set_sizes[i]));
	return arr;
}

/* Optional: an older edgefw's state has none. */
static bool parse_sizes(json_object *root, struct runtime_state *st)
{
	json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(root, "set_sizes", &arr))
		return true;
	if (!json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	if (n > EDGEFW_MAX_SETS)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int64_t size;

		if (!json_object_is_type(v, json_type_int))
			return false;
		size = json_object_get_int64(v);
		if (size < 0)
			return false;
		st->set_sizes[i] = size;
	}
	st->nr_sets = n;
	st->set_sizes_known = true;
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
static bool parse_protected(json_object *root, struct runtime_state *st)
{
	json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(root, "protected", &arr))
		return true;
	if (!json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	if (n > PROTECT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		struct protected_prefix *pp = &st->protected[i];
		char text[PREFIX_STRLEN], why[160];

		if (!json_copy_string(o, "prefix", text, sizeof(text)) ||
		    prefix_parse(text, &pp->prefix, why, sizeof(why)) ||
		    !json_copy_string(o, "by", pp->by, sizeof(pp->by)))
			return false;
	}
	st->nr_protected = n;
	return json_get_bool(root, "protected_truncated",
			     &st->protected_truncated);
}

int state_write(const struct paths *p, const struct runtime_state *st)
{
	json_object *root = json_object_new_object();
	json_object *ifaces = json_object_new_array();
	int err;

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
		json_object_object_add(root, "set_sizes", sizes_to_json(st));
	json_object_object_add(root, "protected", protected_to_json(st));
	json_object_object_add(
		root, "protected_truncated",
		json_object_new_boolean(st->protected_truncated));

	err = mkdir_p(p->run_dir, 0700);
	if (!err)
		err = json_write_file(p->state, root);
	json_object_put(root);
	if (err)
		log_err("cannot write %s: %s", p->state, strerror(-err));
	return err;
}

static bool parse_iface(json_object *o, struct iface_state *s)
{
	json_object *self;
	int64_t ifindex;
	size_t n;

	if (!json_copy_string(o, "name", s->name, sizeof(s->name)) ||
	    !json_get_int(o, "ifindex", &ifindex) ||
	    !json_get_bool(o, "xdp_native", &s->xdp_native) ||
	    !json_get_bool(o, "qdisc_created", &s->qdisc_created) ||
	    !(self = json_get_array(o, "self")))
		return false;
	s->ifindex = ifindex;
	n = json_object_array_length(self);
	if (n > EDGEFW_MAX_SELF_ADDRS)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(self, i);
		char why[128];

		if (!json_object_is_type(a, json_type_string) ||
		    addr_parse(json_object_get_string(a), &s->self[i], why,
			       sizeof(why)))
			return false;
	}
	s->nr_self = n;
	return true;
}

static bool parse_state(json_object *root, struct runtime_state *st)
{
	json_object *ifaces;
	int64_t version, loaded_at, generation, netns_dev, netns_ino;
	size_t n;

	if (!json_get_int(root, "version", &version) ||
	    version != STATE_VERSION ||
	    !json_copy_string(root, "config_path", st->config_path,
			      sizeof(st->config_path)) ||
	    !json_copy_string(root, "config_sha256", st->config_hash,
			      sizeof(st->config_hash)) ||
	    !json_get_int(root, "loaded_at", &loaded_at) ||
	    !json_get_int(root, "generation", &generation) ||
	    !json_get_bool(root, "complete", &st->complete) ||
	    !json_get_int(root, "netns_dev", &netns_dev) ||
	    !json_get_int(root, "netns_ino", &netns_ino) ||
	    !(ifaces = json_get_array(root, "interfaces")))
		return false;
	st->loaded_at = loaded_at;
	st->generation = generation;
	st->netns_dev = netns_dev;
	st->netns_ino = netns_ino;
	n = json_object_array_length(ifaces);
	if (n > EDGEFW_MAX_IFACES)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!parse_iface(json_object_array_get_idx(ifaces, i),
				 &st->ifaces[i]))
			return false;
	}
	st->nr_ifaces = n;
	return parse_sizes(root, st) && parse_protected(root, st);
}

int state_read(const struct paths *p, struct runtime_state *st)
{
	const char *why;
	json_object *root;
	bool ok;

	memset(st, 0, sizeof(*st));
	root = json_read_file(p->state, &why);
	if (!root && errno == ENOENT && access(p->state, F_OK))
		return -ENOENT;
	ok = root && parse_state(root, st);
	json_object_put(root);
	if (!ok) {
		log_err("edgefw's runtime state %s is corrupt", p->state);
		return -EINVAL;
	}
	return 0;
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
