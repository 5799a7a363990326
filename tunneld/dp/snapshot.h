/*
 * snapshot.h: the immutable forwarding state the data threads read.
 *
 * A snapshot holds the segments (by stable slot and by VNI) and the peers (by
 * stable port and by encapsulation + outer source address).  The control
 * thread builds a new one on start and on every reload and publishes it
 * (dp_publish); data threads load the current pointer once per batch and
 * never write to it.  Objects that outlive a snapshot (MAC tables, TAP fds)
 * are referenced, not owned.
 *
 * Build: snap_new(), snap_segment_new()/snap_peer_new() and fill in what
 * they return, snap_finish().
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/sa.h"
#include "limits.h"
#include "net/addr.h"
#include "net/encap.h"
#include "net/fwd.h"

/*
 * A peer.  An encrypted one (encrypt) sends and takes only ESP in UDP to
 * esp_addr: its transport packet (the UDP header to addr's port and the
 * tunnel header, or the GRE header) is sealed with sa_out and opened with
 * sa_in (found by SPI); plaintext from it is dropped.  While a rekey
 * drains, sa_in_prev (the SA before sa_in) still opens the packets the
 * peer sealed before it switched.  The SAs belong to
 * the runtime and outlive the snapshot; NULL with encrypt means no usable
 * SA, and everything to and from the peer is dropped.  src is this host's
 * address towards it (for the inner UDP checksum over IPv6; 0: unknown).
 */
struct dp_peer {
	uint16_t port;
	enum encap_type encap;
	struct sockaddr_any addr;
	uint64_t seg_mask; /* bit = segment slot */
	char name[DP_NAME_MAX];
	bool encrypt;
	struct sa_out *sa_out;
	struct sa_in *sa_in;
	struct sa_in *sa_in_prev; /* NULL: none draining */
	struct sockaddr_any esp_addr;
	struct sockaddr_any src;
	/* Its throughput tests' (two: both ways at once), or NULL. */
	const struct dp_segment *test[DP_TESTS_PER_PEER];
};

/*
 * A segment: a configured one (slots below DP_MAX_SEGMENTS), or a
 * throughput test's (test_port set, a slot from DP_MAX_SEGMENTS on): its
 * TAP is the test's, its one member the peer at test_port, and its frames
 * travel under the test header (wire.h) with vni the test's id.  Test
 * segments are never found by VNI; snap_finish() points their peer's
 * test[] at them.
 */
struct dp_segment {
	int slot;
	uint16_t test_port;
	uint32_t vni;
	int mtu;
	bool vnet;	/* TAP queues carry virtio-net headers */
	bool clamp_mss; /* clamp SYNs (dp_set_mss_mtu) */
	int tap_fd[DP_MAX_THREADS];
	struct fwd_segment fwd; /* mactab, member ports, relay */
	uint16_t *ports;	/* storage behind fwd.peer_ports */
	char name[DP_NAME_MAX];
};

struct dp_snapshot {
	uint32_t flood_rate, flood_burst;
	bool relay;
	struct dp_segment *segs[DP_MAX_SLOTS]; /* by slot */
	struct dp_peer *peers[DP_MAX_PORTS];   /* by port */
	uint32_t *peer_hash;		       /* open addressing: port or 0 */
	uint32_t peer_hash_mask;
	uint32_t *spi_hash; /* by SPI: port | 1 << 16 for sa_in_prev, or 0 */
	uint32_t spi_hash_mask;
};

struct dp_snapshot *snap_new(uint32_t flood_rate, uint32_t flood_burst,
    bool relay);
/*
 * A new, zeroed segment in slot, owned by the snapshot, for the caller to
 * fill in before snap_finish().
 */
struct dp_segment *snap_segment_new(struct dp_snapshot *, int slot);
/* A new, zeroed peer at port, likewise. */
struct dp_peer *snap_peer_new(struct dp_snapshot *, uint16_t port);
/* Build the lookup tables; call once after the last add. */
void snap_finish(struct dp_snapshot *);
void snap_free(struct dp_snapshot *);

/* Peer by encapsulation and outer source address, or NULL. */
struct dp_peer *snap_peer_by_addr(const struct dp_snapshot *, enum encap_type,
    const struct sockaddr *);
/*
 * Encrypted peer by the SPI of one of its inbound SAs (sa_in or, while
 * it drains, sa_in_prev: *in says which), or NULL.
 */
struct dp_peer *snap_peer_by_spi(const struct dp_snapshot *, uint32_t spi,
    struct sa_in **in);
/* Configured segment by VNI, or NULL. */
struct dp_segment *snap_segment_by_vni(const struct dp_snapshot *,
    uint32_t vni);

/* How a segment's frames travel: as frames or as a test's. */
static inline enum wire_kind
seg_wire_kind(const struct dp_segment *s)
{
	return s->test_port != 0 ? WIRE_TEST : WIRE_FRAME;
}

#endif
