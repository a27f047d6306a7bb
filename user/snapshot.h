/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config as loaded, kept in the runtime directory: loaded.conf, its
 * text, which save, set and partner read for the sets' prefixes; and its
 * shape, loaded.shape.conf: the same text with every set's prefixes left
 * out (its domains kept), for what reads only names, rules and settings
 * (status, stats, metrics, monitor). A config with a million prefixes in
 * a set is 20 MB of text, most of a second to parse; its shape is the
 * size of the rest of the config, and the sets' sizes are in state.json.
 */
#ifndef EDGEFW_SNAPSHOT_H
#define EDGEFW_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "paths.h"

/* Both files, the text first. 0, or -1 after reporting. */
int snapshot_write(const struct paths *p, const struct config *c);

/*
 * The loaded config into c: with shape_only, its shape when that is there
 * and of the config whose sha256 is hash (the state's), else (an older
 * edgefw wrote no shape) the text. c->hash is the loaded config's either
 * way. 0, or -1 after reporting.
 */
int snapshot_load(const struct paths *p, const char *hash, bool shape_only,
		  struct config *c);

/*
 * The shape of c as snapshot_write writes it: a first line naming the
 * config's sha256, then c's text with the prefixes of each set left out.
 * Allocated; its length in *len.
 */
char *snapshot_shape_text(const struct config *c, size_t *len);

/* Both files gone (unload). 0, or -errno of the first that failed. */
int snapshot_remove(const struct paths *p);

#endif
