/*
 * xmalloc.h: allocation that aborts on exhaustion.
 *
 * For start-up, configuration, the control plane and the console only; the
 * packet path preallocates and never calls these.  Sizes are multiplied only
 * inside the overflow-checked xcalloc()/xreallocarray().
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
int xasprintf(char **, const char *, ...)
    __attribute__((format(printf, 2, 3)));

#endif
