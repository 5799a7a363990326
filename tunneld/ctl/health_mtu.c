/*
 * health_mtu.c: each peer's path MTU, the largest inner frame it carries,
 * and MTU black holes (health_priv.h).
 *
 * A peer that answers probes (a tunneld, up) gets the pmtu.c search with
 * padded probes of its own encapsulation, sent with DF; the kernel's PMTU
 * towards it (lowered by ICMP) is read once a probe-interval and given to
 * the search as a hint.  Any other peer is shown with the kernel's figure.
 * From the PMTU and the exact overhead (outer IP, UDP, tunnel header) comes
 * the largest inner frame; a member segment whose TAP MTU needs more is an
 * MTU black hole, logged once when it starts and once when it ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/overhead.h"
#include "health_priv.h"
#include "log.h"
#include "net/probe.h"
#include "net/wire.h"

#define MS 1000000ull

enum { ROUTE_REREAD_S = 60 };

static int
family_of(const struct peer_health *ph)
{
	return ph->addr.sa.sa_family;
}

/* The largest payload (probe body or frame) within an outer size. */
static size_t
payload_max(const struct peer_health *ph, bool probe, size_t outer)
{
	return overhead_payload_max(ph->encap, family_of(ph), probe, ph->esp,
	    outer);
}

static void
params(const struct cfg_daemon *d, const struct peer_health *ph,
    struct pmtu_params *prm)
{
	uint64_t rtt = (uint64_t)ph->ps.last_rtt_us * 1000u;

	prm->timeout_ns = 4 * rtt;
	if (prm->timeout_ns < 100 * MS)
		prm->timeout_ns = 100 * MS;
	if (prm->timeout_ns > 1000 * MS)
		prm->timeout_ns = 1000 * MS;
	prm->pace_ns = 20 * MS;
	prm->confirm_ns = 5 * (uint64_t)d->probe_interval_ms * MS;
	prm->raise_ns = (uint64_t)d->pmtu_interval_ms * MS;
	prm->tries = pmtu_tries_for(ph->loss);
}

void
mtu_start(struct health *h, const struct cfg_daemon *d, struct peer_health *ph)
{
	uint16_t floor =
	    family_of(ph) == AF_INET6 ? PMTU_V6_FLOOR : (uint16_t)d->pmtu_floor;

	if (route_mtu(&ph->addr, true, &ph->route) != 0)
		memset(&ph->route, 0, sizeof ph->route);
	ph->route_at_ns = h->now_ns;
	ph->pm_seq = arc4random();
	pmtu_init(&ph->pm, floor,
	    ph->route.device != 0 ? ph->route.device : floor, h->now_ns);
	/* The cloud's figure is where the search looks first. */
	if (ph->given_source == PATH_MTU_CLOUD)
		pmtu_hint(&ph->pm, ph->given_mtu, h->now_ns);
}

void
mtu_interval(struct health *h, const struct cfg_daemon *d,
    struct peer_health *ph)
{
	bool reread = h->now_ns - ph->route_at_ns >= ROUTE_REREAD_S * 1000 * MS;
	struct route_mtu r;

	(void)d;
	if (route_mtu(&ph->addr, reread, &r) != 0)
		return;
	ph->route.path = r.path;
	if (reread) {
		ph->route_at_ns = h->now_ns;
		ph->route.device = r.device;
		if (r.device != 0)
			pmtu_set_ceiling(&ph->pm, r.device, h->now_ns);
	}
	pmtu_hint(&ph->pm, r.path, h->now_ns);
}

/* A padded probe of outer size `size`; 0 or an errno. */
static int
send_padded(struct health *h, struct dp *dp, struct peer_health *ph,
    uint16_t size)
{
	static uint8_t body[65536];
	struct probe p = { .type = PROBE_REQUEST, .sent_ns = h->now_ns };
	size_t n = payload_max(ph, true, size);

	p.seq = ++ph->pm_seq;
	/* In ESP the packet may fall short of size by its padding's steps. */
	n = probe_build(&p, body, sizeof body,
	    n > PROBE_BODY_MIN ? n : PROBE_BODY_MIN);
	return dp_probe_send(dp, ph->port, ph->encap, &ph->addr, body, n);
}

/*
 * The PMTU the figures use, and where it came from (0: none): the config
 * always wins; then what probes confirmed; then the kernel's, when ICMP
 * lowered it below the interface's; then what the cloud documents; then
 * the interface's MTU.
 */
static uint16_t
effective_pmtu(const struct peer_health *ph, const char **source)
{
	const struct route_mtu *r = &ph->route;

	if (ph->given_source == PATH_MTU_CONFIG) {
		*source = "config";
		return ph->given_mtu;
	}
	if (ph->pm.source == PMTU_SRC_PROBE) {
		*source = "probe";
		return ph->pm.pmtu;
	}
	if (r->path != 0 && r->device != 0 && r->path < r->device) {
		*source = "icmp";
		return r->path;
	}
	if (ph->given_source == PATH_MTU_CLOUD) {
		*source = "cloud";
		return ph->given_mtu;
	}
	*source = r->path != 0 ? "interface" : "none";
	return r->path;
}

static int
inner_frame_max(const struct peer_health *ph, uint16_t pmtu)
{
	return (int)payload_max(ph, false, pmtu);
}

static void
judge_black_hole(struct health *h, const struct table *tab,
    const struct cfg_daemon *d, struct peer_health *ph, uint64_t slots)
{
	const char *src = "none";
	/* df = unset: routers cut what is too big, nothing vanishes. */
	uint16_t pmtu = d->df == DP_DF_UNSET && family_of(ph) == AF_INET
	    ? 0
	    : effective_pmtu(ph, &src);
	const struct tbl_segment *s, *worst = NULL;
	int slot, limit = inner_frame_max(ph, pmtu);

	ph->seg_mtu = 0;
	for (; slots != 0; slots &= slots - 1) {
		slot = __builtin_ctzll(slots);
		if ((s = table_seg(tab, slot)) == NULL)
			continue;
		if (s->cfg.mtu > ph->seg_mtu)
			ph->seg_mtu = s->cfg.mtu;
		if (pmtu != 0 && s->cfg.mtu + ETHER_HDR_LEN > limit &&
		    (worst == NULL || s->cfg.mtu > worst->cfg.mtu))
			worst = s;
	}
	if (worst != NULL && !ph->black_hole)
		events_add(h->events, EV_BLACK_HOLE, LOG_LEVEL_WARN, ph->name,
		    "MTU black hole: path MTU %u (%s) carries inner frames of "
		    "up to %d bytes (MTU %d), but segment %s's TAP MTU is %d: "
		    "larger frames vanish; set mtu = %d or less in [segment "
		    "%s]",
		    pmtu, src, limit, limit - ETHER_HDR_LEN, worst->cfg.name,
		    worst->cfg.mtu, limit - ETHER_HDR_LEN, worst->cfg.name);
	else if (worst == NULL && ph->black_hole)
		events_add(h->events, EV_BLACK_HOLE, LOG_LEVEL_INFO, ph->name,
		    "MTU black hole over: path MTU %u carries segment %s's "
		    "frames (TAP MTU %d)",
		    pmtu, ph->bh_segment, ph->bh_mtu);
	ph->black_hole = worst != NULL;
	if (worst != NULL) {
		snprintf(ph->bh_segment, sizeof ph->bh_segment, "%s",
		    worst->cfg.name);
		ph->bh_mtu = worst->cfg.mtu;
	}
}

/*
 * Whether the small probes are being answered now.  A padded probe lost
 * while they are not says nothing about its size: the whole path is gone
 * (a cut link, a rebooting peer), and a search that went on would walk
 * down to whatever size first passed when the path came back.
 */
static bool
path_answers(const struct health *h, const struct cfg_daemon *d,
    const struct peer_health *ph)
{
	uint64_t quiet = 2 * (uint64_t)d->probe_interval_ms * MS + 100 * MS;

	return ph->ps.last_reply_ns != 0 &&
	    h->now_ns - ph->ps.last_reply_ns <= quiet;
}

void
mtu_tick(struct health *h, struct dp *dp, const struct cfg_daemon *d,
    struct peer_health *ph)
{
	struct pmtu_params prm;
	uint16_t size;
	int err;

	params(d, ph, &prm);
	/* While the small probes go unanswered the search waits: its
	 * timeouts would judge sizes by a path that carries nothing.  When
	 * they pass again it starts over from the top, since a probe it
	 * had in flight was lost to the outage, not to its size. */
	if (!path_answers(h, d, ph)) {
		ph->pm_paused = true;
		return;
	}
	if (ph->pm_paused) {
		ph->pm_paused = false;
		pmtu_restart(&ph->pm, h->now_ns);
	}
	/* Only a tunneld that answers can be searched with probes, and a
	 * configured path MTU is not searched at all. */
	if (ph->mode != PROBE_NO && ph->state == HEALTH_UP &&
	    ph->given_source != PATH_MTU_CONFIG &&
	    (size = pmtu_due(&ph->pm, &prm, h->now_ns)) != 0) {
		err = send_padded(h, dp, ph, size);
		if (err == EMSGSIZE)
			pmtu_too_big(&ph->pm, &prm, h->now_ns);
		else /* another error: the probe times out like a lost one */
			pmtu_sent(&ph->pm, ph->pm_seq, h->now_ns);
	}
}

/* A change of the PMTU the figures use, as an event. */
static void
judge_change(struct health *h, struct peer_health *ph)
{
	const char *src;
	uint16_t pmtu = effective_pmtu(ph, &src);

	if (pmtu == ph->shown_pmtu)
		return;
	if (ph->shown_pmtu == 0)
		events_add_change(h->events, EV_PMTU, LOG_LEVEL_INFO, ph->name,
		    -1, pmtu, "path MTU %u (%s)", pmtu, src);
	else
		events_add_change(h->events, EV_PMTU, LOG_LEVEL_INFO, ph->name,
		    ph->shown_pmtu, pmtu, "path MTU %u -> %u (%s)",
		    ph->shown_pmtu, pmtu, pmtu != 0 ? src : "unknown");
	ph->shown_pmtu = pmtu;
}

void
mtu_judge(struct health *h, const struct table *tab, const struct cfg_daemon *d,
    struct peer_health *ph, uint64_t slots)
{
	judge_change(h, ph);
	judge_black_hole(h, tab, d, ph, slots);
}

void
mtu_recheck(struct health *h, struct peer_health *ph)
{
	pmtu_restart(&ph->pm, h->now_ns);
}

unsigned
mtu_frame_max(const struct peer_health *ph)
{
	const char *src;
	int limit = inner_frame_max(ph, effective_pmtu(ph, &src));

	/* Only what probes confirmed or the config says: ICMP alone could
	 * be forged, and a cloud's default may have been changed. */
	return (strcmp(src, "probe") == 0 || strcmp(src, "config") == 0) &&
		limit > 0
	    ? (unsigned)limit
	    : 0;
}

unsigned
mtu_inner(const struct peer_health *ph)
{
	const char *src;
	uint16_t pmtu = effective_pmtu(ph, &src);
	int limit = inner_frame_max(ph, pmtu) - ETHER_HDR_LEN;

	return pmtu != 0 && limit > 0 ? (unsigned)limit : 0;
}

void
mtu_reply(struct health *h, const struct cfg_daemon *d, struct peer_health *ph,
    const struct dp_probe_reply *r)
{
	struct pmtu_params prm;
	size_t outer = overhead_outer_len(ph->encap, family_of(ph), true,
	    ph->esp, r->size);

	/* The probe in flight, if this is the body sent for its size. */
	if (ph->pm.size != 0 && payload_max(ph, true, ph->pm.size) == r->size)
		outer = ph->pm.size;
	if (outer > UINT16_MAX)
		return;
	params(d, ph, &prm);
	pmtu_ack(&ph->pm, &prm, r->seq, (uint16_t)outer, h->now_ns);
}

static json_t *
int_or_null(bool valid, int v)
{
	return valid ? json_integer(v) : json_null();
}

json_t *
mtu_json(const struct health *h, const struct peer_health *ph)
{
	const char *src;
	uint16_t pmtu = effective_pmtu(ph, &src);
	int limit = inner_frame_max(ph, pmtu);
	json_t *o = json_object();

	(void)h;
	json_object_set_new(o, "pmtu", int_or_null(pmtu != 0, pmtu));
	json_object_set_new(o, "source", json_string(src));
	json_object_set_new(o, "search",
	    json_string(pmtu_state_name(ph->pm.state)));
	json_object_set_new(o, "floor", json_integer(ph->pm.floor));
	json_object_set_new(o, "ceiling", json_integer(ph->pm.ceiling));
	json_object_set_new(o, "kernel",
	    int_or_null(ph->route.path != 0, ph->route.path));
	/* As operators count it: outer headers and the inner Ethernet's. */
	json_object_set_new(o, "overhead",
	    json_integer((json_int_t)(pmtu != 0 && limit > 0
				 ? (size_t)(pmtu - limit)
				 : overhead_outer_len(ph->encap, family_of(ph),
				       false, ph->esp, 0)) +
		ETHER_HDR_LEN));
	json_object_set_new(o, "inner_frame_max",
	    int_or_null(pmtu != 0, limit));
	json_object_set_new(o, "inner_mtu",
	    int_or_null(pmtu != 0, limit - ETHER_HDR_LEN));
	json_object_set_new(o, "black_hole", json_boolean(ph->black_hole));
	json_object_set_new(o, "black_hole_segment",
	    ph->black_hole ? json_string(ph->bh_segment) : json_null());
	json_object_set_new(o, "segment_mtu",
	    int_or_null(ph->seg_mtu != 0, ph->seg_mtu));
	json_object_set_new(o, "searches",
	    json_integer((json_int_t)ph->pm.searches));
	json_object_set_new(o, "confirm_losses",
	    json_integer((json_int_t)ph->pm.black_holes));
	return o;
}
