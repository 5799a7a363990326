/*
 * cc_msg.h: the messages of the control connection between two tunneld.
 *
 * Inside TLS the connection is a stream of frames, each a 4-byte header
 * (the protocol version, the message type, the body's length as a 16-bit
 * big-endian number) and a body of at most CC_MSG_MAX bytes: a JSON
 * object.  A frame of another version, a body that is not one JSON object
 * or a length over the maximum is a protocol error: the connection is
 * closed with a CC_ERROR saying why.  A type this version does not know
 * is counted and skipped, so later versions can add messages that older
 * peers ignore; what a peer can do is in its hello's capabilities.
 *
 *   type           body
 *   1 hello        node, role, version (software), proto, cipher,
 *                  capabilities [], segments [{name, vni}]
 *   2 keepalive    {}
 *   3 rekey        epoch: the initiator installed its inbound SA of epoch
 *   4 rekey-ack    epoch: the responder installed both, sends on it
 *   5 rekey-nak    epoch, reason: not installed (try the next epoch)
 *   6 error        reason: said before closing
 *   7 perf-request id, proto, time_ms, streams, size, bitrate, reverse,
 *                  underlay, port: a throughput test (perf.h)
 *   8 perf-reply   id, ok, port or reason
 *   9 perf-report  id, report: the answering end's runner's reports
 *  10 perf-stop    id, reason: "done" (the sender finished) or why not
 *
 * Pure functions: any thread.
 */
#ifndef CC_MSG_H
#define CC_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum {
	CC_PROTO = 1, /* the header's version */
	CC_HDR = 4,
	CC_MSG_MAX = 8192,
	CC_MAX_SEGMENTS = 64,
};

enum cc_type {
	CC_HELLO = 1,
	CC_KEEPALIVE,
	CC_REKEY,
	CC_REKEY_ACK,
	CC_REKEY_NAK,
	CC_ERROR,
	CC_PERF_REQUEST,
	CC_PERF_REPLY,
	CC_PERF_REPORT,
	CC_PERF_STOP,
	CC_TYPE_MAX,
};

/* Capabilities, as bits here and names in the hello. */
enum cc_cap {
	CC_CAP_ESP = 1 << 0,   /* ESP SAs from the exporter, rekeying */
	CC_CAP_PROBE = 1 << 1, /* answers in-band probes */
	CC_CAP_PERF = 1 << 2,  /* runs throughput tests (perf-*) */
};

struct cc_hello {
	char node[64];
	bool hub;
	char version[32];
	unsigned proto;
	char cipher[32];
	unsigned caps; /* the known ones */
	int nsegments;
	struct {
		char name[64];
		uint32_t vni;
	} segments[CC_MAX_SEGMENTS];
};

/* "hello", "keepalive", ...; "unknown" for others. */
const char *cc_type_name(int type);
/* Append one frame of type with body (NULL: {}) to out. */
void cc_msg_encode(struct buf *out, int type, const json_t *body);

enum cc_decoded { CC_MSG_MORE, CC_MSG_OK, CC_MSG_BAD };
/*
 * Read the frame at p[0..len): CC_MSG_MORE (not all here yet), CC_MSG_OK
 * (*used bytes, *type, *body: the caller's to json_decref) or CC_MSG_BAD
 * with *why.
 */
enum cc_decoded cc_msg_decode(const uint8_t *p, size_t len, size_t *used,
    int *type, json_t **body, const char **why);

json_t *cc_hello_json(const struct cc_hello *);
/* 0, or -1 with *why (a field missing or out of its bounds). */
int cc_hello_parse(const json_t *, struct cc_hello *, const char **why);
/* An epoch of a rekey message: 0, or -1 with *why. */
int cc_epoch_parse(const json_t *, uint32_t *epoch, const char **why);

/* A perf-request's body, bounded as the control socket's request is. */
struct cc_perf_request {
	uint32_t id; /* 1 .. 2^24 - 1 */
	bool udp, reverse, underlay;
	unsigned time_ms, streams, size, interval_ms;
	long long bitrate;
	int port;      /* the requester's receiver (reverse only), else 0 */
	uint32_t pair; /* --bidir: the other direction's id, or 0 */
};
/* 0, or -1 with *why; *id is the request's id whenever it has one. */
int cc_perf_request_parse(const json_t *, struct cc_perf_request *,
    const char **why);

#endif
