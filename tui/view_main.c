/* view_main.c: the main screen: header, tunnel table, recent events. */
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "diag.h"
#include "fmt.h"
#include "view.h"

enum { HEADER_LINES = 5 }; /* title, data path, totals, context, diagnosis */

static int table_y = HEADER_LINES + 1, table_rows_shown;

int
view_row_at(int y)
{
	return y >= table_y && y < table_y + table_rows_shown ? y - table_y
							      : -1;
}

static void
title_line(const struct model *m, time_t now)
{
	char up[FMT_LEN], clock[FMT_LEN];

	view_fill(0, VA_TITLE);
	view_printf(0, 0, VA_TITLE, " tunneltop  %s (%s)  tunneld %s  up %s",
	    m->node[0] ? m->node : "?", m->role[0] ? m->role : "?",
	    m->version[0] ? m->version : "?",
	    fmt_duration((double)m->uptime_s, up, sizeof up));
	fmt_clock(now, clock, sizeof clock);
	if (COLS > 60)
		view_text(0, COLS - 9, 9, VA_TITLE, clock);
}

static void
discovery_summary(const struct model *m, char *buf, size_t n)
{
	int i, ok = 0, failing = 0;

	for (i = 0; i < m->nproviders; i++) {
		ok += strcmp(m->providers[i].state, "ok") == 0;
		failing += strcmp(m->providers[i].state, "failing") == 0;
	}
	if (m->nproviders == 0)
		snprintf(buf, n, "discovery: none");
	else
		snprintf(buf, n, "discovery: %d ok, %d failing of %d", ok,
		    failing, m->nproviders);
}

static void
totals_lines(const struct model *m, const struct ui *u)
{
	char rx[FMT_LEN], tx[FMT_LEN], disc[96], crypto[32];
	int x;

	view_printf(1, 0, VA_NORMAL, "data path: %s, %s", m->data_path,
	    model_crypto(m, crypto, sizeof crypto));
	x = view_printf(2, 0, VA_NORMAL, "in %sb/s out %sb/s   %d tunnel%s: ",
	    fmt_rate(m->rx_bps, rx, sizeof rx),
	    fmt_rate(m->tx_bps, tx, sizeof tx), m->ntunnels,
	    m->ntunnels == 1 ? "" : "s");
	x += view_printf(2, x, m->nup ? VA_GOOD : VA_NORMAL, "%d up", m->nup);
	x += view_printf(2, x, m->ndown ? VA_BAD : VA_NORMAL, ", %d down",
	    m->ndown);
	if (m->nunprobed)
		x +=
		    view_printf(2, x, VA_NORMAL, ", %d unprobed", m->nunprobed);
	x += view_printf(2, x, m->nblack_holes ? VA_BAD : VA_NORMAL,
	    ", %d black hole%s", m->nblack_holes,
	    m->nblack_holes == 1 ? "" : "s");
	view_printf(2, x, m->ndropping ? VA_WARN : VA_NORMAL, ", %d dropping",
	    m->ndropping);
	discovery_summary(m, disc, sizeof disc);
	x = view_printf(3, 0, VA_NORMAL, "%s   sort: %s (%s)", disc,
	    table_title(u->sort.col), table_sort_order(&u->sort));
	if (u->filter[0] != '\0')
		x += view_printf(3, x, VA_BOLD, "   filter: %s", u->filter);
	if (u->nrows > u->page || u->filter[0] != '\0')
		view_printf(3, x, VA_NORMAL, "   rows %d-%d of %d",
		    u->nrows ? u->top + 1 : 0,
		    u->top + u->page < u->nrows ? u->top + u->page : u->nrows,
		    u->nrows);
}

/* Line 4: why the daemon is not answering, or the worst tunnel's why. */
static void
diagnosis_line(const struct model *m, const struct ui *u, uint64_t now_ms,
    time_t now)
{
	const struct tunnel *sel = ui_selected(u, m), *t;
	char why[MODEL_NAME + 340], w[320], since[FMT_LEN], last[FMT_LEN];
	enum diag_level l, worst = DIAG_OK;
	int i;

	if (m->stale) {
		view_printf(4, 0, VA_BAD,
		    "tunneld not answering since %s (last "
		    "update %s): %s; retrying every second",
		    fmt_clock(m->stale_since, since, sizeof since),
		    fmt_clock(m->updated_at, last, sizeof last), m->error);
		return;
	}
	/* The selected tunnel's trouble first, else the worst one's. */
	if (sel != NULL &&
	    (l = diag_tunnel(m, sel, now_ms, now, why, sizeof why)) != 0) {
		view_printf(4, 0, l == DIAG_BAD ? VA_BAD : VA_WARN, "%s: %s",
		    sel->name, why);
		return;
	}
	for (i = 0; i < m->ntunnels; i++) {
		t = &m->tunnels[i];
		if ((l = diag_tunnel(m, t, now_ms, now, w, sizeof w)) > worst) {
			worst = l;
			snprintf(why, sizeof why, "%s: %s", t->name, w);
		}
	}
	if (worst != DIAG_OK)
		view_text(4, 0, COLS, worst == DIAG_BAD ? VA_BAD : VA_WARN,
		    why);
	else if (m->ntunnels > 0)
		view_text(4, 0, COLS, VA_GOOD, "every tunnel is healthy");
}

static void
column_header(int y, const struct placed *pl, int n, const struct ui *u)
{
	int i;

	view_fill(y, VA_TITLE);
	for (i = 0; i < n; i++) {
		const char *t = table_title(pl[i].col);
		int w = fmt_width(t), x = pl[i].x;
		if (table_right(pl[i].col) && w < pl[i].width)
			x += pl[i].width - w;
		view_text(y, x, pl[i].width,
		    pl[i].col == u->sort.col ? VA_SELECT : VA_TITLE, t);
	}
}

static void
table_row(int y, const struct tunnel *t, const struct placed *pl, int n,
    bool selected, uint64_t now_ms)
{
	char cell[TABLE_CELL];
	enum mark mk;
	int i, w, x;

	if (selected)
		view_fill(y, VA_SELECT);
	for (i = 0; i < n; i++) {
		mk = table_cell(t, pl[i].col, now_ms, view_utf8(), cell);
		w = fmt_width(cell);
		x = pl[i].x;
		if (table_right(pl[i].col) && w < pl[i].width)
			x += pl[i].width - w;
		/* A name that does not fit ends in "~": never cut silently. */
		if (w > pl[i].width && pl[i].col == COL_NAME) {
			view_text(y, x, pl[i].width - 1,
			    selected ? VA_SELECT : VA_NORMAL, cell);
			view_text(y, x + pl[i].width - 1, 1, VA_DIM, "~");
			continue;
		}
		view_text(y, x, pl[i].width,
		    selected ? VA_SELECT : view_mark(mk), cell);
	}
}

static void
events_pane(const struct model *m, int y, int lines)
{
	const struct model_event *e;
	char at[FMT_LEN];
	int i, first = m->ev_len - lines;

	view_fill(y, VA_TITLE);
	view_text(y, 0, COLS, VA_TITLE, " recent events (e: all of them)");
	for (i = first < 0 ? 0 : first; i < m->ev_len; i++) {
		e = model_event(m, i);
		y++;
		view_printf(y, 0, e->warn ? VA_WARN : VA_NORMAL, "%s %s%s%s",
		    fmt_clock(e->time, at, sizeof at), e->peer,
		    e->peer[0] ? ": " : "", e->text);
	}
}

void
view_main(const struct model *m, struct ui *u, uint64_t now_ms, time_t now)
{
	struct placed pl[COL_MAX];
	int n = table_layout(COLS, pl), pane, rows, i;

	pane = LINES >= 30 ? 8 : LINES >= 18 ? 4 : 0;
	rows = LINES - table_y - 1 - (pane ? pane + 1 : 0);
	ui_set_page(u, rows);
	table_rows_shown = rows;
	title_line(m, now);
	totals_lines(m, u);
	diagnosis_line(m, u, now_ms, now);
	column_header(table_y - 1, pl, n, u);
	for (i = 0; i < rows && u->top + i < u->nrows; i++)
		table_row(table_y + i, &m->tunnels[u->rows[u->top + i]], pl, n,
		    u->top + i == u->sel, now_ms);
	if (u->nrows == 0)
		view_text(table_y, 0, COLS, VA_DIM,
		    m->ntunnels ? "no tunnel matches the filter (Esc clears "
				  "it)"
				: "no tunnels");
	if (pane)
		events_pane(m, LINES - pane - 2, pane);
	view_footer(u, now_ms,
	    "Enter detail  / filter  s sort  p MTU  e events  d discovery  "
	    "? help  q quit");
}
