/* series.c: history into time buckets. */
#include <math.h>
#include <string.h>

#include "series.h"

static double
field_of(const struct sample *s, enum series_field f)
{
	switch (f) {
	case SERIES_RX:
		return s->rx_bps;
	case SERIES_TX:
		return s->tx_bps;
	case SERIES_TOTAL:
		return (double)s->rx_bps + (double)s->tx_bps;
	case SERIES_RTT:
		return s->rtt_ms;
	case SERIES_LOSS:
		return s->loss_pct;
	case SERIES_DROPS:
		return s->drops_ps;
	case SERIES_DOWN:
		return s->state == TUN_DOWN;
	}
	return NAN;
}

void
series_buckets(const struct tunnel *t, enum series_field f, uint64_t now_ms,
    uint64_t span_ms, int n, double *out)
{
	uint64_t start = now_ms > span_ms ? now_ms - span_ms : 0;
	int count[SERIES_MAX], i, b;
	const struct sample *s;
	double v;

	if (n > SERIES_MAX)
		n = SERIES_MAX;
	for (b = 0; b < n; b++) {
		out[b] = 0;
		count[b] = 0;
	}
	for (i = 0; i < t->hist_len; i++) {
		s = model_sample(t, i);
		v = field_of(s, f);
		if (s->t_ms <= start || s->t_ms > now_ms || isnan(v))
			continue;
		/* (start, now]: the newest sample lands in the last bucket. */
		b = (int)((s->t_ms - start - 1) * (uint64_t)n / span_ms);
		out[b] += v;
		count[b]++;
	}
	for (b = 0; b < n; b++)
		out[b] = count[b] ? out[b] / count[b] : NAN;
}

double
series_max(const double *v, int n)
{
	double max = 0;
	int i;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]) && v[i] > max)
			max = v[i];
	return max;
}

double
series_mean(const struct tunnel *t, enum series_field f, uint64_t from_ms,
    uint64_t to_ms)
{
	const struct sample *s;
	double sum = 0, v;
	int i, n = 0;

	for (i = 0; i < t->hist_len; i++) {
		s = model_sample(t, i);
		v = field_of(s, f);
		if (s->t_ms >= from_ms && s->t_ms < to_ms && !isnan(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum / n : NAN;
}

int
series_level(double v, double max)
{
	int l;

	if (isnan(v) || v <= 0 || max <= 0)
		return 0;
	l = (int)ceil(v / max * SERIES_LEVELS);
	return l < 1 ? 1 : l > SERIES_LEVELS ? SERIES_LEVELS : l;
}

const char *
series_glyph(int level, bool utf8)
{
	static const char *const blocks[SERIES_LEVELS + 1] = { " ", "\u2581",
		"\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
		"\u2588" };
	static const char *const ascii[SERIES_LEVELS + 1] = { " ", "_", ".",
		"-", "=", "+", "*", "#", "@" };

	if (level < 0 || level > SERIES_LEVELS)
		level = 0;
	return utf8 ? blocks[level] : ascii[level];
}

void
series_sparkline(const struct tunnel *t, enum series_field f, uint64_t now_ms,
    uint64_t span_ms, int n, bool utf8, char *buf)
{
	double v[SERIES_MAX], max;
	int i;

	if (n > SERIES_MAX)
		n = SERIES_MAX;
	series_buckets(t, f, now_ms, span_ms, n, v);
	max = series_max(v, n);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		strcat(buf, series_glyph(series_level(v[i], max), utf8));
}
