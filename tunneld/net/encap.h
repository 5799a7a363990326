/*
 * encap.h: building and parsing tunnel headers (see wire.h for formats).
 *
 * Pure functions over byte buffers: no state, no allocation, no system
 * calls, safe from any thread.  Parsers take untrusted bytes, read them only
 * through a cursor and return DROP_NONE or the reason the packet is bad; on
 * success they point the result at the inner Ethernet frame inside the input.
 */
#ifndef ENCAP_H
#define ENCAP_H

#include <stddef.h>
#include <stdint.h>

#include "drop.h"
#include "wire.h"

enum encap_type {
	ENCAP_VXLAN = 0,
	ENCAP_GRE,	/* GRE over IP protocol 47 */
	ENCAP_GREUDP,	/* GRE-in-UDP, RFC 8086 */
	ENCAP_MAX
};

struct decap {
	uint32_t vni;
	const uint8_t *frame;
	size_t frame_len;
};

/* Name of an encapsulation as the config and control socket spell it. */
const char *encap_name(enum encap_type);
/* Parse "vxlan", "gre" or "gre-udp"; -1 if none. */
int encap_parse(const char *);
/* Bytes encap_header() writes for this type. */
size_t encap_header_len(enum encap_type);
/* Write the tunnel header (not UDP or IP) for vni; returns its length. */
size_t encap_header(enum encap_type, uint32_t vni, uint8_t *hdr);

/* Parse a VXLAN header and the inner frame behind it (UDP payload). */
enum drop_reason vxlan_decap(const uint8_t *, size_t, struct decap *);
/* Parse a GRE header (raw IP payload or GRE-in-UDP payload). */
enum drop_reason gre_decap(const uint8_t *, size_t, struct decap *);
/* Find the GRE payload of an IPv4 packet as a raw socket delivers it. */
enum drop_reason ip4_gre_payload(const uint8_t *, size_t,
    const uint8_t **payload, size_t *payload_len);

/* Hash of the inner flow (MACs, IPs, L4 ports) for ECMP entropy. */
uint32_t flow_hash(const uint8_t *frame, size_t len);
/* UDP source port for a flow hash, in the RFC 7348 range. */
uint16_t entropy_port(uint32_t hash);

#endif
