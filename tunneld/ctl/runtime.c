/* runtime.c: segments, peers, snapshots and reload. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "runtime.h"
#include "dp/tap.h"
#include "xmalloc.h"

static struct dp_params
dp_params_of(const struct config *c)
{
	struct dp_params p = {
		.threads = c->daemon.threads,
		.local4 = c->daemon.local4,
		.local6 = c->daemon.local6,
		.udp_checksum = c->daemon.udp_checksum,
		.over_ip = c->daemon.gre,
		.udp_offload = c->daemon.offload,
		.busy_poll_us = (unsigned)c->daemon.busy_poll,
	};
	memcpy(p.port, c->daemon.port, sizeof p.port);
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
	s->vnet = d->offload;
	if (tap_open(cs->tap, n, s->fds, &s->vnet, cause) != 0)
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
	log_info("segment %s: VNI %u on TAP %s (MTU %d%s%s), offloads %s",
	    cs->name, cs->vni, cs->tap, cs->mtu, cs->bridge[0] ? ", bridge " :
	    "", cs->bridge, s->vnet ? "on (TSO in, GRO out)" : "off");
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
		ds.vnet = s->vnet;
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
rt_add_peer(struct runtime *rt, const char *source, const struct cfg_peer *p)
{
	int port;

	for (port = 1; port < DP_MAX_PORTS && rt->peers[port].used; port++)
		;
	if (port == DP_MAX_PORTS)
		return -1;
	rt->peers[port].used = true;
	snprintf(rt->peers[port].source, sizeof rt->peers[port].source, "%s",
	    source);
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
		rt_add_peer(rt, "", &cfg->peers[i]);
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
	struct rt_changes n;
	bool flush[DP_MAX_PORTS];
};

static bool
peer_listed(const char *name, const struct cfg_peer *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return true;
	return false;
}

/* Whether a peer of another name already has p's encapsulation and address. */
static bool
endpoint_taken(const struct runtime *rt, const struct cfg_peer *p)
{
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++) {
		const struct cfg_peer *q = &rt->peers[port].cfg;
		if (rt->peers[port].used && q->encap == p->encap &&
		    q->addr.len == p->addr.len && strcmp(q->name, p->name) != 0 &&
		    memcmp(&q->addr.sa, &p->addr.sa, p->addr.len) == 0)
			return true;
	}
	return false;
}

/* Add, change or keep one peer of source by name. */
static void
sync_peer(struct runtime *rt, const char *source, const struct cfg_peer *np,
    const struct config *oc, struct peer_changes *pc)
{
	uint16_t port = rt_peer_port(rt, np->name);
	struct rt_peer *p = &rt->peers[port];

	if ((port != 0 && strcmp(p->source, source) != 0) ||
	    endpoint_taken(rt, np)) {
		log_warnx("peer %s from %s: name or endpoint already taken by "
		    "another peer; not added", np->name, source[0] ? source
		    : "the config");
		pc->n.refused++;
		return;
	}
	if (port == 0) {
		if (rt_add_peer(rt, source, np) < 0) {
			log_warnx("peer %s: peer table full", np->name);
			pc->n.refused++;
		} else
			pc->n.added++;
		return;
	}
	if (config_peer_equal(&p->cfg, np, oc, rt->cfg)) {
		pc->n.kept++;
	} else {
		pc->n.changed++;
		pc->flush[port] = true;
	}
	p->cfg = *np;
	p->slot_mask = slot_mask(rt, rt->cfg, np);
}

/*
 * Bring the peers of source in line with v[0..n), keeping each peer's port
 * by name.  oc is the config v's old counterparts were read against.
 */
static void
sync_peers(struct runtime *rt, const char *source, const struct cfg_peer *v,
    int n, const struct config *oc, struct peer_changes *pc)
{
	int i, port;

	for (port = 1; port < DP_MAX_PORTS; port++) {
		struct rt_peer *p = &rt->peers[port];
		if (p->used && strcmp(p->source, source) == 0 &&
		    !peer_listed(p->cfg.name, v, n)) {
			memset(p, 0, sizeof *p);
			pc->flush[port] = true;
			pc->n.removed++;
		}
	}
	for (i = 0; i < n; i++)
		sync_peer(rt, source, &v[i], oc, pc);
}

/* A segment bit set over oc's segments, over nc's (by name). */
static uint64_t
remap_segments(uint64_t m, const struct config *oc, const struct config *nc)
{
	uint64_t out = 0;
	int i, j;

	for (i = 0; i < oc->nsegments; i++)
		if (((m >> i) & 1) &&
		    (j = config_segment_by_name(nc, oc->segments[i].name)) >= 0)
			out |= 1ull << j;
	return out;
}

/*
 * Discovered peers across a reload: those of providers nc no longer has
 * go; the others keep their tunnels, their segments read against nc,
 * until their provider's next listing.
 */
static void
reload_discovered(struct runtime *rt, const struct config *oc,
    const struct config *nc, struct peer_changes *pc)
{
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++) {
		struct rt_peer *p = &rt->peers[port];
		if (!p->used || p->source[0] == '\0')
			continue;
		if (config_provider_by_name(nc, p->source) < 0) {
			memset(p, 0, sizeof *p);
			pc->flush[port] = true;
			pc->n.removed++;
			continue;
		}
		p->cfg.segments = remap_segments(p->cfg.segments, oc, nc);
		p->slot_mask = slot_mask(rt, nc, &p->cfg);
	}
}

static void
flush_changed(struct runtime *rt, const struct peer_changes *pc)
{
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++)
		if (pc->flush[port])
			flush_port(rt, (uint16_t)port);
}

void
rt_set_discovered(struct runtime *rt, const char *provider,
    const struct cfg_peer *v, int n, struct rt_changes *out)
{
	struct peer_changes *pc = xcalloc(1, sizeof *pc);

	sync_peers(rt, provider, v, n, rt->cfg, pc);
	if (pc->n.added + pc->n.removed + pc->n.changed > 0) {
		rt_publish(rt);
		flush_changed(rt, pc);
	}
	*out = pc->n;
	free(pc);
}

int
rt_reload(struct runtime *rt, struct config *nc, struct config **old,
    char **cause)
{
	struct rt_segment *gone = xcalloc(DP_MAX_SEGMENTS, sizeof *gone);
	struct peer_changes *pc = xcalloc(1, sizeof *pc);
	struct config *oc = rt->cfg;
	struct seg_plan pl;
	const char *key;
	int i, rc = -1;

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
	sync_peers(rt, "", nc->peers, nc->npeers, oc, pc);
	reload_discovered(rt, oc, nc, pc);
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
	flush_changed(rt, pc);
	log_info("reload of %s: peers %d added, %d removed, %d changed, %d "
	    "unchanged", nc->path, pc->n.added, pc->n.removed, pc->n.changed,
	    pc->n.kept);
	rt->reloads++;
	*old = oc;
out:
	free(gone);
	free(pc);
	return rc;
}
