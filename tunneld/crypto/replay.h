/*
 * replay.h: the anti-replay window of one inbound SA (RFC 4303 3.4.3,
 * with 64-bit extended sequence numbers, RFC 4303 appendix A).
 *
 * A bitmap of the last `size` sequence numbers in the style of RFC 6479:
 * a ring of 64-bit slots, each holding 32 bits of the bitmap and, in its
 * upper half, the low 32 bits of the block of 32 sequence numbers those
 * bits stand for.  A slot is only ever changed by one compare-and-swap of
 * the whole word, so a slot that moves on to a newer block clears its old
 * bits in the same step; there is no lock and no separate clearing pass,
 * and any number of data threads may share one window.
 *
 * Use, per packet (RFC 4303 3.4.3: the window moves only for a packet
 * whose ICV verified):
 *   1. replay_esn() gives the full 64-bit number of the received low 32
 *      bits (it goes into the AAD of the ICV check);
 *   2. replay_check() rejects what is surely a replay or too old, before
 *      the work of decrypting;
 *   3. after the ICV verifies, replay_accept() marks the number seen, in
 *      one atomic step: of two threads holding the same packet, exactly
 *      one is told to accept it.
 *
 * With ESN, a packet delayed past the window is put into the wrong 2^32
 * epoch by replay_esn() and then fails its ICV, not this check: size it
 * well above data threads x batch size (the default, 8192, is).
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdbool.h>
#include <stdint.h>

enum {
	REPLAY_DEFAULT = 8192,
	REPLAY_MIN = 64,
	REPLAY_MAX = 1 << 16,
	REPLAY_SLOT_BITS = 32,
};

enum replay_verdict {
	REPLAY_OK,	/* not seen: go on */
	REPLAY_SEEN,	/* a replay (or the same packet twice) */
	REPLAY_TOO_OLD, /* left of the window */
	REPLAY_ZERO,	/* sequence number 0 is never sent (RFC 4303 3.3.3) */
};

struct replay;

/* A window of size numbers (REPLAY_MIN..REPLAY_MAX); NULL if out of range. */
struct replay *replay_new(unsigned size);
void replay_free(struct replay *);
/* The full sequence number of the received low 32 bits (appendix A2.2). */
uint64_t replay_esn(const struct replay *, uint32_t low);
/* Whether seq may be new; no change to the window. */
enum replay_verdict replay_check(const struct replay *, uint64_t seq);
/* Mark seq seen, once its ICV verified; REPLAY_OK for one caller only. */
enum replay_verdict replay_accept(struct replay *, uint64_t seq);
/* The highest number accepted so far (0: none). */
uint64_t replay_top(const struct replay *);
const char *replay_verdict_name(enum replay_verdict);

#endif
