/*
 * dp_esp.c: ESP in UDP (RFC 4303 in RFC 3948) in the data threads.
 *
 * Each thread has ESP sockets bound to esp-port (SO_REUSEPORT, UDP GRO)
 * that it both reads and sends from, since RFC 3948 sends from the port
 * it listens on; IPv4 without DF has one more.  Sending: a frame for an
 * encrypted peer gets its transport header (net/transport.h) and is
 * sealed at once with the thread's context of the peer's outbound SA,
 * from its two pieces straight into the thread's ebuf; the sealed packet
 * is queued as one message, so equal frames (the segments of one TSO
 * super-frame) seal to equal sizes and leave as one UDP GSO train.
 * Receiving: the SPI finds the peer, sa_open() checks the window,
 * verifies and decrypts in place, and the transport packet goes the way
 * of a plaintext one (dp_rx_from_peer), so GRO joins it again at the TAP.
 * Nothing here allocates or locks.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_priv.h"
#include "net/transport.h"
#include "sock.h"
#include "xmalloc.h"

/* One ESP socket: bound to esp-port, GRO on when the thread has it. */
static int
esp_socket(struct dp *dp, struct dp_thread *th, int which, int family,
    const struct sockaddr_any *local, char **cause)
{
	int fd = sock_udp(family, local, dp->p.esp_port, true, false, cause);

	if (fd == -1)
		return -1;
	if (which == DE_FRAG && sock_allow_path_fragments(fd) == -1) {
		xasprintf(cause, "IPv4 ESP socket: df: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (dp->gro)
		(void)setsockopt(fd, SOL_UDP, UDP_GRO, &(int){ 1 },
		    sizeof(int));
	th->esp_fd[which] = fd;
	th->txq_esp[which] = xcalloc(1, sizeof *th->txq_esp[which]);
	th->txq_esp[which]->fd = fd;
	th->txq_esp[which]->gso = dp->gso;
	return dp_epoll_add(th->epfd, fd, EV_MAKE(EV_ESP, which, 0));
}

int
dp_esp_open(struct dp *dp, struct dp_thread *th, enum dp_family f, char **cause)
{
	const struct sockaddr_any *local =
	    f == DF_V4 ? &dp->p.local4 : &dp->p.local6;

	if (th->ebuf == NULL) {
		th->ebuf = xmalloc(DP_EBUF);
		th->pbuf = xmalloc(DP_PBUF);
	}
	if (esp_socket(dp, th, f, f == DF_V4 ? AF_INET : AF_INET6, local,
		cause) != 0)
		return -1;
	if (f == DF_V4 && dp->p.df != DP_DF_SET &&
	    esp_socket(dp, th, DE_FRAG, AF_INET, local, cause) != 0)
		return -1;
	return 0;
}

void
dp_esp_close(struct dp_thread *th)
{
	int i;

	for (i = 0; i < DE_MAX; i++) {
		if (th->esp_fd[i] != -1)
			close(th->esp_fd[i]);
		th->esp_fd[i] = -1;
		free(th->txq_esp[i]);
		th->txq_esp[i] = NULL;
	}
	free(th->ebuf);
	free(th->pbuf);
}

/* The SA verdicts as drop reasons. */
static enum drop_reason
sa_drop(enum sa_verdict v)
{
	switch (v) {
	case SA_REPLAY:
		return DROP_REPLAY;
	case SA_TOO_OLD:
		return DROP_TOO_OLD;
	case SA_AUTH_FAILED:
		return DROP_AUTH_FAILED;
	case SA_PEER_RESTARTED:
		return DROP_PEER_RESTARTED;
	case SA_MALFORMED:
		return DROP_ESP_MALFORMED;
	default:
		return DROP_NONE;
	}
}

/*
 * An authentic packet from another address than the peer's: keep it for
 * the control thread (dp.h, roaming), once per DP_ROAM_EVERY_MS a port.
 */
static void
esp_roamed(struct dp_thread *th, const struct dp_peer *peer,
    const struct sockaddr *sa)
{
	struct roam_ring *r = &th->roam_ring;
	long i;

	if (addr_same_host(&peer->esp_addr, sa) &&
	    addr_port(&peer->esp_addr) ==
		ntohs(((const struct sockaddr_in *)sa)->sin_port))
		return;
	if (th->now_ms - th->roam_ms[peer->port] < DP_ROAM_EVERY_MS ||
	    (i = spsc_free_slot(&r->r, DP_ROAM_RING)) < 0)
		return;
	r->v[i].port = peer->port;
	if (!addr_from(sa, &r->v[i].from))
		return;
	th->roam_ms[peer->port] = th->now_ms;
	spsc_push(&r->r);
}

int
dp_roams(struct dp *dp, struct dp_roam *out, int max)
{
	return dp_drain(dp, offsetof(struct dp_thread, roam_ring.r),
	    offsetof(struct dp_thread, roam_ring.v), sizeof *out, DP_ROAM_RING,
	    out, max);
}

/* One ESP-in-UDP datagram (the UDP payload). */
static void
esp_rx_one(struct dp_thread *th, const struct dp_snapshot *snap, int which,
    const struct sockaddr *sa, uint8_t *buf, size_t len, bool truncated)
{
	const struct dp_peer *peer;
	const uint8_t *tun;
	enum drop_reason why;
	enum sa_verdict v;
	struct sa_in *in;
	uint8_t *pl, nh;
	size_t plen, tlen;

	(void)which;
	if (len == 1 && buf[0] == 0xff)
		return; /* a NAT keepalive (RFC 3948 2.3): nothing to do */
	if (len < ESP_HDR || esp_spi(buf) == 0) { /* 0: IKE's marker */
		dp_drop(th, PORT_UNKNOWN, DROP_NOT_ESP);
		return;
	}
	if ((peer = snap_peer_by_spi(snap, esp_spi(buf), &in)) == NULL) {
		dp_drop(th, PORT_UNKNOWN, DROP_UNKNOWN_SPI);
		dp_log_stranger(th, sa, "ESP (unknown SPI)");
		return;
	}
	ctr_add(&th->pc[peer->port].rx_packets, 1);
	ctr_add(&th->pc[peer->port].rx_bytes, len);
	if (truncated) {
		dp_drop(th, peer->port, DROP_OVERSIZE);
		return;
	}
	v = sa_open(in, th->id, buf, len, &pl, &plen, &nh);
	if (v != SA_OK && v != SA_DUMMY) {
		dp_drop(th, peer->port, sa_drop(v));
		return;
	}
	esp_roamed(th, peer, sa);
	if (v == SA_DUMMY)
		return; /* RFC 4303 2.6: authentic, and discarded */
	why = transport_parse(nh, pl, plen, peer->encap,
	    th->dp->p.port[peer->encap], &tun, &tlen);
	if (why != DROP_NONE) {
		dp_drop(th, peer->port,
		    why == DROP_TRUNCATED ? why : DROP_ESP_MALFORMED);
		return;
	}
	dp_rx_from_peer(th, snap, peer, peer->encap, tun, tlen);
}

void
dp_io_esp(struct dp_thread *th, const struct dp_snapshot *snap, int which,
    int fd)
{
	int n = dp_rx_batch(th, fd);

	dp_rx_overflow(th, n, &th->esp_ovfl[which]);
	dp_rx_datagrams(th, snap, n, esp_rx_one, which);
	dp_tap_flush(th);
	dp_tx_flush_all(th);
}

/*
 * Build the transport header for a payload to p (its UDP checksum too,
 * over IPv6) and seal header + payload with context ctx into out (cap
 * bytes): 0 with *outlen, or a drop reason.
 */
static enum drop_reason
esp_seal_to(const struct dp_peer *p, int ctx, enum wire_kind kind, uint32_t vni,
    uint32_t hash, const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
    size_t *outlen)
{
	uint8_t hdr[TRANSPORT_HDR_MAX], nh;
	struct iovec iov[2];

	if (p->sa_out == NULL)
		return DROP_NO_SA;
	iov[0].iov_base = hdr;
	iov[0].iov_len = transport_build(p->encap, kind, vni, hash,
	    addr_port(&p->addr), len, hdr, &nh);
	iov[1].iov_base = (void *)(uintptr_t)payload;
	iov[1].iov_len = len;
	if (nh == IPPROTO_UDP_ && p->addr.sa.sa_family == AF_INET6 &&
	    p->src.len != 0)
		transport_udp6_csum(hdr, p->src.sin6.sin6_addr.s6_addr,
		    p->addr.sin6.sin6_addr.s6_addr, payload, len);
	switch (sa_seal(p->sa_out, ctx, nh, iov, 2, out, cap, outlen)) {
	case ESP_OK:
		return DROP_NONE;
	case ESP_NO_ROOM:
		return DROP_OVERSIZE;
	default:
		return DROP_NO_SA;
	}
}

void
dp_esp_flush(struct dp_thread *th)
{
	int i;

	for (i = 0; i < DE_MAX; i++)
		if (th->txq_esp[i] != NULL && th->txq_esp[i]->n > 0)
			dp_txq_flush(th, th->txq_esp[i]);
	th->ebuf_used = 0;
}

/* The ESP send queue for a peer; NULL if its family has no socket. */
static struct txq *
esp_txq(struct dp_thread *th, const struct dp_peer *p, bool frag)
{
	if (frag && th->txq_esp[DE_FRAG] != NULL)
		return th->txq_esp[DE_FRAG];
	return th->txq_esp[p->addr.sa.sa_family == AF_INET6 ? DF_V6 : DF_V4];
}

void
dp_esp_queue(struct dp_thread *th, const struct dp_peer *p, enum wire_kind kind,
    uint32_t vni, const uint8_t *frame, size_t len, uint32_t hash, bool frag)
{
	size_t need = len + TRANSPORT_HDR_MAX + ESP_OVERHEAD_MAX, n;
	struct txq *q = esp_txq(th, p, frag);
	enum drop_reason why;
	uint8_t *out;
	int i;

	if (q == NULL) {
		dp_drop(th, p->port, DROP_TX_ERROR);
		return;
	}
	if (th->ebuf_used + need > DP_EBUF || q->n == DP_TXQ)
		dp_esp_flush(th); /* everything queued points into ebuf */
	out = th->ebuf + th->ebuf_used;
	why = esp_seal_to(p, th->id, kind, vni, hash, frame, len, out,
	    DP_EBUF - th->ebuf_used, &n);
	if (why != DROP_NONE) {
		dp_drop(th, p->port, why);
		return;
	}
	th->ebuf_used += n;
	i = q->n++;
	q->iov[i][0].iov_base = out;
	q->iov[i][0].iov_len = n;
	q->iov[i][1].iov_base = NULL;
	q->iov[i][1].iov_len = 0;
	memset(&q->msg[i].msg_hdr, 0, sizeof q->msg[i].msg_hdr);
	q->msg[i].msg_hdr.msg_name = (void *)(uintptr_t)&p->esp_addr.sa;
	q->msg[i].msg_hdr.msg_namelen = p->esp_addr.len;
	q->msg[i].msg_hdr.msg_iov = q->iov[i];
	q->msg[i].msg_hdr.msg_iovlen = 2;
	q->port[i] = p->port;
}

int
dp_esp_send_probe(struct dp_thread *th, int ctx, const struct dp_peer *p,
    const uint8_t *body, size_t len, uint8_t *buf, struct port_counters *pc)
{
	int fd = th->esp_fd[p->addr.sa.sa_family == AF_INET6 ? DF_V6 : DF_V4];
	size_t n;

	if (fd == -1)
		return EAFNOSUPPORT;
	if (len > DP_BUF ||
	    esp_seal_to(p, ctx, WIRE_PROBE, 0, 0, body, len, buf, DP_PBUF,
		&n) != DROP_NONE)
		return p->sa_out == NULL ? ENOKEY : EMSGSIZE;
	if (sendto(fd, buf, n, MSG_DONTWAIT, &p->esp_addr.sa,
		p->esp_addr.len) == -1)
		return errno;
	ctr_add(&pc->tx_packets, 1);
	ctr_add(&pc->tx_bytes, n);
	return 0;
}
