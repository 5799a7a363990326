/* table.c: columns, layout, sorting, filtering and cells. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"
#include "series.h"
#include "table.h"

static bool sort_is_text(enum column);

struct column_info {
	const char *title, *meaning;
	int min, max; /* max > min: grows into what is left */
	int priority; /* 0 is kept longest */
	bool right, descending;
};

static const struct column_info cols[COL_MAX] = {
	[COL_NAME] = { "TUNNEL",
	    "the peer's name (PROVIDER/INSTANCE when "
	    "discovered)",
	    16, 40, 0, false, false },
	[COL_SOURCE] = { "SOURCE", "config, or the provider that found it", 8,
	    16, 7, false, false },
	[COL_ADDRESS] = { "UNDERLAY", "the peer's underlay address", 15, 39, 6,
	    false, false },
	[COL_ENCAP] = { "ENCAP", "vxlan, gre or gre-udp", 7, 7, 5, false,
	    false },
	[COL_CRYPT] = { "CRYPT", "esp when the tunnel is encrypted, else off",
	    5, 5, 8, false, false },
	[COL_STATE] = { "STATE", "up, down or unprobed (path health)", 8, 8, 0,
	    false, false },
	[COL_RTT] = { "RTT ms", "probe round trip, mean over the window", 6, 6,
	    2, true, true },
	[COL_LOSS] = { "LOSS", "probes lost over the window", 5, 5, 3, true,
	    true },
	[COL_PMTU] = { "PMTU", "path MTU (outer IP packet)", 5, 5, 2, true,
	    true },
	[COL_FRAME] = { "FRAME",
	    "largest inner frame the path carries; "
	    "! marks a black hole",
	    6, 6, 4, true, true },
	[COL_RX] = { "RX b/s", "bits per second received from the peer", 7, 7,
	    1, true, true },
	[COL_TX] = { "TX b/s", "bits per second sent to the peer", 7, 7, 1,
	    true, true },
	[COL_SPARK] = { "RATE 60s",
	    "rx + tx over the last minute, 5 s a "
	    "mark",
	    SPARK_BUCKETS, SPARK_BUCKETS, 5, false, true },
	[COL_DROPS] = { "DROP/s", "frames dropped per second, every reason", 6,
	    6, 3, true, true },
};

const char *
table_title(enum column c)
{
	return cols[c].title;
}

const char *
table_meaning(enum column c)
{
	return cols[c].meaning;
}

bool
table_descending(enum column c)
{
	return cols[c].descending;
}

const char *
table_sort_order(const struct table_sort *s)
{
	bool down = cols[s->col].descending != s->invert;

	if (s->col == COL_STATE)
		return s->invert ? "up first" : "down first";
	if (sort_is_text(s->col))
		return s->invert ? "Z to A" : "A to Z";
	return down ? "largest first" : "smallest first";
}

bool
table_right(enum column c)
{
	return cols[c].right;
}

/* Grow the flexible columns (display order) into spare cells. */
static void
grow(const bool *on, int *w, int spare)
{
	int c, more;

	for (c = 0; c < COL_MAX && spare > 0; c++) {
		if (!on[c] || cols[c].max <= cols[c].min)
			continue;
		more = cols[c].max - w[c];
		more = more < spare ? more : spare;
		w[c] += more;
		spare -= more;
	}
}

int
table_layout(int width, struct placed out[COL_MAX])
{
	bool on[COL_MAX] = { false };
	int w[COL_MAX], used = 0, prio, c, n = 0, x = 0, top = 0;

	for (c = 0; c < COL_MAX; c++) {
		w[c] = cols[c].min;
		top = cols[c].priority > top ? cols[c].priority : top;
	}
	/* Most important first; the first priority that does not fit ends
	 * it, so a less important column never shows in place of a more
	 * important one. */
	for (prio = 0; prio <= top; prio++) {
		int need = 0;
		for (c = 0; c < COL_MAX; c++)
			if (cols[c].priority == prio)
				need += w[c] + (used + need > 0);
		if (used + need > width)
			break;
		for (c = 0; c < COL_MAX; c++)
			on[c] |= cols[c].priority == prio;
		used += need;
	}
	grow(on, w, width - used);
	for (c = 0; c < COL_MAX; c++) {
		if (!on[c])
			continue;
		out[n].col = (enum column)c;
		out[n].x = x;
		out[n].width = w[c];
		x += w[c] + 1;
		n++;
	}
	return n;
}

static int
cmp_num(double a, double b)
{
	/* NAN (no figure) sorts after every number either way. */
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a > b) - (a < b);
}

static double
sort_value(const struct tunnel *t, enum column c)
{
	switch (c) {
	case COL_RTT:
		return t->rtt_avg;
	case COL_LOSS:
		return t->loss_pct;
	case COL_PMTU:
		return t->pmtu ? t->pmtu : NAN;
	case COL_FRAME:
		return t->inner_frame_max ? t->inner_frame_max : NAN;
	case COL_RX:
		return t->rx_bps;
	case COL_TX:
		return t->tx_bps;
	case COL_SPARK:
		return (double)t->rx_bps + t->tx_bps;
	case COL_DROPS:
		return t->drops_ps;
	case COL_STATE: /* the trouble first */
		return t->state == TUN_DOWN    ? 0
		    : t->state == TUN_UNPROBED ? 1
					       : 2;
	default:
		return NAN;
	}
}

static bool
sort_is_text(enum column c)
{
	return c == COL_NAME || c == COL_SOURCE || c == COL_ADDRESS ||
	    c == COL_ENCAP || c == COL_CRYPT;
}

static const char *
sort_text(const struct tunnel *t, enum column c)
{
	switch (c) {
	case COL_SOURCE:
		return t->source;
	case COL_ADDRESS:
		return t->address;
	case COL_ENCAP:
		return t->encap;
	case COL_CRYPT:
		return t->encrypted ? "esp" : "off";
	default:
		return NULL;
	}
}

struct sort_ctx {
	const struct model *m;
	const struct table_sort *s;
};

static int
cmp_rows(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct tunnel *x = &ctx->m->tunnels[*(const int *)a];
	const struct tunnel *y = &ctx->m->tunnels[*(const int *)b];
	enum column c = ctx->s->col;
	bool down = cols[c].descending != ctx->s->invert;
	const char *sx = sort_text(x, c), *sy = sort_text(y, c);
	int r;

	if (sx != NULL)
		r = strcmp(sx, sy);
	else if (c == COL_NAME)
		r = 0;
	else {
		r = cmp_num(sort_value(x, c), sort_value(y, c));
		if (isnan(sort_value(x, c)) || isnan(sort_value(y, c)))
			return r != 0 ? r : strcmp(x->name, y->name);
	}
	if (down)
		r = -r;
	if (r == 0) /* ties in name order; NAME itself inverts */
		r = strcmp(x->name, y->name) *
		    (c == COL_NAME && ctx->s->invert ? -1 : 1);
	return r;
}

static bool
matches(const struct tunnel *t, const char *filter)
{
	return filter[0] == '\0' || strcasestr(t->name, filter) != NULL ||
	    strcasestr(t->source, filter) != NULL ||
	    strcasestr(t->address, filter) != NULL ||
	    strcasestr(t->encap, filter) != NULL ||
	    strcasecmp(model_state_name(t->state), filter) == 0;
}

int
table_rows(const struct model *m, const struct table_sort *s,
    const char *filter, int *idx)
{
	struct sort_ctx ctx = { m, s };
	int i, n = 0;

	for (i = 0; i < m->ntunnels; i++)
		if (matches(&m->tunnels[i], filter))
			idx[n++] = i;
	qsort_r(idx, (size_t)n, sizeof *idx, cmp_rows, &ctx);
	return n;
}

static enum mark
rate_cell(const struct tunnel *t, double v, char *buf)
{
	switch (t->rate) {
	case RATE_FIRST:
		snprintf(buf, TABLE_CELL, "...");
		return MARK_DIM;
	case RATE_RESET:
		snprintf(buf, TABLE_CELL, "reset");
		return MARK_DIM;
	case RATE_STALE:
		snprintf(buf, TABLE_CELL, "-");
		return MARK_DIM;
	default:
		fmt_rate(v, buf, TABLE_CELL);
		return MARK_NONE;
	}
}

static enum mark
state_cell(const struct tunnel *t, char *buf)
{
	snprintf(buf, TABLE_CELL, "%s", model_state_name(t->state));
	if (t->rate == RATE_STALE)
		return MARK_DIM;
	return t->state == TUN_UP  ? MARK_GOOD
	    : t->state == TUN_DOWN ? MARK_BAD
				   : MARK_NONE;
}

static enum mark
loss_cell(const struct tunnel *t, char *buf)
{
	if (isnan(t->loss_pct)) {
		snprintf(buf, TABLE_CELL, "-");
		return MARK_NONE;
	}
	snprintf(buf, TABLE_CELL,
	    t->loss_pct < 10 && t->loss_pct != 0 ? "%.1f%%" : "%.0f%%",
	    t->loss_pct);
	return t->loss_pct >= 5 ? MARK_BAD
	    : t->loss_pct > 0	? MARK_WARN
				: MARK_NONE;
}

static enum mark
int_cell(int v, char *buf, const char *suffix, enum mark mark)
{
	if (v <= 0) {
		snprintf(buf, TABLE_CELL, "-");
		return MARK_NONE;
	}
	snprintf(buf, TABLE_CELL, "%d%s", v, suffix);
	return mark;
}

enum mark
table_cell(const struct tunnel *t, enum column c, uint64_t now_ms, bool utf8,
    char buf[TABLE_CELL])
{
	switch (c) {
	case COL_NAME:
		snprintf(buf, TABLE_CELL, "%s", t->name);
		break;
	case COL_SOURCE:
		snprintf(buf, TABLE_CELL, "%s", t->source);
		break;
	case COL_ADDRESS:
		snprintf(buf, TABLE_CELL, "%s", t->address);
		break;
	case COL_ENCAP:
		snprintf(buf, TABLE_CELL, "%s", t->encap);
		break;
	case COL_CRYPT:
		snprintf(buf, TABLE_CELL, "%s", t->encrypted ? "esp" : "off");
		return t->encrypted ? MARK_GOOD : MARK_DIM;
	case COL_STATE:
		return state_cell(t, buf);
	case COL_RTT:
		fmt_ms(t->rtt_avg, buf, TABLE_CELL);
		break;
	case COL_LOSS:
		return loss_cell(t, buf);
	case COL_PMTU:
		return int_cell(t->pmtu, buf, "", MARK_NONE);
	case COL_FRAME:
		return int_cell(t->inner_frame_max, buf,
		    t->black_hole ? "!" : "",
		    t->black_hole ? MARK_BAD : MARK_NONE);
	case COL_RX:
		return rate_cell(t, t->rx_bps, buf);
	case COL_TX:
		return rate_cell(t, t->tx_bps, buf);
	case COL_SPARK:
		series_sparkline(t, SERIES_TOTAL, now_ms, SPARK_SPAN_MS,
		    SPARK_BUCKETS, utf8, buf);
		return MARK_GOOD;
	case COL_DROPS:
		rate_cell(t, t->drops_ps, buf);
		if (t->rate == RATE_OK && t->drops_ps > 0)
			return MARK_BAD;
		if (t->rate == RATE_OK)
			snprintf(buf, TABLE_CELL, "0");
		return MARK_DIM;
	default:
		buf[0] = '\0';
		break;
	}
	return MARK_NONE;
}
