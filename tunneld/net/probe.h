/*
 * probe.h: the body of a path probe between two tunneld (wire format 2).
 *
 * A probe rides in the tunnel under a probe header (wire.h) and is never a
 * frame.  A request carries the sender's sequence number and send time;
 * the peer answers with a reply that echoes both and says how many bytes
 * of body arrived, so that a padded request measures the path's MTU in the
 * direction it was sent.  The same body also carries the in-band channel
 * between two tunneld (ctl/inband.h): a message, numbered, and its
 * acknowledgement.  All fields big-endian:
 *
 *   0  magic   "TDPR" (0x54445052)
 *   4  version 1
 *   5  type    1 request, 2 reply, 3 message, 4 message ack
 *   6  reserved, 0 when sent, ignored
 *   8  seq     the requester's (message sender's) sequence number
 *  12  size    request: body bytes sent; reply: request body bytes
 *              received; message: bytes of message at 32; ack: 0
 *  16  sent    request: the requester's clock in ns (opaque to the
 *              responder); message and ack: the sender's channel epoch
 *  24  reserved, 0 when sent, ignored
 *  32  request: padding (zeros) up to size; message: the message
 *
 * Pure functions over byte buffers, safe from any thread.  probe_parse()
 * takes untrusted bytes.
 */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "drop.h"

#define PROBE_MAGIC 0x54445052u
#define PROBE_VERSION 1

enum probe_type {
	PROBE_REQUEST = 1,
	PROBE_REPLY = 2,
	PROBE_MESSAGE = 3,
	PROBE_ACK = 4,
};

enum { PROBE_BODY_MIN = 32 };

struct probe {
	enum probe_type type;
	uint32_t seq;
	uint32_t size;
	uint64_t sent_ns;
};

/*
 * Write p's body into buf, padded with zeros to len bytes (at least
 * PROBE_BODY_MIN; p->size is ignored and len written instead for a
 * request).  Returns len, or 0 if cap is too small.
 */
size_t probe_build(const struct probe *p, uint8_t *buf, size_t cap, size_t len);
/*
 * A message body: p's header (type, seq, sent) and msg[0..n) after it,
 * into buf; its length, or 0 if cap is too small.
 */
size_t probe_build_message(const struct probe *p, const uint8_t *msg, size_t n,
    uint8_t *buf, size_t cap);
/*
 * Parse a body of len bytes; DROP_NONE or DROP_BAD_PROBE.  A message's
 * bytes are at PROBE_BODY_MIN, p->size of them (checked against len).
 */
enum drop_reason probe_parse(const uint8_t *buf, size_t len, struct probe *p);

#endif
