/*
 * view.h: tunneltop's screen.  Paints a struct model; computes nothing.
 * view_init() sets up curses and view_end() restores the terminal (also
 * called from the signal path through atexit).
 */
#ifndef VIEW_H
#define VIEW_H

#include "model.h"

void view_init(void);
void view_end(void);
void view_draw(const struct model *);
/* Human-readable rate ("12.3M") into buf. */
const char *view_rate(double v, char *buf, int len);

#endif
