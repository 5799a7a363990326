/*
 * sa.h: a peer's ESP security associations as the data threads use them.
 *
 * An outbound SA (struct sa_out) seals; an inbound one (struct sa_in)
 * opens and keeps the anti-replay window.  Each holds one esp_sa context
 * per user, made with the SA: one per data thread and one for the control
 * thread (which sends probes), indexed 0 .. nctx - 1.  The contexts share
 * the key and, per SA, the one sequence counter (out) or window (in), so
 * any number of threads may use one SA at once without a lock, each with
 * its own index.  Made and freed by the control thread, never while a data
 * thread can still see them (the data path's snapshot rule).
 *
 * IVs: an outbound SA sends IV = base + sequence number, where base is the
 * wall clock in nanoseconds when the SA was made.  IVs under one key so
 * never repeat, not even when a daemon restarts with the same manual keys
 * and its sequence numbers start again at 1 (a new base is later than
 * every IV sent before: one IV a nanosecond is beyond any link).
 *
 * The same base lets an inbound SA recognise a peer tunneld that
 * restarted with the same manual keys: its packets authenticate, fall
 * below the window, and carry a later base than the one the window was
 * filled with.  sa_open() then says SA_PEER_RESTARTED (not delivered) and
 * the control thread replaces the SA with a fresh window.  Replayed
 * packets carry an old base and stay replays; a peer whose IVs are not
 * base + sequence (Linux, scapy) never matches, and its SAs stay strict.
 *
 * Key material is copied into the contexts only; the caller cleanses its
 * own copy.
 */
#ifndef SA_H
#define SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "esp.h"

enum sa_verdict {
	SA_OK,		   /* authentic and new: deliver */
	SA_DUMMY,	   /* authentic dummy packet (RFC 4303 2.6): discard */
	SA_REPLAY,	   /* seen before */
	SA_TOO_OLD,	   /* left of the window */
	SA_AUTH_FAILED,	   /* the ICV does not verify */
	SA_MALFORMED,	   /* too short, or authentic with bad padding */
	SA_PEER_RESTARTED, /* authentic, from a restarted peer: not delivered */
};

struct sa_out;
struct sa_in;

/*
 * An outbound SA of spi, with nctx contexts and IV base iv_base (0: the
 * clock now); NULL with *cause (caller frees).
 */
struct sa_out *sa_out_new(enum esp_cipher, uint32_t spi,
    const uint8_t keymat[ESP_KEYMAT], int nctx, uint64_t iv_base, char **cause);
void sa_out_free(struct sa_out *);
/*
 * Seal the payload in iov[0..n) with context ctx as the next number:
 * ESP_OK with *outlen, or why not (esp.h).
 */
enum esp_verdict sa_seal(struct sa_out *, int ctx, uint8_t nh,
    const struct iovec *iov, int n, uint8_t *out, size_t cap, size_t *outlen);
/* Packets sealed so far (the last sequence number used). */
uint64_t sa_out_sent(const struct sa_out *);
uint32_t sa_out_spi(const struct sa_out *);
enum esp_cipher sa_out_cipher(const struct sa_out *);

/* An inbound SA with a window of `window` numbers; NULL with *cause. */
struct sa_in *sa_in_new(enum esp_cipher, uint32_t spi,
    const uint8_t keymat[ESP_KEYMAT], unsigned window, int nctx, char **cause);
void sa_in_free(struct sa_in *);
/*
 * Open pkt (len bytes, from the SPI on) in place with context ctx: check
 * the window, verify and decrypt, mark the number seen.  On SA_OK,
 * *payload points into pkt and *plen, *nh say what it is.
 */
enum sa_verdict sa_open(struct sa_in *, int ctx, uint8_t *pkt, size_t len,
    uint8_t **payload, size_t *plen, uint8_t *nh);
/* The highest number accepted (0: none yet). */
uint64_t sa_in_top(const struct sa_in *);
uint32_t sa_in_spi(const struct sa_in *);
/* The IV base of the peer's packets, once it looks like a tunneld's (0). */
uint64_t sa_in_peer_base(const struct sa_in *);

/* Whether sa_open() has said SA_PEER_RESTARTED: time for a new window. */
bool sa_in_peer_restarted(const struct sa_in *);

const char *sa_verdict_name(enum sa_verdict);

#endif
