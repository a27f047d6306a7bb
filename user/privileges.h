/* SPDX-License-Identifier: GPL-2.0 */
#ifndef EDGEFW_PRIVILEGES_H
#define EDGEFW_PRIVILEGES_H

#include <stdbool.h>

/*
 * 0 when the process may load BPF programs and change interfaces
 * (CAP_BPF or CAP_SYS_ADMIN, and CAP_NET_ADMIN); otherwise says so in one
 * line naming the command and returns -1.
 */
int require_privileges(const char *command);

/* The same, quietly. */
bool have_privileges(void);

#endif
