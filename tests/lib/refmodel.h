/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reference model of edgefw's decision, written from README.md ("How a
 * packet is judged", "Configuration", "Rate limits", "Blocklist") for
 * differential testing against the BPF programs. It interprets the parsed
 * config (the syntax tree) itself: no compiler, no port classes, no set
 * indexes; set membership is a brute-force prefix match. Like the data
 * plane it keeps state, flows, rate buckets and blocks, but on a virtual
 * clock that only moves when told to. From include/edgefw.h it takes the
 * documented contract: reasons, counter slots, timeouts and limits.
 */
#ifndef EDGEFW_TEST_REFMODEL_H
#define EDGEFW_TEST_REFMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "config.h"
#include "edgefw.h"
#include "refparse.h"

struct ref_verdict {
	bool pass; /* what the program returns */
	uint32_t slot; /* a reason or EDGEFW_VERDICT_RULE(rule) */
};

/* A flow, keyed as seen from this host, whichever side opened it. */
struct ref_flow_key {
	uint32_t iface;
	uint8_t family;
	uint8_t proto;
	uint16_t local_port;
	uint16_t remote_port;
	uint16_t pad;
	union edgefw_addr local;
	union edgefw_addr remote;
};

struct ref_flow {
	bool used;
	struct ref_flow_key key;
	uint8_t state; /* enum edgefw_flow_state */
	uint8_t opened_dir;
	uint64_t seen_ns; /* when its timeout starts */
};

struct ref_bucket_key {
	uint32_t rule;
	uint8_t family; /* 0 for a total limit's one bucket */
	uint8_t pad[3];
	union edgefw_addr src;
};

struct ref_bucket {
	bool used;
	struct ref_bucket_key key;
	uint64_t full_ns; /* the moment it would be full again */
};

#define REF_MAX_BLOCKS 16

struct ref_block {
	struct prefix prefix;
	uint64_t expires_ns; /* on the model's clock; 0: never */
};

struct ref_model {
	const struct config *c;
	uint64_t now_ns; /* the virtual clock */
	struct ref_flow *flows; /* open addressing */
	size_t nr_flows;
	struct ref_bucket *buckets; /* open addressing */
	size_t nr_buckets;
	struct ref_block blocks[REF_MAX_BLOCKS];
	size_t nr_blocks;
	/* What the last packet met, before it changed it: for reports. */
	struct ref_flow met_flow; /* .used: there was an entry, live or not */
	struct ref_bucket met_bucket; /* .used: a limit was consulted */
};

/*
 * The config must give every interface its addresses: the model knows
 * no NIC. Bails out otherwise.
 */
void refmodel_init(struct ref_model *m, const struct config *c);
void refmodel_free(struct ref_model *m);

/* Forget every flow, bucket and block; the clock runs on. */
void refmodel_reset(struct ref_model *m);

void refmodel_advance(struct ref_model *m, uint64_t ns);

/* ttl_ns 0: no time limit. Adding a prefix again replaces it. */
void refmodel_block(struct ref_model *m, const struct prefix *p,
		    uint64_t ttl_ns);
void refmodel_unblock(struct ref_model *m, const struct prefix *p);

/*
 * Judge one frame on the interface of config index iface, in direction
 * dir (EDGEFW_DIR_IN: XDP, ingress), and update the state as the data
 * plane would. parsed, when not NULL, receives the model's reading.
 */
struct ref_verdict refmodel_judge(struct ref_model *m, size_t iface, int dir,
				  const uint8_t *frame, size_t len,
				  struct ref_pkt *parsed);

/* A line on the state the last packet met: its flow, its bucket. */
void refmodel_explain(const struct ref_model *m, char *buf, size_t len);

#endif
