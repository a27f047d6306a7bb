/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the library's operations (op_*.h) return, for the front ends to
 * turn into an exit status or a reply: 0 on success, or after reporting
 * the reason, one of these.
 */
#ifndef EDGEFW_OP_H
#define EDGEFW_OP_H

enum op_error {
	OP_FAILED = -1, /* the operation failed: exit status 1 */
	OP_BAD_INPUT = -2, /* the input was wrong: exit status 2 */
};

#endif
