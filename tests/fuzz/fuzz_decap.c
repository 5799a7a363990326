/*
 * fuzz_decap.c: every tunnel header parser on arbitrary bytes.
 *
 * The first byte picks the path: VXLAN, GRE, or a raw IPv4 packet carrying
 * GRE; a parsed inner frame is then hashed and run through the forwarding
 * decision, as the data path would, then MSS-clamped (clamp-mss), and a
 * probe's body is parsed (an in-band message's bounds checked).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/encap.h"
#include "net/fwd.h"
#include "net/mss.h"
#include "net/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct mactab *mt;
static uint8_t frame[65536];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ports[] = { 1, 2 };
	struct fwd_segment seg = { 0 };
	struct fwd_result r;
	struct tbucket tb;
	const uint8_t *pl;
	struct decap d;
	size_t pll;
	enum drop_reason why;

	if (size < 1)
		return 0;
	if (mt == NULL)
		mt = mactab_new(256, 300);
	/* Each encapsulation's parser, then GRE inside an IPv4 packet. */
	if (data[0] % (ENCAP_MAX + 1) < ENCAP_MAX)
		why = encap_ops(data[0] % (ENCAP_MAX + 1))
			  ->decap(data + 1, size - 1, &d);
	else if ((why = ip4_payload(data + 1, size - 1, IPPROTO_GRE_, &pl,
		      &pll)) == DROP_NONE)
		why = gre_decap(pl, pll, &d);
	if (why != DROP_NONE)
		return 0;
	if (d.frame < data || d.frame + d.frame_len > data + size)
		__builtin_trap();	/* the frame must lie inside the input */
	if (d.kind == WIRE_PROBE) {
		struct probe p;
		/* An in-band message's bytes lie inside the body it came in. */
		if (probe_parse(d.frame, d.frame_len, &p) == DROP_NONE &&
		    p.type == PROBE_MESSAGE &&
		    PROBE_BODY_MIN + (size_t)p.size > d.frame_len)
			__builtin_trap();
		return 0;
	}
	seg.mactab = mt;
	seg.peer_ports = ports;
	seg.npeers = 2;
	seg.relay = true;
	tbucket_init(&tb, 100, 10, 0);
	(void)flow_hash(d.frame, d.frame_len);
	(void)fwd_frame(&seg, 1 + (d.vni & 1), d.frame, d.frame_len, 1, 1, &tb,
	    &r);
	/* clamp-mss writes the frame: a copy, as the data path's own. */
	if (d.frame_len <= sizeof frame) {
		memcpy(frame, d.frame, d.frame_len);
		(void)mss_clamp(frame, d.frame_len, 576 + (d.vni & 0x3ff));
	}
	return 0;
}
