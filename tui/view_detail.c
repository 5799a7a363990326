/* view_detail.c: one tunnel in full: graphs, counters, MTU, MACs. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "diag.h"
#include "fmt.h"
#include "series.h"
#include "view.h"

enum { GRAPH_SPAN_MS = 600000, LABEL_W = 7 };

/* Lines of a screen that scrolls: virtual line n shows at screen y. */
struct pager {
	int next, scroll, top, bottom; /* screen lines top..bottom-1 */
};

/* The screen line for the next virtual line, or -1 when scrolled out. */
static int
pager_line(struct pager *p)
{
	int y = p->top + p->next++ - p->scroll;

	return y >= p->top && y < p->bottom ? y : -1;
}

static void
section(struct pager *p, const char *title)
{
	int y;

	pager_line(p); /* a blank line before */
	if ((y = pager_line(p)) >= 0)
		view_text(y, 0, COLS, VA_BOLD, title);
}

/* A graph of rows lines: each column a bucket of the last 10 minutes. */
static void
graph(struct pager *p, const struct tunnel *t, enum series_field f,
    const char *name, int rows, uint64_t now_ms)
{
	double v[SERIES_MAX], max;
	int w = COLS - LABEL_W - 1, r, x, y, lvl;
	char label[FMT_LEN], head[64];

	if (w > SERIES_MAX)
		w = SERIES_MAX;
	if (w < 10)
		return;
	series_buckets(t, f, now_ms, GRAPH_SPAN_MS, w, v);
	max = series_max(v, w);
	if ((y = pager_line(p)) >= 0)
		view_printf(y, 0, VA_NORMAL,
		    "%s, last 10 minutes (peak %sb/s, "
		    "%d s a column)",
		    name, fmt_rate(max, label, sizeof label),
		    GRAPH_SPAN_MS / 1000 / w);
	for (r = 0; r < rows; r++) {
		if ((y = pager_line(p)) < 0)
			continue;
		snprintf(head, sizeof head, "%*s", LABEL_W - 1,
		    r == 0		? fmt_rate(max, label, sizeof label)
			: r == rows - 1 ? "0"
					: "");
		view_text(y, 0, LABEL_W, VA_DIM, head);
		for (x = 0; x < w; x++) {
			/* Eighths of this row that the bucket fills. */
			lvl = (int)ceil(isnan(v[x]) || max <= 0
				? 0
				: v[x] / max * rows * SERIES_LEVELS);
			lvl -= (rows - 1 - r) * SERIES_LEVELS;
			lvl = lvl < 0		  ? 0
			    : lvl > SERIES_LEVELS ? SERIES_LEVELS
						  : lvl;
			view_text(y, LABEL_W + x, 1, VA_GOOD,
			    series_glyph(lvl, view_utf8()));
		}
	}
}

/* The up/down timeline: a bucket with any sample down shows down. */
static void
timeline(struct pager *p, const struct tunnel *t, uint64_t now_ms)
{
	double v[SERIES_MAX];
	int y, x, w = COLS - 52 > 60 ? 60 : COLS - 52;

	if ((y = pager_line(p)) < 0 || w < 10)
		return;
	series_buckets(t, SERIES_DOWN, now_ms, GRAPH_SPAN_MS, w, v);
	view_text(y, 0, 6, VA_NORMAL, "state");
	for (x = 0; x < w; x++)
		view_text(y, 6 + x, 1,
		    isnan(v[x])	   ? VA_DIM
			: v[x] > 0 ? VA_BAD
				   : VA_GOOD,
		    isnan(v[x])	   ? " "
			: v[x] > 0 ? "v"
				   : "^");
	view_text(y, 7 + w, COLS, VA_NORMAL, "^ up, v down (10 minutes)");
}

/* One line: a sparkline of the last 10 minutes with a label. */
static void
spark_line(struct pager *p, const struct tunnel *t, enum series_field f,
    const char *label, const char *figures, uint64_t now_ms)
{
	char buf[SERIES_MAX * 3 + 1];
	int y, w = COLS - 52 > 60 ? 60 : COLS - 52;

	if ((y = pager_line(p)) < 0)
		return;
	view_printf(y, 0, VA_NORMAL, "%-5s", label);
	if (w >= 10) {
		series_sparkline(t, f, now_ms, GRAPH_SPAN_MS, w, view_utf8(),
		    buf);
		view_text(y, 6, w, VA_GOOD, buf);
	}
	view_printf(y, w >= 10 ? 7 + w : 6, VA_NORMAL, "%s", figures);
}

static void
identity(struct pager *p, const struct model *m, const struct tunnel *t,
    uint64_t now_ms, time_t now)
{
	char since[FMT_LEN], dur[FMT_LEN], why[320];
	enum diag_level l;
	int y;

	if ((y = pager_line(p)) >= 0) {
		view_fill(y, VA_TITLE);
		view_printf(y, 0, VA_TITLE,
		    " %s  from %s  %s port %d  %s  "
		    "segments %s  %s",
		    t->name, t->source, t->address, t->port, t->encap,
		    t->segments[0] ? t->segments : "-",
		    t->encrypted ? "encrypted" : "plaintext");
	}
	if ((y = pager_line(p)) >= 0)
		view_printf(y, 0,
		    view_mark(t->state == TUN_UP   ? MARK_GOOD
			    : t->state == TUN_DOWN ? MARK_BAD
						   : MARK_NONE),
		    "%s since %s (%s): %s", model_state_name(t->state),
		    isnan(t->since_s) ? "-"
				      : fmt_clock(now - (time_t)t->since_s,
					    since, sizeof since),
		    fmt_duration(t->since_s, dur, sizeof dur), t->reason);
	l = diag_tunnel(m, t, now_ms, now, why, sizeof why);
	if ((y = pager_line(p)) >= 0)
		view_text(y, 0, COLS,
		    l == DIAG_BAD ? VA_BAD
			: l	  ? VA_WARN
				  : VA_GOOD,
		    l ? why : "healthy");
}

/* One direction's counters and rates. */
static void
direction(struct pager *p, const char *dir, uint64_t packets, uint64_t bytes,
    double bps, double pps)
{
	char a[FMT_LEN], b[FMT_LEN];
	int y;

	if ((y = pager_line(p)) >= 0)
		view_printf(y, 2, VA_NORMAL,
		    "%s %llu packets, %llu bytes, now %sb/s %sp/s", dir,
		    (unsigned long long)packets, (unsigned long long)bytes,
		    fmt_rate(bps, a, sizeof a), fmt_rate(pps, b, sizeof b));
}

static void
counters(struct pager *p, const struct tunnel *t)
{
	char a[FMT_LEN];
	int i, y;

	section(p, "Counters");
	direction(p, "rx", t->rx_packets, t->rx_bytes, t->rx_bps, t->rx_pps);
	direction(p, "tx", t->tx_packets, t->tx_bytes, t->tx_bps, t->tx_pps);
	if (t->ndrop == 0 && (y = pager_line(p)) >= 0)
		view_text(y, 2, COLS, VA_NORMAL, "no drops");
	for (i = 0; i < t->ndrop; i++)
		if ((y = pager_line(p)) >= 0)
			view_printf(y, 2,
			    t->drop[i].per_s > 0 ? VA_BAD : VA_NORMAL,
			    "drop %-16s %12llu  %s/s", t->drop[i].reason,
			    (unsigned long long)t->drop[i].total,
			    fmt_rate(t->drop[i].per_s, a, sizeof a));
}

static void
mtu_section(struct pager *p, const struct model *m, const struct tunnel *t)
{
	const struct model_event *e;
	char at[FMT_LEN];
	int i, y;

	section(p, "Path MTU");
	if ((y = pager_line(p)) >= 0)
		view_printf(y, 2, VA_NORMAL,
		    "PMTU %d from %s (search %s, probe "
		    "= %s), overhead %d bytes",
		    t->pmtu, t->pmtu_source, t->search, t->probe, t->overhead);
	if ((y = pager_line(p)) >= 0)
		view_printf(y, 2, t->black_hole ? VA_BAD : VA_NORMAL,
		    "inner frames up to %d bytes (MTU %d); TAP MTU %d%s",
		    t->inner_frame_max, t->inner_mtu, t->segment_mtu,
		    t->black_hole ? ": BLACK HOLE" : "");
	for (i = 0; i < m->ev_len; i++) {
		e = model_event(m, i);
		if ((strcmp(e->kind, "pmtu") != 0 &&
			strcmp(e->kind, "black_hole") != 0) ||
		    strcmp(e->peer, t->name) != 0)
			continue;
		if ((y = pager_line(p)) >= 0)
			view_printf(y, 2, e->warn ? VA_WARN : VA_NORMAL,
			    "%s %s", fmt_clock(e->time, at, sizeof at),
			    e->text);
	}
}

/* A figure that may be none (NaN), as 0 for "%.0f". */
static double
nz(double v)
{
	return isnan(v) ? 0.0 : v;
}

static void
crypto_section(struct pager *p, const struct tunnel *t)
{
	char line[160];
	int y;

	if (!t->encrypted) {
		section(p, "Encryption: off (plaintext tunnel)");
		return;
	}
	if (!t->sa_usable)
		snprintf(line, sizeof line,
		    "Encryption: %s, %s keys, NO USABLE SA: traffic dropped",
		    t->cipher, t->keying);
	else
		snprintf(line, sizeof line,
		    "Encryption: ESP %s, %s keys, SA %.0fs old", t->cipher,
		    t->keying, isnan(t->sa_age_s) ? 0.0 : t->sa_age_s);
	section(p, line);
	if (t->control[0] == '\0' || (y = pager_line(p)) < 0)
		return;
	if (strcmp(t->control, "up") == 0)
		view_printf(y, 2, VA_NORMAL,
		    "control up %.0fs, %s at %s, epoch %lld, rekey in %.0fs",
		    nz(t->control_since_s), t->control_node, t->control_remote,
		    t->epoch, nz(t->rekey_in_s));
	else
		view_printf(y, 2, VA_WARN, "control %s %.0fs%s%s", t->control,
		    nz(t->control_since_s), t->control_why[0] ? ": " : "",
		    t->control_why);
}

static void
macs_section(struct pager *p, const struct model *m, const struct tunnel *t)
{
	char title[MODEL_NAME + 64];
	int i, y;

	if (strcmp(m->macs_of, t->name) != 0) {
		section(p, "MAC addresses behind it: (asking)");
		return;
	}
	snprintf(title, sizeof title, "MAC addresses behind it: %d",
	    m->macs_total);
	section(p, title);
	for (i = 0; i < m->nmacs; i++)
		if ((y = pager_line(p)) >= 0)
			view_printf(y, 2, VA_NORMAL,
			    "%s  segment %s  idle %ld s%s", m->macs[i].mac,
			    m->macs[i].segment, m->macs[i].idle_s,
			    m->macs[i].is_static ? "  static" : "");
	if (m->macs_total > m->nmacs && (y = pager_line(p)) >= 0)
		view_printf(y, 2, VA_DIM, "(and %d more: tunnelctl fdb)",
		    m->macs_total - m->nmacs);
}

void
view_detail(const struct model *m, struct ui *u, uint64_t now_ms, time_t now)
{
	const struct tunnel *t = model_find(m, u->selected);
	struct pager p = { 0, u->scroll, 0, LINES - 1 };
	char fig[128], a[FMT_LEN], b[FMT_LEN], c[FMT_LEN], d[FMT_LEN];
	int rows = LINES >= 40 ? 6 : LINES >= 30 ? 4 : 3;

	if (t == NULL) {
		view_text(0, 0, COLS, VA_BOLD, "that tunnel is gone (Esc)");
		view_footer(u, now_ms, "Esc back  q quit");
		return;
	}
	ui_set_page(u, LINES - 2);
	identity(&p, m, t, now_ms, now);
	graph(&p, t, SERIES_RX, "rx", rows, now_ms);
	graph(&p, t, SERIES_TX, "tx", rows, now_ms);
	snprintf(fig, sizeof fig, "min %s avg %s max %s jitter %s ms",
	    fmt_ms(t->rtt_min, a, sizeof a), fmt_ms(t->rtt_avg, b, sizeof b),
	    fmt_ms(t->rtt_max, c, sizeof c), fmt_ms(t->jitter, d, sizeof d));
	timeline(&p, t, now_ms);
	spark_line(&p, t, SERIES_RTT, "RTT", fig, now_ms);
	snprintf(fig, sizeof fig, "%s%% now",
	    isnan(t->loss_pct) ? "-" : fmt_ms(t->loss_pct, a, sizeof a));
	spark_line(&p, t, SERIES_LOSS, "loss", fig, now_ms);
	counters(&p, t);
	mtu_section(&p, m, t);
	macs_section(&p, m, t);
	crypto_section(&p, t);
	if (u->scroll > p.next - 1)
		u->scroll = p.next > 0 ? p.next - 1 : 0;
	view_footer(u, now_ms,
	    p.next - u->scroll > p.bottom
		? "Esc back  j/k scroll (more below)  p probe MTU  r reset  "
		  "q quit"
		: "Esc back  j/k scroll  p probe MTU  r reset graphs  ? help  "
		  "q quit");
}
