/* fmt.c: numbers as tunneltop prints them. */
#include <math.h>
#include <stdio.h>

#include "fmt.h"

const char *
fmt_rate(double v, char *buf, size_t n)
{
	static const char units[] = " kMGTP";
	int u = 0;

	if (isnan(v) || v < 0) {
		snprintf(buf, n, "-");
		return buf;
	}
	while (v >= 999.95 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, v < 99.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

const char *
fmt_ms(double v, char *buf, size_t n)
{
	if (isnan(v) || v < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n,
		    v < 9.995	    ? "%.2f"
			: v < 99.95 ? "%.1f"
				    : "%.0f",
		    v);
	return buf;
}

const char *
fmt_duration(double seconds, char *buf, size_t n)
{
	long long s = isnan(seconds) || seconds < 0 ? 0 : (long long)seconds;

	if (s < 60)
		snprintf(buf, n, "%llds", s);
	else if (s < 3600)
		snprintf(buf, n, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, n, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, n, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

const char *
fmt_clock(time_t t, char *buf, size_t n)
{
	struct tm tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, n, "-");
	else
		strftime(buf, n, "%H:%M:%S", &tm);
	return buf;
}

int
fmt_width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}
