// SPDX-License-Identifier: GPL-2.0
/*
 * The pool stage's writer (bench/stage-pool.sh): a burst of N blocks
 * written to the pool's prefix in etcd as fast as one client can, one
 * put a key as `edgefw block add` writes it (the library's etcd client
 * and pool_keys), or the same keys deleted. What it measures is the
 * burst's own rate; the stage times how long each edge takes to hold it.
 *
 *   poolburst put|del ENDPOINT PREFIX N [FIRST]
 *
 * The blocks are the N from the FIRST (0) after 10.200.0.0/32; several
 * writers with slices of their own make a burst from many clients. Output: {"n", "seconds",
 * "per_second"} on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "etcd.h"
#include "pool_keys.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *eps[1];
	struct etcd_opts o = { .endpoints = eps, .nr_endpoints = 1 };
	struct pool_entry e = { .kind = POOL_BLOCK, .at_ms = 1 };
	struct etcd_header h;
	struct etcd_err err;
	struct etcd *etcd;
	bool del;
	long n, first;
	double t0;

	if ((argc != 5 && argc != 6) ||
	    (strcmp(argv[1], "put") && strcmp(argv[1], "del"))) {
		fprintf(stderr,
			"usage: poolburst put|del ENDPOINT PREFIX N [FIRST]\n");
		return 2;
	}
	del = !strcmp(argv[1], "del");
	eps[0] = argv[2];
	n = strtol(argv[4], NULL, 10);
	first = argc == 6 ? strtol(argv[5], NULL, 10) : 0;
	if (n <= 0 || first < 0 || n + first > 56 << 16) {
		fprintf(stderr, "poolburst: N from 1 to 3670016\n");
		return 2;
	}
	etcd = etcd_new(&o, &err);
	if (!etcd) {
		fprintf(stderr, "poolburst: %s\n", err.msg);
		return 1;
	}
	snprintf(e.reason, sizeof(e.reason), "bench burst");
	t0 = now_s();
	for (long i = first; i < first + n; i++) {
		char key[ETCD_KEY_MAX + 1], text[32], why[128], *value;
		int64_t gone;
		int rc;

		snprintf(text, sizeof(text), "10.%ld.%ld.%ld/32",
			 200 + (i >> 16) % 56, (i >> 8) & 255, i & 255);
		if (prefix_parse(text, &e.prefix, why, sizeof(why)) ||
		    pool_key_format(argv[3], &e, key, sizeof(key))) {
			fprintf(stderr, "poolburst: the prefix is too long\n");
			return 2;
		}
		if (del) {
			rc = etcd_delete(etcd, key, false, &gone, &h, &err);
		} else {
			value = pool_value_format(&e);
			rc = etcd_put(etcd, key, value, strlen(value), 0, &h,
				      &err);
			free(value);
		}
		if (rc) {
			fprintf(stderr, "poolburst: %s: %s\n", key, err.msg);
			return 1;
		}
	}
	t0 = now_s() - t0;
	printf("{\"n\": %ld, \"seconds\": %.3f, \"per_second\": %.0f}\n", n, t0,
	       n / t0);
	etcd_free(etcd);
	return 0;
}
