// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "snapshot.h"
#include "util.h"

/* The shape's first line; the hash follows, then a line end. */
#define SHAPE_HEADER \
	"# edgefw: the loaded config without its sets' prefixes; sha256 "

struct text {
	char *v;
	size_t n, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	GROW(t->v, t->cap, t->n + n + 1);
	memcpy(t->v + t->n, s, n);
	t->n += n;
	t->v[t->n] = '\0';
}

static void puts_text(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

char *snapshot_shape_text(const struct config *c, size_t *len)
{
	struct text t = {};
	size_t from = 0;

	puts_text(&t, SHAPE_HEADER);
	puts_text(&t, c->hash);
	puts_text(&t, "\n");
	/* the sets in the order of the file, each body after the last */
	for (size_t i = 0; i < c->nr_sets; i++) {
		const struct cfg_set *s = &c->sets[i];

		put(&t, c->text + from, s->body_start - from);
		puts_text(&t, "\n");
		for (size_t j = 0; j < s->nr_domains; j++) {
			puts_text(&t, "domain ");
			puts_text(&t, s->domains[j].name);
			puts_text(&t,
				  s->domains[j].secure ? " secure\n" : "\n");
		}
		from = s->body_end;
	}
	put(&t, c->text + from, c->text_len - from);
	*len = t.n;
	return t.v;
}

int snapshot_write(const struct paths *p, const struct config *c)
{
	size_t len;
	char *text;
	int err;

	if (write_file_atomic(p->snapshot, c->text, c->text_len, 0600)) {
		log_err("cannot write %s: %s", p->snapshot, strerror(errno));
		return -1;
	}
	text = snapshot_shape_text(c, &len);
	err = write_file_atomic(p->shape, text, len, 0600);
	if (err)
		log_err("cannot write %s: %s", p->shape, strerror(errno));
	free(text);
	return err ? -1 : 0;
}

static int load_quietly(const char *path, struct config *c)
{
	/* what is loaded was checked when it was loaded: no warnings again */
	FILE *quiet = fopen("/dev/null", "w");
	int err = config_load(path, c, quiet ? quiet : stderr);

	if (quiet)
		fclose(quiet);
	return err;
}

/*
 * The shape, when it is of the config hash names. 1 when there is none
 * to use (missing: written by an older edgefw; of another config: a
 * reload by an older edgefw, or one under way), 0, or -1 after reporting
 * a shape that does not read.
 */
static int load_shape(const struct paths *p, const char *hash, struct config *c)
{
	size_t hlen = strlen(SHAPE_HEADER);

	if (access(p->shape, F_OK))
		return 1;
	if (load_quietly(p->shape, c)) {
		log_warn(
			"%s does not read; reading the whole config %s instead (a reload writes it anew)",
			p->shape, p->snapshot);
		config_free(c);
		return -1;
	}
	if (c->text_len < hlen + SHA256_HEX_LEN + 1 ||
	    memcmp(c->text, SHAPE_HEADER, hlen) ||
	    strncmp(c->text + hlen, hash, SHA256_HEX_LEN) ||
	    c->text[hlen + SHA256_HEX_LEN] != '\n') {
		config_free(c);
		return 1;
	}
	/* the hash of the config it is the shape of, as the state has it */
	memcpy(c->hash, hash, SHA256_HEX_LEN);
	c->hash[SHA256_HEX_LEN] = '\0';
	return 0;
}

int snapshot_load(const struct paths *p, const char *hash, bool shape_only,
		  struct config *c)
{
	if (shape_only && strlen(hash) == SHA256_HEX_LEN &&
	    load_shape(p, hash, c) == 0)
		return 0;
	if (load_quietly(p->snapshot, c)) {
		log_err("cannot read the loaded config snapshot %s",
			p->snapshot);
		return -1;
	}
	return 0;
}

int snapshot_remove(const struct paths *p)
{
	int err = 0;

	if (unlink(p->snapshot) && errno != ENOENT)
		err = -errno;
	if (unlink(p->shape) && errno != ENOENT && !err)
		err = -errno;
	return err;
}
