/*
 * cc.h: the control connections to peer tunneld (keying = auto).
 *
 * For every peer with encrypt = yes and keying = auto, one TLS 1.3
 * connection over TCP (control-port, both ends) carries the hello,
 * keepalives and the rekeying that makes the peer's ESP SAs (sas.h) from
 * the TLS exporter (tls.h), in the messages of cc_msg.h.  Who connects: a
 * spoke, to its peers, at once; a hub waits CC_HUB_WAIT_MS for a peer to
 * connect and then connects out itself (a spoke behind a firewall that
 * lets only the hub's connections in still gets keys).  When both did, the
 * two connections are told apart the same way at both ends: a peer's
 * newer connection from the same side replaces its older one (it
 * restarted), and of two crossing ones the one whose client's node name
 * sorts first stays.  Failed attempts back off (1 s doubling to 30 s,
 * with jitter); the data keeps flowing on the SAs in force meanwhile.
 *
 * Keys, epoch by epoch, make-before-break: the TLS client of the
 * connection installs its inbound SA of epoch n and sends rekey n; the
 * server installs both of epoch n, switches to sending on it and answers
 * rekey-ack n; the client then switches too.  Each side's previous inbound
 * SA stays until CC_DRAIN_MS after the peer's switch (the client's until
 * the ack, however long), so no packet in flight is lost.  The client rekeys
 * when the SAs are rekey-time old or carried rekey-packets in either direction.
 * SAs with no connection to renew them expire when rekey-time plus the larger
 * of rekey-time and the time to notice a dead connection and make a new one
 * (CC_DEAD_MS + CC_HANDSHAKE_MS) have passed, or twice rekey-packets went, and
 * the peer's traffic stops with the reason shown.
 *
 * Connections come only from the addresses of known peers, and must then
 * authenticate as the peer's settings say; everything else is refused,
 * counted and logged (at most once in 10 s per cause).  Control thread
 * only.
 */
#ifndef CC_H
#define CC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "runtime.h"

enum {
	CC_HUB_WAIT_MS = 5000,	  /* a hub's wait before connecting out */
	CC_DRAIN_MS = 5000,	  /* a previous inbound SA is kept so long */
	CC_KEEPALIVE_MS = 10000,  /* a keepalive when nothing else went */
	CC_DEAD_MS = 30000,	  /* nothing received for so long: closed */
	CC_HANDSHAKE_MS = 10000,  /* to connect, handshake and hello */
	CC_REKEY_WAIT_MS = 10000, /* for a rekey-ack */
	CC_BACKOFF_MIN_MS = 1000,
	CC_BACKOFF_MAX_MS = 30000,
	CC_MAX_PENDING = 64, /* connections not yet through hello */
};

struct cc;

/*
 * Listen on control-port and load this node's TLS identity ([crypto]);
 * before privileges are dropped.  NULL with *cause.
 */
struct cc *cc_new(struct loop *, struct runtime *, char **cause);
/* Close every connection (the SAs stay with the runtime). */
void cc_free(struct cc *);
/* Once a second: follow the peers, connect, keepalive, rekey, expire. */
void cc_tick(struct cc *);
/* After a reload: the [crypto] files again (a failure keeps the old). */
void cc_reload(struct cc *);
/* Counters for status: {"refused": N, "unknown_source": N, ...}. */
json_t *cc_json(const struct cc *);

/*
 * Others' messages on the connections (the throughput test's, perf.h):
 * message gets each of types CC_PERF_*, down is told when a peer's
 * connection goes.  Neither may close a connection from inside.
 */
struct cc_hooks {
	void (*message)(void *arg, uint16_t port, int type, const json_t *body);
	void (*down)(void *arg, uint16_t port);
	void *arg;
};
void cc_set_hooks(struct cc *, const struct cc_hooks *);
/*
 * Send a message (body taken) to the peer at port over its connection;
 * 0, or -1 with *why when it has none up or its peer lacks cap.
 */
int cc_send(struct cc *, uint16_t port, unsigned cap, int type, json_t *body,
    const char **why);
/* Whether cc_send() could send to port now; if not, *why. */
bool cc_can(const struct cc *, uint16_t port, unsigned cap, const char **why);

#endif
