/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packets for differential testing, from a seed: structure-aware ones
 * built from a config's rules, sets and addresses, and mutations of them,
 * for the four places (XDP and TC of ext0 and int0). Steps come in
 * sequences; within one, packets answer and repeat earlier ones, so that
 * connections open, go on, close and time out, and buckets fill and
 * empty. Before a packet, a step may move the virtual clock or change the
 * blocklist.
 *
 * Time moves in whole quanta of PKTGEN_QUANTUM_NS. No timeout of
 * include/edgefw.h, nor the flow refresh period, is a multiple of it: a
 * packet never falls on a flow's deadline, but at least PKTGEN_MARGIN_NS
 * before or after it, whatever the steps in between. Block lifetimes end
 * half a quantum off the grid.
 */
#ifndef EDGEFW_TEST_PKTGEN_H
#define EDGEFW_TEST_PKTGEN_H

#include <stdint.h>
#include "addr.h"
#include "config.h"
#include "packet.h"
#include "pkttest.h"

#define PKTGEN_QUANTUM_NS (700 * 1000000ULL)
#define PKTGEN_MARGIN_NS (200 * 1000000ULL)

enum pktgen_block_op {
	PKTGEN_NO_BLOCK_OP,
	PKTGEN_BLOCK,
	PKTGEN_UNBLOCK,
};

struct pktgen_step {
	uint64_t advance_ns; /* let this much time pass first */
	enum pktgen_block_op block_op; /* then change the blocklist */
	struct prefix block;
	uint64_t block_ttl_ns; /* 0: no time limit */
	enum where at; /* then send this packet there */
	struct pkt pkt;
	const char *kind; /* which generator made it, for reports */
	const char *mutation; /* how it was broken afterwards, or NULL */
};

struct pktgen;

struct pktgen *pktgen_new(const struct config *c);
void pktgen_free(struct pktgen *g);

/* Start a sequence: the seed decides all of it; no earlier packet counts. */
void pktgen_start(struct pktgen *g, uint64_t seed);

void pktgen_next(struct pktgen *g, struct pktgen_step *s);

#endif
