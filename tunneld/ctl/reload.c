/*
 * reload.c: planning and applying a new configuration.
 *
 * A reload goes in two halves.  The fallible half reads the file, checks
 * the restart keys, plans which segments stay (by name, same TAP), go or
 * come, and opens the TAPs of the new ones; any failure there undoes what
 * it made and leaves the daemon as it was.  The other half cannot fail: it
 * takes the gone segments out of the table, updates the kept ones, brings
 * the [peer] peers and the discovered peers in line with the new config,
 * and publishes one snapshot; only then are the gone TAPs closed.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp/tap.h"
#include "events.h"
#include "log.h"
#include "runtime_priv.h"
#include "xmalloc.h"

/* What a reload does to the segments, decided before anything changes. */
struct seg_plan {
	int keep[DP_MAX_SEGMENTS];    /* new cfg index -> kept slot or -1 */
	bool drop[DP_MAX_SEGMENTS];   /* slot -> remove */
	int created[DP_MAX_SEGMENTS]; /* new cfg index -> new slot or -1 */
	struct tbl_segment gone[DP_MAX_SEGMENTS]; /* slot -> removed */
};

/* The segment whose TAP is called tap, -1 if none. */
static int
slot_of_tap(const struct table *tab, const char *tap)
{
	int slot;

	for (slot = -1; (slot = table_seg_next(tab, slot)) >= 0;)
		if (strcmp(table_seg(tab, slot)->cfg.tap, tap) == 0)
			return slot;
	return -1;
}

static int
plan_segments(const struct runtime *rt, const struct config *nc,
    struct seg_plan *pl, char **cause)
{
	const struct cfg_segment *ns;
	int i, slot;

	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++)
		pl->drop[slot] = table_seg(rt->tab, slot) != NULL;
	for (i = 0; i < nc->nsegments; i++) {
		ns = &nc->segments[i];
		pl->created[i] = pl->keep[i] = -1;
		slot = table_seg_find(rt->tab, ns->name);
		if (slot >= 0 &&
		    strcmp(table_seg(rt->tab, slot)->cfg.tap, ns->tap) == 0) {
			pl->keep[i] = slot;
			pl->drop[slot] = false;
		}
	}
	for (i = 0; i < nc->nsegments; i++) {
		ns = &nc->segments[i];
		slot = slot_of_tap(rt->tab, ns->tap);
		if (pl->keep[i] < 0 && slot >= 0) {
			xasprintf(cause,
			    "segment %s: TAP %s belongs to segment %s now; "
			    "restart to move it",
			    ns->name, ns->tap,
			    table_seg(rt->tab, slot)->cfg.name);
			return -1;
		}
		if (pl->keep[i] >= 0 && ns->bridge[0] != '\0' &&
		    if_nametoindex(ns->bridge) == 0) {
			xasprintf(cause, "segment %s: bridge %s does not exist",
			    ns->name, ns->bridge);
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
		if ((pl->created[i] = rt_seg_create(rt, &nc->segments[i],
			 &nc->daemon, cause)) >= 0)
			continue;
		while (i-- > 0) {
			if (pl->created[i] < 0)
				continue;
			rt_seg_release(rt, table_seg(rt->tab, pl->created[i]));
			table_seg_del(rt->tab, pl->created[i]);
		}
		return -1;
	}
	return 0;
}

/* Change MTU, bridge, VNI and MAC ageing of kept segments in place. */
static void
update_segments(struct runtime *rt, const struct config *nc,
    const struct seg_plan *pl)
{
	const struct cfg_segment *ns;
	struct tbl_segment s;
	char *cause = NULL;
	int i, mtu;

	for (i = 0; i < nc->nsegments; i++) {
		if (pl->keep[i] < 0)
			continue;
		ns = &nc->segments[i];
		s = *table_seg(rt->tab, pl->keep[i]);
		/* mtu = auto on both sides: the TAP keeps the MTU it follows.
		 */
		if (ns->mtu_auto && s.cfg.mtu_auto)
			mtu = s.cfg.mtu;
		else
			mtu = ns->mtu;
		if (s.cfg.mtu != mtu &&
		    tap_configure(ns->tap, mtu, &cause) != 0)
			log_warnx("segment %s: %s", ns->name, cause);
		if (strcmp(s.cfg.bridge, ns->bridge) != 0 &&
		    (tap_detach_bridge(ns->tap, s.cfg.bridge, &cause) != 0 ||
			tap_attach_bridge(ns->tap, ns->bridge, &cause) != 0))
			log_warnx("segment %s: %s", ns->name, cause);
		free(cause);
		cause = NULL;
		/* Another VNI is another L2 segment: nothing learned holds. */
		if (s.cfg.vni != ns->vni)
			mactab_flush(s.mactab);
		mactab_set_age(s.mactab, nc->daemon.mac_age);
		rt_mac_policy(&nc->daemon, s.mactab);
		s.cfg = *ns;
		s.cfg.mtu = mtu;
		table_seg_set(rt->tab, pl->keep[i], &s);
	}
}

/*
 * Discovered peers across a reload: those of providers nc no longer has
 * go; the others keep their tunnels, in the segments their provider now
 * names, until its next listing (discovery_reload pushes it at once).
 */
static void
reload_discovered(struct runtime *rt, const struct config *nc,
    struct peer_changes *pc)
{
	const struct tbl_peer *p;
	struct tbl_peer np;
	uint16_t port;
	int i;

	for (port = PORT_LOCAL; (port = table_peer_next(rt->tab, port)) != 0;) {
		p = table_peer(rt->tab, port);
		if (p->source[0] == '\0')
			continue;
		if ((i = config_provider_by_name(nc, p->source)) < 0) {
			table_peer_del(rt->tab, port);
			pc->flush[port] = true;
			pc->n.removed++;
			continue;
		}
		np = *p;
		np.slots = rt_slots(rt, nc, nc->providers[i].segments);
		if (np.slots != p->slots)
			pc->flush[port] = true;
		table_peer_set(rt->tab, port, &np);
	}
}

/* The half that cannot fail: the table becomes nc's, then one publish. */
static void
reload_commit(struct runtime *rt, struct config *nc, struct seg_plan *pl,
    struct peer_changes *pc)
{
	const struct cfg_peer **peers =
	    xcalloc((size_t)nc->npeers + 1, sizeof *peers);
	char *cause = NULL;
	bool released;
	int i, slot;

	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++) {
		if (pl->drop[slot]) {
			pl->gone[slot] = *table_seg(rt->tab, slot);
			table_seg_del(rt->tab, slot);
		}
	}
	update_segments(rt, nc, pl);
	rt->cfg = nc;
	for (i = 0; i < nc->npeers; i++)
		peers[i] = &nc->peers[i];
	rt_sync_peers(rt, "", peers, nc->npeers, nc, pc);
	reload_discovered(rt, nc, pc);
	log_set_level((enum log_level)nc->daemon.log_level);
	/*
	 * Gone TAPs leave the threads' epoll sets first: past the quiescent
	 * point the publish waits for, no thread holds an event of their fds,
	 * so closing them cannot hit a reused fd number.
	 */
	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++)
		if (pl->drop[slot])
			dp_unwatch_tap(rt->dp, pl->gone[slot].fds);
	released = rt_publish(rt, pc);
	for (i = 0; i < nc->nsegments; i++)
		if ((slot = pl->created[i]) >= 0 &&
		    dp_watch_tap(rt->dp, slot, table_seg(rt->tab, slot)->fds,
			&cause) != 0) {
			log_warnx("segment %s: %s", nc->segments[i].name,
			    cause);
			free(cause);
			cause = NULL;
		}
	for (slot = 0; slot < DP_MAX_SEGMENTS; slot++) {
		if (!pl->drop[slot])
			continue;
		if (released)
			rt_seg_release(rt, &pl->gone[slot]);
		else
			log_warnx("segment %s: TAP %s kept open: a data thread "
				  "may still use it",
			    pl->gone[slot].cfg.name, pl->gone[slot].cfg.tap);
	}
	free(peers);
}

/* Count what a committed reload did. */
static void
reload_report(const struct config *nc, const struct seg_plan *pl,
    const struct peer_changes *pc, struct rt_reload_report *r)
{
	int i;

	memset(r, 0, sizeof *r);
	r->peers = pc->n;
	for (i = 0; i < nc->nsegments; i++) {
		r->segs_added += pl->created[i] >= 0;
		r->segs_kept += pl->keep[i] >= 0;
	}
	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		r->segs_removed += pl->drop[i];
}

int
rt_reload(struct runtime *rt, const char *path, struct config **old,
    struct rt_reload_report *report, char **cause)
{
	struct seg_plan *pl = xcalloc(1, sizeof *pl);
	struct peer_changes *pc = xcalloc(1, sizeof *pc);
	struct config *oc = rt->cfg, *nc;
	const char *key;
	int rc = -1;

	if ((nc = config_load(path, cause)) != NULL)
		config_log_warnings(nc);
	if (nc == NULL)
		;
	else if ((key = config_restart_key(oc, nc)) != NULL)
		xasprintf(cause,
		    "[daemon] %s changed: restart tunneld to apply it", key);
	else if (plan_segments(rt, nc, pl, cause) == 0 &&
	    create_segments(rt, nc, pl, cause) == 0)
		rc = 0;
	if (rc != 0) {
		config_free(nc);
		rt->stats.reload_failures++;
		goto out;
	}
	reload_commit(rt, nc, pl, pc);
	reload_report(nc, pl, pc, report);
	events_add(rt->events, EV_RELOAD, LOG_LEVEL_INFO, NULL,
	    "reload of %s: segments %d added, %d removed, %d kept; peers "
	    "%d added, %d removed, %d changed, %d unchanged",
	    nc->path, report->segs_added, report->segs_removed,
	    report->segs_kept, pc->n.added, pc->n.removed, pc->n.changed,
	    pc->n.kept);
	rt->stats.reloads++;
	*old = oc;
out:
	free(pl);
	free(pc);
	return rc;
}
