/* view_lists.c: the events, discovery and help screens. */
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "fmt.h"
#include "view.h"

/* Clamp a screen's scroll to its n lines, page lines at a time. */
static int
clamp_scroll(struct ui *u, int n, int page)
{
	ui_set_page(u, page);
	if (u->scroll > n - page)
		u->scroll = n - page;
	if (u->scroll < 0)
		u->scroll = 0;
	return u->scroll;
}

static void
title(const char *text)
{
	view_fill(0, VA_TITLE);
	view_text(0, 0, COLS, VA_TITLE, text);
}

enum { EVENT_INDENT = 20 }; /* "12:03:11 black_hole " */

/* The length of the next line of s at width: up to a space if one fits. */
static int
wrap(const char *s, int width)
{
	int len = (int)strlen(s), i;

	if (len <= width)
		return len;
	for (i = width; i > width / 2; i--)
		if (s[i] == ' ')
			return i;
	return width;
}

/* The event's text: its peer, then what happened. */
static void
event_text(const struct model_event *e, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", e->peer, e->peer[0] ? ": " : "", e->text);
}

/*
 * Draw an event from its line skip on at screen line y (up to bottom), or
 * only count its lines (draw false): the text wraps at spaces.  Returns
 * the lines it takes, counting those skipped.
 */
static int
event_lines(const struct model_event *e, int y, int skip, int bottom, int width,
    bool draw)
{
	char at[FMT_LEN], all[MODEL_NAME + 2 + sizeof e->text];
	enum view_attr a = e->warn ? VA_WARN : VA_NORMAL;
	const char *p = all;
	int l, n;

	event_text(e, all, sizeof all);
	if (width < 10)
		width = 10;
	for (l = 0; l == 0 || *p != '\0'; l++) {
		n = wrap(p, width);
		if (draw && l >= skip && y < bottom) {
			if (l == 0)
				view_printf(y, 0, a, "%s %-10s",
				    fmt_clock(e->time, at, sizeof at), e->kind);
			view_text(y++, EVENT_INDENT, n, a, p);
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	return l;
}

void
view_events(const struct model *m, struct ui *u, uint64_t now_ms)
{
	int page = LINES - 2, width = COLS - EVENT_INDENT, total = 0, i, n;
	int first, line = 0, y = 1;
	const struct model_event *e;
	char head[96];

	for (i = 0; i < m->ev_len; i++)
		total += event_lines(model_event(m, i), 0, 0, 0, width, false);
	first = clamp_scroll(u, total, page);
	snprintf(head, sizeof head,
	    " events: %d kept, oldest first (the "
	    "daemon keeps 512: tunnelctl events)",
	    m->ev_len);
	title(head);
	for (i = 0; i < m->ev_len && y < LINES - 1; i++) {
		e = model_event(m, i);
		n = event_lines(e, 0, 0, 0, width, false);
		if (line + n > first) {
			int skip = first > line ? first - line : 0;
			event_lines(e, y, skip, LINES - 1, width, true);
			y += n - skip;
		}
		line += n;
	}
	if (m->ev_len == 0)
		view_text(1, 0, COLS, VA_DIM, "no events yet");
	view_footer(u, now_ms,
	    "Esc back  j/k PgUp/PgDn scroll  ? help  q quit");
}

static void
provider_lines(const struct provider_row *p, int *y, time_t now)
{
	char ok[FMT_LEN], err[FMT_LEN];
	bool failing = strcmp(p->state, "failing") == 0;

	view_printf((*y)++, 0, failing ? VA_BAD : VA_NORMAL,
	    "%-20.20s %-10.10s %-8s %9ld %6ld %9s %7lds %8ld", p->name, p->type,
	    p->state, p->instances, p->peers,
	    fmt_clock(p->last_success, ok, sizeof ok), p->next_refresh_s,
	    p->failures);
	if (p->last_error[0] != '\0')
		view_printf((*y)++, 2, failing ? VA_BAD : VA_DIM,
		    "last error at %s: %s",
		    fmt_clock(p->last_error_at, err, sizeof err),
		    p->last_error);
	(void)now;
}

void
view_discovery(const struct model *m, struct ui *u, uint64_t now_ms, time_t now)
{
	int i, y = 2;

	title(" discovery: cloud providers");
	view_fill(1, VA_TITLE);
	view_printf(1, 0, VA_TITLE, "%-20s %-10s %-8s %9s %6s %9s %8s %8s",
	    "PROVIDER", "TYPE", "STATE", "INSTANCES", "PEERS", "LAST OK",
	    "NEXT", "FAILURES");
	for (i = 0; i < m->nproviders && y < LINES - 1; i++)
		provider_lines(&m->providers[i], &y, now);
	if (m->nproviders == 0)
		view_text(2, 0, COLS, VA_DIM,
		    "no [provider] sections: every "
		    "peer comes from the config");
	view_footer(u, now_ms, "Esc back  ? help  q quit");
}

static const char *const keys[] = {
	"Up/Down, j/k     select a tunnel (scroll on other screens)",
	"PgUp/PgDn, Space a page up or down; Home/End, g/G first, last",
	"Enter, Right     the selected tunnel in detail: graphs, drops, MTU, "
	"MACs",
	"Esc, Left        back; on the main screen Esc clears the filter",
	"s or >, <        sort by the next or previous column; i inverts",
	"/                filter by name, source, address, encapsulation or "
	"state",
	"p                search the selected tunnel's path MTU again now",
	"r                reset the console's rate history and graphs",
	"t                throughput test with the selected tunnel: a form",
	"                 (u protocol, + - duration, r direction, c compare",
	"                 with the underlay), Enter runs it, Esc cancels",
	"e                all events; d discovery; ? this help",
	"mouse            a click selects a row, a double click opens it",
	"q                quit",
};

void
view_help(struct ui *u, uint64_t now_ms)
{
	int n = (int)(sizeof keys / sizeof keys[0]), lines = n + 2 + COL_MAX;
	int first = clamp_scroll(u, lines, LINES - 2), y = 1, i, l = 0;

	title(" tunneltop: keys and columns");
	for (i = 0; i < n; i++, l++)
		if (l >= first && y < LINES - 1)
			view_text(y++, 1, COLS - 1, VA_NORMAL, keys[i]);
	if (l++ >= first && y < LINES - 1)
		y++;
	if (l++ >= first && y < LINES - 1)
		view_text(y++, 1, COLS - 1, VA_BOLD,
		    "Columns (the narrower "
		    "the terminal, the fewer):");
	for (i = 0; i < COL_MAX; i++, l++)
		if (l >= first && y < LINES - 1)
			view_printf(y++, 1, VA_NORMAL, "%-9s %s",
			    table_title((enum column)i),
			    table_meaning((enum column)i));
	view_footer(u, now_ms, "Esc back  j/k scroll  q quit");
}
