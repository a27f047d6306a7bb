/* SPDX-License-Identifier: GPL-2.0 */
/* Messages to the operator: one line each, prefixed with "edgefw: ". */
#ifndef EDGEFW_LOG_H
#define EDGEFW_LOG_H

#include <stdbool.h>

extern bool log_verbose;
/* Each line starts with its syslog priority, as the journal reads them. */
extern bool log_journal;

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * libbpf's own messages are kept out of the operator's way: shown with -v,
 * otherwise held back and summarised by the caller's message.
 */
void log_setup_libbpf(void);

#endif
