/* view.c: curses set-up, attributes, clipped text, and the dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "view.h"

static bool active, utf8_graphs;
static int attrs[VA_MAX];

/* Colour where the terminal has it and NO_COLOR is not set. */
static void
init_attrs(void)
{
	const char *no = getenv("NO_COLOR");
	bool color = has_colors() && (no == NULL || no[0] == '\0');

	attrs[VA_NORMAL] = A_NORMAL;
	attrs[VA_TITLE] = A_REVERSE;
	attrs[VA_SELECT] = A_REVERSE | A_BOLD;
	attrs[VA_BOLD] = A_BOLD;
	attrs[VA_DIM] = A_DIM;
	if (color && start_color() == OK) {
		use_default_colors();
		init_pair(1, COLOR_GREEN, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_RED, -1);
		init_pair(4, COLOR_BLACK, COLOR_CYAN);
		attrs[VA_GOOD] = COLOR_PAIR(1);
		attrs[VA_WARN] = COLOR_PAIR(2) | A_BOLD;
		attrs[VA_BAD] = COLOR_PAIR(3) | A_BOLD;
		attrs[VA_TITLE] = COLOR_PAIR(4);
	} else { /* monochrome: the text itself says it, bold stresses it */
		attrs[VA_GOOD] = A_NORMAL;
		attrs[VA_WARN] = A_UNDERLINE;
		attrs[VA_BAD] = A_BOLD;
	}
}

void
view_init(bool utf8)
{
	initscr();
	cbreak();
	noecho();
	nonl(); /* Enter arrives as \r: map it below */
	curs_set(0);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED, NULL);
	utf8_graphs = utf8;
	init_attrs();
	active = true;
}

void
view_end(void)
{
	if (active) {
		endwin();
		active = false;
	}
}

bool
view_utf8(void)
{
	return utf8_graphs;
}

int
view_attr(enum view_attr a)
{
	return attrs[a];
}

enum view_attr
view_mark(enum mark m)
{
	switch (m) {
	case MARK_GOOD:
		return VA_GOOD;
	case MARK_WARN:
		return VA_WARN;
	case MARK_BAD:
		return VA_BAD;
	case MARK_DIM:
		return VA_DIM;
	default:
		return VA_NORMAL;
	}
}

int
view_text(int y, int x, int w, enum view_attr a, const char *s)
{
	int cells = 0, bytes = 0;

	if (y < 0 || y >= LINES || x >= COLS || w <= 0)
		return 0;
	if (w > COLS - x)
		w = COLS - x;
	/* Count whole UTF-8 characters into w cells. */
	while (s[bytes] != '\0' && cells < w) {
		bytes++;
		while (((unsigned char)s[bytes] & 0xc0) == 0x80)
			bytes++;
		cells++;
	}
	attron(attrs[a]);
	mvaddnstr(y, x, s, bytes);
	attroff(attrs[a]);
	return cells;
}

int
view_printf(int y, int x, enum view_attr a, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return view_text(y, x, COLS - x, a, line);
}

void
view_fill(int y, enum view_attr a)
{
	attron(attrs[a]);
	mvhline(y, 0, ' ', COLS);
	attroff(attrs[a]);
}

void
view_footer(const struct ui *u, uint64_t now_ms, const char *keys)
{
	int y = LINES - 1;

	move(y, 0);
	clrtoeol();
	if (u->editing)
		view_printf(y, 0, VA_BOLD,
		    "filter: %s_   (Enter keeps it, Esc "
		    "clears it)",
		    u->filter);
	else if (u->message[0] != '\0' && now_ms < u->message_until_ms)
		view_text(y, 0, COLS, VA_BOLD, u->message);
	else
		view_text(y, 0, COLS, VA_DIM, keys);
}

void
view_draw(const struct model *m, struct ui *u, uint64_t now_ms, time_t now)
{
	erase();
	if (LINES < 6 || COLS < 30) {
		view_text(0, 0, COLS, VA_BOLD, "tunneltop: terminal too small");
		refresh();
		return;
	}
	switch (u->screen) {
	case SCR_MAIN:
		view_main(m, u, now_ms, now);
		break;
	case SCR_DETAIL:
		view_detail(m, u, now_ms, now);
		break;
	case SCR_EVENTS:
		view_events(m, u, now_ms);
		break;
	case SCR_DISCOVERY:
		view_discovery(m, u, now_ms, now);
		break;
	case SCR_HELP:
		view_help(u, now_ms);
		break;
	case SCR_PERF:
		view_perf(&u->perf, u, now_ms);
		break;
	}
	refresh();
}
