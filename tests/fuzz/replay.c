// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzz harness run over the files it is given, and over the files of
 * the directories it is given, each as one input: how `make tests` and
 * tests/fuzz/test_corpus.sh replay the seed corpus without libFuzzer.
 * Prints how many inputs it ran; a failed property or a sanitizer's
 * report ends it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fuzz.h"

static int run_file(const char *path)
{
	const char *why;
	size_t len;
	char *text = read_input(path, &len, &why);
	uint8_t *exact;

	if (!text) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, why);
		return -1;
	}
	/* exactly its bytes: a read past them is a sanitizer's report */
	exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, text, len);
	free(text);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	int runs = 0, errors = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **names;
		struct stat st;
		int n;

		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
				strerror(errno));
			errors++;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			errors += run_file(argv[i]) != 0;
			runs++;
			continue;
		}
		n = scandir(argv[i], &names, filter, alphasort);
		if (n < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
				strerror(errno));
			errors++;
			continue;
		}
		for (int j = 0; j < n; j++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 names[j]->d_name);
			errors += run_file(path) != 0;
			runs++;
			free(names[j]);
		}
		free(names);
	}
	printf("replayed %d inputs\n", runs - errors);
	return errors || !runs;
}
