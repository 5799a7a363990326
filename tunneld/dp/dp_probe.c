/*
 * dp_probe.c: path probes in the data threads.
 *
 * A probe from a known peer (dp_rx.c found it and its probe header) is
 * answered here at once, from the thread's own send socket of that peer's
 * family and encapsulation, at most DP_PROBE_RATE a second per peer and
 * thread; a reply to one of ours goes, with its receive time, into the
 * thread's reply ring, which the control thread drains (dp_probe_replies).
 * The control thread sends its requests with dp_probe_send() on thread 0's
 * first send socket: the same addresses, ports and encapsulation as data;
 * to an encrypted peer, both go sealed in ESP (dp_esp.c) like its data.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "dp_priv.h"
#include "net/probe.h"

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The send socket of a family and encapsulation (entropy socket 0). */
static int
probe_fd(const struct dp_thread *th, const struct sockaddr_any *dst,
    enum encap_type encap)
{
	enum dp_family f = dst->sa.sa_family == AF_INET6 ? DF_V6 : DF_V4;
	const struct txq *q = th->txq[f][encap][0];

	return q != NULL ? q->fd : -1;
}

/* Probe header + body to dst as one datagram; 0 or an errno. */
static int
probe_sendto(int fd, enum encap_type encap, const struct sockaddr_any *dst,
    const uint8_t *body, size_t len, struct port_counters *pc)
{
	uint8_t hdr[ENCAP_HDR_MAX];
	struct iovec iov[2];
	struct msghdr m = { 0 };

	if (fd == -1)
		return EAFNOSUPPORT;
	iov[0].iov_base = hdr;
	iov[0].iov_len = encap_ops(encap)->build_probe(hdr);
	iov[1].iov_base = (void *)(uintptr_t)body;
	iov[1].iov_len = len;
	m.msg_name = (void *)(uintptr_t)&dst->sa;
	m.msg_namelen = dst->len;
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	if (sendmsg(fd, &m, MSG_DONTWAIT) == -1)
		return errno;
	/* As the data path counts: the tunnel header and what it carries. */
	ctr_add(&pc->tx_packets, 1);
	ctr_add(&pc->tx_bytes, iov[0].iov_len + len);
	return 0;
}

static void
answer(struct dp_thread *th, const struct dp_peer *peer, const struct probe *rq,
    size_t len)
{
	struct tbucket *b = &th->tb_probe[peer->port];
	struct probe rp = { .type = PROBE_REPLY,
		.seq = rq->seq,
		.size = (uint32_t)len,
		.sent_ns = rq->sent_ns };
	uint8_t body[PROBE_BODY_MIN];
	size_t n;

	if (b->rate != DP_PROBE_RATE)
		tbucket_init(b, DP_PROBE_RATE, 2 * DP_PROBE_RATE, th->now_ms);
	if (!tbucket_take(b, th->now_ms)) {
		dp_drop(th, peer->port, DROP_PROBE_LIMIT);
		return;
	}
	n = probe_build(&rp, body, sizeof body, sizeof body);
	if ((peer->encrypt
		    ? dp_esp_send_probe(th, th->id, peer, body, n, th->pbuf,
			  &th->pc[peer->port])
		    : probe_sendto(probe_fd(th, &peer->addr, peer->encap),
			  peer->encap, &peer->addr, body, n,
			  &th->pc[peer->port])) != 0) {
		dp_drop(th, peer->port, DROP_TX_ERROR);
		return;
	}
	ctr_add(&th->pc[peer->port].probes_answered, 1);
}

/* Keep a reply for the control thread; a full ring loses it (counted). */
static void
keep_reply(struct dp_thread *th, const struct dp_peer *peer,
    const struct probe *rp)
{
	struct probe_ring *r = &th->probe_ring;
	long i = spsc_free_slot(&r->r, DP_PROBE_RING);
	struct dp_probe_reply *e;

	if (i < 0) {
		ctr_add(&th->pc[peer->port].probe_replies_lost, 1);
		return;
	}
	e = &r->v[i];
	e->port = peer->port;
	e->seq = rp->seq;
	e->size = rp->size;
	e->sent_ns = rp->sent_ns;
	e->recv_ns = mono_ns();
	spsc_push(&r->r);
}

/* Keep an in-band message or ack, within the peer's probe rate. */
static void
keep_message(struct dp_thread *th, const struct dp_peer *peer,
    const struct probe *p, const uint8_t *body)
{
	struct message_ring *r = &th->message_ring;
	struct tbucket *b = &th->tb_probe[peer->port];
	struct dp_message *e;
	long i;

	if (b->rate != DP_PROBE_RATE)
		tbucket_init(b, DP_PROBE_RATE, 2 * DP_PROBE_RATE, th->now_ms);
	if (p->size > DP_MESSAGE_MAX) {
		dp_drop(th, peer->port, DROP_BAD_PROBE);
		return;
	}
	if (!tbucket_take(b, th->now_ms)) {
		dp_drop(th, peer->port, DROP_PROBE_LIMIT);
		return;
	}
	if ((i = spsc_free_slot(&r->r, DP_MESSAGE_RING)) < 0) {
		ctr_add(&th->pc[peer->port].probe_replies_lost, 1);
		return;
	}
	e = &r->v[i];
	e->port = peer->port;
	e->type = (uint8_t)p->type;
	e->seq = p->seq;
	e->epoch = p->sent_ns;
	e->len = p->type == PROBE_MESSAGE ? (uint16_t)p->size : 0;
	memcpy(e->data, body + PROBE_BODY_MIN, e->len);
	spsc_push(&r->r);
}

void
dp_rx_probe(struct dp_thread *th, const struct dp_peer *peer,
    const uint8_t *body, size_t len)
{
	struct probe p;

	if (probe_parse(body, len, &p) != DROP_NONE) {
		dp_drop(th, peer->port, DROP_BAD_PROBE);
		return;
	}
	if (p.type == PROBE_REQUEST)
		answer(th, peer, &p, len);
	else if (p.type == PROBE_REPLY)
		keep_reply(th, peer, &p);
	else
		keep_message(th, peer, &p, body);
}

int
dp_probe_send(struct dp *dp, uint16_t port, enum encap_type encap,
    const struct sockaddr_any *dst, const uint8_t *body, size_t len)
{
	/* The control thread publishes the snapshot: it may read it. */
	const struct dp_snapshot *snap = dp->snap;
	const struct dp_peer *p = snap != NULL ? snap->peers[port] : NULL;

	/* The SA's last context is the control thread's (sa.h). */
	if (p != NULL && p->encrypt)
		return dp_esp_send_probe(dp->th[0], dp->nthreads, p, body, len,
		    dp->ctl_pbuf, &dp->ctl_pc[port]);
	return probe_sendto(probe_fd(dp->th[0], dst, encap), encap, dst, body,
	    len, &dp->ctl_pc[port]);
}

int
dp_drain(struct dp *dp, size_t ring, size_t entries, size_t size, uint32_t cap,
    void *out, int max)
{
	char *th;
	int i, n = 0;

	for (i = 0; i < dp->nthreads && n < max; i++) {
		th = (char *)dp->th[i];
		n += spsc_take((struct spsc *)(th + ring), th + entries, size,
		    cap, (char *)out + (size_t)n * size, max - n);
	}
	return n;
}

int
dp_probe_replies(struct dp *dp, struct dp_probe_reply *out, int max)
{
	return dp_drain(dp, offsetof(struct dp_thread, probe_ring.r),
	    offsetof(struct dp_thread, probe_ring.v), sizeof *out,
	    DP_PROBE_RING, out, max);
}

int
dp_messages(struct dp *dp, struct dp_message *out, int max)
{
	return dp_drain(dp, offsetof(struct dp_thread, message_ring.r),
	    offsetof(struct dp_thread, message_ring.v), sizeof *out,
	    DP_MESSAGE_RING, out, max);
}

uint64_t
dp_clock_ns(void)
{
	return mono_ns();
}
