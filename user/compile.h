/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiles a parsed configuration into what the data plane reads: the rule
 * array and the candidate classes (read-only data of the programs), the
 * port class table and the set entries (maps).
 */
#ifndef EDGEFW_COMPILE_H
#define EDGEFW_COMPILE_H

#include <stdio.h>
#include "config.h"
#include "edgefw.h"
#include "prefix_list.h"

struct compiled {
	struct edgefw_rule rules[EDGEFW_MAX_RULES];
	size_t nr_rules;
	struct edgefw_class classes[EDGEFW_MAX_CLASSES]; /* 0 is empty */
	size_t nr_classes;
	struct edgefw_port_classes *ports; /* EDGEFW_PORT_KEYS entries */
	__u16 icmp_class[EDGEFW_NR_ROLES][EDGEFW_NR_DIRS][2];
	size_t nr_sets; /* config's sets, then one per inline prefix */
	size_t *set_sizes; /* prefixes per set id */
	size_t *set_sizes6; /* the IPv6 ones */
	struct edgefw_set_key *set_keys; /* sorted, no duplicates */
	size_t nr_set_keys;
	/* EDGEFW_FILTER_KEY(set, family) for every set id */
	struct edgefw_set_filter *filters;
	__u16 indexed_sets[EDGEFW_INDEX_SLOTS]; /* the set id of each slot */
	size_t nr_indexed;
};

/* Returns the number of errors, reported to diag as FILE:LINE:COL. */
int compile(const struct config *c, struct compiled *cc, FILE *diag);
void compiled_free(struct compiled *cc);

/*
 * The sets that get an index slot (edgefw.h): the first config sets that
 * rules name, whatever they hold. Fills slots with their set ids and
 * returns how many.
 */
size_t compile_index_slots(const struct config *c,
			   __u16 slots[EDGEFW_INDEX_SLOTS]);

/* The prefixes of set id set, sorted. */
void compiled_set_prefixes(const struct compiled *cc, unsigned int set,
			   struct prefix_list *out);

/* The index slot of set id set, or EDGEFW_NO_INDEX_SLOT. */
unsigned int compiled_index_slot(const struct compiled *cc, unsigned int set);

/*
 * Whether set id set lives in the LPM trie: only a set without an index
 * slot does, as its index answers the rest whole.
 */
static inline bool compiled_set_in_trie(const struct compiled *cc,
					unsigned int set)
{
	return compiled_index_slot(cc, set) == EDGEFW_NO_INDEX_SLOT;
}

/* Set the filter bits that cover p (see struct edgefw_set_filter). */
void set_filter_add(struct edgefw_set_filter *f, const struct prefix *p);

/* The tag of a config by its SHA-256 (hex): its first 32 bits. */
__u32 config_tag(const char *hash_hex);

/*
 * One CPU's share of the config's drop events and of its samples for the
 * daemon's summary: the interval between two and the bucket's burst, as
 * GCRA times, into out's events_* and sample_*; 0 for off.
 */
void compile_events(const struct config *c, unsigned int nr_cpus,
		    struct edgefw_iface_config *out);

/* The read-only configuration of one interface's programs. */
void compile_iface(const struct config *c, const struct compiled *cc,
		   size_t iface, __u32 ifindex, const struct prefix *self,
		   size_t nr_self, struct edgefw_iface_config *out);

#endif
