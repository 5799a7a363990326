/*
 * table.h: the tunnel table as text: its columns, which of them fit a
 * width, the rows a sort and a filter give, and each cell's text.
 *
 * Every column has a priority: at a given width the most important
 * columns are kept and the rest dropped, least important first, so a
 * narrow terminal never wraps.  NAME and ADDRESS grow into what is left.
 * Cells come with a mark saying how the view should stress them (a
 * state that is down, a black hole); the view picks the attributes.
 * Used by the curses view and by --once alike; no curses here.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum column {
	COL_NAME,
	COL_SOURCE,
	COL_ADDRESS,
	COL_ENCAP,
	COL_CRYPT,
	COL_STATE,
	COL_RTT,
	COL_LOSS,
	COL_PMTU,
	COL_FRAME,
	COL_RX,
	COL_TX,
	COL_SPARK,
	COL_DROPS,
	COL_MAX
};

enum mark { MARK_NONE, MARK_GOOD, MARK_WARN, MARK_BAD, MARK_DIM };

struct placed {
	enum column col;
	int x, width;
};

struct table_sort {
	enum column col;
	bool invert; /* against the column's natural order */
};

enum { TABLE_CELL = 160, SPARK_BUCKETS = 12, SPARK_SPAN_MS = 60000 };

/* A column's title, and its one-line meaning (for the help screen). */
const char *table_title(enum column);
const char *table_meaning(enum column);
/* Whether the column sorts largest first (rates, RTT, loss). */
bool table_descending(enum column);
/* The order a sort gives, in words: "largest first", "A to Z", ... */
const char *table_sort_order(const struct table_sort *);
/* The columns that fit width, in display order: how many, into out. */
int table_layout(int width, struct placed out[COL_MAX]);
/*
 * The indices into m->tunnels of the rows to show, sorted, filtered by
 * filter (case-insensitive, on name, source, address, encapsulation and
 * state; "" shows all): how many, into idx (m->ntunnels entries).
 */
int table_rows(const struct model *, const struct table_sort *,
    const char *filter, int *idx);
/* A cell's text (utf8: the sparkline's glyphs) and its mark. */
enum mark table_cell(const struct tunnel *, enum column, uint64_t now_ms,
    bool utf8, char buf[TABLE_CELL]);
/* Whether the column's text is right-aligned. */
bool table_right(enum column);

#endif
