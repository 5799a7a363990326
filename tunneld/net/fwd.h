/*
 * fwd.h: the forwarding decision for one frame in one segment.
 *
 * Ports: PORT_LOCAL is the segment's TAP; every peer has a port number of its
 * own (stable for the peer's lifetime) that the MAC table stores.  A frame
 * from port `in` is learned (source MAC -> in), then its destination is
 * looked up: a known unicast goes to its port, anything else is flooded to
 * every port of the segment but `in` (split horizon).  Relaying from one peer
 * to another happens only where the segment allows it (the hub); a spoke
 * floods what comes from a peer to its TAP only.
 *
 * Floods are charged to the ingress port's token bucket and dropped when it
 * is empty, before anything is learned from them.  A frame whose source
 * MAC the table's policy will not move to `in` (live elsewhere: a peer
 * taking a pod VM's MAC) is dropped; one whose port is at its MAC limit
 * is forwarded without being learned (result.learned says which).  Pure
 * decision: no I/O; the caller owns the buckets (per thread).
 */
#ifndef FWD_H
#define FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drop.h"
#include "mactab.h"
#include "tbucket.h"

#define PORT_LOCAL MACTAB_LOCAL

struct fwd_segment {
	struct mactab *mactab;
	const uint16_t *peer_ports;	/* member peers' ports */
	size_t npeers;
	bool relay;			/* peer -> peer forwarding allowed */
};

enum fwd_action {
	FWD_UNICAST,	/* send to result.port */
	FWD_FLOOD,	/* send to fwd_flood_ports() */
};

struct fwd_result {
	enum fwd_action action;
	uint16_t port;
	enum mactab_result learned;
};

/* Decide where a frame from port `in` goes; DROP_NONE or a drop reason. */
enum drop_reason fwd_frame(const struct fwd_segment *, uint16_t in,
    const uint8_t *frame, size_t len, uint32_t now_s, uint64_t now_ms,
    struct tbucket *in_bucket, struct fwd_result *);

/* Whether a flood from `in` goes out of `out` (split horizon, relay). */
bool fwd_floods_to(const struct fwd_segment *, uint16_t in, uint16_t out);

#endif
