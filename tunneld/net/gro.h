/*
 * gro.h: userspace receive coalescing of TCP segments (tunnel -> TAP).
 *
 * Consecutive segments of one TCP flow headed for one TAP are joined into
 * one super-frame written with a virtio_net_hdr (gso_type TCPV4/TCPV6,
 * gso_size = the first segment's payload, checksum left partial), so the
 * kernel takes 64 KB in one write instead of 45.  A segment joins only if
 * its IPv4 and TCP checksums are right (a merged frame's checksum is
 * recomputed, so a corrupt segment must never hide in one), its headers
 * match the first's but for length, id, sequence, PSH and checksums, its
 * sequence number follows on, it is no longer than the first, and the
 * frame before it was neither short nor pushed.  Anything else is written
 * alone, after the pending frame, so order is kept.
 *
 * One pending frame per data thread; the caller owns the buffer.
 */
#ifndef GRO_H
#define GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "offload.h"

struct gro {
	uint8_t *buf;		/* VNET_HDR_LEN + FRAME_MAX bytes */
	size_t len;		/* frame bytes after the header; 0: none */
	int key;		/* caller's: where the frame goes (TAP fd) */
	struct tcp_frame t;
	int nsegs;
	size_t mss;
	uint32_t next_seq;
	uint16_t next_id;
	bool closed, push;
};

/* Begin a frame from a segment, copying it; false if it cannot join any. */
bool gro_start(struct gro *, int key, const uint8_t *frame, size_t len);
/* Add a segment to the pending frame, copying it; false if it does not fit. */
bool gro_append(struct gro *, int key, const uint8_t *frame, size_t len);
/*
 * Finish the pending frame: header and frame at *out, their total length
 * returned, nothing pending after.  *nsegs: the segments it holds.
 */
size_t gro_take(struct gro *, uint8_t **out, int *nsegs);
/* Whether the IPv4 header (if any) and TCP checksums of a frame hold. */
bool tcp_frame_csum_ok(const uint8_t *frame, size_t len,
    const struct tcp_frame *);

#endif
