/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the machine changed under what is loaded: a configured interface
 * that appeared, went or was created anew, and the addresses of one whose
 * 'self' is read from the NIC. The daemon reloads when there is any.
 */
#ifndef EDGEFW_DRIFT_H
#define EDGEFW_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include "config.h"
#include "state.h"

/*
 * Whether st, loaded from config c, no longer matches the machine; why
 * says how (the first difference found).
 */
bool machine_drifted(const struct config *c, const struct runtime_state *st,
		     char *why, size_t len);

#endif
