/* diag.c: one line that says why a tunnel is unhealthy. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "series.h"

struct ctx {
	const struct model *m;
	const struct tunnel *t;
	uint64_t now_ms;
	time_t now;
	char *buf;
	size_t n;
};

static enum diag_level
down(const struct ctx *c)
{
	char at[FMT_LEN], rx[FMT_LEN];
	const struct tunnel *t = c->t;

	if (t->state != TUN_DOWN)
		return DIAG_OK;
	if (isnan(t->last_rx_s))
		snprintf(rx, sizeof rx, "nothing received");
	else
		snprintf(rx, sizeof rx, "last rx %s ago",
		    fmt_duration(t->last_rx_s, at, sizeof at));
	snprintf(c->buf, c->n, "down since %s: %s, %s",
	    fmt_clock(c->now - (time_t)(isnan(t->since_s) ? 0 : t->since_s), at,
		sizeof at),
	    t->reason, rx);
	return DIAG_BAD;
}

static enum diag_level
black_hole(const struct ctx *c)
{
	const struct tunnel *t = c->t;

	if (!t->black_hole)
		return DIAG_OK;
	snprintf(c->buf, c->n,
	    "black hole: path %d, TAP %s %d; set mtu = auto or clamp-mss = "
	    "yes",
	    t->pmtu, t->black_hole_segment, t->segment_mtu);
	return DIAG_BAD;
}

static const struct drop_rate *
drop_named(const struct tunnel *t, const char *reason)
{
	int i;

	for (i = 0; i < t->ndrop; i++)
		if (strcmp(t->drop[i].reason, reason) == 0)
			return &t->drop[i];
	return NULL;
}

static enum diag_level
oversize(const struct ctx *c)
{
	const struct drop_rate *d = drop_named(c->t, "oversize");
	char r[FMT_LEN];

	if (d == NULL || d->per_s <= 0 || c->t->rate != RATE_OK)
		return DIAG_OK;
	snprintf(c->buf, c->n,
	    "dropping %s/s oversize frames: the path carries frames of up to "
	    "%d bytes; set mtu = auto or clamp-mss = yes",
	    fmt_rate(d->per_s, r, sizeof r), c->t->inner_frame_max);
	return DIAG_BAD;
}

/* The newest PMTU drop of this tunnel among the recent events. */
static const struct model_event *
pmtu_drop(const struct ctx *c, unsigned *from, unsigned *to)
{
	const struct model_event *e;
	int i;

	for (i = c->m->ev_len - 1; i >= 0; i--) {
		e = model_event(c->m, i);
		if (c->now - e->time > DIAG_FALL_RECENT_S)
			break;
		if (strcmp(e->kind, "pmtu") != 0 ||
		    strcmp(e->peer, c->t->name) != 0 || e->from <= 0 ||
		    e->to <= 0)
			continue;
		*from = (unsigned)e->from;
		*to = (unsigned)e->to;
		return *to < *from ? e : NULL;
	}
	return NULL;
}

static enum diag_level
pmtu_fall(const struct ctx *c)
{
	uint64_t w = DIAG_FALL_WINDOW_S * 1000, at;
	const struct model_event *e;
	unsigned from, to;
	double before, after;
	char when[FMT_LEN];

	if ((e = pmtu_drop(c, &from, &to)) == NULL)
		return DIAG_OK;
	/* The event's wall-clock time on the samples' monotonic clock. */
	at = c->now_ms - (uint64_t)(c->now - e->time) * 1000;
	if (at <= w)
		return DIAG_OK;
	before = series_mean(c->t, SERIES_TOTAL, at - w, at);
	after = series_mean(c->t, SERIES_TOTAL, at, c->now_ms + 1);
	if (isnan(before) || isnan(after) || before <= 0 || after > before / 2)
		return DIAG_OK;
	snprintf(c->buf, c->n,
	    "rate fell %.0f%% when PMTU dropped %u -> %u "
	    "at %s",
	    (1 - after / before) * 100, from, to,
	    fmt_clock(e->time, when, sizeof when));
	return DIAG_WARN;
}

static enum diag_level
drops(const struct ctx *c)
{
	const struct tunnel *t = c->t;
	const struct drop_rate *d = drop_named(t, "replay");
	char r[FMT_LEN], one[FMT_LEN];
	size_t len;
	int i;

	if (t->rate != RATE_OK || !(t->drops_ps > 0))
		return DIAG_OK;
	if (d != NULL && d->per_s > 0) {
		snprintf(c->buf, c->n, "replay drops rising: %s/s",
		    fmt_rate(d->per_s, r, sizeof r));
		return DIAG_WARN;
	}
	len = (size_t)snprintf(c->buf, c->n,
	    "dropping %s/s:", fmt_rate(t->drops_ps, r, sizeof r));
	for (i = 0; i < t->ndrop && len < c->n; i++)
		if (t->drop[i].per_s > 0)
			len += (size_t)snprintf(c->buf + len, c->n - len,
			    " %s %s/s", t->drop[i].reason,
			    fmt_rate(t->drop[i].per_s, one, sizeof one));
	return DIAG_WARN;
}

static enum diag_level
loss(const struct ctx *c)
{
	const struct tunnel *t = c->t;
	char a[FMT_LEN], b[FMT_LEN];

	if (isnan(t->loss_pct) || t->loss_pct < 1)
		return DIAG_OK;
	snprintf(c->buf, c->n,
	    "losing %.1f%% of probes; RTT %s ms, jitter %s "
	    "ms",
	    t->loss_pct, fmt_ms(t->rtt_avg, a, sizeof a),
	    fmt_ms(t->jitter, b, sizeof b));
	return t->loss_pct >= 5 ? DIAG_BAD : DIAG_WARN;
}

static enum diag_level
silent(const struct ctx *c)
{
	const struct tunnel *t = c->t;
	char d[FMT_LEN];

	if (t->state != TUN_UNPROBED)
		return DIAG_OK;
	if (isnan(t->last_rx_s)) {
		snprintf(c->buf, c->n, "unprobed and nothing received yet");
		return DIAG_WARN;
	}
	if (t->last_rx_s < DIAG_SILENT_S)
		return DIAG_OK;
	snprintf(c->buf, c->n, "unprobed and nothing received for %s",
	    fmt_duration(t->last_rx_s, d, sizeof d));
	return DIAG_WARN;
}

enum diag_level
diag_tunnel(const struct model *m, const struct tunnel *t, uint64_t now_ms,
    time_t now, char *buf, size_t n)
{
	static enum diag_level (*const rules[])(const struct ctx *) = {
		down,
		black_hole,
		oversize,
		pmtu_fall,
		drops,
		loss,
		silent,
	};
	struct ctx c = { m, t, now_ms, now, buf, n };
	enum diag_level l;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if ((l = rules[i](&c)) != DIAG_OK)
			return l;
	buf[0] = '\0';
	return DIAG_OK;
}
