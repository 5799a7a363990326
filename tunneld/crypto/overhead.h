/*
 * overhead.h: what a tunnel adds on the underlay, in the clear or in ESP.
 *
 * In the clear a packet is the outer IP header, UDP when the
 * encapsulation rides on it, the tunnel (or probe) header, then the
 * payload: a frame or a probe body.  In ESP (RFC 4303 in UDP, RFC 3948)
 * it is the outer IP header, UDP, the ESP header and IV, the transport
 * packet (net/transport.h) padded to a multiple of 4 with the trailer,
 * and the ICV: so the sizes of ESP packets move in steps of 4, and the
 * largest payload within a size depends on the padding.  Pure functions.
 */
#ifndef OVERHEAD_H
#define OVERHEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "net/encap.h"

/* The outer packet that carries len bytes of payload, IP header on. */
size_t overhead_outer_len(enum encap_type, int family, bool probe, bool esp,
    size_t len);
/* The largest payload whose outer packet fits in outer bytes; 0: none. */
size_t overhead_payload_max(enum encap_type, int family, bool probe, bool esp,
    size_t outer);

#endif
