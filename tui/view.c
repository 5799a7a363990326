/* view.c: curses drawing of the tunnel table. */
#include <curses.h>
#include <stdio.h>

#include "view.h"

static int view_active;

void
view_init(void)
{
	initscr();
	cbreak();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	view_active = 1;
}

void
view_end(void)
{
	if (view_active) {
		endwin();
		view_active = 0;
	}
}

const char *
view_rate(double v, char *buf, int len)
{
	static const char units[] = " kMGT";
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, (size_t)len, u ? "%.1f%c" : "%.0f", v, units[u]);
	return buf;
}

static const char *
state_text(enum rate_state s)
{
	switch (s) {
	case RATE_FIRST: return "(sampling)";
	case RATE_RESET: return "(counters reset)";
	case RATE_STALE: return "(stale)";
	default: return "";
	}
}

static void
draw_row(int y, const struct peer_row *r)
{
	char a[16], b[16], c[16], d[16];

	if (r->state != RATE_OK) {
		mvprintw(y, 0, "%-16.16s %-24.24s %-7s %s", r->name, r->address,
		    r->encap, state_text(r->state));
		return;
	}
	mvprintw(y, 0, "%-16.16s %-24.24s %-7s %9sb/s %9sb/s %8sp/s %8sp/s "
	    "%8llu", r->name, r->address, r->encap,
	    view_rate(r->rx_bps, a, sizeof a), view_rate(r->tx_bps, b, sizeof b),
	    view_rate(r->rx_pps, c, sizeof c), view_rate(r->tx_pps, d, sizeof d),
	    (unsigned long long)r->drops);
}

void
view_draw(const struct model *m)
{
	int i, y = 4;

	erase();
	attron(A_BOLD);
	mvprintw(0, 0, "tunneltop  %s", m->title);
	attroff(A_BOLD);
	mvprintw(1, 0, "data path: %s", m->data_path);
	if (m->error[0] != '\0')
		mvprintw(2, 0, "not updating: %s", m->error);
	attron(A_REVERSE);
	mvprintw(3, 0, "%-16s %-24s %-7s %12s %12s %11s %11s %8s", "PEER",
	    "ADDRESS", "ENCAP", "RX", "TX", "RX", "TX", "DROPS");
	attroff(A_REVERSE);
	for (i = 0; i < m->nrows && y < LINES - 1; i++)
		draw_row(y++, &m->rows[i]);
	mvprintw(LINES - 1, 0, "q: quit");
	refresh();
}
