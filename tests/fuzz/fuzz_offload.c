/*
 * fuzz_offload.c: the TAP side's offload chain on arbitrary bytes.
 *
 * The input is what a TAP read with IFF_VNET_HDR returns: a virtio-net
 * header, then a frame.  It is parsed (vnet_parse); a plain frame has its
 * checksum finished (offload_finish), a GSO one is cut into segments
 * (tso_segment), and the segments are joined again as the receive side
 * would (gro_start/gro_append/gro_take).  Every segment must lie inside
 * the output buffer, and what GRO gives back inside its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/gro.h"
#include "net/offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum { OUT_CAP = 1 << 20 };

static void
regroup(const struct tso_seg *segs, int n)
{
	static struct gro g;
	uint8_t *out;
	int i, nsegs;
	size_t len;

	if (g.buf == NULL)
		g.buf = malloc(VNET_HDR_LEN + FRAME_MAX);
	g.len = 0;
	for (i = 0; i < n; i++) {
		if (gro_append(&g, 1, segs[i].frame, segs[i].len))
			continue;
		if (g.len != 0 &&
		    (len = gro_take(&g, &out, &nsegs)) >
			VNET_HDR_LEN + FRAME_MAX)
			__builtin_trap();
		(void)gro_start(&g, 1, segs[i].frame, segs[i].len);
	}
	if (g.len != 0 && gro_take(&g, &out, &nsegs) > VNET_HDR_LEN + FRAME_MAX)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *out;
	static struct tso_seg segs[TSO_MAX_SEGS];
	struct vnet_hdr h;
	uint8_t *frame;
	size_t len;
	int i, n;

	if (size > VNET_HDR_LEN + FRAME_MAX ||
	    vnet_parse(data, size, &h) != DROP_NONE)
		return 0;
	if (out == NULL)
		out = malloc(OUT_CAP);
	/* The parsers write into the frame (checksums): work on a copy. */
	len = size - VNET_HDR_LEN;
	frame = malloc(len + 1);
	memcpy(frame, data + VNET_HDR_LEN, len);
	if ((h.gso_type & (uint8_t)~VNET_GSO_ECN) == VNET_GSO_NONE) {
		offload_finish(frame, len, &h);
		free(frame);
		return 0;
	}
	n = tso_segment(frame, len, &h, out, OUT_CAP, segs);
	for (i = 0; i < n; i++)
		if (segs[i].frame < out ||
		    segs[i].frame + segs[i].len > out + OUT_CAP)
			__builtin_trap();
	if (n > 0)
		regroup(segs, n);
	free(frame);
	return 0;
}
