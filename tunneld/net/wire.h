/*
 * wire.h: the tunnel headers tunneld puts on the wire.
 *
 * VXLAN (RFC 7348) over UDP, GRE (RFC 2784 with the RFC 2890 key) carrying
 * Transparent Ethernet Bridging (0x6558) over IP protocol 47, and GRE-in-UDP
 * (RFC 8086).  The GRE key carries the segment as NVGRE does (RFC 7637): the
 * 24-bit VSID in the upper bits and an 8-bit FlowID, which tunneld sends as 0
 * (so that a gretap configured with key VNI<<8 interoperates) and ignores on
 * receipt.
 *
 * Probes (probe.h) travel with the same encapsulation, addresses and ports
 * as the frames, under a header that a standard peer discards: VXLAN with
 * the I flag clear (flags 0x00, reserved "TDP", VNI field 0), which Linux's
 * vxlan refuses; GRE without key, checksum or sequence number and with
 * protocol 0x88B5 (IEEE local experimental EtherType), which no gretap
 * takes for a frame.  Neither ever reaches a segment.
 *
 * Throughput-test frames (a test's own segment between two tunneld, never
 * a pod's) look like frames under a header of their own, the same size as
 * a frame's: VXLAN with the I flag clear and reserved "TDT", the test's
 * 24-bit id where the VNI goes; GRE with the key (the id as the VSID) and
 * protocol 0x88B6 (the second local experimental EtherType).  A standard
 * peer refuses both, as it does probes.
 *
 * Bump WIRE_VERSION whenever anything here changes.
 */
#ifndef WIRE_H
#define WIRE_H

#define WIRE_VERSION 3

enum wire_sizes {
	ETHER_HDR_LEN = 14,
	ETHER_ADDR_LEN_ = 6,
	VXLAN_HDR_LEN = 8,
	GRE_BASE_LEN = 4,
	GRE_OPT_LEN = 4,      /* each of checksum, key, sequence */
	GRE_KEY_HDR_LEN = 8,  /* what tunneld sends: base + key */
	GRE_MAX_HDR_LEN = 16, /* base + checksum + key + sequence */
	GRE_PROBE_HDR_LEN = GRE_BASE_LEN,
	UDP_HDR_LEN = 8,
	IPV4_HDR_MIN = 20,
	IPV6_HDR_LEN = 40,
	ENCAP_HDR_MAX = 16, /* largest header tunneld itself builds */
	FRAME_MAX = 65535,  /* largest inner frame a buffer holds */
};

/* Macros, not enum constants: the config's key table spells them. */
#define VXLAN_DEFAULT_PORT 4789	 /* IANA, RFC 7348 */
#define GREUDP_DEFAULT_PORT 4754 /* IANA, RFC 8086 */

/* VXLAN: flags(8) reserved(24) VNI(24) reserved(8). */
#define VXLAN_FLAG_I 0x08
#define VXLAN_PROBE_WORD0 0x00544450u /* flags 0, reserved "TDP" */
#define VXLAN_TEST_WORD0 0x00544454u  /* flags 0, reserved "TDT" */

/* GRE: C R K S reserved0(9) version(3), then protocol type. */
#define GRE_FLAG_C 0x8000
#define GRE_FLAG_K 0x2000
#define GRE_FLAG_S 0x1000
#define GRE_VERSION_MASK 0x0007
#define GRE_PROTO_TEB 0x6558
#define GRE_PROTO_PROBE 0x88b5 /* local experimental (RFC 7042) */
#define GRE_PROTO_TEST 0x88b6  /* local experimental 2 */
#define IPPROTO_GRE_ 47

#define VNI_MAX 0xffffffu
#define VNI_MASK 0xffffffu

#endif
