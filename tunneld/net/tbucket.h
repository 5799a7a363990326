/*
 * tbucket.h: a token bucket for per-port flood limits.
 *
 * One bucket belongs to one thread; no locking.  Tokens are kept in
 * thousandths so that low rates refill smoothly at millisecond resolution.
 */
#ifndef TBUCKET_H
#define TBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct tbucket {
	uint64_t tokens;	/* thousandths of a token */
	uint64_t last_ms;
	uint32_t rate;		/* tokens per second, 0 = unlimited */
	uint32_t burst;		/* bucket depth in tokens */
};

static inline void
tbucket_init(struct tbucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	b->rate = rate;
	b->burst = burst;
	b->tokens = (uint64_t)burst * 1000;
	b->last_ms = now;
}

/* Take one token if there is one. */
static inline bool
tbucket_take(struct tbucket *b, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)b->burst * 1000;

	if (b->rate == 0)
		return true;
	if (now_ms > b->last_ms) {
		b->tokens += (now_ms - b->last_ms) * b->rate;
		if (b->tokens > cap)
			b->tokens = cap;
		b->last_ms = now_ms;
	}
	if (b->tokens < 1000)
		return false;
	b->tokens -= 1000;
	return true;
}

#endif
