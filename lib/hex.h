/*
 * hex.h: hexadecimal text, both ways.  Pure functions; any thread.
 */
#ifndef HEX_H
#define HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit (either case), or -1. */
int hex_digit(int c);
/* n bytes as 2n lowercase digits and a NUL (out holds 2n + 1). */
void hex_encode(const uint8_t *in, size_t n, char *out);
/*
 * Decode the 2n digits of s into out[0..n), where n = strlen(s) / 2 and
 * at most cap: n, or -1 when s has an odd length, more than 2 * cap digits
 * or a non-digit (then *bad, when not NULL, is its index).
 */
long hex_decode(const char *s, uint8_t *out, size_t cap, size_t *bad);

#endif
