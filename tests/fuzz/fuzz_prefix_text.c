// SPDX-License-Identifier: GPL-2.0
/*
 * The prefix lists of `edgefw set add -f`: prefix_text_parse on any
 * bytes. A list without errors, printed one prefix a line, reads back
 * to the same prefixes.
 */
#include "fuzz.h"
#include "prefix_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prefix_list l = {}, again = {};
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	if (prefix_text_parse("fuzz", (const char *)data, size, &l,
			      fuzz_diag()) == 0) {
		out = open_memstream(&text, &len);
		FUZZ_ASSERT(out);
		for (size_t i = 0; i < l.n; i++) {
			char buf[PREFIX_STRLEN];

			prefix_format(&l.v[i], buf, sizeof(buf));
			fprintf(out, "%s\n", buf);
		}
		fclose(out);
		FUZZ_ASSERT(prefix_text_parse("again", text, len, &again,
					      fuzz_diag()) == 0);
		FUZZ_ASSERT(again.n == l.n);
		for (size_t i = 0; i < l.n; i++)
			FUZZ_ASSERT(!prefix_cmp(&l.v[i], &again.v[i]));
		free(text);
	}
	plist_free(&again);
	plist_free(&l);
	return 0;
}
