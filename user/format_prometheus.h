/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition format (version 0.0.4) of what is
 * loaded and its counters: `edgefw stats --prometheus`, `--textfile` and
 * the daemon's GET /metrics. Built from the same models as the JSON
 * documents (inspect.h, stats.h), with metrics.h's extras. README,
 * "Metrics", documents every metric.
 */
#ifndef EDGEFW_FORMAT_PROMETHEUS_H
#define EDGEFW_FORMAT_PROMETHEUS_H

#include <stdint.h>
#include <stdio.h>
#include "metrics.h"

#define PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Every metric, to out. m->loaded NULL: edgefw_loaded 0 and what needs
 * nothing loaded.
 */
void prom_write(FILE *out, const struct metrics *m);

#endif
