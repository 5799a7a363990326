/*
 * transport.h: the transport packet ESP carries for an encrypted peer.
 *
 * ESP in transport mode (RFC 4303) protects what the plaintext tunnel
 * would have put after the outer IP header: for the encapsulations over
 * UDP a UDP header (flow-hashed source port, the tunnel's destination
 * port) and the tunnel header, next header 17; for GRE the GRE header,
 * next header 47.  So a Linux XFRM transport-mode SA with UDP
 * encapsulation that protects the same VXLAN or GRE traffic is a peer.
 *
 * The inner UDP checksum: 0 over IPv4 (RFC 768 allows it), the real one
 * over IPv6 when the addresses are known (RFC 8200 8.1 requires one, and
 * Linux drops a zero there); a receiver does not check it, the ICV
 * covers the bytes (RFC 3948 3.1.2).  Pure functions, any thread.
 */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drop.h"
#include "encap.h"

enum {
	TRANSPORT_HDR_MAX = UDP_HDR_LEN + ENCAP_HDR_MAX,
	IPPROTO_UDP_ = 17, /* IPPROTO_GRE_ is wire.h's */
};

/*
 * Write the transport header of a packet of encap and kind
 * whose tunnel payload is payload_len bytes, for UDP destination port
 * dport and a source port from hash, into out; its length, with the next
 * header in *nh.  The UDP checksum is left 0 (transport_udp6_csum).
 */
size_t transport_build(enum encap_type, enum wire_kind, uint32_t vni,
    uint32_t hash, uint16_t dport, size_t payload_len, uint8_t *out,
    uint8_t *nh);
/*
 * Fill in the UDP checksum of a transport header over IPv6 (src and dst:
 * 16 bytes each), given the tunnel payload that follows it.
 */
void transport_udp6_csum(uint8_t *hdr, const uint8_t *src, const uint8_t *dst,
    const uint8_t *payload, size_t payload_len);
/*
 * Check a transport packet (next header nh, len bytes) against what the
 * peer sends (encap; over UDP to dport) and point *tun at its tunnel
 * header; DROP_NONE or why not.
 */
enum drop_reason transport_parse(uint8_t nh, const uint8_t *p, size_t len,
    enum encap_type, uint16_t dport, const uint8_t **tun, size_t *tun_len);

#endif
