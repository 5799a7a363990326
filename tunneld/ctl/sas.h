/*
 * sas.h: the ESP SAs of every encrypted peer, by port: their one owner.
 *
 * Before each publish the runtime hands every port's encryption settings
 * to sas_sync(): a port whose settings did not change keeps its SAs (and
 * so its sequence numbers and replay window: a reload never restarts a
 * nonce counter under a key); a changed or removed one has its SAs retired
 * and, when it still encrypts, new ones made.  Retired SAs are freed by
 * sas_release() once the publish says no data thread can see them.
 *
 * A peer tunneld that restarted with the same manual keys is told apart
 * from a replay by its IVs (crypto/sa.h); sas_restarts() gives such a
 * peer a fresh inbound window (same key, retiring the old one), and the
 * caller publishes.  Control thread only.
 */
#ifndef SAS_H
#define SAS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "crypto/sa.h"
#include "events.h"

struct sas;

/* SAs with nctx contexts each and inbound windows of window packets. */
struct sas *sas_new(int nctx, unsigned window, struct events *);
/* Free every SA, retired or not (the data path has stopped). */
void sas_free(struct sas *);
/*
 * Bring port's SAs in line with cr (NULL or not encrypting: none).  A
 * failure to make them is logged and leaves the port with none: its
 * traffic is dropped, never sent in the clear.
 */
void sas_sync(struct sas *, uint16_t port, const char *peer,
    const struct cfg_crypto *cr);
struct sa_out *sas_out(const struct sas *, uint16_t port);
struct sa_in *sas_in(const struct sas *, uint16_t port);
/* Free what sas_sync() and sas_restarts() retired (after a publish). */
void sas_release(struct sas *);
/* Renew the windows of restarted peers; how many (then publish). */
int sas_restarts(struct sas *);
/* A peer's encryption for status: {"encrypted": false} without SAs. */
json_t *sas_json(const struct sas *, uint16_t port, uint64_t now_ms);

#endif
