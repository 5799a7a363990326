/*
 * dp_tap.c: a data thread's TAP queues, both ways.
 *
 * Reading: a batch of frames, each forwarded (dp_fwd.c); with offloads, a
 * TCP super-frame is cut into segments first (net/offload.c) and its
 * segments forwarded as one.  Writing: a frame from the tunnel is joined to
 * the super-frame pending for its TAP when it continues it (net/gro.c),
 * else written on its own.
 */
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dp_priv.h"

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
		dp_drop(th, in, DROP_TAP_ERROR);
		return;
	}
	ctr_add(&sc->tap_tx_frames, 1);
	ctr_add(&sc->tap_tx_bytes, len);
}

/* Write the frame GRO holds, if any. */
void
dp_tap_flush(struct dp_thread *th)
{
	struct seg_counters *sc = &th->sc[th->gro_slot];
	uint8_t *buf;
	size_t n;
	int nsegs;

	if (th->gro.len == 0)
		return;
	n = gro_take(&th->gro, &buf, &nsegs);
	if (write(th->gro.key, buf, n) != (ssize_t)n) {
		dp_drop_n(th, th->gro_port, DROP_TAP_ERROR, (uint64_t)nsegs);
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
void
dp_tap_deliver(struct dp_thread *th, const struct dp_segment *seg, uint16_t in,
    const uint8_t *frame, size_t len)
{
	int fd = seg->tap_fd[th->id];

	if (!seg->vnet) {
		tap_write(th, seg, in, frame, len);
		return;
	}
	if (gro_append(&th->gro, fd, frame, len))
		return;
	dp_tap_flush(th);
	if (gro_start(&th->gro, fd, frame, len)) {
		th->gro_slot = seg->slot;
		th->gro_port = in;
		return;
	}
	tap_write(th, seg, in, frame, len);
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
		dp_drop(th, PORT_LOCAL, why);
		return;
	}
	if ((h.gso_type & (uint8_t)~VNET_GSO_ECN) == VNET_GSO_NONE) {
		offload_finish(frame, len, &h);
		ctr_add(&sc->tap_rx_frames, 1);
		ctr_add(&sc->tap_rx_bytes, len);
		dp_forward(th, snap, seg, PORT_LOCAL, frame, len);
		return;
	}
	if (th->sbuf_used + tso_space(len, h.gso_size) > DP_SBUF) {
		dp_tx_flush_all(th); /* the queued segments live in sbuf */
		th->sbuf_used = 0;
	}
	nseg = tso_segment(frame, len, &h, th->sbuf + th->sbuf_used,
	    DP_SBUF - th->sbuf_used, th->segs);
	if (nseg < 0) {
		dp_drop(th, PORT_LOCAL, DROP_BAD_VNET);
		return;
	}
	ctr_add(&sc->tso_frames, 1);
	for (i = 0; i < (size_t)nseg; i++) {
		th->sbuf_used += th->segs[i].len;
		ctr_add(&sc->tap_rx_bytes, th->segs[i].len);
	}
	ctr_add(&sc->tap_rx_frames, (uint64_t)nseg);
	dp_forward_segments(th, snap, seg, nseg);
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
			continue; /* segment going away: discard */
		if (seg->vnet) {
			tap_frame_vnet(th, snap, seg, buf, (size_t)n);
			continue;
		}
		ctr_add(&sc->tap_rx_frames, 1);
		ctr_add(&sc->tap_rx_bytes, (uint64_t)n);
		dp_forward(th, snap, seg, PORT_LOCAL, buf, (size_t)n);
	}
	dp_tx_flush_all(th);
	th->sbuf_used = 0;
}
