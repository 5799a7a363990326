/*
 * offload.h: TCP segmentation offload done in userspace (TAP -> tunnel).
 *
 * With IFF_VNET_HDR and TUNSETOFFLOAD the kernel hands the TAP's reader
 * frames of up to 64 KB with a virtio_net_hdr in front: "this TCP
 * super-frame still needs cutting into gso_size segments" and/or "this
 * checksum is still to be filled".  vnet_parse() checks such a header
 * against the frame (bad ones are dropped and counted, never trusted);
 * offload_finish() completes a frame that needs only its checksum;
 * tso_segment() cuts a super-frame into wire-ready frames, each with
 * correct IPv4 ids and checksums, TCP sequence numbers, flags (FIN and PSH
 * on the last only, CWR on the first only) and checksums.
 *
 * Pure functions on caller buffers; data threads call them per frame.
 */
#ifndef OFFLOAD_H
#define OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "drop.h"
#include "wire.h"

/* struct virtio_net_hdr, in host byte order (legacy TAP layout). */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

enum {
	VNET_HDR_LEN = 10,
	VNET_F_NEEDS_CSUM = 1,
	VNET_F_DATA_VALID = 2,
	VNET_GSO_NONE = 0,
	VNET_GSO_TCPV4 = 1,
	VNET_GSO_TCPV6 = 4,
	VNET_GSO_ECN = 0x80,
	TSO_MAX_SEGS = 256,
	TSO_MAX_HDR = ETHER_HDR_LEN + 60 + 60,	/* Ethernet, IPv4, TCP */
	TCP_FIN = 0x01,
	TCP_SYN = 0x02,
	TCP_RST = 0x04,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_URG = 0x20,
	TCP_ECE = 0x40,
	TCP_CWR = 0x80,
};

/* Where the headers of an Ethernet + IPv4/IPv6 + TCP frame end. */
struct tcp_frame {
	size_t l4;		/* offset of the TCP header */
	size_t hl;		/* offset of the payload */
	size_t payload;		/* payload bytes */
	int v6;
};

/* Parse an untagged Ethernet frame carrying IPv4 (no fragment) or IPv6
 * (TCP as next header) and TCP; 0 or -1. */
int tcp_frame_parse(const uint8_t *frame, size_t len, struct tcp_frame *);

/* Read and check the header at buf; frame follows at buf + VNET_HDR_LEN. */
enum drop_reason vnet_parse(const uint8_t *buf, size_t len,
    struct vnet_hdr *);
/* Fill the checksum a non-GSO frame still needs (NEEDS_CSUM). */
void offload_finish(uint8_t *frame, size_t len, const struct vnet_hdr *);

struct tso_seg {
	uint8_t *frame;
	size_t len;
};

/*
 * Cut a GSO super-frame (checked by vnet_parse) into segments written to
 * out (cap bytes).  Returns the number of segments, or -1 if out or
 * TSO_MAX_SEGS is too small, or the frame is not TCP as the header said.
 */
int tso_segment(const uint8_t *frame, size_t len, const struct vnet_hdr *,
    uint8_t *out, size_t cap, struct tso_seg *segs);
/* Bytes tso_segment() needs in out for a frame of len bytes. */
size_t tso_space(size_t len, uint16_t gso_size);

#endif
