/*
 * dp_fwd.c: what a data thread does with a frame that entered a segment.
 *
 * The decision is net/fwd.c's (learn, look up, split horizon, flood limit
 * charged to the ingress port's per-thread bucket); this file carries it
 * out: to the TAP (dp_tap.c), to one peer or to every flood target
 * (dp_tx.c).  Frames from the TAP and from peers both come through here.
 */
#include "dp_priv.h"
#include "net/encap.h"
#include "net/fwd.h"
#include "net/mss.h"

static struct tbucket *
bucket(struct dp_thread *th, const struct dp_snapshot *snap, int slot,
    uint16_t port)
{
	struct tbucket *b =
	    port == PORT_LOCAL ? &th->tb_local[slot] : &th->tb_port[port];
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

/* A port as the log names it. */
static const char *
port_name(const struct dp_snapshot *snap, uint16_t port)
{
	if (port == PORT_LOCAL)
		return "the TAP";
	return snap->peers[port] != NULL ? snap->peers[port]->name : "?";
}

/* Count and log (rate-limited) what learning the source MAC did. */
static void
note_learning(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame,
    enum mactab_result learned)
{
	const uint8_t *m = frame + ETHER_ADDR_LEN_;
	static const char *const what[] = {
		[MACTAB_MOVED] = "moved to",
		[MACTAB_MOVE_REFUSED] = "live elsewhere, not moved to",
		[MACTAB_AT_LIMIT] = "not learned: mac-limit reached by",
	};
	char mac[MAC_TEXT_LEN];
	uint32_t suppressed;

	if (learned == MACTAB_MOVED)
		ctr_add(&th->pc[in].mac_moves, 1);
	else if (learned == MACTAB_AT_LIMIT)
		ctr_add(&th->pc[in].mac_unlearned, 1);
	else if (learned != MACTAB_MOVE_REFUSED)
		return;
	if (log_rate_allow(&th->log_rate, &suppressed))
		log_info("segment %s: MAC %s %s %s (%u similar messages "
			 "suppressed)",
		    seg->name, mac_ntoa(m, mac), what[learned],
		    port_name(snap, in), suppressed);
}

/* Where a frame that entered seg at port `in` goes; DROP_NONE or why not. */
static enum drop_reason
decide(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame, size_t len,
    struct fwd_result *r)
{
	enum drop_reason why = fwd_frame(&seg->fwd, in, frame, len, th->now_s,
	    th->now_ms, bucket(th, snap, seg->slot, in), r);

	if (r->learned != MACTAB_REFRESHED && r->learned != MACTAB_LEARNED)
		note_learning(th, snap, seg, in, frame, r->learned);
	return why;
}

/* Send a frame where the decision r says. */
static void
deliver(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame, size_t len,
    const struct fwd_result *r, uint32_t hash)
{
	size_t i;

	if (r->action == FWD_UNICAST) {
		if (r->port == PORT_LOCAL)
			dp_tap_deliver(th, seg, in, frame, len);
		else
			dp_tx_queue(th, snap, seg, r->port, frame, len, hash);
		return;
	}
	ctr_add(&th->sc[seg->slot].floods, 1);
	if (in != PORT_LOCAL)
		dp_tap_deliver(th, seg, in, frame, len);
	for (i = 0; i < seg->fwd.npeers; i++)
		if (fwd_floods_to(&seg->fwd, in, seg->fwd.peer_ports[i]))
			dp_tx_queue(th, snap, seg, seg->fwd.peer_ports[i],
			    frame, len, hash);
}

/*
 * clamp-mss, both ways: frames from the TAP (checksums finished) and from
 * peers.  Either lies in this thread's own receive buffers, so it may be
 * written; a SYN is never a TSO super-frame.
 */
static void
clamp(struct dp_thread *th, const struct dp_segment *seg, const uint8_t *frame,
    size_t len)
{
	unsigned mtu = dp_mss_mtu(th->dp, seg->slot);

	if (mtu == 0 || mtu > (unsigned)seg->mtu)
		mtu = (unsigned)seg->mtu;
	if (mss_clamp((uint8_t *)(uintptr_t)frame, len, mtu))
		ctr_add(&th->sc[seg->slot].mss_clamped, 1);
}

/* Forward one frame that entered seg at port `in`. */
void
dp_forward(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, uint16_t in, const uint8_t *frame, size_t len)
{
	struct fwd_result r;
	enum drop_reason why;

	if (seg->clamp_mss)
		clamp(th, seg, frame, len);
	why = decide(th, snap, seg, in, frame, len, &r);

	if (why != DROP_NONE)
		dp_drop(th, in, why);
	else
		deliver(th, snap, seg, in, frame, len, &r,
		    flow_hash(frame, len));
}

/*
 * Forward the segments cut from one super-frame: they share their
 * headers, so the first one's decision holds for all.  Queued side by
 * side, they leave as UDP_SEGMENT trains (txq_flush).
 */
void
dp_forward_segments(struct dp_thread *th, const struct dp_snapshot *snap,
    const struct dp_segment *seg, int n)
{
	const struct tso_seg *segs = th->segs;
	uint32_t hash = flow_hash(segs[0].frame, segs[0].len);
	struct fwd_result r;
	enum drop_reason why;
	int i;

	if ((why = decide(th, snap, seg, PORT_LOCAL, segs[0].frame, segs[0].len,
		 &r)) != DROP_NONE) {
		dp_drop_n(th, PORT_LOCAL, why, (uint64_t)n);
		return;
	}
	for (i = 0; i < n; i++)
		deliver(th, snap, seg, PORT_LOCAL, segs[i].frame, segs[i].len,
		    &r, hash);
}
