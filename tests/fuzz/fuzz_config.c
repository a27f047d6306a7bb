// SPDX-License-Identifier: GPL-2.0
/*
 * The config language: config_parse on any bytes, then compile() on what
 * parses, and its rules printed back as status and save print them. The
 * compiled set keys are sorted and unique, and every rule's peers are
 * sets the compiler made. A pool statement printed back parses the same.
 */
#include "compile.h"
#include "config.h"
#include "fuzz.h"

static void check_compiled(const struct config *c, const struct compiled *cc)
{
	for (size_t i = 1; i < cc->nr_set_keys; i++) {
		const struct edgefw_set_key *a = &cc->set_keys[i - 1],
					    *b = &cc->set_keys[i];

		FUZZ_ASSERT(a->set < b->set ||
			    (a->set == b->set && memcmp(a, b, sizeof(*a))));
	}
	FUZZ_ASSERT(cc->nr_rules == c->nr_rules);
	FUZZ_ASSERT(cc->nr_sets <= EDGEFW_MAX_SETS);
	for (size_t i = 0; i < cc->nr_rules; i++) {
		struct rule_text t;

		FUZZ_ASSERT(cc->rules[i].from >= EDGEFW_PEER_SELF ||
			    cc->rules[i].from < cc->nr_sets);
		FUZZ_ASSERT(cc->rules[i].to >= EDGEFW_PEER_SELF ||
			    cc->rules[i].to < cc->nr_sets);
		rule_format(c, &c->rules[i], &t);
	}
}

/* The pool statement printed back parses to the same pool. */
static void check_pool(const struct config *c)
{
	static char text[POOL_MAX_ENDPOINTS * POOL_URL_LEN + 4 * PATH_MAX + 64];
	struct config again;
	int n;

	if (!c->pool.on)
		return;
	n = snprintf(text, sizeof(text), "interface e role external\n");
	pool_format(c, text + n, sizeof(text) - n - 1);
	strcat(text, "\n");
	FUZZ_ASSERT(config_parse("pool.conf", text, strlen(text), &again,
				 fuzz_diag()) == 0);
	FUZZ_ASSERT(again.pool.on &&
		    again.pool.nr_endpoints == c->pool.nr_endpoints &&
		    !strcmp(again.pool.prefix, c->pool.prefix) &&
		    again.pool.tls == c->pool.tls);
	for (size_t i = 0; i < c->pool.nr_endpoints; i++)
		FUZZ_ASSERT(
			!strcmp(again.pool.endpoints[i], c->pool.endpoints[i]));
	config_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct compiled cc;
	struct config c;

	if (config_parse("fuzz.conf", (const char *)data, size, &c,
			 fuzz_diag()))
		return 0;
	check_pool(&c);
	if (compile(&c, &cc, fuzz_diag()) == 0) {
		check_compiled(&c, &cc);
		compiled_free(&cc);
	}
	config_free(&c);
	return 0;
}
