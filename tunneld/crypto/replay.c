/* replay.c: a lock-free anti-replay window (replay.h). */
#include <stdatomic.h>
#include <stdlib.h>

#include "replay.h"

struct replay {
	unsigned size;	 /* numbers the window covers */
	unsigned nslots; /* size / 32 + 1: the ring never aliases inside it */
	_Atomic uint64_t top;
	_Atomic uint64_t slot[];
};

static const char *const verdict_names[] = {
	[REPLAY_OK] = "ok",
	[REPLAY_SEEN] = "replay",
	[REPLAY_TOO_OLD] = "too_old",
	[REPLAY_ZERO] = "zero",
};

const char *
replay_verdict_name(enum replay_verdict v)
{
	return (unsigned)v <= REPLAY_ZERO ? verdict_names[v] : "?";
}

struct replay *
replay_new(unsigned size)
{
	struct replay *r;
	unsigned n, i;

	if (size < REPLAY_MIN || size > REPLAY_MAX)
		return NULL;
	n = size / REPLAY_SLOT_BITS + 1;
	if ((r = calloc(1, sizeof *r + n * sizeof r->slot[0])) == NULL)
		return NULL;
	r->size = size;
	r->nslots = n;
	atomic_init(&r->top, 0);
	for (i = 0; i < n; i++)
		atomic_init(&r->slot[i], 0);
	return r;
}

void
replay_free(struct replay *r)
{
	free(r);
}

uint64_t
replay_top(const struct replay *r)
{
	return atomic_load_explicit(&r->top, memory_order_relaxed);
}

uint64_t
replay_esn(const struct replay *r, uint32_t low)
{
	uint64_t t = replay_top(r);
	uint32_t tl = (uint32_t)t, th = (uint32_t)(t >> 32);
	uint32_t w = r->size, bottom = tl - w + 1; /* mod 2^32 */

	if (tl >= w - 1) /* the window lies within one epoch */
		th += low >= bottom ? 0 : 1;
	else if (low >= bottom) /* it straddles: low is in the last one */
		th -= th > 0 ? 1 : 0;
	return (uint64_t)th << 32 | low;
}

/* Whether seq is left of the window below top. */
static bool
too_old(const struct replay *r, uint64_t seq, uint64_t top)
{
	return seq + r->size <= top;
}

enum replay_verdict
replay_check(const struct replay *r, uint64_t seq)
{
	uint64_t block = seq / REPLAY_SLOT_BITS, word;
	uint32_t tag;

	if (seq == 0)
		return REPLAY_ZERO;
	if (too_old(r, seq, replay_top(r)))
		return REPLAY_TOO_OLD;
	word = atomic_load_explicit(&r->slot[block % r->nslots],
	    memory_order_relaxed);
	tag = (uint32_t)(word >> 32);
	if (tag == (uint32_t)block &&
	    (word >> (seq % REPLAY_SLOT_BITS) & 1) != 0)
		return REPLAY_SEEN;
	return REPLAY_OK;
}

/* Raise top to at least seq. */
static void
raise_top(struct replay *r, uint64_t seq)
{
	uint64_t t = atomic_load_explicit(&r->top, memory_order_relaxed);

	while (t < seq &&
	    !atomic_compare_exchange_weak_explicit(&r->top, &t, seq,
		memory_order_relaxed, memory_order_relaxed))
		;
}

enum replay_verdict
replay_accept(struct replay *r, uint64_t seq)
{
	uint64_t block = seq / REPLAY_SLOT_BITS, bit, word, want;
	_Atomic uint64_t *slot;
	uint32_t tag;

	if (seq == 0)
		return REPLAY_ZERO;
	if (too_old(r, seq, replay_top(r)))
		return REPLAY_TOO_OLD;
	slot = &r->slot[block % r->nslots];
	bit = (uint64_t)1 << (seq % REPLAY_SLOT_BITS);
	word = atomic_load_explicit(slot, memory_order_acquire);
	for (;;) {
		tag = (uint32_t)(word >> 32);
		if (tag == (uint32_t)block) {
			if (word & bit)
				return REPLAY_SEEN;
			want = word | bit;
		} else if ((int32_t)(tag - (uint32_t)block) > 0) {
			return REPLAY_TOO_OLD; /* the slot moved past it */
		} else {
			want = (block << 32) | bit; /* a newer block: reset */
		}
		if (atomic_compare_exchange_weak_explicit(slot, &word, want,
			memory_order_acq_rel, memory_order_acquire))
			break;
	}
	raise_top(r, seq);
	return REPLAY_OK;
}
