/*
 * units.h: figures as iperf3 prints them, for tunnelctl and tunneltop:
 * bytes in binary units (KBytes = 1024), rates in decimal ones (Mbits/sec
 * = 10^6 bits a second).  Pure functions; buf of at least UNITS_LEN.
 */
#ifndef UNITS_H
#define UNITS_H

#include <stddef.h>

enum { UNITS_LEN = 32 };

/* "1.10 GBytes", "938 MBytes", "512 Bytes". */
const char *units_bytes(double bytes, char *buf);
/* "941 Mbits/sec", "9.41 Gbits/sec". */
const char *units_rate(double bits_per_s, char *buf);
/*
 * Parse a rate as iperf3 takes it: a number with an optional K, M or G
 * (decimal); -1 if s is none.
 */
long long units_parse_rate(const char *s);

#endif
