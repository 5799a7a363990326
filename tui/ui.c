/* ui.c: the console's state and its keys. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui.h"
#include "xmalloc.h"

void
ui_init(struct ui *u)
{
	memset(u, 0, sizeof *u);
	u->sort.col = COL_NAME;
	u->page = 10;
}

void
ui_free(struct ui *u)
{
	free(u->rows);
	u->rows = NULL;
	ptest_clear(&u->perf);
}

const struct tunnel *
ui_selected(const struct ui *u, const struct model *m)
{
	if (u->nrows == 0 || u->sel < 0 || u->sel >= u->nrows)
		return NULL;
	return &m->tunnels[u->rows[u->sel]];
}

static void
keep_visible(struct ui *u)
{
	if (u->sel >= u->nrows)
		u->sel = u->nrows - 1;
	if (u->sel < 0)
		u->sel = 0;
	if (u->top > u->sel)
		u->top = u->sel;
	if (u->page > 0 && u->sel >= u->top + u->page)
		u->top = u->sel - u->page + 1;
	if (u->top > u->nrows - u->page)
		u->top = u->nrows - u->page;
	if (u->top < 0)
		u->top = 0;
}

static void
remember(struct ui *u, const struct model *m)
{
	const struct tunnel *t = ui_selected(u, m);

	if (t != NULL)
		snprintf(u->selected, sizeof u->selected, "%s", t->name);
}

void
ui_rows(struct ui *u, const struct model *m)
{
	int i;

	free(u->rows);
	u->rows = xcalloc((size_t)m->ntunnels + 1, sizeof *u->rows);
	u->nrows = table_rows(m, &u->sort, u->filter, u->rows);
	for (i = 0; i < u->nrows; i++)
		if (strcmp(m->tunnels[u->rows[i]].name, u->selected) == 0)
			u->sel = i;
	keep_visible(u);
	remember(u, m);
}

void
ui_set_page(struct ui *u, int rows)
{
	u->page = rows > 0 ? rows : 1;
	keep_visible(u);
}

void
ui_say(struct ui *u, uint64_t now_ms, const char *text)
{
	snprintf(u->message, sizeof u->message, "%s", text);
	u->message_until_ms = now_ms + UI_MESSAGE_MS;
}

void
ui_click(struct ui *u, const struct model *m, int r)
{
	if (r < 0 || u->top + r >= u->nrows)
		return;
	u->sel = u->top + r;
	remember(u, m);
}

/* Typing the filter: it applies as it is typed. */
static void
edit_key(struct ui *u, const struct model *m, int key)
{
	size_t len = strlen(u->filter);

	if (key == '\n' || key == KEY_ENTER)
		u->editing = false;
	else if (key == KEY_ESC) {
		u->editing = false;
		u->filter[0] = '\0';
	} else if (key == KEY_BACKSPACE || key == KEY_DEL || key == CTRL_H) {
		if (len > 0)
			u->filter[len - 1] = '\0';
	} else if (key >= 0 && key < 256 && isprint(key) &&
	    len + 1 < sizeof u->filter) {
		u->filter[len] = (char)key;
		u->filter[len + 1] = '\0';
	}
	u->sel = 0;
	ui_rows(u, m);
}

static void
move_sel(struct ui *u, const struct model *m, int by)
{
	if (u->screen == SCR_MAIN) {
		u->sel += by;
		keep_visible(u);
		remember(u, m);
	} else {
		u->scroll += by;
		if (u->scroll < 0)
			u->scroll = 0;
	}
}

static void
sort_by(struct ui *u, const struct model *m, int step)
{
	u->sort.col = (enum column)((u->sort.col + COL_MAX + step) % COL_MAX);
	u->sort.invert = false;
	ui_rows(u, m);
}

static void
open_screen(struct ui *u, enum ui_screen s)
{
	if (s == SCR_HELP)
		u->back = u->screen == SCR_HELP ? SCR_MAIN : u->screen;
	u->screen = s;
	/* The events open at their newest; the view clamps the scroll. */
	u->scroll = s == SCR_EVENTS ? MODEL_EVENTS : 0;
}

/* Keys that move the selection, or scroll: false if key is not one. */
static bool
move_key(struct ui *u, const struct model *m, int key)
{
	enum { FAR = 1 << 20 };
	static const struct {
		int key, by; /* by: rows, or FAR; 0 and 2 * FAR: pages */
	} moves[] = {
		{ KEY_UP, -1 },
		{ 'k', -1 },
		{ KEY_DOWN, 1 },
		{ 'j', 1 },
		{ KEY_PPAGE, 0 },
		{ KEY_NPAGE, 2 * FAR },
		{ ' ', 2 * FAR },
		{ KEY_HOME, -FAR },
		{ 'g', -FAR },
		{ KEY_END, FAR },
		{ 'G', FAR },
	};
	size_t i;

	for (i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (moves[i].key == key) {
			move_sel(u, m,
			    moves[i].by == 0		 ? -u->page
				: moves[i].by == 2 * FAR ? u->page
							 : moves[i].by);
			return true;
		}
	return false;
}

/* Keys that mean the same on every screen: false if key is not one. */
static bool
common_key(struct ui *u, const struct model *m, int key, uint64_t now_ms,
    enum action *act)
{
	*act = ACT_NONE;
	if (move_key(u, m, key))
		return true;
	switch (key) {
	case 'q':
	case 'Q':
		*act = ACT_QUIT;
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		open_screen(u, SCR_HELP);
		break;
	case 'e':
		open_screen(u, SCR_EVENTS);
		break;
	case 'd':
		open_screen(u, SCR_DISCOVERY);
		break;
	case 'r':
		ui_say(u, now_ms, "rate history reset");
		*act = ACT_RESET;
		break;
	case 'p':
		if (ui_selected(u, m) != NULL)
			*act = ACT_PMTU_PROBE;
		break;
	case 't':
		if (ui_selected(u, m) != NULL)
			*act = ACT_PERF;
		break;
	case CTRL_L:
		clearok(curscr, TRUE);
		break;
	default:
		return false;
	}
	return true;
}

enum action
ui_key(struct ui *u, const struct model *m, int key, uint64_t now_ms)
{
	enum action act;

	if (u->editing) {
		edit_key(u, m, key);
		return ACT_NONE;
	}
	if (common_key(u, m, key, now_ms, &act))
		return act;
	if (key == KEY_ESC || key == KEY_BACKSPACE || key == KEY_LEFT) {
		if (u->screen == SCR_HELP)
			u->screen = u->back;
		else if (u->screen != SCR_MAIN)
			u->screen = SCR_MAIN;
		else if (key == KEY_ESC && u->filter[0] != '\0') {
			u->filter[0] = '\0';
			ui_rows(u, m);
		}
		u->scroll = 0;
		return ACT_NONE;
	}
	if (u->screen != SCR_MAIN)
		return ACT_NONE;
	switch (key) {
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (ui_selected(u, m) != NULL)
			open_screen(u, SCR_DETAIL);
		break;
	case '/':
		u->editing = true;
		break;
	case 's':
	case '>':
		sort_by(u, m, 1);
		break;
	case '<':
		sort_by(u, m, -1);
		break;
	case 'i':
		u->sort.invert = !u->sort.invert;
		ui_rows(u, m);
		break;
	}
	return ACT_NONE;
}
