// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "jsonutil.h"
#include "log.h"
#include "statefile.h"
#include "util.h"

void statefile_refuse(const char *path, const char *why)
{
	log_err("%s is corrupt (%s); edgefw will not use it: repair it, or move it away to start from an empty state",
		path, why);
}

json_object *statefile_read(const char *path, int64_t oldest, int64_t newest,
			    int64_t *version, bool *missing)
{
	const char *why = NULL;
	json_object *root = json_read_file(path, &why);

	*missing = !root && access(path, F_OK) && errno == ENOENT;
	if (*missing)
		return NULL;
	if (root && (!json_get_int(root, "version", version) ||
		     *version < oldest || *version > newest)) {
		why = "no version this edgefw knows";
		json_object_put(root);
		root = NULL;
	}
	if (!root)
		statefile_refuse(path, why);
	return root;
}

int statefile_write(const struct paths *p, const char *path, json_object *root)
{
	int err = mkdir_p(p->state_dir, 0700);

	if (!err)
		err = json_write_file(path, root);
	json_object_put(root);
	if (err)
		log_err("cannot write %s: %s", path, strerror(-err));
	return err ? -1 : 0;
}

bool statefile_parse_prefixes(json_object *arr, struct prefix_list *l)
{
	if (!arr)
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		struct prefix p;
		char why[160];

		if (!json_object_is_type(v, json_type_string) ||
		    prefix_parse(json_object_get_string(v), &p, why,
				 sizeof(why)))
			return false;
		plist_add(l, &p);
	}
	plist_sort_unique(l);
	return true;
}
