/*
 * dp_io.c: the packet handlers of a data thread.
 *
 * TAP -> tunnel: read a batch of frames, forward each (fwd.c), queue one
 * message per destination peer (header + frame, no copy), flush with one
 * sendmmsg, runs of equal-sized messages to one peer joined into
 * UDP_SEGMENT trains when the kernel has UDP GSO.  Tunnel -> TAP: recvmmsg a batch, identify the peer by outer
 * source address, parse the header, check the segment, forward: write to the
 * TAP and/or queue to other peers (hub relay).  Every drop is counted by
 * reason against the port it came in on: the peer, PORT_LOCAL for the
 * TAP, or PORT_UNKNOWN when no known peer sent it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dp_priv.h"
#include "net/encap.h"
#include "net/fwd.h"

static void
drop_n(struct dp_thread *th, uint16_t port, enum drop_reason r, uint64_t n)
{
	ctr_add(&th->pc[port].drops[r], n);
}

static void
drop(struct dp_thread *th, uint16_t port, enum drop_reason r)
{
	drop_n(th, port, r, 1);
}

static size_t
txq_len(const struct txq *q, int i)
{
	return q->iov[i][0].iov_len + q->iov[i][1].iov_len;
}

static void
txq_account(struct dp_thread *th, struct txq *q, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		struct port_counters *pc = &th->pc[q->port[i]];
		ctr_add(&pc->tx_packets, 1);
		ctr_add(&pc->tx_bytes, txq_len(q, i));
	}
}

/*
 * A send error at message i: logged (rate-limited) and i dropped with its
 * reason.  True when the socket is full: the caller drops the rest too.
 */
static bool
txq_error(struct dp_thread *th, struct txq *q, int i, int err)
{
	const struct dp_peer *p = th->snap->peers[q->port[i]];
	uint32_t suppressed;

	if (log_rate_allow(&th->log_rate, &suppressed))
		log_warnx("peer %s: send: %s (data thread %d, %u similar"
		    " messages suppressed)", p ? p->name : "?",
		    strerror(err), th->id, suppressed);
	if (err == EAGAIN || err == ENOBUFS)
		return true;	/* socket buffer full: never block */
	drop(th, q->port[i], err == EMSGSIZE ? DROP_OVERSIZE : DROP_TX_ERROR);
	return false;
}

/*
 * Send messages [from, to) one datagram each.  Returns to, or the first
 * message not sent because the socket is full.
 */
static int
txq_send_singly(struct dp_thread *th, struct txq *q, int from, int to)
{
	int r;

	while (from < to) {
		r = sendmmsg(q->fd, q->msg + from, (unsigned)(to - from),
		    MSG_DONTWAIT);
		if (r > 0) {
			txq_account(th, q, from, from + r);
			from += r;
		} else if (errno != EINTR) {
			if (txq_error(th, q, from, errno))
				return from;
			from++;
		}
	}
	return to;
}

/*
 * Messages from i on that can ride one UDP_SEGMENT train: to the same
 * peer, of i's length but the last (which may be shorter), within the
 * kernel's segment and byte caps.
 */
static int
txq_run(const struct txq *q, int i)
{
	size_t size = txq_len(q, i), bytes = size;
	int k = 1;

	if (!q->gso)
		return 1;
	while (i + k < q->n && k < DP_GSO_SEGS && q->msg[i + k].msg_hdr.msg_name
	    == q->msg[i].msg_hdr.msg_name && txq_len(q, i + k) <= size &&
	    bytes + txq_len(q, i + k) <= DP_GSO_BYTES) {
		bytes += txq_len(q, i + k);
		if (txq_len(q, i + k++) < size)
			break;	/* a short one ends the train */
	}
	return k;
}

/* Join the queued messages into trains; returns how many. */
static int
txq_trains(struct txq *q)
{
	struct msghdr *m;
	struct cmsghdr *cm;
	uint16_t size;
	int i, k, t;

	for (i = 0, t = 0; i < q->n; i += k, t++) {
		k = txq_run(q, i);
		q->first[t] = i;
		m = &q->train[t].msg_hdr;
		*m = q->msg[i].msg_hdr;
		m->msg_iovlen = (size_t)(2 * k);	/* iov rows are adjacent */
		if (k == 1)
			continue;
		size = (uint16_t)txq_len(q, i);
		m->msg_control = q->ctl[t].buf;
		m->msg_controllen = sizeof q->ctl[t].buf;
		cm = CMSG_FIRSTHDR(m);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof size);
		memcpy(CMSG_DATA(cm), &size, sizeof size);
	}
	q->first[t] = i;
	return t;
}

/* Count trains [t0, t1) sent: their messages, and each of several. */
static void
txq_sent(struct dp_thread *th, struct txq *q, int t0, int t1)
{
	int t;

	txq_account(th, q, q->first[t0], q->first[t1]);
	for (t = t0; t < t1; t++)
		if (q->first[t + 1] - q->first[t] > 1)
			ctr_add(&th->pc[q->port[q->first[t]]].tx_trains, 1);
}

/*
 * Send everything queued: one sendmmsg of trains.  A train the kernel
 * refuses for any reason but a full socket is sent again a datagram at a
 * time, so each message meets its own fate (oversize, say).
 */
static void
txq_flush(struct dp_thread *th, struct txq *q)
{
	int nt = txq_trains(q), t = 0, r, a, b, i;

	while (t < nt) {
		r = sendmmsg(q->fd, q->train + t, (unsigned)(nt - t),
		    MSG_DONTWAIT);
		if (r > 0) {
			txq_sent(th, q, t, t + r);
			t += r;
			continue;
		}
		if (errno == EINTR)
			continue;
		a = q->first[t];
		b = q->first[t + 1];
		if (b - a > 1 && errno != EAGAIN && errno != ENOBUFS)
			a = txq_send_singly(th, q, a, b);
		else if (!txq_error(th, q, a, errno))
			a = b;		/* dropped with its reason */
		if (a < b) {	/* the socket is full: drop the rest */
			for (i = a; i < q->n; i++)
				drop(th, q->port[i], DROP_TX_ERROR);
			break;
		}
		t++;
	}
	q->n = 0;
}

static void
txq_flush_all(struct dp_thread *th)
{
	struct txq *q;
	int f, k, e;

	for (f = 0; f < DF_MAX; f++)
		for (k = 0; k < ENCAP_MAX; k++)
			for (e = 0; e < DP_ENTROPY_SOCKS; e++)
				if ((q = th->txq[f][k][e]) != NULL && q->n > 0)
					txq_flush(th, q);
}

/* The send queue for a peer (its family, kind and flow's entropy socket). */
static struct txq *
txq_of(struct dp_thread *th, const struct dp_peer *p, uint32_t hash)
{
	enum dp_family f = p->addr.sa.sa_family == AF_INET6 ? DF_V6 : DF_V4;
	struct txq *q = th->txq[f][p->encap][hash % DP_ENTROPY_SOCKS];

	return q != NULL ? q : th->txq[f][p->encap][0];
}

/* Queue frame to peer `port` in seg; the frame must live until flush. */
static void
tx_to_peer(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t port, const uint8_t *frame,
    size_t len, uint32_t hash)
{
	const struct dp_peer *p = snap->peers[port];
	struct txq *q;
	size_t hl;
	int i;

	if (p == NULL)
		return;
	if ((q = txq_of(th, p, hash)) == NULL) {
		drop(th, port, DROP_TX_ERROR);	/* no socket of that family */
		return;
	}
	if (q->n == DP_TXQ)
		txq_flush(th, q);
	i = q->n++;
	hl = encap_ops(p->encap)->build(seg->vni, q->hdr[i]);
	q->iov[i][0].iov_base = q->hdr[i];
	q->iov[i][0].iov_len = hl;
	q->iov[i][1].iov_base = (void *)(uintptr_t)frame;
	q->iov[i][1].iov_len = len;
	memset(&q->msg[i].msg_hdr, 0, sizeof q->msg[i].msg_hdr);
	q->msg[i].msg_hdr.msg_name = (void *)(uintptr_t)&p->addr.sa;
	q->msg[i].msg_hdr.msg_namelen = p->addr.len;
	q->msg[i].msg_hdr.msg_iov = q->iov[i];
	q->msg[i].msg_hdr.msg_iovlen = 2;
	q->port[i] = port;
}

/* Write one frame to seg's TAP queue (with a header if it takes one). */
static void
tap_write(struct dp_thread *th, const struct dp_segment *seg, uint16_t in,
    const uint8_t *frame, size_t len)
{
	static const struct vnet_hdr none = { 0 };
	struct seg_counters *sc = &th->sc[seg->slot];
	struct iovec iov[2] = {
		{ (void *)(uintptr_t)&none, VNET_HDR_LEN },
		{ (void *)(uintptr_t)frame, len },
	};
	int first = seg->vnet ? 0 : 1;
	size_t want = len + (seg->vnet ? VNET_HDR_LEN : 0);

	if (writev(seg->tap_fd[th->id], iov + first, 2 - first) !=
	    (ssize_t)want) {
		drop(th, in, DROP_TAP_ERROR);
		return;
	}
	ctr_add(&sc->tap_tx_frames, 1);
	ctr_add(&sc->tap_tx_bytes, len);
}

/* Write the frame GRO holds, if any. */
static void
gro_flush(struct dp_thread *th)
{
	struct seg_counters *sc = &th->sc[th->gro_slot];
	uint8_t *buf;
	size_t n;
	int nsegs;

	if (th->gro.len == 0)
		return;
	n = gro_take(&th->gro, &buf, &nsegs);
	if (write(th->gro.key, buf, n) != (ssize_t)n) {
		drop_n(th, th->gro_port, DROP_TAP_ERROR, (uint64_t)nsegs);
		return;
	}
	ctr_add(&sc->tap_tx_frames, (uint64_t)nsegs);
	ctr_add(&sc->tap_tx_bytes, n - VNET_HDR_LEN);
	if (nsegs > 1)
		ctr_add(&sc->gro_frames, 1);
}

/*
 * Deliver a frame from the tunnel to seg's TAP: joined to the pending
 * super-frame when it continues it, else after it.
 */
static void
tap_deliver(struct dp_thread *th, const struct dp_segment *seg, uint16_t in,
    const uint8_t *frame, size_t len)
{
	int fd = seg->tap_fd[th->id];

	if (!seg->vnet) {
		tap_write(th, seg, in, frame, len);
		return;
	}
	if (gro_append(&th->gro, fd, frame, len))
		return;
	gro_flush(th);
	if (gro_start(&th->gro, fd, frame, len)) {
		th->gro_slot = seg->slot;
		th->gro_port = in;
		return;
	}
	tap_write(th, seg, in, frame, len);
}

static struct tbucket *
bucket(struct dp_thread *th, const struct dp_snapshot *snap, int slot,
    uint16_t port)
{
	struct tbucket *b = port == PORT_LOCAL ? &th->tb_local[slot]
					       : &th->tb_port[port];
	/* Per-thread share of the configured rate. */
	uint32_t rate = snap->flood_rate / (uint32_t)th->dp->nthreads;
	uint32_t burst = snap->flood_burst / (uint32_t)th->dp->nthreads;

	if (snap->flood_rate != 0 && rate == 0)
		rate = 1;
	if (burst == 0)
		burst = 1;
	if (b->rate != rate || b->burst != burst)
		tbucket_init(b, rate, burst, th->now_ms);
	return b;
}

/* Where a frame that entered seg at port `in` goes; DROP_NONE or why not. */
static enum drop_reason
decide(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame,
    size_t len, struct fwd_result *r)
{
	return fwd_frame(&seg->fwd, in, frame, len, th->now_s, th->now_ms,
	    bucket(th, snap, seg->slot, in), r);
}

/* Send a frame where the decision r says. */
static void
deliver(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame,
    size_t len, const struct fwd_result *r, uint32_t hash)
{
	size_t i;

	if (r->action == FWD_UNICAST) {
		if (r->port == PORT_LOCAL)
			tap_deliver(th, seg, in, frame, len);
		else
			tx_to_peer(th, snap, seg, r->port, frame, len, hash);
		return;
	}
	ctr_add(&th->sc[seg->slot].floods, 1);
	if (in != PORT_LOCAL)
		tap_deliver(th, seg, in, frame, len);
	for (i = 0; i < seg->fwd.npeers; i++)
		if (fwd_floods_to(&seg->fwd, in, seg->fwd.peer_ports[i]))
			tx_to_peer(th, snap, seg, seg->fwd.peer_ports[i],
			    frame, len, hash);
}

/* Forward one frame that entered seg at port `in`. */
static void
forward(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame,
    size_t len)
{
	struct fwd_result r;
	enum drop_reason why = decide(th, snap, seg, in, frame, len, &r);

	if (why != DROP_NONE)
		drop(th, in, why);
	else
		deliver(th, snap, seg, in, frame, len, &r, flow_hash(frame,
		    len));
}

/*
 * Forward the segments cut from one super-frame: they share their
 * headers, so the first one's decision holds for all.  Queued side by
 * side, they leave as UDP_SEGMENT trains (txq_flush).
 */
static void
forward_segments(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, int n)
{
	const struct tso_seg *segs = th->segs;
	uint32_t hash = flow_hash(segs[0].frame, segs[0].len);
	struct fwd_result r;
	enum drop_reason why;
	int i;

	if ((why = decide(th, snap, seg, PORT_LOCAL, segs[0].frame,
	    segs[0].len, &r)) != DROP_NONE) {
		drop_n(th, PORT_LOCAL, why, (uint64_t)n);
		return;
	}
	for (i = 0; i < n; i++)
		deliver(th, snap, seg, PORT_LOCAL, segs[i].frame, segs[i].len,
		    &r, hash);
}

/* A frame read with a virtio-net header: finish or cut it, then forward. */
static void
tap_frame_vnet(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint8_t *buf, size_t n)
{
	struct seg_counters *sc = &th->sc[seg->slot];
	uint8_t *frame = buf + VNET_HDR_LEN;
	size_t len = n - VNET_HDR_LEN, i;
	enum drop_reason why;
	struct vnet_hdr h;
	int nseg;

	if ((why = vnet_parse(buf, n, &h)) != DROP_NONE) {
		drop(th, PORT_LOCAL, why);
		return;
	}
	if ((h.gso_type & (uint8_t)~VNET_GSO_ECN) == VNET_GSO_NONE) {
		offload_finish(frame, len, &h);
		ctr_add(&sc->tap_rx_frames, 1);
		ctr_add(&sc->tap_rx_bytes, len);
		forward(th, snap, seg, PORT_LOCAL, frame, len);
		return;
	}
	if (th->sbuf_used + tso_space(len, h.gso_size) > DP_SBUF) {
		txq_flush_all(th);	/* the queued segments live in sbuf */
		th->sbuf_used = 0;
	}
	nseg = tso_segment(frame, len, &h, th->sbuf + th->sbuf_used,
	    DP_SBUF - th->sbuf_used, th->segs);
	if (nseg < 0) {
		drop(th, PORT_LOCAL, DROP_BAD_VNET);
		return;
	}
	ctr_add(&sc->tso_frames, 1);
	for (i = 0; i < (size_t)nseg; i++) {
		th->sbuf_used += th->segs[i].len;
		ctr_add(&sc->tap_rx_bytes, th->segs[i].len);
	}
	ctr_add(&sc->tap_rx_frames, (uint64_t)nseg);
	forward_segments(th, snap, seg, nseg);
}

void
dp_io_tap(struct dp_thread *th, const struct dp_snapshot *snap, int slot,
    int fd)
{
	const struct dp_segment *seg = snap->segs[slot];
	struct seg_counters *sc = &th->sc[slot];
	int i, batch = seg != NULL && seg->vnet ? DP_TAP_BATCH : DP_BATCH;
	uint8_t *buf;
	ssize_t n;

	for (i = 0; i < batch; i++) {
		buf = th->tbuf + (size_t)i * DP_TBUF;
		if ((n = read(fd, buf, DP_TBUF)) <= 0)
			break;
		if (seg == NULL || seg->tap_fd[th->id] != fd)
			continue;	/* segment going away: discard */
		if (seg->vnet) {
			tap_frame_vnet(th, snap, seg, buf, (size_t)n);
			continue;
		}
		ctr_add(&sc->tap_rx_frames, 1);
		ctr_add(&sc->tap_rx_bytes, (uint64_t)n);
		forward(th, snap, seg, PORT_LOCAL, buf, (size_t)n);
	}
	txq_flush_all(th);
	th->sbuf_used = 0;
}

/* Log a packet from a stranger, at most a few per interval. */
static void
log_stranger(struct dp_thread *th, const struct sockaddr *sa, const char *what)
{
	struct sockaddr_any a;
	char addr[INET6_ADDRSTRLEN];
	uint32_t suppressed;

	if (!log_rate_allow(&th->log_rate, &suppressed))
		return;
	addr_from(sa, &a);
	log_info("dropped %s packet from unknown source %s (%u similar "
		 "messages suppressed)",
	    what, addr_ntop(&a, addr, sizeof addr), suppressed);
}

/* One received tunnel packet: payload after the outer IP/UDP headers. */
static void
rx_one(struct dp_thread *th, const struct dp_snapshot *snap,
    enum encap_type encap, const struct sockaddr *sa, const uint8_t *buf,
    size_t len, bool truncated)
{
	const struct dp_peer *peer;
	const struct dp_segment *seg = NULL;
	struct port_counters *pc;
	enum drop_reason why;
	struct decap d;

	if ((peer = snap_peer_by_addr(snap, encap, sa)) == NULL) {
		drop(th, PORT_UNKNOWN, DROP_UNKNOWN_SOURCE);
		log_stranger(th, sa, encap_ops(encap)->name);
		return;
	}
	pc = &th->pc[peer->port];
	ctr_add(&pc->rx_packets, 1);
	ctr_add(&pc->rx_bytes, len);
	if (truncated) {
		drop(th, peer->port, DROP_OVERSIZE);
		return;
	}
	why = encap_ops(encap)->decap(buf, len, &d);
	if (why == DROP_NONE && (seg = snap_segment_by_vni(snap, d.vni)) ==
	    NULL)
		why = DROP_UNKNOWN_VNI;
	else if (why == DROP_NONE && ((peer->seg_mask >> seg->slot) & 1) == 0)
		why = DROP_NOT_MEMBER;
	else if (why == DROP_NONE && d.frame_len > (size_t)seg->mtu +
	    ETHER_HDR_LEN + 4)
		why = DROP_OVERSIZE;	/* larger than the TAP takes */
	if (why != DROP_NONE) {
		drop(th, peer->port, why);
		return;
	}
	forward(th, snap, seg, peer->port, d.frame, d.frame_len);
}

/*
 * The kernel's running count of datagrams it dropped on this socket for
 * want of buffer space arrives with each message; count the increase.
 */
static void
rx_overflow(struct dp_thread *th, int n, uint32_t *last)
{
	struct cmsghdr *cm;
	uint32_t v;

	if (n <= 0)
		return;
	for (cm = CMSG_FIRSTHDR(&th->rmsg[n - 1].msg_hdr); cm != NULL;
	    cm = CMSG_NXTHDR(&th->rmsg[n - 1].msg_hdr, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type !=
		    SO_RXQ_OVFL || cm->cmsg_len < CMSG_LEN(sizeof v))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof v);
		if (v != *last)
			drop_n(th, PORT_UNKNOWN, DROP_RX_OVERFLOW, v - *last);
		*last = v;
	}
}

/* recvmmsg a batch into the thread's receive buffers; count or -1. */
static int
rx_batch(struct dp_thread *th, int fd)
{
	int i, n;

	for (i = 0; i < DP_BATCH; i++) {
		th->riov[i].iov_base = th->rbuf + (size_t)i * DP_BUF;
		th->riov[i].iov_len = DP_BUF;
		memset(&th->rmsg[i].msg_hdr, 0, sizeof th->rmsg[i].msg_hdr);
		th->rmsg[i].msg_hdr.msg_iov = &th->riov[i];
		th->rmsg[i].msg_hdr.msg_iovlen = 1;
		th->rmsg[i].msg_hdr.msg_name = &th->rname[i];
		th->rmsg[i].msg_hdr.msg_namelen = sizeof th->rname[i];
		th->rmsg[i].msg_hdr.msg_control = th->rctl[i].buf;
		th->rmsg[i].msg_hdr.msg_controllen = sizeof th->rctl[i].buf;
	}
	do
		n = recvmmsg(fd, th->rmsg, DP_BATCH, MSG_DONTWAIT, NULL);
	while (n == -1 && errno == EINTR);
	return n;
}

/* Datagram size of a UDP_GRO train (0: a single datagram). */
static size_t
gro_size(struct msghdr *m)
{
	struct cmsghdr *cm;
	int v;

	for (cm = CMSG_FIRSTHDR(m); cm != NULL; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof v)) {
			memcpy(&v, CMSG_DATA(cm), sizeof v);
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

void
dp_io_udp(struct dp_thread *th, const struct dp_snapshot *snap,
    enum dp_family f, enum encap_type encap, int fd)
{
	const uint8_t *p;
	size_t len, size;
	bool trunc;
	int i, n = rx_batch(th, fd);

	rx_overflow(th, n, &th->rx_ovfl[f][encap]);
	for (i = 0; i < n; i++) {
		p = th->riov[i].iov_base;
		len = th->rmsg[i].msg_len;
		trunc = (th->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		/* A train the kernel joined (UDP_GRO): equal datagrams. */
		if ((size = gro_size(&th->rmsg[i].msg_hdr)) == 0 || trunc)
			size = len;
		do {
			size_t one = size < len ? size : len;
			rx_one(th, snap, encap, (struct sockaddr *)&th->rname[i],
			    p, one, trunc);
			p += one;
			len -= one;
		} while (len > 0);
	}
	gro_flush(th);
	txq_flush_all(th);
}

void
dp_io_raw(struct dp_thread *th, const struct dp_snapshot *snap,
    enum dp_family f, enum encap_type encap, int fd)
{
	const uint8_t *payload;
	enum drop_reason why;
	size_t len;
	int i, n = rx_batch(th, fd);

	rx_overflow(th, n, &th->rx_ovfl[f][encap]);
	for (i = 0; i < n; i++) {
		payload = th->riov[i].iov_base;
		len = th->rmsg[i].msg_len;
		/* IPv4 raw sockets deliver the IP header, IPv6 ones do not. */
		if (f == DF_V4 && (why = ip4_payload(payload, len,
		    encap_ops(encap)->ip_proto, &payload, &len)) != DROP_NONE) {
			drop(th, PORT_UNKNOWN, why);
			continue;
		}
		rx_one(th, snap, encap, (struct sockaddr *)&th->rname[i],
		    payload, len,
		    (th->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
	}
	gro_flush(th);
	txq_flush_all(th);
}
