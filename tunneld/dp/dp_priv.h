/*
 * dp_priv.h: data path internals shared by dp.c (life cycle, counters) and
 * dp_io.c (the packet handlers).  Not for other modules.
 */
#ifndef DP_PRIV_H
#define DP_PRIV_H

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "crypto/sa.h"
#include "dp.h"
#include "net/encap.h"
#include "net/gro.h"
#include "net/offload.h"
#include "log.h"
#include "net/tbucket.h"
#include "spsc.h"
#include "net/wire.h"

enum dp_limits {
	DP_BATCH = 32,		/* frames per read or recvmmsg */
	DP_TXQ = 256,		/* messages per sendmmsg */
	DP_ENTROPY_SOCKS = 4,	/* send sockets per kind: source ports */
	DP_BUF = FRAME_MAX + 1, /* one frame or datagram */
	DP_TBUF = VNET_HDR_LEN + DP_BUF, /* a TAP read, header included */
	DP_TAP_BATCH = 8,     /* TAP reads per batch with offloads (64 KB) */
	DP_SBUF = 1 << 20,    /* segments cut from super-frames, per batch */
	DP_GSO_SEGS = 64,     /* datagrams per UDP_SEGMENT send (kernel cap) */
	DP_GSO_BYTES = 65000, /* payload per UDP_SEGMENT send */
	DP_EVENTS = 64,

	DP_PROBE_RATE = 50,  /* probe answers a second, per peer and thread */
	DP_PROBE_RING = 256, /* probe replies a thread keeps until drained */
	DP_ROAM_RING = 16,   /* roams a thread keeps until drained */
	DP_BURST_GAP_MS = 1000, /* quiet that ends a burst of oversize frames */
	DP_EBUF = 1 << 20, /* sealed ESP packets until flushed, per batch */
	/* One packet sealed: inner UDP, tunnel header, datagram, ESP. */
	DP_PBUF = DP_BUF + UDP_HDR_LEN + ENCAP_HDR_MAX + ESP_OVERHEAD_MAX,
};

enum dp_family { DF_V4, DF_V6, DF_MAX };
/* ESP sockets: by family, and IPv4 without DF (df = unset / inherit). */
enum { DE_FRAG = DF_MAX, DE_MAX };
enum dp_event { EV_WAKE = 1, EV_UDP, EV_RAW, EV_TAP, EV_ESP };

#define EV_MAKE(type, a, b)                                                    \
	((uint64_t)(type) << 56 | (uint64_t)(a) << 32 | (uint32_t)(b))
#define EV_TYPE(u) ((int)((u) >> 56))
#define EV_A(u) ((int)(((u) >> 32) & 0xffffff))
#define EV_B(u) ((int)(uint32_t)(u))

/*
 * Messages waiting for one sendmmsg on one socket.  On a UDP socket with
 * GSO, a flush joins runs of them into UDP_SEGMENT trains: train t sends
 * messages first[t] .. first[t + 1] - 1, whose iovecs lie side by side.
 */
struct txq {
	int fd;
	bool gso;
	int n;
	struct mmsghdr msg[DP_TXQ];
	struct iovec iov[DP_TXQ][2];
	uint8_t hdr[DP_TXQ][ENCAP_HDR_MAX];
	uint16_t port[DP_TXQ];
	struct mmsghdr train[DP_TXQ];
	int first[DP_TXQ + 1];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(uint16_t))];
	} ctl[DP_TXQ];
};

/* Probe replies and roams (spsc.h): this thread produces, control takes. */
struct probe_ring {
	struct spsc r;
	struct dp_probe_reply v[DP_PROBE_RING];
};

struct message_ring {
	struct spsc r;
	struct dp_message v[DP_MESSAGE_RING];
};

struct roam_ring {
	struct spsc r;
	struct dp_roam v[DP_ROAM_RING];
};

struct dp_thread {
	struct dp *dp;
	int id;
	pthread_t tid;
	int epfd, wakefd;
	int rx_fd[DF_MAX][ENCAP_MAX]; /* UDP receive sockets, or -1 */
	struct txq *txq[DF_MAX][ENCAP_MAX][DP_ENTROPY_SOCKS];
	/* df = unset / inherit: IPv4 queues whose packets carry no DF. */
	struct txq *txq_frag[ENCAP_MAX][DP_ENTROPY_SOCKS];
	uint64_t seen_gen;	  /* atomic: gen this thread runs on */
	struct port_counters *pc; /* [DP_MAX_PORTS] */
	struct seg_counters sc[DP_MAX_SLOTS];
	struct tbucket *tb_port; /* [DP_MAX_PORTS] flood limits */
	struct tbucket tb_local[DP_MAX_SLOTS];

	struct tbucket *tb_probe; /* [DP_MAX_PORTS] probe answers */
	uint64_t *oversize_ms;	  /* [DP_MAX_PORTS] last oversize frame */
	struct probe_ring probe_ring;
	struct message_ring message_ring;
	uint64_t *roam_ms; /* [DP_MAX_PORTS] last roam kept */
	struct roam_ring roam_ring;

	struct mmsghdr rmsg[DP_BATCH];
	struct iovec riov[DP_BATCH];
	union { /* SO_RXQ_OVFL count, UDP_GRO size */
		struct cmsghdr align;
		char
		    buf[CMSG_SPACE(sizeof(uint32_t)) + CMSG_SPACE(sizeof(int))];
	} rctl[DP_BATCH];
	uint32_t rx_ovfl[DF_MAX][ENCAP_MAX]; /* last count per socket */
	struct sockaddr_storage rname[DP_BATCH];
	uint8_t *rbuf; /* DP_BATCH * DP_BUF, datagrams */
	uint8_t *tbuf; /* DP_BATCH * DP_TBUF, TAP frames */
	uint8_t *sbuf; /* DP_SBUF: segments until flushed */
	size_t sbuf_used;
	struct tso_seg segs[TSO_MAX_SEGS];
	int esp_fd[DE_MAX];	     /* ESP in UDP: receive and send, or -1 */
	struct txq *txq_esp[DE_MAX]; /* sealed packets, from ebuf */
	uint32_t esp_ovfl[DE_MAX];
	uint8_t *ebuf; /* DP_EBUF */
	size_t ebuf_used;
	uint8_t *pbuf;	/* DP_PBUF: a probe answer, sealed */
	struct gro gro; /* frame pending for a TAP */
	int gro_slot;
	uint16_t gro_port;
	const struct dp_snapshot *snap; /* for this batch */
	uint64_t now_ms;
	uint32_t now_s;
	struct log_rate log_rate;
};

struct dp {
	struct dp_params p;
	int nthreads;
	struct dp_thread *th[DP_MAX_THREADS];
	int raw_fd[DF_MAX][ENCAP_MAX]; /* over IP: all send, thread 0 reads */
	int raw_frag_fd[ENCAP_MAX];    /* IPv4, no DF, send only; or -1 */
	struct dp_snapshot *snap;      /* atomic */
	uint64_t gen;		       /* atomic */
	int quit;		       /* atomic */
	bool started;
	bool gso, gro; /* UDP_SEGMENT out, UDP_GRO in */
	/* Counter sums at the last reset (control thread only). */
	struct port_counters *pc_base; /* [DP_MAX_PORTS] */
	struct port_counters *ctl_pc;  /* [DP_MAX_PORTS]: probes it sends */
	struct seg_counters sc_base[DP_MAX_SLOTS];
	unsigned mss_mtu[DP_MAX_SLOTS]; /* atomic: dp_set_mss_mtu */
	unsigned *frame_max;		/* [DP_MAX_PORTS], atomic */
	uint8_t *ctl_pbuf;		/* DP_PBUF: a probe of ours, sealed */
	char describe[192];
};

/* Add n to a counter only this thread writes; readers load relaxed. */
static inline void
ctr_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* Count a drop against the port a packet came in on (or went out to). */
static inline void
dp_drop_n(struct dp_thread *th, uint16_t port, enum drop_reason r, uint64_t n)
{
	ctr_add(&th->pc[port].drops[r], n);
}

static inline void
dp_drop(struct dp_thread *th, uint16_t port, enum drop_reason r)
{
	dp_drop_n(th, port, r, 1);
}

/*
 * dp_tx.c: queue a frame of seg to peer `port` (it must live until the
 * flush), and send everything queued.
 */
void dp_tx_queue(struct dp_thread *, const struct dp_snapshot *,
    const struct dp_segment *, uint16_t port, const uint8_t *frame, size_t len,
    uint32_t hash);
void dp_tx_flush_all(struct dp_thread *);

/*
 * dp_tap.c: deliver a frame from the tunnel to seg's TAP (joined to the
 * pending super-frame when it continues it), and write what is pending.
 */
void dp_tap_deliver(struct dp_thread *, const struct dp_segment *, uint16_t in,
    const uint8_t *frame, size_t len);
void dp_tap_flush(struct dp_thread *);

/*
 * dp_fwd.c: forward a frame that entered seg at port `in`; the n segments
 * of one super-frame from the TAP (th->segs) as one.  With clamp-mss,
 * dp_forward() may rewrite a SYN in place: frame must lie in the thread's
 * own buffers.
 */
void dp_forward(struct dp_thread *, const struct dp_snapshot *,
    const struct dp_segment *, uint16_t in, const uint8_t *frame, size_t len);
void dp_forward_segments(struct dp_thread *, const struct dp_snapshot *,
    const struct dp_segment *, int n);

/*
 * dp_esp.c: ESP in UDP.  Open a thread's ESP sockets of a family (and
 * close them all); read a batch from one; queue a frame (of kind, with
 * vni: a segment's or a test's) to an
 * encrypted peer (sealed at once into the thread's ebuf); send what is
 * queued; send one probe (header + body) to an encrypted peer with SA
 * context ctx from the thread's socket, sealed in buf (DP_PBUF bytes).
 */
int dp_esp_open(struct dp *, struct dp_thread *, enum dp_family, char **cause);
void dp_esp_close(struct dp_thread *);
void dp_io_esp(struct dp_thread *, const struct dp_snapshot *, int which,
    int fd);
void dp_esp_queue(struct dp_thread *, const struct dp_peer *, enum wire_kind,
    uint32_t vni, const uint8_t *frame, size_t len, uint32_t hash, bool frag);
void dp_esp_flush(struct dp_thread *);
int dp_esp_send_probe(struct dp_thread *, int ctx, const struct dp_peer *,
    const uint8_t *body, size_t len, uint8_t *buf, struct port_counters *);

/*
 * Take up to max entries of size bytes from one ring of every thread (the
 * ring and its entries at those offsets in struct dp_thread) into out;
 * how many.  Control thread only (the rings' one consumer).
 */
int dp_drain(struct dp *, size_t ring, size_t entries, size_t size,
    uint32_t cap, void *out, int max);

/* dp_probe.c: a probe body from a known peer (answer or keep the reply). */
void dp_rx_probe(struct dp_thread *, const struct dp_peer *,
    const uint8_t *body, size_t len);

/*
 * dp_rx.c, shared with dp_esp.c: log a packet from a stranger (rate
 * limited); the kernel's drop count of a batch; recvmmsg a batch into
 * the thread's buffers (count or -1); a UDP_GRO train's datagram size (0:
 * one datagram); call fn on each datagram of a batch of n; and deliver
 * a tunnel packet (the tunnel header on) from a known peer.
 */
typedef void (*dp_datagram_fn)(struct dp_thread *, const struct dp_snapshot *,
    int kind, const struct sockaddr *, uint8_t *, size_t, bool truncated);
void dp_log_stranger(struct dp_thread *, const struct sockaddr *,
    const char *what);
void dp_rx_overflow(struct dp_thread *, int n, uint32_t *last);
int dp_rx_batch(struct dp_thread *, int fd);
size_t dp_gro_size(struct msghdr *);
void dp_rx_datagrams(struct dp_thread *, const struct dp_snapshot *, int n,
    dp_datagram_fn fn, int kind);
void dp_rx_from_peer(struct dp_thread *, const struct dp_snapshot *,
    const struct dp_peer *, enum encap_type, const uint8_t *buf, size_t len);

/* dp.c: watch fd in an epoll set with data; 0 or -1. */
int dp_epoll_add(int epfd, int fd, uint64_t data);

/* dp_tx.c, shared with dp_esp.c: send everything queued on q. */
void dp_txq_flush(struct dp_thread *, struct txq *q);

/* Handle one ready fd; each call is one batch (dp_tap.c, dp_rx.c). */
void dp_io_tap(struct dp_thread *, const struct dp_snapshot *, int slot,
    int fd);
void dp_io_udp(struct dp_thread *, const struct dp_snapshot *, enum dp_family,
    enum encap_type, int fd);
void dp_io_raw(struct dp_thread *, const struct dp_snapshot *, enum dp_family,
    enum encap_type, int fd);

#endif
