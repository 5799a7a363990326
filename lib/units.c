/* units.c: figures as iperf3 prints them (units.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "units.h"

/* Three significant figures, as iperf3 does: 9.41, 94.1, 941. */
static const char *
scaled(double v, double step, const char *const *names, int n, char *buf)
{
	int i = 0;

	while (i + 1 < n && (v < 0 ? -v : v) >= step) {
		v /= step;
		i++;
	}
	snprintf(buf, UNITS_LEN,
	    v >= 99.95 || i == 0 ? "%.0f %s"
		: v >= 9.995	 ? "%.1f %s"
				 : "%.2f %s",
	    v, names[i]);
	return buf;
}

const char *
units_bytes(double bytes, char *buf)
{
	static const char *const names[] = { "Bytes", "KBytes", "MBytes",
		"GBytes", "TBytes" };

	return scaled(bytes, 1024, names, 5, buf);
}

const char *
units_rate(double bits_per_s, char *buf)
{
	static const char *const names[] = { "bits/sec", "Kbits/sec",
		"Mbits/sec", "Gbits/sec", "Tbits/sec" };

	return scaled(bits_per_s, 1000, names, 5, buf);
}

long long
units_parse_rate(const char *s)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0)
		return -1;
	switch (*end) {
	case 'k':
	case 'K':
		v *= 1e3, end++;
		break;
	case 'm':
	case 'M':
		v *= 1e6, end++;
		break;
	case 'g':
	case 'G':
		v *= 1e9, end++;
		break;
	}
	return *end == '\0' && v <= 1e12 ? (long long)v : -1;
}
