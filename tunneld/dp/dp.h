/*
 * dp.h: the data path: threads that move frames between TAPs and tunnels.
 *
 * One data thread per core.  Each thread owns one queue of every segment's
 * multi-queue TAP, its own SO_REUSEPORT receive sockets and its own send
 * sockets, and blocks in epoll_wait when there is no traffic (no polling).
 * Frames are read and sent in batches (recvmmsg/sendmmsg); nothing on the
 * path allocates, locks or logs without a rate limit.
 *
 * State: the threads read the current struct dp_snapshot; the control thread
 * publishes a new one with dp_publish(), which returns once no thread can
 * still see the old one, so the caller may free it.  A thread passes a
 * quiescent point between batches; it then holds no snapshot and no
 * event of an fd taken out of its epoll set before that point.  Counters are
 * per thread and summed on read; ports and segment slots index them.
 */
#ifndef DP_H
#define DP_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "net/addr.h"
#include "net/drop.h"
#include "net/encap.h"
#include "snapshot.h"

struct port_counters {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t tx_trains;	/* UDP_SEGMENT sends of several datagrams */
	uint64_t mac_moves;	/* MACs that moved to this port */
	uint64_t mac_unlearned; /* source MACs not learned: mac-limit */

	uint64_t probes_answered;    /* the peer's probe requests answered */
	uint64_t probe_replies_lost; /* replies to ours lost: ring full */
	uint64_t drops[DROP_MAX];
};

struct seg_counters {
	uint64_t tap_rx_frames, tap_rx_bytes, tap_tx_frames, tap_tx_bytes;
	uint64_t floods;
	uint64_t tso_frames;  /* GSO super-frames read and cut up */
	uint64_t gro_frames;  /* super-frames written (several segments) */
	uint64_t mss_clamped; /* SYNs whose MSS clamp-mss lowered */
};

/* df = of the outer IPv4 header (IPv6 has no DF: never fragmented). */
enum dp_df {
	DP_DF_SET,     /* always DF (the default) */
	DP_DF_UNSET,   /* never DF: routers may fragment */
	DP_DF_INHERIT, /* DF as the inner IPv4 packet has it (IPv6: DF) */
};

struct dp_params {
	int threads;
	enum dp_df df;
	struct sockaddr_any local4, local6;
	uint16_t port[ENCAP_MAX]; /* listening port of each over UDP */
	uint16_t esp_port;	  /* ESP in UDP (RFC 3948), both ends */
	bool udp_checksum;
	bool over_ip;	  /* raw sockets for those over IP (GRE) */
	bool udp_offload; /* UDP GSO out, UDP GRO in, when the kernel can */
	unsigned busy_poll_us; /* poll this long after traffic, then sleep */
};

struct dp;

/* Open every underlay socket (needs privileges); NULL with *cause. */
struct dp *dp_new(const struct dp_params *, char **cause);
/* Start the threads on the snapshot last published. */
int dp_start(struct dp *, char **cause);
/*
 * Make snap current.  0 with *old the previous snapshot (NULL at first),
 * which no thread can see any more and which the caller frees; -1 if a
 * data thread did not pass a quiescent point within 10 s: *old may still
 * be in use and must be leaked, with everything it refers to.
 */
int dp_publish(struct dp *, struct dp_snapshot *snap, struct dp_snapshot **old);
/* Stop and join the threads, close the sockets; returns the snapshot. */
struct dp_snapshot *dp_stop(struct dp *);
void dp_free(struct dp *);

int dp_threads(const struct dp *);
/* Start or stop polling a segment's TAP queues (one fd per thread). */
int dp_watch_tap(struct dp *, int slot, const int *fds, char **cause);
void dp_unwatch_tap(struct dp *, const int *fds);

/*
 * Sums over threads.  PORT_LOCAL collects the TAP side's drops,
 * PORT_UNKNOWN those of packets no known peer sent.
 */
void dp_port_counters(struct dp *, uint16_t port, struct port_counters *);
void dp_seg_counters(struct dp *, int slot, struct seg_counters *);
/*
 * Start a port's or slot's counters from zero before it is reused (the
 * threads' counters are not touched: reads subtract a baseline).
 */
void dp_reset_port(struct dp *, uint16_t port);
void dp_reset_seg(struct dp *, int slot);
/*
 * Path probes (net/probe.h).  The data threads answer a known peer's
 * requests themselves and keep the replies to ours, with their receive
 * time, until the control thread takes them.  Control thread only.
 */
struct dp_probe_reply {
	uint16_t port;
	uint32_t seq, size;	   /* echoed; size: request bytes that came */
	uint64_t sent_ns, recv_ns; /* dp_clock_ns() at send and receipt */
};
/*
 * Send a probe body to the peer at port (dst, encap) under encap's probe
 * header; 0 or an errno.  Counted in the port's tx counters, as the data
 * threads' probe answers are: rx and tx are what crosses the underlay.
 */
int dp_probe_send(struct dp *, uint16_t port, enum encap_type,
    const struct sockaddr_any *dst, const uint8_t *body, size_t len);
/* Take up to max replies received since the last call; the count. */
int dp_probe_replies(struct dp *, struct dp_probe_reply *out, int max);
/*
 * In-band messages (probe types message and ack, net/probe.h) from known
 * peers, kept like replies for the control thread (ctl/inband.h), within
 * the probe answer rate; a full ring loses them (probe_replies_lost).
 * They are sent with dp_probe_send().
 */
enum { DP_MESSAGE_MAX = 1024, DP_MESSAGE_RING = 32 };
struct dp_message {
	uint16_t port;
	uint8_t type; /* PROBE_MESSAGE or PROBE_ACK */
	uint32_t seq;
	uint64_t epoch;
	uint16_t len;
	uint8_t data[DP_MESSAGE_MAX];
};
int dp_messages(struct dp *, struct dp_message *out, int max);
/*
 * Roaming: an authentic ESP packet (it verified and was new to the
 * replay window) from another address than the peer's ESP address says
 * the peer moved (a new public IP, a NAT rebinding).  The data threads
 * keep such sightings, at most one per port per DP_ROAM_EVERY_MS, for the
 * control thread to move the peer; unauthenticated packets never count.
 */
enum { DP_ROAM_EVERY_MS = 100 };
struct dp_roam {
	uint16_t port;
	struct sockaddr_any from; /* the packet's source, port included */
};
/* Take up to max roams seen since the last call; the count. */
int dp_roams(struct dp *, struct dp_roam *out, int max);

/* The clock probes are timed by (CLOCK_MONOTONIC, ns); any thread. */
uint64_t dp_clock_ns(void);

/*
 * clamp-mss: the inner MTU a segment's SYNs are clamped to (0: its TAP
 * MTU); the control thread sets it as paths change, any time.
 */
void dp_set_mss_mtu(struct dp *, int slot, unsigned mtu);
unsigned dp_mss_mtu(const struct dp *, int slot);
/*
 * The largest inner frame the path to a peer carries (0: not known).  A
 * larger frame bound for it is dropped as oversize, counted against the
 * peer, and the first of each burst logged: it would vanish on the path.
 * The control thread sets it as the path MTU is found, any time.
 */
void dp_set_frame_max(struct dp *, uint16_t port, unsigned len);
unsigned dp_frame_max(const struct dp *, uint16_t port);

/* Which system-call path the threads use, for status, in words. */
const char *dp_describe(const struct dp *);

/* The same as fields. */
struct dp_info {
	int threads;
	int batch;	       /* frames per read or recvmmsg */
	bool udp_gso, udp_gro; /* as probed at start, not as configured */
	unsigned busy_poll_us;
};
void dp_get_info(const struct dp *, struct dp_info *);

#endif
