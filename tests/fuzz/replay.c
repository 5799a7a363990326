/*
 * replay.c: a fuzz target's main() outside libFuzzer.
 *
 * Builds without --enable-fuzzing link each target with this file, and
 * make check feeds it every input kept in the tree (tests/fuzz/seeds and
 * tests/fuzz/corpus), so that an input that once crashed a parser is
 * tried again by every build, sanitizers or not.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum { INPUT_MAX = 1 << 20 };

/* Feed the file at path to the target; -1 if it cannot be read. */
static int
replay_file(const char *path, uint8_t *buf)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

int
main(int argc, char **argv)
{
	uint8_t *buf = malloc(INPUT_MAX);
	char path[4096];
	struct dirent *e;
	long n = 0;
	DIR *d;
	int i;

	for (i = 1; i < argc; i++) {
		if ((d = opendir(argv[i])) == NULL)
			continue; /* a target may have no corpus yet */
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i],
			    e->d_name);
			if (replay_file(path, buf) == 0)
				n++;
		}
		closedir(d);
	}
	printf("replayed %ld inputs\n", n);
	free(buf);
	return n > 0 ? 0 : 1;
}
