/*
 * dp_rx.c: the receive direction, from the underlay to a data thread.
 *
 * recvmmsg a batch (a UDP_GRO train is split into its datagrams), find the
 * peer by encapsulation and outer source address, parse the tunnel header
 * with the encap table, check the segment, and forward (dp_fwd.c): to the
 * TAP and, on a hub, on to other peers.  Every drop is counted by reason
 * against the peer, or PORT_UNKNOWN when no known peer sent the packet.
 * ESP (dp_esp.c) shares the batch, the train splitting and, once a packet
 * is opened, everything from the tunnel header on (dp_rx_from_peer).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>

#include "dp_priv.h"

void
dp_log_stranger(struct dp_thread *th, const struct sockaddr *sa,
    const char *what)
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

/*
 * The segment a parsed frame from peer belongs to: a configured one it is
 * a member of (by VNI), or the test it runs with us (by the test's id).
 */
static enum drop_reason
rx_segment(const struct dp_snapshot *snap, const struct dp_peer *peer,
    const struct decap *d, const struct dp_segment **seg)
{
	if (d->kind == WIRE_TEST) {
		*seg = peer->test[0] != NULL && peer->test[0]->vni == d->vni
		    ? peer->test[0]
		    : peer->test[1];
		if (*seg == NULL || (*seg)->vni != d->vni)
			return DROP_NO_TEST;
	} else if ((*seg = snap_segment_by_vni(snap, d->vni)) == NULL)
		return DROP_UNKNOWN_VNI;
	else if (((peer->seg_mask >> (*seg)->slot) & 1) == 0)
		return DROP_NOT_MEMBER;
	if (d->frame_len > (size_t)(*seg)->mtu + ETHER_HDR_LEN + 4)
		return DROP_OVERSIZE; /* larger than the TAP takes */
	return DROP_NONE;
}

void
dp_rx_from_peer(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_peer *peer, enum encap_type encap, const uint8_t *buf,
    size_t len)
{
	const struct dp_segment *seg = NULL;
	enum drop_reason why;
	struct decap d;

	why = encap_ops(encap)->decap(buf, len, &d);
	if (why == DROP_NONE && d.kind == WIRE_PROBE) {
		dp_rx_probe(th, peer, d.frame, d.frame_len);
		return;
	}
	if (why == DROP_NONE)
		why = rx_segment(snap, peer, &d, &seg);
	if (why != DROP_NONE) {
		dp_drop(th, peer->port, why);
		return;
	}
	dp_forward(th, snap, seg, peer->port, d.frame, d.frame_len);
}

/* One received plaintext packet: payload after the outer IP/UDP headers. */
static void
rx_one(struct dp_thread *th, const struct dp_snapshot *snap,
    enum encap_type encap, const struct sockaddr *sa, const uint8_t *buf,
    size_t len, bool truncated)
{
	const struct dp_peer *peer;
	struct port_counters *pc;

	if ((peer = snap_peer_by_addr(snap, encap, sa)) == NULL) {
		dp_drop(th, PORT_UNKNOWN, DROP_UNKNOWN_SOURCE);
		dp_log_stranger(th, sa, encap_ops(encap)->name);
		return;
	}
	pc = &th->pc[peer->port];
	ctr_add(&pc->rx_packets, 1);
	ctr_add(&pc->rx_bytes, len);
	if (truncated)
		dp_drop(th, peer->port, DROP_OVERSIZE);
	else if (peer->encrypt) /* it must seal everything: a forgery */
		dp_drop(th, peer->port, DROP_PLAINTEXT);
	else
		dp_rx_from_peer(th, snap, peer, encap, buf, len);
}

/*
 * The kernel's running count of datagrams it dropped on this socket for
 * want of buffer space arrives with each message; count the increase.
 */
void
dp_rx_overflow(struct dp_thread *th, int n, uint32_t *last)
{
	struct cmsghdr *cm;
	uint32_t v;

	if (n <= 0)
		return;
	for (cm = CMSG_FIRSTHDR(&th->rmsg[n - 1].msg_hdr); cm != NULL;
	     cm = CMSG_NXTHDR(&th->rmsg[n - 1].msg_hdr, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SO_RXQ_OVFL ||
		    cm->cmsg_len < CMSG_LEN(sizeof v))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof v);
		if (v != *last)
			dp_drop_n(th, PORT_UNKNOWN, DROP_RX_OVERFLOW,
			    v - *last);
		*last = v;
	}
}

int
dp_rx_batch(struct dp_thread *th, int fd)
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

size_t
dp_gro_size(struct msghdr *m)
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
dp_rx_datagrams(struct dp_thread *th, const struct dp_snapshot *snap, int n,
    dp_datagram_fn fn, int kind)
{
	uint8_t *p;
	size_t len, size;
	bool trunc;
	int i;

	for (i = 0; i < n; i++) {
		p = th->riov[i].iov_base;
		len = th->rmsg[i].msg_len;
		trunc = (th->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		/* A train the kernel joined (UDP_GRO): equal datagrams. */
		if ((size = dp_gro_size(&th->rmsg[i].msg_hdr)) == 0 || trunc)
			size = len;
		do {
			size_t one = size < len ? size : len;
			fn(th, snap, kind, (struct sockaddr *)&th->rname[i], p,
			    one, trunc);
			p += one;
			len -= one;
		} while (len > 0);
	}
}

static void
rx_udp_one(struct dp_thread *th, const struct dp_snapshot *snap, int encap,
    const struct sockaddr *sa, uint8_t *buf, size_t len, bool truncated)
{
	rx_one(th, snap, (enum encap_type)encap, sa, buf, len, truncated);
}

void
dp_io_udp(struct dp_thread *th, const struct dp_snapshot *snap,
    enum dp_family f, enum encap_type encap, int fd)
{
	int n = dp_rx_batch(th, fd);

	dp_rx_overflow(th, n, &th->rx_ovfl[f][encap]);
	dp_rx_datagrams(th, snap, n, rx_udp_one, (int)encap);
	dp_tap_flush(th);
	dp_tx_flush_all(th);
}

void
dp_io_raw(struct dp_thread *th, const struct dp_snapshot *snap,
    enum dp_family f, enum encap_type encap, int fd)
{
	const uint8_t *payload;
	enum drop_reason why;
	size_t len;
	int i, n = dp_rx_batch(th, fd);

	dp_rx_overflow(th, n, &th->rx_ovfl[f][encap]);
	for (i = 0; i < n; i++) {
		payload = th->riov[i].iov_base;
		len = th->rmsg[i].msg_len;
		/* IPv4 raw sockets deliver the IP header, IPv6 ones do not. */
		if (f == DF_V4 &&
		    (why = ip4_payload(payload, len, encap_ops(encap)->ip_proto,
			 &payload, &len)) != DROP_NONE) {
			dp_drop(th, PORT_UNKNOWN, why);
			continue;
		}
		rx_one(th, snap, encap, (struct sockaddr *)&th->rname[i],
		    payload, len,
		    (th->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0);
	}
	dp_tap_flush(th);
	dp_tx_flush_all(th);
}
