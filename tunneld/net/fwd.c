/* fwd.c: learning, lookup, split horizon and flood limiting. */
#include "fwd.h"
#include "wire.h"

bool
fwd_floods_to(const struct fwd_segment *seg, uint16_t in, uint16_t out)
{
	if (in == out)
		return false;
	if (in == PORT_LOCAL || out == PORT_LOCAL)
		return true;
	return seg->relay;
}

enum drop_reason
fwd_frame(const struct fwd_segment *seg, uint16_t in, const uint8_t *frame,
    size_t len, uint32_t now_s, uint64_t now_ms, struct tbucket *in_bucket,
    struct fwd_result *r)
{
	const uint8_t *dst = frame, *src = frame + ETHER_ADDR_LEN_;
	uint16_t port;

	r->learned = MACTAB_REFRESHED;
	if (len < ETHER_HDR_LEN)
		return DROP_RUNT;
	if (!mac_is_learnable(src))
		return DROP_BAD_SRC_MAC;
	port = (dst[0] & 1) ? MACTAB_NONE
			    : mactab_lookup(seg->mactab, dst, now_s);
	/*
	 * A flood the limit refuses teaches nothing: a stream of random
	 * source MACs fills the table no faster than the flood rate.
	 */
	if (port == MACTAB_NONE && !tbucket_take(in_bucket, now_ms))
		return DROP_FLOOD_LIMIT;
	r->learned = mactab_learn(seg->mactab, src, in, now_s);
	/* REFUSED for a learnable MAC: pinned to another port. */
	if (r->learned == MACTAB_REFUSED &&
	    mactab_lookup(seg->mactab, src, now_s) != MACTAB_NONE)
		r->learned = MACTAB_MOVE_REFUSED;
	if (r->learned == MACTAB_MOVE_REFUSED)
		return DROP_MAC_MOVE;
	if (port != MACTAB_NONE) {
		if (port == in)
			return DROP_HAIRPIN;
		if (!fwd_floods_to(seg, in, port))
			return DROP_NO_RELAY;
		r->action = FWD_UNICAST;
		r->port = port;
		return DROP_NONE;
	}
	r->action = FWD_FLOOD;
	return DROP_NONE;
}
