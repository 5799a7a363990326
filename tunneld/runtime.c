/* runtime.c: segments, peers, snapshots and reload. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "runtime.h"
#include "tap.h"
#include "xmalloc.h"

static struct dp_params
dp_params_of(const struct config *c)
{
	struct dp_params p = {
		.threads = c->daemon.threads,
		.local4 = c->daemon.local4,
		.local6 = c->daemon.local6,
		.vxlan_port = c->daemon.vxlan_port,
		.greudp_port = c->daemon.greudp_port,
		.udp_checksum = c->daemon.udp_checksum,
		.gre = c->daemon.gre,
	};
	return p;
}

/* Create a segment's TAP and table in a free slot; -1 on failure. */
static int
seg_create(struct runtime *rt, const struct cfg_segment *cs,
    const struct cfg_daemon *d, char **cause)
{
	struct rt_segment *s;
	int slot, n = dp_threads(rt->dp);

	for (slot = 0; slot < DP_MAX_SEGMENTS && rt->segs[slot].used; slot++)
		;
	if (slot == DP_MAX_SEGMENTS) {
		xasprintf(cause, "no free segment slot");
		return -1;
	}
	s = &rt->segs[slot];
	if (tap_open(cs->tap, n, s->fds, cause) != 0)
		return -1;
	if (tap_configure(cs->tap, cs->mtu, cause) != 0 ||
	    tap_attach_bridge(cs->tap, cs->bridge, cause) != 0 ||
	    (s->mactab = mactab_new(d->mac_table_size, d->mac_age)) == NULL) {
		while (n-- > 0)
			close(s->fds[n]);
		return -1;
	}
	s->cfg = *cs;
	s->used = true;
	dp_reset_seg(rt->dp, slot);
	log_info("segment %s: VNI %u on TAP %s (MTU %d%s%s)", cs->name, cs->vni,
	    cs->tap, cs->mtu, cs->bridge[0] ? ", bridge " : "", cs->bridge);
	return slot;
}

/* Close a segment's TAP (removing the device) and free its table. */
static void
seg_release(struct runtime *rt, struct rt_segment *s)
{
	int t;

	if (!s->used)
		return;
	for (t = 0; t < dp_threads(rt->dp); t++)
		close(s->fds[t]);
	mactab_free(s->mactab);
	log_info("segment %s: removed TAP %s", s->cfg.name, s->cfg.tap);
	memset(s, 0, sizeof *s);
}

static void
seg_destroy(struct runtime *rt, int slot)
{
	seg_release(rt, &rt->segs[slot]);
}

int
rt_segment_slot(const struct runtime *rt, const char *name)
{
	int i;

	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		if (rt->segs[i].used && strcmp(rt->segs[i].cfg.name, name) == 0)
			return i;
	return -1;
}

uint16_t
rt_peer_port(const struct runtime *rt, const char *name)
{
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++)
		if (rt->peers[port].used &&
		    strcmp(rt->peers[port].cfg.name, name) == 0)
			return (uint16_t)port;
	return 0;
}

/* Translate a peer's config segment mask into segment slots. */
static uint64_t
slot_mask(const struct runtime *rt, const struct config *c,
    const struct cfg_peer *p)
{
	uint64_t m = 0;
	int i, slot;

	for (i = 0; i < c->nsegments; i++)
		if (((p->segments >> i) & 1) &&
		    (slot = rt_segment_slot(rt, c->segments[i].name)) >= 0)
			m |= 1ull << slot;
	return m;
}

/* The snapshot that matches rt's segments and peers right now. */
static struct dp_snapshot *
rt_snapshot(struct runtime *rt)
{
	const struct cfg_daemon *d = &rt->cfg->daemon;
	struct dp_snapshot *snap = snap_new(d->flood_rate, d->flood_burst,
	    d->relay);
	struct dp_segment ds;
	struct dp_peer dpp;
	int i;

	for (i = 0; i < DP_MAX_SEGMENTS; i++) {
		struct rt_segment *s = &rt->segs[i];
		if (!s->used)
			continue;
		memset(&ds, 0, sizeof ds);
		ds.slot = i;
		ds.vni = s->cfg.vni;
		ds.mtu = s->cfg.mtu;
		memcpy(ds.tap_fd, s->fds, sizeof ds.tap_fd);
		ds.fwd.mactab = s->mactab;
		snprintf(ds.name, sizeof ds.name, "%s", s->cfg.name);
		snap_add_segment(snap, &ds);
	}
	for (i = 1; i < DP_MAX_PORTS; i++) {
		struct rt_peer *p = &rt->peers[i];
		if (!p->used)
			continue;
		memset(&dpp, 0, sizeof dpp);
		dpp.port = (uint16_t)i;
		dpp.encap = p->cfg.encap;
		dpp.addr = p->cfg.addr;
		dpp.seg_mask = p->slot_mask;
		snprintf(dpp.name, sizeof dpp.name, "%s", p->cfg.name);
		snap_add_peer(snap, &dpp);
	}
	snap_finish(snap);
	return snap;
}

/* Publish the current state to the data threads and free the old one. */
static void
rt_publish(struct runtime *rt)
{
	snap_free(dp_publish(rt->dp, rt_snapshot(rt)));
}

static int
rt_add_peer(struct runtime *rt, const struct cfg_peer *p)
{
	int port;

	for (port = 1; port < DP_MAX_PORTS && rt->peers[port].used; port++)
		;
	if (port == DP_MAX_PORTS)
		return -1;
	rt->peers[port].used = true;
	rt->peers[port].cfg = *p;
	rt->peers[port].slot_mask = slot_mask(rt, rt->cfg, p);
	dp_reset_port(rt->dp, (uint16_t)port);
	return port;
}

struct runtime *
rt_open(struct config *cfg, char **cause)
{
	struct dp_params dpp = dp_params_of(cfg);
	struct runtime *rt = xcalloc(1, sizeof *rt);
	int i, slot;

	rt->peers = xcalloc(DP_MAX_PORTS, sizeof *rt->peers);
	rt->cfg = cfg;
	if ((rt->dp = dp_new(&dpp, cause)) == NULL)
		goto fail;
	for (i = 0; i < cfg->nsegments; i++) {
		if ((slot = seg_create(rt, &cfg->segments[i], &cfg->daemon,
		    cause)) < 0 || dp_watch_tap(rt->dp, slot,
		    rt->segs[slot].fds, cause) != 0)
			goto fail;
	}
	for (i = 0; i < cfg->npeers; i++)
		rt_add_peer(rt, &cfg->peers[i]);
	rt_publish(rt);
	log_info("%s: %s with %d segments and %d peers; data path: %s",
	    cfg->daemon.name, cfg->daemon.role == ROLE_HUB ? "hub" : "spoke",
	    cfg->nsegments, cfg->npeers, dp_describe(rt->dp));
	return rt;
fail:
	rt->cfg = NULL;		/* the caller keeps its config on failure */
	rt_close(rt);
	return NULL;
}

int
rt_start(struct runtime *rt, char **cause)
{
	rt->started_ms = clock_ms();
	return dp_start(rt->dp, cause);
}

void
rt_close(struct runtime *rt)
{
	int i;

	if (rt == NULL)
		return;
	if (rt->dp != NULL) {
		snap_free(dp_stop(rt->dp));
		for (i = 0; i < DP_MAX_SEGMENTS; i++)
			seg_destroy(rt, i);
		dp_free(rt->dp);
	}
	config_free(rt->cfg);
	free(rt->peers);
	free(rt);
}

void
rt_tick(struct runtime *rt)
{
	uint32_t now = (uint32_t)(clock_ms() / 1000);
	int i;

	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		if (rt->segs[i].used)
			mactab_expire(rt->segs[i].mactab, now);
}

/* What a reload does to the segments, decided before anything changes. */
struct seg_plan {
	int keep[DP_MAX_SEGMENTS];	/* new cfg index -> kept slot or -1 */
	bool drop[DP_MAX_SEGMENTS];	/* slot -> remove */
	int created[DP_MAX_SEGMENTS];	/* new cfg index -> new slot or -1 */
};

static int
plan_segments(struct runtime *rt, const struct config *nc, struct seg_plan *pl,
    char **cause)
{
	int i, slot;

	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++)
		pl->drop[slot] = rt->segs[slot].used;
	for (i = 0; i < nc->nsegments; i++) {
		const struct cfg_segment *ns = &nc->segments[i];
		pl->created[i] = -1;
		slot = rt_segment_slot(rt, ns->name);
		if (slot >= 0 && strcmp(rt->segs[slot].cfg.tap, ns->tap) == 0) {
			pl->keep[i] = slot;
			pl->drop[slot] = false;
			continue;
		}
		pl->keep[i] = -1;
	}
	/* A TAP name that passes from one segment to another needs a restart. */
	for (i = 0; i < nc->nsegments; i++) {
		for (slot = 0; pl->keep[i] < 0 && slot < DP_MAX_SEGMENTS; slot++) {
			if (rt->segs[slot].used && strcmp(rt->segs[slot].cfg.tap,
			    nc->segments[i].tap) == 0) {
				xasprintf(cause, "segment %s: TAP %s belongs to "
				    "segment %s now; restart to move it",
				    nc->segments[i].name, nc->segments[i].tap,
				    rt->segs[slot].cfg.name);
				return -1;
			}
		}
		if (pl->keep[i] >= 0 && nc->segments[i].bridge[0] != '\0' &&
		    if_nametoindex(nc->segments[i].bridge) == 0) {
			xasprintf(cause, "segment %s: bridge %s does not exist",
			    nc->segments[i].name, nc->segments[i].bridge);
			return -1;
		}
	}
	return 0;
}

/* Create the new segments; on failure remove the ones just made. */
static int
create_segments(struct runtime *rt, const struct config *nc,
    struct seg_plan *pl, char **cause)
{
	int i;

	for (i = 0; i < nc->nsegments; i++) {
		if (pl->keep[i] >= 0)
			continue;
		if ((pl->created[i] = seg_create(rt, &nc->segments[i],
		    &nc->daemon, cause)) < 0) {
			while (i-- > 0)
				if (pl->created[i] >= 0)
					seg_destroy(rt, pl->created[i]);
			return -1;
		}
	}
	return 0;
}

/* Change MTU, bridge and VNI of kept segments in place. */
static void
update_segments(struct runtime *rt, const struct config *nc,
    const struct seg_plan *pl)
{
	char *cause = NULL;
	int i;

	for (i = 0; i < nc->nsegments; i++) {
		const struct cfg_segment *ns = &nc->segments[i];
		struct rt_segment *s;
		if (pl->keep[i] < 0)
			continue;
		s = &rt->segs[pl->keep[i]];
		if (s->cfg.mtu != ns->mtu &&
		    tap_configure(ns->tap, ns->mtu, &cause) != 0)
			log_warnx("segment %s: %s", ns->name, cause);
		if (strcmp(s->cfg.bridge, ns->bridge) != 0 &&
		    (tap_detach_bridge(ns->tap, s->cfg.bridge, &cause) != 0 ||
		    tap_attach_bridge(ns->tap, ns->bridge, &cause) != 0))
			log_warnx("segment %s: %s", ns->name, cause);
		free(cause);
		cause = NULL;
		mactab_set_age(s->mactab, nc->daemon.mac_age);
		s->cfg = *ns;
	}
}

/* Flush every segment's MAC entries that point at port. */
static void
flush_port(struct runtime *rt, uint16_t port)
{
	int i;

	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		if (rt->segs[i].used)
			mactab_flush_port(rt->segs[i].mactab, port);
}

struct peer_changes {
	int added, removed, changed, kept;
	bool flush[DP_MAX_PORTS];
};

/*
 * Bring rt->peers in line with rt->cfg, keeping each peer's port by name.
 * Cannot run out of ports: the config holds at most DP_MAX_PORTS - 1 peers.
 */
static void
update_peers(struct runtime *rt, const struct config *oc,
    struct peer_changes *pc)
{
	const struct config *nc = rt->cfg;
	int i, port;

	for (port = 1; port < DP_MAX_PORTS; port++) {
		struct rt_peer *p = &rt->peers[port];
		if (p->used && config_peer_by_name(nc, p->cfg.name) < 0) {
			memset(p, 0, sizeof *p);
			pc->flush[port] = true;
			pc->removed++;
		}
	}
	for (i = 0; i < nc->npeers; i++) {
		const struct cfg_peer *np = &nc->peers[i];
		if ((port = rt_peer_port(rt, np->name)) == 0) {
			rt_add_peer(rt, np);
			pc->added++;
			continue;
		}
		if (config_peer_equal(&rt->peers[port].cfg, np, oc, nc)) {
			pc->kept++;
		} else {
			pc->changed++;
			pc->flush[port] = true;
		}
		rt->peers[port].cfg = *np;
		rt->peers[port].slot_mask = slot_mask(rt, nc, np);
	}
}

int
rt_reload(struct runtime *rt, struct config *nc, char **cause)
{
	struct rt_segment *gone = xcalloc(DP_MAX_SEGMENTS, sizeof *gone);
	struct peer_changes *pc = xcalloc(1, sizeof *pc);
	struct config *oc = rt->cfg;
	struct seg_plan pl;
	const char *key;
	int i, port, rc = -1;

	if ((key = config_restart_key(oc, nc)) != NULL)
		xasprintf(cause, "[daemon] %s changed: restart tunneld to apply "
		    "it", key);
	else if (plan_segments(rt, nc, &pl, cause) == 0 &&
	    create_segments(rt, nc, &pl, cause) == 0)
		rc = 0;
	if (rc != 0) {
		rt->reload_failures++;
		goto out;
	}
	/* Nothing below fails: the new state is built, then published. */
	for (i = 0; i < DP_MAX_SEGMENTS; i++) {
		if (pl.drop[i]) {
			gone[i] = rt->segs[i];
			memset(&rt->segs[i], 0, sizeof rt->segs[i]);
		}
	}
	update_segments(rt, nc, &pl);
	rt->cfg = nc;
	update_peers(rt, oc, pc);
	log_set_level((enum log_level)nc->daemon.log_level);
	rt_publish(rt);
	for (i = 0; i < nc->nsegments; i++)
		if (pl.created[i] >= 0 && dp_watch_tap(rt->dp, pl.created[i],
		    rt->segs[pl.created[i]].fds, cause) != 0)
			log_warnx("segment %s: %s", nc->segments[i].name, *cause);
	for (i = 0; i < DP_MAX_SEGMENTS; i++) {
		if (gone[i].used) {
			dp_unwatch_tap(rt->dp, gone[i].fds);
			seg_release(rt, &gone[i]);
		}
	}
	for (port = 1; port < DP_MAX_PORTS; port++)
		if (pc->flush[port])
			flush_port(rt, (uint16_t)port);
	log_info("reload of %s: peers %d added, %d removed, %d changed, %d "
	    "unchanged", nc->path, pc->added, pc->removed, pc->changed,
	    pc->kept);
	rt->reloads++;
	config_free(oc);
out:
	free(gone);
	free(pc);
	return rc;
}
