/*
 * ui.h: what the operator is looking at, and what keys do to it.
 *
 * The screen shown, the sort and the filter, the selected tunnel (kept
 * by name, so that it stays selected while rows move), the first row or
 * line shown, and a short message.  ui_key() turns a key into a change of
 * this state or an action for the main loop (quit, search a path MTU,
 * reset the history).  Keys are curses key codes; nothing is drawn here.
 */
#ifndef UI_H
#define UI_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "perftest.h"
#include "table.h"

enum ui_screen {
	SCR_MAIN,
	SCR_DETAIL,
	SCR_EVENTS,
	SCR_DISCOVERY,
	SCR_HELP,
	SCR_PERF,
};

enum action { ACT_NONE, ACT_QUIT, ACT_PMTU_PROBE, ACT_RESET, ACT_PERF };

enum { UI_FILTER_MAX = 64, UI_MESSAGE_MS = 5000 };
/* Keys curses has no name for. */
enum { KEY_ESC = 27, KEY_DEL = 127, CTRL_H = 8, CTRL_L = 12 };

struct ui {
	enum ui_screen screen, back; /* back: where Esc returns from help */
	struct table_sort sort;
	char filter[UI_FILTER_MAX];
	bool editing; /* typing the filter */
	char selected[MODEL_NAME];
	int sel, top; /* the selected row and the first shown, main screen */
	int scroll;   /* the first line shown, other screens */
	int page;     /* rows (or lines) the view has room for */
	int *rows;    /* the tunnels shown, as indices into the model */
	int nrows;
	char message[MODEL_NAME + 64];
	uint64_t message_until_ms;
	struct ptest perf; /* the throughput test screen's */
};

void ui_init(struct ui *);
void ui_free(struct ui *);
/* Sort and filter the model's tunnels again, keeping the selection. */
void ui_rows(struct ui *, const struct model *);
/* The selected tunnel, or NULL. */
const struct tunnel *ui_selected(const struct ui *, const struct model *);
/* The view's room in rows; keeps the selection on the screen. */
void ui_set_page(struct ui *, int rows);
/* A key; may change the screen, the rows or the selection. */
enum action ui_key(struct ui *, const struct model *, int key, uint64_t now_ms);
/* Show text in the footer for a while. */
void ui_say(struct ui *, uint64_t now_ms, const char *text);
/* Select the row shown at screen row r of the table (a mouse click). */
void ui_click(struct ui *, const struct model *, int r);

#endif
