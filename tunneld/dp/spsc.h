/*
 * spsc.h: a ring of fixed-size entries with one producer (a data thread)
 * and one consumer (the control thread), lock-free: the producer alone
 * writes head, the consumer alone tail.  The entries live in the caller's
 * array of cap (a power of two or not: indices are taken modulo cap).
 */
#ifndef SPSC_H
#define SPSC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct spsc {
	uint32_t head, tail; /* atomic */
};

/* Producer: the index of the next free entry, or -1 when full. */
static inline long
spsc_free_slot(const struct spsc *r, uint32_t cap)
{
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	return r->head - tail == cap ? -1 : (long)(r->head % cap);
}

/* Producer: publish the entry spsc_free_slot() gave. */
static inline void
spsc_push(struct spsc *r)
{
	__atomic_store_n(&r->head, r->head + 1, __ATOMIC_RELEASE);
}

/*
 * Consumer: copy up to max entries of size bytes from v (cap of them) to
 * out, oldest first, and free them; how many.
 */
static inline int
spsc_take(struct spsc *r, const void *v, size_t size, uint32_t cap, void *out,
    int max)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE), tail;
	int n = 0;

	for (tail = r->tail; tail != head && n < max; tail++, n++)
		memcpy((char *)out + (size_t)n * size,
		    (const char *)v + (size_t)(tail % cap) * size, size);
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return n;
}

#endif
