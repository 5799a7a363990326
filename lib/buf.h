/*
 * buf.h: a growable byte buffer for building strings and bodies.
 *
 * Always NUL-terminated after an append.  Control-plane only: it grows with
 * xreallocarray() and aborts when memory runs out; callers that take
 * remote input cap the size themselves (buf_len()).
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
};

void buf_add(struct buf *, const void *, size_t);
void buf_adds(struct buf *, const char *);
void buf_addc(struct buf *, char);
void buf_addf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
/* Hand over the string (never NULL) and reset the buffer. */
char *buf_take(struct buf *);
void buf_free(struct buf *);

#endif
