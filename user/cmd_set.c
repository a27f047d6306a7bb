// SPDX-License-Identifier: GPL-2.0
/*
 * edgefw set list|add|del NAME: change a named set of the running edgefw.
 * The whole input is checked before anything changes; the kernel takes
 * the change in batches, then the set's changes over the config are
 * saved, and if that fails the kernel is put back.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "commands.h"
#include "inspect.h"
#include "log.h"
#include "maps.h"
#include "prefix_list.h"
#include "privileges.h"
#include "setindex.h"

#define OVERLAPS_SHOWN 3

enum set_op { SET_LIST, SET_ADD, SET_DEL };

struct set_args {
	enum set_op op;
	const char *name;
	const char *file; /* -f FILE or -f - */
	char **prefixes; /* or these */
	int nr_prefixes;
	bool json;
};

/* Prefixes separated by blanks, commas or line ends; '#' to line end. */
static int parse_text(const char *file, char *text, struct prefix_list *out)
{
	unsigned int line = 1;
	int errors = 0;

	for (char *s = text; *s;) {
		char why[160], *end;
		struct prefix p;
		size_t n;

		if (*s == '#') {
			s += strcspn(s, "\n");
			continue;
		}
		if (strchr(" \t\r,\n", *s)) {
			line += *s == '\n';
			s++;
			continue;
		}
		n = strcspn(s, " \t\r,\n#");
		end = s + n;
		if (*end) {
			char saved = *end;

			*end = '\0';
			if (prefix_parse(s, &p, why, sizeof(why)) == 0)
				plist_add(out, &p);
			else if (errors++ < 20)
				fprintf(stderr, "%s:%u: %s\n", file, line, why);
			*end = saved;
		} else if (prefix_parse(s, &p, why, sizeof(why)) == 0) {
			plist_add(out, &p);
		} else if (errors++ < 20) {
			fprintf(stderr, "%s:%u: %s\n", file, line, why);
		}
		s = end;
	}
	if (errors > 20)
		fprintf(stderr, "%s: %d more errors not shown\n", file,
			errors - 20);
	return errors;
}

static int read_input(const struct set_args *a, struct prefix_list *out)
{
	int errors = 0;

	if (a->file) {
		char *text = read_file(a->file, NULL);
		const char *label = strcmp(a->file, "-") ? a->file : "(stdin)";

		if (!text) {
			log_err("cannot read %s: %s", label, strerror(errno));
			return EXIT_USAGE;
		}
		errors = parse_text(label, text, out);
		free(text);
	}
	for (int i = 0; i < a->nr_prefixes; i++) {
		char why[160];
		struct prefix p;

		if (prefix_parse(a->prefixes[i], &p, why, sizeof(why))) {
			fprintf(stderr, "edgefw set: argument %d: %s\n", i + 1,
				why);
			errors++;
		} else {
			plist_add(out, &p);
		}
	}
	if (errors) {
		log_err("nothing was changed: fix the input and run the command again");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* The first few overlaps, shown after their count. */
struct overlaps {
	char line[OVERLAPS_SHOWN][2 * PREFIX_STRLEN + 16];
	int n;
};

static void note_overlap(const struct prefix *inner, const struct prefix *outer,
			 void *ctx)
{
	struct overlaps *o = ctx;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	if (o->n == OVERLAPS_SHOWN)
		return;
	prefix_format(inner, a, sizeof(a));
	prefix_format(outer, b, sizeof(b));
	snprintf(o->line[o->n++], sizeof(o->line[0]), "%s lies inside %s", a,
		 b);
}

static int kernel_change(int fd, enum set_op op, unsigned int set,
			 const struct prefix_list *l, size_t *done)
{
	struct edgefw_set_key *keys = xcalloc(l->n, sizeof(*keys));
	__u8 *ones = xcalloc(l->n, 1);
	int err;

	for (size_t i = 0; i < l->n; i++)
		prefix_set_key(&l->v[i], set, &keys[i]);
	memset(ones, 1, l->n);
	err = op == SET_ADD
		      ? map_update_many(fd, keys, ones, l->n, sizeof(*keys), 1,
					done)
		      : map_delete_many(fd, keys, l->n, sizeof(*keys), done);
	free(ones);
	free(keys);
	return err;
}

/*
 * Before prefixes go into the set, the set's filters must let them
 * through: their bits are set first. Removals leave the bits, as a bit
 * too many only costs a lookup.
 */
static int widen_filters(const struct loaded *l, unsigned int set,
			 const struct prefix_list *added)
{
	static const __u8 families[] = { EDGEFW_FAMILY_IPV4,
					 EDGEFW_FAMILY_IPV6 };
	int fd = loaded_gen_map(l, "set_filter"), err = 0;

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(families) && !err; i++) {
		__u32 key = EDGEFW_FILTER_KEY(set, families[i]);
		struct edgefw_set_filter f;

		err = bpf_map_lookup_elem(fd, &key, &f);
		for (size_t j = 0; !err && j < added->n; j++) {
			if (added->v[j].family == families[i])
				set_filter_add(&f, &added->v[j]);
		}
		if (!err)
			err = bpf_map_update_elem(fd, &key, &f, BPF_ANY);
	}
	if (err)
		log_err("cannot update the filter of set %u: %s", set,
			strerror(errno));
	close(fd);
	return err ? -1 : 0;
}

/*
 * Move the set's indexes from the prefixes in from to those in to; a set
 * without an index slot has nothing to do.
 */
static int sync_index(const struct loaded *l, unsigned int set,
		      const struct prefix_list *from,
		      const struct prefix_list *to)
{
	unsigned int slot = compiled_index_slot(&l->cc, set);
	int fds[NR_SET_INDEX_MAPS], opened = 0, err = -1;

	if (slot == EDGEFW_NO_INDEX_SLOT)
		return 0;
	while (opened < NR_SET_INDEX_MAPS) {
		fds[opened] = loaded_gen_map(l, set_index_map_names[opened]);
		if (fds[opened] < 0)
			break;
		opened++;
	}
	if (opened == NR_SET_INDEX_MAPS)
		err = set_indexes_write(fds, set, slot, from, to);
	while (opened--)
		close(fds[opened]);
	return err;
}

/* Record the change as additions and removals over the config's set. */
static void record(struct set_delta *sd, enum set_op op,
		   const struct prefix_list *changed)
{
	struct prefix_list *grow = op == SET_ADD ? &sd->added : &sd->removed;
	struct prefix_list *undo = op == SET_ADD ? &sd->removed : &sd->added;
	struct prefix_list cancelled = {};

	for (size_t i = 0; i < changed->n; i++) {
		if (plist_contains(undo, &changed->v[i]))
			plist_add(&cancelled, &changed->v[i]);
		else
			plist_add(grow, &changed->v[i]);
	}
	plist_sort_unique(&cancelled);
	plist_subtract(undo, &cancelled);
	plist_sort_unique(grow);
	plist_free(&cancelled);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *prefixes(size_t n)
{
	return n == 1 ? "prefix" : "prefixes";
}

static int change(struct loaded *l, const struct set_args *a, unsigned int set,
		  struct prefix_list *input)
{
	struct prefix_list current = {}, changed = {}, after = {};
	size_t dups = plist_sort_unique(input), done, skipped;
	struct timespec t0;
	int fd = -1, rc = EXIT_FAILED;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	compiled_set_prefixes(&l->cc, set, &current);
	for (size_t i = 0; i < input->n; i++) {
		bool present = plist_contains(&current, &input->v[i]);

		if (present == (a->op == SET_DEL))
			plist_add(&changed, &input->v[i]);
	}
	skipped = input->n - changed.n;
	if (dups)
		log_info("%zu %s in the input counted once", dups,
			 dups == 1 ? "duplicate" : "duplicates");
	if (skipped)
		log_info("%zu %s %s %s in set %s", skipped, prefixes(skipped),
			 skipped == 1 ? "was" : "were",
			 a->op == SET_ADD ? "already" : "not", a->name);
	if (a->op == SET_ADD) {
		struct overlaps shown = { .n = 0 };
		size_t n = plist_overlaps(&changed, &current, note_overlap,
					  &shown);

		if (n)
			log_info(
				"%zu new %s %s prefixes already in set %s; both are kept (a packet matching either is in the set), e.g.:",
				n, prefixes(n), n == 1 ? "overlaps" : "overlap",
				a->name);
		for (int i = 0; i < shown.n; i++)
			log_info("  %s", shown.line[i]);
	}

	if (a->op == SET_ADD && widen_filters(l, set, &changed))
		goto out;
	fd = loaded_gen_map(l, "sets");
	if (fd < 0)
		goto out;
	if (kernel_change(fd, a->op, set, &changed, &done)) {
		log_err("cannot change set %s in the kernel: %s", a->name,
			strerror(errno));
		goto undo;
	}
	for (size_t i = 0; i < current.n; i++)
		plist_add(&after, &current.v[i]);
	if (a->op == SET_ADD) {
		for (size_t i = 0; i < changed.n; i++)
			plist_add(&after, &changed.v[i]);
		plist_sort_unique(&after);
	} else {
		plist_subtract(&after, &changed);
	}
	done = changed.n;
	if (sync_index(l, set, &current, &after))
		goto undo_index;
	record(deltas_find(&l->deltas, a->name, true), a->op, &changed);
	if (deltas_write(&l->paths, &l->deltas))
		goto undo_index;
	log_info("%s %zu %s %s set %s in %.3f s",
		 a->op == SET_ADD ? "added" : "removed", changed.n,
		 prefixes(changed.n), a->op == SET_ADD ? "to" : "from", a->name,
		 seconds_since(&t0));
	rc = EXIT_OK;
	goto out;
undo_index:
	sync_index(l, set, &after, &current);
undo:
	/* put the kernel back: the part of the change that went in */
	changed.n = done;
	kernel_change(fd, a->op == SET_ADD ? SET_DEL : SET_ADD, set, &changed,
		      &done);
	log_err("set %s is unchanged", a->name);
out:
	if (fd >= 0)
		close(fd);
	plist_free(&after);
	plist_free(&changed);
	plist_free(&current);
	return rc;
}

/* What the kernel holds for the set, read back from the map. */
static int list(const struct loaded *l, const struct set_args *a,
		unsigned int set)
{
	struct edgefw_set_key key, next, *prev = NULL;
	struct prefix_list got = {};
	json_object *arr = json_object_new_array();
	int fd = loaded_gen_map(l, "sets");

	if (fd < 0)
		return EXIT_FAILED;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		struct prefix p;

		key = next;
		prev = &key;
		if (key.set != set)
			continue;
		prefix_from_set_key(&key, &p);
		plist_add(&got, &p);
	}
	close(fd);
	plist_sort_unique(&got);
	for (size_t i = 0; i < got.n; i++) {
		char buf[PREFIX_STRLEN];

		prefix_format(&got.v[i], buf, sizeof(buf));
		if (a->json)
			json_object_array_add(arr, json_object_new_string(buf));
		else
			puts(buf);
	}
	if (a->json) {
		json_object *root = json_object_new_object();

		json_object_object_add(root, "name",
				       json_object_new_string(a->name));
		json_object_object_add(root, "prefixes", arr);
		puts(json_object_to_json_string_ext(
			root, JSON_C_TO_STRING_PRETTY |
				      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		json_object_put(arr);
	}
	plist_free(&got);
	return EXIT_OK;
}

static int parse_args(int argc, char **argv, struct set_args *a)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{},
	};
	const char *verb = argc > 1 ? argv[1] : "";
	int opt;

	memset(a, 0, sizeof(*a));
	if (!strcmp(verb, "list"))
		a->op = SET_LIST;
	else if (!strcmp(verb, "add"))
		a->op = SET_ADD;
	else if (!strcmp(verb, "del"))
		a->op = SET_DEL;
	else
		return usage_error("set", "expected list, add or del");
	argc--;
	argv++;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (opt == 'f' && a->op != SET_LIST)
			a->file = optarg;
		else if (opt == 'j' && a->op == SET_LIST)
			a->json = true;
		else
			return bad_option("set", argv);
	}
	if (optind >= argc)
		return usage_error("set", "'%s' needs a set NAME", verb);
	a->name = argv[optind++];
	a->prefixes = argv + optind;
	a->nr_prefixes = argc - optind;
	if (a->op == SET_LIST && a->nr_prefixes)
		return usage_error("set", "unexpected argument '%s'",
				   argv[optind]);
	if (a->op != SET_LIST && !a->file && !a->nr_prefixes)
		return usage_error("set", "'%s' needs PREFIX... or -f FILE",
				   verb);
	return EXIT_OK;
}

int cmd_set(int argc, char **argv)
{
	struct prefix_list input = {};
	struct set_args a;
	struct loaded l;
	int rc, set, lock = -1;

	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc;
	if (a.op != SET_LIST) {
		rc = read_input(&a, &input);
		if (rc)
			goto out;
	}
	rc = EXIT_FAILED;
	if (require_privileges("set"))
		goto out;
	paths_init(&l.paths);
	lock = state_lock(&l.paths);
	if (lock < 0)
		goto out;
	rc = loaded_open(&l, false);
	if (rc == 1)
		log_err("edgefw is not loaded; sets change on a running edgefw");
	if (rc) {
		rc = EXIT_FAILED;
		goto close;
	}
	set = config_find_set(&l.cfg, a.name);
	if (set < 0) {
		log_err("the loaded config has no set '%s'", a.name);
		rc = EXIT_USAGE;
		goto close;
	}
	rc = a.op == SET_LIST ? list(&l, &a, set) : change(&l, &a, set, &input);
close:
	loaded_close(&l);
out:
	state_unlock(lock);
	plist_free(&input);
	return rc;
}
