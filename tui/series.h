/*
 * series.h: a tunnel's history as buckets of time, for sparklines and
 * graphs.  The span before now_ms is cut into n equal buckets, oldest
 * first; a bucket holds the mean of the samples that fall in it, or NAN
 * when none does (no data is not zero).  Levels map values onto 0..8 for
 * drawing, 0 being nothing; glyphs are UTF-8 block elements, or ASCII.
 */
#ifndef SERIES_H
#define SERIES_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

enum series_field {
	SERIES_RX,
	SERIES_TX,
	SERIES_TOTAL, /* rx + tx */
	SERIES_RTT,
	SERIES_LOSS,
	SERIES_DROPS,
	SERIES_DOWN, /* 1 for a sample taken down, else 0: a bucket's share */
};

enum { SERIES_LEVELS = 8, SERIES_MAX = 1024 /* buckets at most */ };

/* Fill out[0..n) (n <= SERIES_MAX) with the field's bucket means over span_ms
 * to now_ms. */
void series_buckets(const struct tunnel *, enum series_field, uint64_t now_ms,
    uint64_t span_ms, int n, double *out);
/* The largest value of v[0..n), NAN ignored; 0 if none. */
double series_max(const double *v, int n);
/* The mean of the field's samples in [from_ms, to_ms); NAN if none. */
double series_mean(const struct tunnel *, enum series_field, uint64_t from_ms,
    uint64_t to_ms);
/* v scaled against max onto 0..SERIES_LEVELS (any value > 0 is >= 1). */
int series_level(double v, double max);
/* The glyph for a level, as a string: blocks, or " _.-=+*#@". */
const char *series_glyph(int level, bool utf8);
/* A sparkline of n buckets into buf (at least n * 3 + 1 bytes). */
void series_sparkline(const struct tunnel *, enum series_field, uint64_t now_ms,
    uint64_t span_ms, int n, bool utf8, char *buf);

#endif
