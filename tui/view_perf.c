/*
 * view_perf.c: the throughput test screen: the form, the rate a second as
 * a graph while it runs, then both ends' figures (and, with compare, the
 * underlay's, the tunnel's and their ratio).
 */
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "series.h"
#include "units.h"
#include "view.h"

enum { GRAPH_ROWS_MAX = 10, LABEL_W = 16 };

static void
form(const struct ptest *t, int y)
{
	view_printf(y, 2, VA_NORMAL, "[u] protocol   %s",
	    t->udp ? "UDP" : "TCP");
	view_printf(y + 1, 2, VA_NORMAL, "[+-] duration  %u s", t->time_s);
	view_printf(y + 2, 2, VA_NORMAL, "[r] direction  %s",
	    t->reverse ? "the peer sends" : "this node sends");
	view_printf(y + 3, 2, VA_NORMAL, "[c] compare    %s",
	    t->compare ? "yes: the bare underlay first, then the tunnel"
		       : "no: through the tunnel only");
}

static void
status(const struct ptest *t, int y, uint64_t now_ms)
{
	unsigned s = (unsigned)((now_ms - t->phase_ms) / 1000);

	switch (t->st) {
	case PT_FORM:
		view_text(y, 2, COLS - 2, VA_BOLD, "Enter starts the test");
		break;
	case PT_RUNNING:
		view_printf(y, 2, VA_GOOD,
		    "running %s: %u of %u s   (Esc "
		    "cancels it at both ends)",
		    t->compare && t->phase == 0 ? "over the underlay"
						: "through the tunnel",
		    s < t->time_s ? s : t->time_s, t->time_s);
		break;
	case PT_DONE:
		view_text(y, 2, COLS - 2, VA_GOOD, "done");
		break;
	case PT_CANCELLED:
		view_text(y, 2, COLS - 2, VA_WARN, "cancelled");
		break;
	case PT_FAILED:
		view_printf(y, 2, VA_BAD, "failed: %s", t->error);
		break;
	}
}

/* The rates of a phase as bars, rows high, from (y, x). */
static void
graph(const struct ptest *t, int phase, int y, int rows)
{
	const double *v = t->rate[phase];
	int n = t->npoints[phase], w = COLS - LABEL_W - 2, i, r, level;
	char top[UNITS_LEN];
	double max;

	if (n > w)
		v += n - w, n = w; /* the latest that fit */
	max = series_max(v, n);
	view_printf(y, 1, VA_DIM, "%*s", LABEL_W - 2, units_rate(max, top));
	view_printf(y + rows - 1, 1, VA_DIM, "%*s", LABEL_W - 2, "0");
	for (i = 0; i < n; i++) {
		/* Eighths of a row: the bar's height in glyph levels. */
		level = max > 0 ? (int)(v[i] / max * rows * SERIES_LEVELS + 0.5)
				: 0;
		for (r = 0; r < rows; r++, level -= SERIES_LEVELS)
			view_text(y + rows - 1 - r, LABEL_W + i, 1, VA_GOOD,
			    series_glyph(level >= SERIES_LEVELS ? SERIES_LEVELS
				    : level > 0			? level
								: 0,
				view_utf8()));
	}
}

static void
side(const struct ptest *t, json_t *o, const char *name, int y)
{
	char b[UNITS_LEN], r[UNITS_LEN];
	json_t *v;

	view_printf(y, 4, VA_NORMAL, "%-8s %11s %15s", name,
	    units_bytes(json_number_value(json_object_get(o, "bytes")), b),
	    units_rate(json_number_value(json_object_get(o, "bits_per_second")),
		r));
	if (t->udp && strcmp(name, "receiver") == 0)
		view_printf(y, 42, VA_NORMAL,
		    "lost %.0f (%.2g%%) jitter %.3f ms",
		    json_number_value(json_object_get(o, "lost")),
		    json_number_value(json_object_get(o, "lost_percent")),
		    json_number_value(json_object_get(o, "jitter_ms")));
	else if ((v = json_object_get(o, "retransmits")) != NULL)
		view_printf(y, 42, VA_NORMAL, "retransmits %.0f",
		    json_number_value(v));
}

static int
summary(const struct ptest *t, int y)
{
	int p;

	for (p = 0; p <= 1; p++) {
		if (t->end[p] == NULL)
			continue;
		view_text(y++, 2, COLS - 2, VA_BOLD,
		    t->compare
			? (p ? "through the tunnel" : "over the underlay")
			: "through the tunnel");
		side(t, json_object_get(t->end[p], "sender"), "sender", y++);
		side(t, json_object_get(t->end[p], "receiver"), "receiver",
		    y++);
	}
	if (t->compare && t->end[0] != NULL && t->end[1] != NULL &&
	    ptest_rate(t, 0) > 0)
		view_printf(y++, 2, VA_BOLD, "tunnel / underlay: %.2f",
		    ptest_rate(t, 1) / ptest_rate(t, 0));
	return y;
}

void
view_perf(const struct ptest *t, const struct ui *u, uint64_t now_ms)
{
	int y = 2, rows;

	view_fill(0, VA_TITLE);
	view_printf(0, 1, VA_TITLE, "throughput test with %s", t->peer);
	form(t, y);
	status(t, y + 5, now_ms);
	y += 7;
	/* The graph takes what the summary (up to 7 lines) leaves. */
	rows = LINES - y - 9;
	rows = rows > GRAPH_ROWS_MAX ? GRAPH_ROWS_MAX : rows;
	if (rows >= 3 && t->st != PT_FORM) {
		graph(t, t->phase, y, rows);
		y += rows + 1;
	}
	summary(t, y);
	view_footer(u, now_ms,
	    t->st == PT_RUNNING	   ? "Esc cancel the test  q quit"
		: t->st == PT_FORM ? "Enter start  u r c + - change  Esc back"
				   : "Enter again  u r c + - change  Esc back");
}
