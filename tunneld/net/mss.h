/*
 * mss.h: TCP MSS clamping in Ethernet frames (clamp-mss).
 *
 * A TCP SYN or SYN-ACK whose MSS option asks for more than a path of
 * inner MTU `mtu` carries (mtu - 40 over IPv4, mtu - 60 over IPv6) gets
 * that MSS instead, with the TCP checksum updated incrementally (RFC
 * 1624), so that the endpoints never send segments the tunnel cannot
 * carry.  Handles one 802.1Q/802.1ad tag, IPv4 options, IPv6 hop-by-hop,
 * routing and destination options headers, and any TCP options around the
 * MSS.  The frame's checksums must be complete (not offloaded).  Anything
 * else (not TCP, not a SYN, no MSS option, a malformed header) is left
 * alone.
 *
 * Pure function over the frame's bytes; any thread.  The frame is
 * untrusted: every length is checked before it is read.
 */
#ifndef MSS_H
#define MSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Clamp the frame's MSS to what mtu allows; true if it was rewritten. */
bool mss_clamp(uint8_t *frame, size_t len, unsigned mtu);

#endif
