/* runtime.c: the runtime's life cycle, its peers and the snapshot. */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "dp/tap.h"
#include "events.h"
#include "health.h"
#include "log.h"
#include "routemtu.h"
#include "runtime_priv.h"
#include "sas.h"
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
		.df = (enum dp_df)c->daemon.df,
		.esp_port = c->daemon.esp_port,
	};

	memcpy(p.port, c->daemon.port, sizeof p.port);
	return p;
}

void
rt_mac_policy(const struct cfg_daemon *d, struct mactab *m)
{
	struct mactab_policy p = {
		.local_stays = !d->mac_move_free,
		.move_hold = d->mac_move_free ? 0 : d->mac_move_hold,
		.port_limit = d->mac_limit,
	};

	mactab_set_policy(m, &p);
}

int
rt_seg_create(struct runtime *rt, const struct cfg_segment *cs,
    const struct cfg_daemon *d, char **cause)
{
	struct tbl_segment s = { .cfg = *cs, .vnet = d->offload };
	int slot, n = dp_threads(rt->dp);

	if (tap_open(cs->tap, n, s.fds, &s.vnet, cause) != 0)
		return -1;
	if (tap_configure(cs->tap, cs->mtu, cause) != 0 ||
	    tap_attach_bridge(cs->tap, cs->bridge, cause) != 0)
		goto fail;
	if ((s.mactab = mactab_new(d->mac_table_size, d->mac_age)) == NULL) {
		xasprintf(cause, "segment %s: no memory for its MAC table",
		    cs->name);
		goto fail;
	}
	rt_mac_policy(d, s.mactab);
	if ((slot = table_seg_add(rt->tab, &s)) < 0) {
		xasprintf(cause, "segment %s: no free segment slot", cs->name);
		goto fail;
	}
	dp_reset_seg(rt->dp, slot);
	log_info("segment %s: VNI %u on TAP %s (MTU %d%s%s), offloads %s",
	    cs->name, cs->vni, cs->tap, cs->mtu,
	    cs->bridge[0] ? ", bridge " : "", cs->bridge,
	    s.vnet ? "on (TSO in, GRO out)" : "off");
	return slot;
fail:
	mactab_free(s.mactab);
	while (n-- > 0)
		close(s.fds[n]);
	return -1;
}

void
rt_seg_release(struct runtime *rt, const struct tbl_segment *s)
{
	int t;

	for (t = 0; t < dp_threads(rt->dp); t++)
		close(s->fds[t]);
	mactab_free(s->mactab);
	log_info("segment %s: removed TAP %s", s->cfg.name, s->cfg.tap);
}

uint64_t
rt_slots(const struct runtime *rt, const struct config *c, uint64_t bits)
{
	uint64_t m = 0;
	int i, slot;

	for (i = 0; i < c->nsegments; i++)
		if (((bits >> i) & 1) &&
		    (slot = table_seg_find(rt->tab, c->segments[i].name)) >= 0)
			m |= 1ull << slot;
	return m;
}

/* The snapshot the data threads need: derived here, and only here. */
/* Where an encrypted peer's ESP goes: where it roamed, or esp-port. */
static void
esp_addr(const struct runtime *rt, const struct tbl_peer *p,
    struct sockaddr_any *out)
{
	uint16_t esp = htons(rt->cfg->daemon.esp_port);

	*out = p->addr;
	if (p->addr.sa.sa_family == AF_INET6)
		out->sin6.sin6_port = esp;
	else
		out->sin.sin_port = esp;
	if (p->roamed.sa.sa_family != 0)
		*out = p->roamed;
}

/*
 * An encrypted peer's part of the snapshot: its SAs, its ESP address
 * (esp-port at both ends, RFC 3948) and, over IPv6, this host's address
 * towards it, for the inner UDP checksum.
 */
static void
rt_peer_crypto(const struct runtime *rt, uint16_t port,
    const struct tbl_peer *p, struct dp_peer *dpp)
{
	if (!p->crypto.encrypt)
		return;
	dpp->encrypt = true;
	dpp->sa_out = sas_out(rt->sas, port);
	dpp->sa_in = sas_in(rt->sas, port);
	dpp->sa_in_prev = sas_in_prev(rt->sas, port);
	esp_addr(rt, p, &dpp->esp_addr);
	if (dpp->esp_addr.sa.sa_family == AF_INET6)
		(void)route_source(&dpp->esp_addr, &dpp->src);
}

void
rt_roam(struct runtime *rt)
{
	struct dp_roam v[64];
	const struct tbl_peer *p;
	struct sockaddr_any now;
	char from[INET6_ADDRSTRLEN], was[INET6_ADDRSTRLEN];
	int i, n = dp_roams(rt->dp, v, 64), moved = 0;

	for (i = 0; i < n; i++) {
		if ((p = table_peer(rt->tab, v[i].port)) == NULL ||
		    !p->crypto.encrypt)
			continue; /* gone since */
		esp_addr(rt, p, &now);
		if (addr_same_host(&now, &v[i].from.sa) &&
		    addr_port(&now) == addr_port(&v[i].from))
			continue; /* already moved */
		addr_ntop(&v[i].from, from, sizeof from);
		addr_ntop(&now, was, sizeof was);
		events_add(rt->events, EV_PEER, LOG_LEVEL_INFO, p->name,
		    "roamed: authentic ESP from %s port %u (was %s port %u); "
		    "it is sent there now",
		    from, addr_port(&v[i].from), was, addr_port(&now));
		table_peer_roam(rt->tab, v[i].port, &v[i].from);
		moved++;
	}
	if (moved > 0)
		rt_republish(rt);
}

static struct dp_snapshot *
rt_snapshot(const struct runtime *rt)
{
	const struct cfg_daemon *d = &rt->cfg->daemon;
	struct dp_snapshot *snap =
	    snap_new(d->flood_rate, d->flood_burst, d->relay);
	const struct tbl_segment *s;
	const struct tbl_peer *p;
	struct dp_segment *ds;
	struct dp_peer *dpp;
	uint16_t port;
	int slot;

	for (slot = -1; (slot = table_seg_next(rt->tab, slot)) >= 0;) {
		s = table_seg(rt->tab, slot);
		ds = snap_segment_new(snap, slot);
		ds->vni = s->cfg.vni;
		ds->mtu = s->cfg.mtu;
		ds->vnet = s->vnet;
		ds->clamp_mss = s->cfg.clamp_mss;
		memcpy(ds->tap_fd, s->fds, sizeof ds->tap_fd);
		ds->fwd.mactab = s->mactab;
		snprintf(ds->name, sizeof ds->name, "%s", s->cfg.name);
	}
	for (port = PORT_LOCAL; (port = table_peer_next(rt->tab, port)) != 0;) {
		p = table_peer(rt->tab, port);
		dpp = snap_peer_new(snap, port);
		dpp->encap = p->encap;
		dpp->addr = p->addr;
		dpp->seg_mask = p->slots;
		snprintf(dpp->name, sizeof dpp->name, "%s", p->name);
		rt_peer_crypto(rt, port, p, dpp);
	}
	rt_snapshot_tests(rt, snap);
	snap_finish(snap);
	return snap;
}

/*
 * After a publish: forget what the MAC tables learned at changed and
 * removed peers' ports and what was pinned at removed and re-pinned ones,
 * in one walk of each table.
 */
static void
rt_flush_changed(struct runtime *rt, const struct peer_changes *pc)
{
	uint8_t what[DP_MAX_PORTS] = { 0 };
	bool any = false, held;
	uint16_t port;
	int slot;

	for (port = 1; port <= DP_MAX_PEERS; port++) {
		held = table_port_held(rt->tab, port);
		if (pc->flush[port] || held)
			what[port] |= MACTAB_FLUSH_LEARNED;
		if (pc->pin[port] || held)
			what[port] |= MACTAB_FLUSH_PINNED;
		any = any || what[port] != 0;
	}
	if (!any)
		return;
	for (slot = -1; (slot = table_seg_next(rt->tab, slot)) >= 0;)
		mactab_flush_ports(table_seg(rt->tab, slot)->mactab, what,
		    sizeof what);
}

/* Pin a peer's macs = in the segments it is in (old pins are gone). */
static void
pin_macs(struct runtime *rt, uint16_t port)
{
	const struct tbl_peer *p = table_peer(rt->tab, port);
	const struct tbl_segment *s;
	const uint8_t *a;
	char mac[MAC_TEXT_LEN];
	int slot, i;

	if (p == NULL || p->nmacs == 0)
		return;
	for (slot = -1; (slot = table_seg_next(rt->tab, slot)) >= 0;) {
		s = table_seg(rt->tab, slot);
		if (!((p->slots >> slot) & 1))
			continue;
		for (i = 0; i < p->nmacs; i++) {
			a = p->macs[i];
			if (!mactab_add_static(s->mactab, a, port))
				log_warnx("peer %s: MAC %s not pinned in "
					  "segment "
					  "%s: its table bucket is full of "
					  "pinned MACs",
				    p->name, mac_ntoa(a, mac), s->cfg.name);
		}
	}
}

bool
rt_publish(struct runtime *rt, const struct peer_changes *pc)
{
	const struct tbl_peer *p;
	struct dp_snapshot *old;
	uint16_t port;

	for (port = 1; port <= DP_MAX_PEERS; port++) {
		p = table_peer(rt->tab, port);
		sas_sync(rt->sas, port, p ? p->name : "",
		    p ? &p->crypto : NULL);
	}
	if (dp_publish(rt->dp, rt_snapshot(rt), &old) != 0)
		return false; /* old is leaked, and the SAs it names */
	snap_free(old);
	sas_release(rt->sas);
	rt_flush_changed(rt, pc);
	table_release_ports(rt->tab);
	for (port = 1; port <= DP_MAX_PEERS; port++)
		if (pc->pin[port])
			pin_macs(rt, port);
	return true;
}

/* A config or discovered peer as the table stores it. */
static void
peer_of(const struct runtime *rt, const char *source, const struct cfg_peer *cp,
    const struct config *c, struct tbl_peer *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", cp->name);
	snprintf(p->source, sizeof p->source, "%s", source);
	snprintf(p->address, sizeof p->address, "%s", cp->address);
	p->addr = cp->addr;
	p->encap = cp->encap;
	p->slots = rt_slots(rt, c, cp->segments);
	memcpy(p->macs, cp->macs, sizeof p->macs);
	p->nmacs = cp->nmacs;
	p->probe = cp->probe;
	p->path_mtu = cp->path_mtu;
	p->path_mtu_source = cp->path_mtu_source;
	p->crypto = cp->crypto;
}

static const char *
source_text(const char *source)
{
	return source[0] ? source : "the config";
}

static void
peer_refused(struct runtime *rt, struct peer_changes *pc, const char *name,
    const char *source, const char *why)
{
	events_add(rt->events, EV_PEER, LOG_LEVEL_WARN, name,
	    "from %s: %s; not added", source_text(source), why);
	pc->n.refused++;
}

/* A peer added or changed, as an event. */
static void
peer_event(struct runtime *rt, const struct tbl_peer *p, const char *what)
{
	events_add(rt->events, EV_PEER, LOG_LEVEL_INFO, p->name,
	    "%s from %s: %s %s", what, source_text(p->source), p->address,
	    encap_ops(p->encap)->name);
}

/* Add, change or keep one peer of source by name. */
static void
sync_peer(struct runtime *rt, const char *source, const struct tbl_peer *np,
    struct peer_changes *pc)
{
	uint16_t port = table_peer_find(rt->tab, np->name);
	const struct tbl_peer *p = table_peer(rt->tab, port);

	if (p != NULL && strcmp(p->source, source) != 0) {
		peer_refused(rt, pc, np->name, source,
		    "name taken by another peer");
	} else if (p == NULL) {
		if ((port = table_peer_add(rt->tab, np)) == PORT_UNKNOWN) {
			peer_refused(rt, pc, np->name, source,
			    table_peer_count(rt->tab) == DP_MAX_PEERS
				? "peer table full"
				: "endpoint taken by another peer");
			return;
		}
		dp_reset_port(rt->dp, port);
		peer_event(rt, np, "added");
		pc->n.added++;
		pc->pin[port] = true;
	} else if (table_peer_same(p, np)) {
		pc->n.kept++;
	} else if (!table_peer_set(rt->tab, port, np)) {
		peer_refused(rt, pc, np->name, source,
		    "endpoint taken by another peer");
	} else {
		peer_event(rt, np, "changed");
		pc->n.changed++;
		pc->flush[port] = true;
		pc->pin[port] = true;
	}
}

void
rt_sync_peers(struct runtime *rt, const char *source,
    const struct cfg_peer *const *v, int n, const struct config *c,
    struct peer_changes *pc)
{
	const struct tbl_peer *p;
	struct tbl_peer np;
	uint16_t port;
	int i;

	memset(pc->listed, 0, sizeof pc->listed);
	for (i = 0; i < n; i++)
		pc->listed[table_peer_find(rt->tab, v[i]->name)] = true;
	for (port = PORT_LOCAL; (port = table_peer_next(rt->tab, port)) != 0;) {
		p = table_peer(rt->tab, port);
		if (strcmp(p->source, source) == 0 && !pc->listed[port]) {
			events_add(rt->events, EV_PEER, LOG_LEVEL_INFO, p->name,
			    "removed: no longer in %s", source_text(source));
			table_peer_del(rt->tab, port);
			pc->flush[port] = true;
			pc->n.removed++;
		}
	}
	for (i = 0; i < n; i++) {
		peer_of(rt, source, v[i], c, &np);
		sync_peer(rt, source, &np, pc);
	}
	OPENSSL_cleanse(&np, sizeof np);
}

/* The [peer] sections of c, by pointer. */
static const struct cfg_peer **
config_peers(const struct config *c)
{
	const struct cfg_peer **v = xcalloc((size_t)c->npeers + 1, sizeof *v);
	int i;

	for (i = 0; i < c->npeers; i++)
		v[i] = &c->peers[i];
	return v;
}

struct runtime *
rt_open(struct config *cfg, char **cause)
{
	struct dp_params dpp = dp_params_of(cfg);
	struct runtime *rt = xcalloc(1, sizeof *rt);
	struct peer_changes *pc = xcalloc(1, sizeof *pc);
	const struct cfg_peer **peers = config_peers(cfg);
	int i, slot;

	rt->tab = table_new();
	rt->events = events_new();
	rt->health = health_new(rt->events);
	rt->cfg = cfg;
	if ((rt->dp = dp_new(&dpp, cause)) == NULL)
		goto fail;
	/* A context per data thread, and the control thread's last. */
	rt->sas = sas_new(dp_threads(rt->dp) + 1, cfg->daemon.replay_window,
	    rt->events);
	for (i = 0; i < cfg->nsegments; i++) {
		if ((slot = rt_seg_create(rt, &cfg->segments[i], &cfg->daemon,
			 cause)) < 0 ||
		    dp_watch_tap(rt->dp, slot, table_seg(rt->tab, slot)->fds,
			cause) != 0)
			goto fail;
	}
	rt_sync_peers(rt, "", peers, cfg->npeers, cfg, pc);
	rt_publish(rt, pc);
	log_info("%s: %s with %d segment%s and %d peer%s; data path: %s",
	    cfg->daemon.name, cfg->daemon.role == ROLE_HUB ? "hub" : "spoke",
	    cfg->nsegments, cfg->nsegments == 1 ? "" : "s", cfg->npeers,
	    cfg->npeers == 1 ? "" : "s", dp_describe(rt->dp));
	free(peers);
	free(pc);
	return rt;
fail:
	free(peers);
	free(pc);
	rt->cfg = NULL; /* the caller keeps its config on failure */
	rt_close(rt);
	return NULL;
}

int
rt_start(struct runtime *rt, char **cause)
{
	rt->stats.started_ms = clock_ms();
	return dp_start(rt->dp, cause);
}

void
rt_close(struct runtime *rt)
{
	int slot;

	if (rt == NULL)
		return;
	if (rt->dp != NULL) {
		snap_free(dp_stop(rt->dp));
		for (slot = -1; (slot = table_seg_next(rt->tab, slot)) >= 0;)
			rt_seg_release(rt, table_seg(rt->tab, slot));
		dp_free(rt->dp);
	}
	sas_free(rt->sas);
	table_free(rt->tab);
	health_free(rt->health);
	events_free(rt->events);
	config_free(rt->cfg);
	free(rt);
}

void
rt_tick(struct runtime *rt)
{
	uint32_t now = (uint32_t)(clock_ms() / 1000);
	int slot;

	for (slot = -1; (slot = table_seg_next(rt->tab, slot)) >= 0;)
		mactab_expire(table_seg(rt->tab, slot)->mactab, now);
	if (sas_restarts(rt->sas) > 0)
		rt_republish(rt);
}

void
rt_republish(struct runtime *rt)
{
	struct peer_changes *pc = xcalloc(1, sizeof *pc);

	rt_publish(rt, pc);
	free(pc);
}

void
rt_set_discovered(struct runtime *rt, const char *provider,
    const struct cfg_peer *const *v, int n, struct rt_changes *out)
{
	struct peer_changes *pc = xcalloc(1, sizeof *pc);

	rt_sync_peers(rt, provider, v, n, rt->cfg, pc);
	if (pc->n.added + pc->n.removed + pc->n.changed > 0)
		rt_publish(rt, pc);
	*out = pc->n;
	free(pc);
}

const struct config *
rt_config(const struct runtime *rt)
{
	return rt->cfg;
}

const struct table *
rt_table(const struct runtime *rt)
{
	return rt->tab;
}

struct dp *
rt_dp(const struct runtime *rt)
{
	return rt->dp;
}

struct health *
rt_health(const struct runtime *rt)
{
	return rt->health;
}

struct sas *
rt_sas(const struct runtime *rt)
{
	return rt->sas;
}

struct events *
rt_events(const struct runtime *rt)
{
	return rt->events;
}

void
rt_get_stats(const struct runtime *rt, struct rt_stats *st)
{
	*st = rt->stats;
}

int
rt_set_segment_mtu(struct runtime *rt, int slot, int mtu, char **cause)
{
	struct tbl_segment s = *table_seg(rt->tab, slot);

	if (s.cfg.mtu == mtu)
		return 0;
	if (tap_configure(s.cfg.tap, mtu, cause) != 0)
		return -1;
	s.cfg.mtu = mtu;
	table_seg_set(rt->tab, slot, &s);
	rt_republish(rt); /* the data path's oversize check follows */
	return 0;
}
