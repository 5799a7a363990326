/*
 * fmt.h: numbers as tunneltop prints them, into the caller's buffer
 * (which each function returns, so that one printf can take several).
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>
#include <time.h>

enum { FMT_LEN = 32 };

/* 12.3M, 980k, 12: bits or packets per second; "-" for NAN. */
const char *fmt_rate(double v, char *buf, size_t n);
/* 0.39, 12.3, 140: milliseconds; "-" for NAN. */
const char *fmt_ms(double v, char *buf, size_t n);
/* 45s, 12m03s, 3h05m, 4d02h. */
const char *fmt_duration(double seconds, char *buf, size_t n);
/* 12:03:11, local time. */
const char *fmt_clock(time_t t, char *buf, size_t n);
/* Display width of UTF-8 text (each code point one cell). */
int fmt_width(const char *s);

#endif
