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
 * caller publishes.
 *
 * With keying = auto the SAs come from the control connection (cc.h),
 * epoch by epoch, make-before-break: a new inbound SA becomes the port's
 * while the one before it drains (it still opens what the peer sealed
 * before it switched) until sas_auto_drained() or the next epoch; the
 * outbound SA is replaced once the peer has the matching inbound one.
 * sas_sync() keeps them while the peer's settings stay the same.
 * Control thread only.
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

/* One direction's SA of an epoch, as the exporter made it; cleansed. */
struct sas_keys {
	enum esp_cipher cipher;
	uint32_t spi;
	uint8_t keymat[ESP_KEYMAT];
};

/* The control connection of a port, as status shows it (cc.c sets it). */
struct sas_link {
	char state[16];	 /* connecting, handshake, up, down, refused */
	char why[200];	 /* of the last failure; "" */
	char node[64];	 /* the peer's name for itself (hello) */
	char remote[64]; /* ADDRESS:PORT of the connection */
	uint64_t since_ms;
	uint32_t epoch; /* of the SAs in force; 0: none yet */
	uint32_t rekeys;
};

/* When the control connections rekey (for packets_until_rekey). */
void sas_set_rekey(struct sas *, uint32_t rekey_ms, uint32_t rekey_packets);
/* Whether spi is any port's inbound SA's (a new SA must not take it). */
bool sas_spi_taken(const struct sas *, uint32_t spi);
/* Make k port's inbound SA; the one before drains.  0, or -1 (logged). */
int sas_auto_in(struct sas *, uint16_t port, const struct sas_keys *k);
/* Make k port's outbound SA, retiring the one before.  0 or -1. */
int sas_auto_out(struct sas *, uint16_t port, const struct sas_keys *k);
/* Retire port's draining inbound SA: whether there was one. */
bool sas_auto_drained(struct sas *, uint16_t port);
/* Retire all of port's SAs (they expired with no new keys). */
void sas_auto_clear(struct sas *, uint16_t port);
/* The SAs' age (since the last outbound one was made), ms; 0: none. */
uint64_t sas_auto_keyed_ms(const struct sas *, uint16_t port);
/* Packets sealed and the peer's highest number, of the current SAs. */
uint64_t sas_auto_packets(const struct sas *, uint16_t port);
struct sa_in *sas_in_prev(const struct sas *, uint16_t port);
void sas_set_link(struct sas *, uint16_t port, const struct sas_link *);

#endif
