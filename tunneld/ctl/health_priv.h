/*
 * health_priv.h: the per-peer records shared by health.c (liveness, RTT,
 * loss, the tick) and health_mtu.c (path MTU and black holes).  Internal
 * to the health module; control thread only.
 */
#ifndef HEALTH_PRIV_H
#define HEALTH_PRIV_H

#include "health.h"
#include "pathstat.h"
#include "pmtu.h"
#include "routemtu.h"

struct peer_health {
	/* Who the record is about: reset when the port's peer changes. */
	char name[CFG_NAME_MAX];
	uint16_t port;
	struct sockaddr_any addr;
	enum encap_type encap;
	bool esp;   /* sealed in ESP: other sizes on the underlay */
	bool no_sa; /* encrypted, but no SA to seal with (keys not there) */
	enum probe_mode mode;
	struct pathstat ps;
	double loss; /* probes lost over the window, 0..1 */
	enum health_state state;
	uint64_t since_ns; /* of the state */
	char reason[128];
	uint64_t first_probe_ns, next_probe_ns;
	uint64_t send_errors;
	uint64_t rx_packets, last_rx_ns;
	/* Path MTU (health_mtu.c). */
	uint16_t given_mtu; /* the config's or the cloud's path MTU */
	enum path_mtu_source given_source;
	struct pmtu pm;
	uint32_t pm_seq;
	bool pm_paused;		/* the path went quiet: search on hold */
	struct route_mtu route; /* the kernel's view, read each interval */
	uint64_t route_at_ns;	/* when the interface MTU was last read */
	uint16_t shown_pmtu;	/* the PMTU the last event gave */
	int seg_mtu;		/* the largest TAP MTU of its segments */
	bool black_hole;	/* a member segment's frames do not fit */
	int bh_mtu;		/* that segment's TAP MTU */
	char bh_segment[CFG_NAME_MAX];
};

struct health {
	struct peer_health *v[DP_MAX_PORTS];
	uint64_t now_ns;
	struct events *events;
	unsigned tried[DP_MAX_SEGMENTS]; /* mtu = auto: last MTU set */
};

/* Start a record's path MTU search. */
void mtu_start(struct health *, const struct cfg_daemon *,
    struct peer_health *);
/* Once a probe-interval: the kernel's hint, the interface MTU. */
void mtu_interval(struct health *, const struct cfg_daemon *,
    struct peer_health *);
/* Every tick: the search's probes. */
void mtu_tick(struct health *, struct dp *, const struct cfg_daemon *,
    struct peer_health *);
/*
 * Then: whether the PMTU changed, and whether a member segment (slots) is
 * in a black hole; each change is an event (events.h).
 */
void mtu_judge(struct health *, const struct table *, const struct cfg_daemon *,
    struct peer_health *, uint64_t slots);
/* Search the path MTU again from the top, now. */
void mtu_recheck(struct health *, struct peer_health *);
/* The inner MTU the peer's path carries; 0 while unknown. */
unsigned mtu_inner(const struct peer_health *);
/* The largest inner frame probes confirmed the path carries; 0: none. */
unsigned mtu_frame_max(const struct peer_health *);
/* A reply to a padded probe (its body larger than PROBE_BODY_MIN). */
void mtu_reply(struct health *, const struct cfg_daemon *, struct peer_health *,
    const struct dp_probe_reply *);
/* {"pmtu", "source", "state", "inner_frame_max", "black_hole", ...}. */
json_t *mtu_json(const struct health *, const struct peer_health *);

#endif
