/*
 * dp_tx.c: the send direction, from a data thread to the peers.
 *
 * A frame bound for a peer is queued as one message (the tunnel header the
 * encap table builds + the frame, no copy) on the send socket of the peer's
 * family, encapsulation and flow; a flush sends each queue with one
 * sendmmsg, joining runs of equal-sized messages to one peer into
 * UDP_SEGMENT trains when the kernel has UDP GSO.  A full socket never
 * blocks: the rest of the batch is dropped and counted.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/uio.h>

#include "dp_priv.h"

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
			  " messages suppressed)",
		    p ? p->name : "?", strerror(err), th->id, suppressed);
	if (err == EAGAIN || err == ENOBUFS)
		return true; /* socket buffer full: never block */
	dp_drop(th, q->port[i],
	    err == EMSGSIZE ? DROP_OVERSIZE : DROP_TX_ERROR);
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
	while (i + k < q->n && k < DP_GSO_SEGS &&
	    q->msg[i + k].msg_hdr.msg_name == q->msg[i].msg_hdr.msg_name &&
	    txq_len(q, i + k) <= size &&
	    bytes + txq_len(q, i + k) <= DP_GSO_BYTES) {
		bytes += txq_len(q, i + k);
		if (txq_len(q, i + k++) < size)
			break; /* a short one ends the train */
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
		m->msg_iovlen = (size_t)(2 * k); /* iov rows are adjacent */
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
void
dp_txq_flush(struct dp_thread *th, struct txq *q)
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
			a = b; /* dropped with its reason */
		if (a < b) {   /* the socket is full: drop the rest */
			for (i = a; i < q->n; i++)
				dp_drop(th, q->port[i], DROP_TX_ERROR);
			break;
		}
		t++;
	}
	q->n = 0;
}

void
dp_tx_flush_all(struct dp_thread *th)
{
	struct txq *q;
	int f, k, e;

	for (f = 0; f < DF_MAX; f++)
		for (k = 0; k < ENCAP_MAX; k++)
			for (e = 0; e < DP_ENTROPY_SOCKS; e++)
				if ((q = th->txq[f][k][e]) != NULL && q->n > 0)
					dp_txq_flush(th, q);
	for (k = 0; k < ENCAP_MAX; k++)
		for (e = 0; e < DP_ENTROPY_SOCKS; e++)
			if ((q = th->txq_frag[k][e]) != NULL && q->n > 0)
				dp_txq_flush(th, q);
	dp_esp_flush(th);
}

/*
 * Whether a frame to an IPv4 peer goes without DF: always with df =
 * unset, with df = inherit when the inner IPv4 packet allows fragments.
 */
static bool
without_df(const struct dp_thread *th, const struct dp_peer *p,
    const uint8_t *frame, size_t len)
{
	enum dp_df df = th->dp->p.df;

	return df != DP_DF_SET && p->addr.sa.sa_family == AF_INET &&
	    (df == DP_DF_UNSET || !frame_forbids_fragments(frame, len));
}

/* The send queue for a peer (its family, kind and flow's entropy socket). */
static struct txq *
txq_of(struct dp_thread *th, const struct dp_peer *p, uint32_t hash, bool frag)
{
	enum dp_family f = p->addr.sa.sa_family == AF_INET6 ? DF_V6 : DF_V4;
	struct txq *const *qs =
	    frag ? th->txq_frag[p->encap] : th->txq[f][p->encap];
	struct txq *q = qs[hash % DP_ENTROPY_SOCKS];

	return q != NULL ? q : qs[0];
}

/*
 * A frame larger than the path to the peer carries: counted, and the
 * first of each burst (after DP_BURST_GAP_MS of none) logged.
 */
static bool
oversize(struct dp_thread *th, const struct dp_peer *p, size_t len)
{
	unsigned max =
	    __atomic_load_n(&th->dp->frame_max[p->port], __ATOMIC_RELAXED);
	uint64_t *last = &th->oversize_ms[p->port];
	uint32_t suppressed;

	if (max == 0 || len <= max)
		return false;
	dp_drop(th, p->port, DROP_OVERSIZE);
	/* A new burst at this peer, within the thread's log budget. */
	if (th->now_ms - *last >= DP_BURST_GAP_MS &&
	    log_rate_allow(&th->log_rate, &suppressed))
		log_warnx("peer %s: a %zu-byte frame dropped: the path carries "
			  "inner frames of up to %u bytes (counted as "
			  "oversize; tunnelctl mtu; %u similar messages "
			  "suppressed)",
		    p->name, len, max, suppressed);
	*last = th->now_ms;
	return true;
}

/* Queue frame to peer `port` in seg; the frame must live until flush. */
void
dp_tx_queue(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t port, const uint8_t *frame,
    size_t len, uint32_t hash)
{
	const struct dp_peer *p = snap->peers[port];
	struct txq *q;
	size_t hl;
	bool frag;
	int i;

	if (p == NULL)
		return;
	/* Only DF packets must fit the path; others routers may cut. */
	frag = without_df(th, p, frame, len);
	if (!frag && oversize(th, p, len))
		return;
	if (p->encrypt) {
		dp_esp_queue(th, p, seg_wire_kind(seg), seg->vni, frame, len,
		    hash, frag);
		return;
	}
	if ((q = txq_of(th, p, hash, frag)) == NULL) {
		dp_drop(th, port, DROP_TX_ERROR); /* no socket of that family */
		return;
	}
	if (q->n == DP_TXQ)
		dp_txq_flush(th, q);
	i = q->n++;
	hl = encap_build(p->encap, seg_wire_kind(seg), seg->vni, q->hdr[i]);
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
