/*
 * probe.h: the body of a path probe between two tunneld (wire format 2).
 *
 * A probe rides in the tunnel under a probe header (wire.h) and is never a
 * frame.  A request carries the sender's sequence number and send time;
 * the peer answers with a reply that echoes both and says how many bytes
 * of body arrived, so that a padded request measures the path's MTU in the
 * direction it was sent.  All fields big-endian:
 *
 *   0  magic   "TDPR" (0x54445052)
 *   4  version 1
 *   5  type    1 request, 2 reply
 *   6  reserved, 0 when sent, ignored
 *   8  seq     the requester's sequence number
 *  12  size    request: body bytes sent; reply: request body bytes received
 *  16  sent    the requester's clock in ns (opaque to the responder)
 *  24  reserved, 0 when sent, ignored
 *  32  padding (zeros) up to size
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

enum probe_type { PROBE_REQUEST = 1, PROBE_REPLY = 2 };

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
/* Parse a body of len bytes; DROP_NONE or DROP_BAD_PROBE. */
enum drop_reason probe_parse(const uint8_t *buf, size_t len, struct probe *p);

#endif
