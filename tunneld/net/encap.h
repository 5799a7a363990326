/*
 * encap.h: the encapsulations, one ops table each (see wire.h for formats).
 *
 * Everything that differs between VXLAN, GRE and GRE-in-UDP is a field of
 * its struct encap_ops: the name the config and the control socket use,
 * whether it rides on UDP (and its default port) or directly on IP, the
 * header it builds and how it parses one.  Other layers ask the table and
 * never switch on the type.
 *
 * Pure functions over byte buffers: no state, no allocation, no system
 * calls, safe from any thread.  Parsers take untrusted bytes, read them only
 * through a cursor and return DROP_NONE or the reason the packet is bad; on
 * success they point the result at the inner Ethernet frame inside the input.
 */
#ifndef ENCAP_H
#define ENCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drop.h"
#include "wire.h"

enum encap_type {
	ENCAP_VXLAN = 0,
	ENCAP_GRE,    /* GRE over IP protocol 47 */
	ENCAP_GREUDP, /* GRE-in-UDP, RFC 8086 */
	ENCAP_MAX
};

/* What carries the tunnel header on the underlay. */
enum encap_transport {
	ENCAP_OVER_UDP, /* a UDP payload, to a port */
	ENCAP_OVER_IP,	/* an IP payload (raw socket), protocol ip_proto */
};

/* What a tunnel packet carries (wire.h). */
enum wire_kind {
	WIRE_FRAME, /* a frame of a segment */
	WIRE_PROBE, /* a path probe's body (probe.h) */
	WIRE_TEST,  /* a frame of a throughput test's segment */
};

/*
 * A parsed tunnel packet: a frame of segment vni, a path probe whose body
 * (probe.h, not yet checked) frame points at, or a frame of test vni.
 */
struct decap {
	enum wire_kind kind;
	uint32_t vni; /* frames: the segment's; tests: the test's id */
	const uint8_t *frame;
	size_t frame_len;
};

struct encap_ops {
	const char *name;  /* "vxlan", "gre", "gre-udp" */
	const char *title; /* "VXLAN", "GRE", "GRE-in-UDP" */
	enum encap_transport transport;
	uint16_t default_port; /* UDP destination; 0 over IP */
	uint8_t ip_proto;      /* over IP only */
	size_t hdr_len;	       /* bytes build() and build_test() write */
	/* Write the tunnel header (not UDP or IP) for vni; returns hdr_len. */
	size_t (*build)(uint32_t vni, uint8_t *hdr);
	/* The same for a frame of test id (wire.h). */
	size_t (*build_test)(uint32_t id, uint8_t *hdr);
	/* Write the header of a probe (wire.h); returns its length. */
	size_t (*build_probe)(uint8_t *hdr);
	/* Parse the header and find the inner frame (UDP or IP payload). */
	enum drop_reason (*decap)(const uint8_t *, size_t, struct decap *);
};

/* The ops of an encapsulation; t must be below ENCAP_MAX. */
const struct encap_ops *encap_ops(enum encap_type t);
/*
 * The bytes before the inner frame (or a probe's body) on the underlay:
 * outer IP header (20 for AF_INET, 40 for AF_INET6), UDP when the
 * encapsulation rides on it, and the tunnel or probe header.
 */
size_t encap_outer_len(enum encap_type t, int family, bool probe);
/* The tunnel header of kind (vni: a segment's or a test's); its length. */
size_t encap_build(enum encap_type t, enum wire_kind kind, uint32_t vni,
    uint8_t *hdr);
/* Parse "vxlan", "gre" or "gre-udp"; -1 if none. */
int encap_parse(const char *);

/* The tables, in vxlan.c and gre.c. */
extern const struct encap_ops encap_vxlan, encap_gre, encap_greudp;

/* Parse a VXLAN header and the inner frame behind it (UDP payload). */
enum drop_reason vxlan_decap(const uint8_t *, size_t, struct decap *);
/* Parse a GRE header (raw IP payload or GRE-in-UDP payload). */
enum drop_reason gre_decap(const uint8_t *, size_t, struct decap *);
/* The payload of protocol proto in an IPv4 packet from a raw socket. */
enum drop_reason ip4_payload(const uint8_t *, size_t, uint8_t proto,
    const uint8_t **payload, size_t *payload_len);

/*
 * Whether an inner frame forbids fragmenting what carries it (df =
 * inherit): IPv4 with DF, and IPv6 (never fragmented on the path); true
 * for anything else too, which has no say.
 */
bool frame_forbids_fragments(const uint8_t *frame, size_t len);

/* Hash of the inner flow (MACs, IPs, L4 ports) for ECMP entropy. */
uint32_t flow_hash(const uint8_t *frame, size_t len);

#endif
