/*
 * inband.h: messages between two tunneld inside their tunnel, for peers
 * with no control connection (cc.h): plaintext ones, and manually keyed
 * encrypted ones.  The throughput test (perf.h) agrees on its tests here
 * when it cannot over a control connection.
 *
 * A message is a control-connection frame (cc_msg.h) in a probe body of
 * type message (net/probe.h), under the peer's own encapsulation (sealed
 * when the peer is encrypted), numbered per peer and acknowledged; it is
 * sent again every INBAND_RESEND_MS until acknowledged, INBAND_TRIES
 * times, and then the peer counts as unreachable (hooks' down).  A
 * duplicate is acknowledged again and dropped.  The numbers belong to the
 * sender's epoch, a random number of each start, so a restarted peer's
 * first messages are new.  Only known peers' probes reach this channel
 * (the data path drops the rest), and only at the probe answer rate: a
 * plaintext peer's messages are exactly as trustworthy as its tunnel, its
 * underlay address.  A peer can take messages when it answers probes
 * (path health up): a kernel vxlan or OVS peer does not.
 *
 * Control thread only.
 */
#ifndef INBAND_H
#define INBAND_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cc.h"
#include "runtime.h"

enum {
	INBAND_RESEND_MS = 200,
	INBAND_TRIES = 10,
	INBAND_LINKS = 32,   /* peers talked to at once */
	INBAND_PENDING = 16, /* unacknowledged messages a peer */
};

struct inband;

struct inband *inband_new(struct runtime *);
void inband_free(struct inband *);
/* Who gets the messages (types CC_PERF_*), and hears of a lost peer. */
void inband_set_hooks(struct inband *, const struct cc_hooks *);
/* Whether the peer at port can take messages now; if not, *why. */
bool inband_can(const struct inband *, uint16_t port, const char **why);
/* Send a message (body taken); 0, or -1 with *why. */
int inband_send(struct inband *, uint16_t port, int type, json_t *body,
    const char **why);
/* Take what arrived, acknowledge, deliver; send again what is due. */
void inband_tick(struct inband *);
/* Counters: {"sent": N, "resent": N, "received": N, ...}. */
json_t *inband_json(const struct inband *);

#endif
