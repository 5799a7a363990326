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

void
view_events(const struct model *m, struct ui *u, uint64_t now_ms)
{
	const struct model_event *e;
	char at[FMT_LEN], head[96];
	int page = LINES - 2, first = clamp_scroll(u, m->ev_len, page), i;

	snprintf(head, sizeof head,
	    " events: %d kept, oldest first (the "
	    "daemon keeps 512: tunnelctl events)",
	    m->ev_len);
	title(head);
	for (i = 0; i < page && first + i < m->ev_len; i++) {
		e = model_event(m, first + i);
		view_printf(1 + i, 0, e->warn ? VA_WARN : VA_NORMAL,
		    "%s %-10s %s%s%s", fmt_clock(e->time, at, sizeof at),
		    e->kind, e->peer, e->peer[0] ? ": " : "", e->text);
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
	"t                throughput test (not in this version of tunneld)",
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
