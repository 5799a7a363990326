/*
 * health.h: each peer's path health, from in-band probes.
 *
 * Every HEALTH_TICK_MS, health_tick() takes the probe replies the data
 * threads received (dp_probe_replies) and runs each peer's path MTU search
 * (health_mtu.c); once a probe-interval per peer it sends the peer its
 * next probe (dp_probe_send: the peer's own encapsulation, addresses and
 * ports) and judges it:
 *
 *   up        a probe was answered within dead-after;
 *   down      it has answered before (or probe = yes) and then nothing
 *             for dead-after: the path, or the daemon behind it, is gone;
 *   unprobed  probe = no, or no probe was ever answered (probe = auto and
 *             the peer is not a tunneld: the kernel's vxlan, OVS); such a
 *             peer is judged by what it sends, shown as last_rx.
 *
 * A change of state is logged once, with its reason.  A peer's record is
 * keyed by its port and reset when another peer takes the port or the
 * peer's endpoint changes.  Control thread only.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "runtime.h"

enum health_state { HEALTH_UNPROBED, HEALTH_UP, HEALTH_DOWN };

enum { HEALTH_TICK_MS = 25 }; /* how often health_tick() wants to run */

struct health;

/* State changes are recorded in ev (events.h), which outlives it. */
struct health *health_new(struct events *ev);
void health_free(struct health *);
/* Replies in, probes out, states judged; call every HEALTH_TICK_MS. */
void health_tick(struct health *, struct runtime *);
/* The peer at port's state (HEALTH_UNPROBED when there is no record). */
enum health_state health_state_of(const struct health *, uint16_t port);
/* Whether one of the peer's segments is in an MTU black hole. */
bool health_black_hole(const struct health *, uint16_t port);
/* {"state", "since_s", "reason", "probe", "rtt_ms", "loss_pct", ...}. */
json_t *health_peer_json(const struct health *, const struct runtime *,
    uint16_t port);
const char *health_state_name(enum health_state);
/*
 * Search the peer's path MTU again now; -1 with *cause when it cannot be
 * searched (no probes answered, or path-mtu set in the config).
 */
int health_recheck_mtu(struct health *, uint16_t port, char **cause);

#endif
