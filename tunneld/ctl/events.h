/*
 * events.h: what happened to the tunnels, for the console.
 *
 * A ring of the last EVENTS_KEEP notable changes: a peer's state, its path
 * MTU, an MTU black hole starting or ending, peers that discovery or a
 * reload added or removed, reloads, discovery failing and recovering.
 * Each event has a sequence number (from 1, never reused while the daemon
 * runs), the wall-clock time, a kind, the peer it is about (or none) and
 * one line of text.  events_add() also logs that line, so the log and the
 * console always say the same thing.  The control socket's "events"
 * request reads the ring from a sequence number on.  Control thread only.
 */
#ifndef EVENTS_H
#define EVENTS_H

#include <stdint.h>

#include <jansson.h>

#include "log.h"

enum { EVENTS_KEEP = 512, EVENTS_TEXT_MAX = 320 };

enum event_kind {
	EV_STATE,      /* a peer went up, down or unprobed */
	EV_PMTU,       /* a peer's path MTU changed */
	EV_BLACK_HOLE, /* an MTU black hole started or ended */
	EV_PEER,       /* a peer was added or removed */
	EV_DISCOVERY,  /* a provider's listing failed or recovered */
	EV_RELOAD,     /* the config was reloaded, or a reload refused */
	EV_CRYPTO,     /* SAs made, failed or renewed */
	EV_KIND_MAX
};

struct events;

struct events *events_new(void);
void events_free(struct events *);
/*
 * Record an event and log it as "peer NAME: TEXT" (or TEXT when peer is
 * NULL), at level (LOG_LEVEL_WARN or LOG_LEVEL_INFO).
 */
void events_add(struct events *, enum event_kind, enum log_level,
    const char *peer, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same for a value that changed from one figure to another (>= 0). */
void events_add_change(struct events *, enum event_kind, enum log_level,
    const char *peer, long from, long to, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* The sequence number the next event will get. */
uint64_t events_next(const struct events *);
/*
 * {"next": N, "lost": L, "events": [{"seq", "time" (Unix seconds),
 * "kind", "level", "peer", "text", "from", "to"}...]} (from and to: the
 * figures of a change, such as a path MTU's, else null): the events numbered
 * since and later that the ring still holds (lost: how many it no longer
 * holds).
 */
json_t *events_json(const struct events *, uint64_t since);
const char *event_kind_name(enum event_kind);

#endif
