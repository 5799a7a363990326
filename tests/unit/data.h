/* data.h: read a file of tests/data (TEST_DATA) for a Check test. */
#ifndef TEST_DATA_H
#define TEST_DATA_H

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"

/* Contents of TEST_DATA/rel (NUL-terminated), length in *len; aborts. */
static inline char *
data_read(const char *rel, size_t *len)
{
	const char *dir = getenv("TEST_DATA");
	char path[1024], chunk[4096];
	struct buf b = { 0 };
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", rel);
	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		abort();
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_take(&b);
}

#endif
