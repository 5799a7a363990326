/*
 * view.h: tunneltop's screens in curses.  Paints a struct model as a
 * struct ui says (ui.h); computes nothing of its own beyond placing text.
 * view_init() sets up curses (colour unless NO_COLOR is set or the
 * terminal has none; UTF-8 graphs when the locale is UTF-8) and
 * view_end() restores the terminal (also from atexit).  Each draw paints
 * the whole screen into curses' buffer; refresh sends the terminal only
 * the cells that changed.
 */
#ifndef VIEW_H
#define VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "model.h"
#include "table.h"
#include "ui.h"

void view_init(bool utf8);
void view_end(void);
void view_draw(const struct model *, struct ui *, uint64_t now_ms, time_t now);
/* Which table row (0 = first shown) the screen line y is, or -1. */
int view_row_at(int y);

/* For the screens (view_*.c): */
enum view_attr {
	VA_NORMAL,
	VA_GOOD,
	VA_WARN,
	VA_BAD,
	VA_DIM,
	VA_TITLE,  /* the column header, section titles */
	VA_SELECT, /* the selected row */
	VA_BOLD,
	VA_MAX
};

/* Text at (y, x), at most w cells of it, in attr; the cells it took. */
int view_text(int y, int x, int w, enum view_attr, const char *s);
/* printf into a line from x to the right edge. */
int view_printf(int y, int x, enum view_attr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A whole line in attr (the title bar, the selected row). */
void view_fill(int y, enum view_attr);
enum view_attr view_mark(enum mark);
bool view_utf8(void);
int view_attr(enum view_attr);

void view_main(const struct model *, struct ui *, uint64_t now_ms, time_t now);
void view_detail(const struct model *, struct ui *, uint64_t now_ms,
    time_t now);
void view_events(const struct model *, struct ui *, uint64_t now_ms);
void view_discovery(const struct model *, struct ui *, uint64_t now_ms,
    time_t now);
void view_help(struct ui *, uint64_t now_ms);
void view_perf(const struct ptest *, const struct ui *, uint64_t now_ms);
/* The footer: a message, the filter being typed, or the keys. */
void view_footer(const struct ui *, uint64_t now_ms, const char *keys);

#endif
