/* status.c: JSON views of segments, peers, forwarding tables, counters. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "status.h"
#include "net/wire.h"
#include "xmalloc.h"

#include "ctl_proto.h"

static json_t *
drops_json(const uint64_t *drops)
{
	json_t *o = json_object();
	int r;

	for (r = 1; r < DROP_MAX; r++)
		if (drops[r] != 0)
			json_object_set_new(o, drop_name(r),
			    json_integer((json_int_t)drops[r]));
	return o;
}

/* Frames the kernel dropped on their way into the TAP (queue full). */
static json_int_t
tap_kernel_drops(const char *tap)
{
	char path[128];
	long long v = 0;
	FILE *f;

	snprintf(path, sizeof path, "/sys/class/net/%s/statistics/tx_dropped",
	    tap);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return (json_int_t)v;
}

static json_t *
segment_json(struct runtime *rt, int slot)
{
	const struct rt_segment *s = &rt->segs[slot];
	struct mactab_stats ms;
	struct seg_counters sc;

	mactab_get_stats(s->mactab, &ms);
	dp_seg_counters(rt->dp, slot, &sc);
	return json_pack("{s:s,s:I,s:s,s:i,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I}",
	    "name", s->cfg.name, "vni", (json_int_t)s->cfg.vni, "tap",
	    s->cfg.tap, "mtu", s->cfg.mtu, "bridge", s->cfg.bridge,
	    "offload", s->vnet, "tso_frames", (json_int_t)sc.tso_frames,
	    "gro_frames", (json_int_t)sc.gro_frames,
	    "fdb_entries", (json_int_t)ms.entries,
	    "tap_rx_frames", (json_int_t)sc.tap_rx_frames,
	    "tap_rx_bytes", (json_int_t)sc.tap_rx_bytes,
	    "tap_tx_frames", (json_int_t)sc.tap_tx_frames,
	    "tap_tx_bytes", (json_int_t)sc.tap_tx_bytes,
	    "floods", (json_int_t)sc.floods,
	    "tap_kernel_drops", tap_kernel_drops(s->cfg.tap));
}

json_t *
status_json(struct runtime *rt)
{
	const struct cfg_daemon *d = &rt->cfg->daemon;
	json_t *segs = json_array();
	int i, npeers = 0;

	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		if (rt->segs[i].used)
			json_array_append_new(segs, segment_json(rt, i));
	for (i = 1; i < DP_MAX_PORTS; i++)
		npeers += rt->peers[i].used;
	return json_pack("{s:s,s:s,s:s,s:i,s:i,s:I,s:s,s:i,s:o,s:i,s:I,s:I}",
	    "name", d->name, "role", d->role == ROLE_HUB ? "hub" : "spoke",
	    "version", PACKAGE_VERSION, "wire_version", WIRE_VERSION,
	    "control_version", CTL_PROTO_VERSION,
	    "uptime_ms", (json_int_t)(clock_ms() - rt->started_ms),
	    "data_path", dp_describe(rt->dp), "threads", dp_threads(rt->dp),
	    "segments", segs, "peers", npeers,
	    "reloads", (json_int_t)rt->reloads,
	    "reload_failures", (json_int_t)rt->reload_failures);
}

static json_t *
peer_json(struct runtime *rt, uint16_t port)
{
	const struct rt_peer *p = &rt->peers[port];
	struct port_counters pc;
	json_t *segs = json_array();
	int i;

	for (i = 0; i < DP_MAX_SEGMENTS; i++)
		if ((p->slot_mask >> i) & 1)
			json_array_append_new(segs,
			    json_string(rt->segs[i].cfg.name));
	dp_port_counters(rt->dp, port, &pc);
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:I,s:I,s:I,s:I,s:I,s:o}",
	    "name", p->cfg.name, "source", p->source[0] ? p->source : "config",
	    "address", p->cfg.address,
	    "encap", encap_ops(p->cfg.encap)->name,
	    "port", (int)ntohs(p->cfg.addr.sin.sin_port), "segments", segs,
	    "rx_packets", (json_int_t)pc.rx_packets,
	    "rx_bytes", (json_int_t)pc.rx_bytes,
	    "tx_packets", (json_int_t)pc.tx_packets,
	    "tx_bytes", (json_int_t)pc.tx_bytes,
	    "tx_trains", (json_int_t)pc.tx_trains, "drops", drops_json(pc.drops));
}

json_t *
status_peers_json(struct runtime *rt)
{
	json_t *a = json_array();
	int port;

	for (port = 1; port < DP_MAX_PORTS; port++)
		if (rt->peers[port].used)
			json_array_append_new(a, peer_json(rt,
			    (uint16_t)port));
	return json_pack("{s:o}", "peers", a);
}

struct fdb_walk {
	struct runtime *rt;
	json_t *entries;
};

static bool
fdb_entry(const struct mactab_entry *e, void *arg)
{
	struct fdb_walk *w = arg;
	char mac[18];
	const char *port = "local";

	snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0],
	    e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5]);
	if (e->port != PORT_LOCAL)
		port = e->port < DP_MAX_PORTS && w->rt->peers[e->port].used ?
		    w->rt->peers[e->port].cfg.name : "?";
	json_array_append_new(w->entries, json_pack("{s:s,s:s,s:I,s:b}",
	    "mac", mac, "port", port, "idle_s", (json_int_t)e->idle,
	    "static", e->is_static));
	return true;
}

json_t *
status_fdb_json(struct runtime *rt, const char *segment, char **cause)
{
	json_t *o = json_object();
	struct fdb_walk w = { rt, NULL };
	uint32_t now = (uint32_t)(clock_ms() / 1000);
	int i;

	if (segment != NULL && rt_segment_slot(rt, segment) < 0) {
		xasprintf(cause, "no segment named %s", segment);
		json_decref(o);
		return NULL;
	}
	for (i = 0; i < DP_MAX_SEGMENTS; i++) {
		if (!rt->segs[i].used || (segment != NULL &&
		    strcmp(segment, rt->segs[i].cfg.name) != 0))
			continue;
		w.entries = json_array();
		mactab_walk(rt->segs[i].mactab, now, fdb_entry, &w);
		json_object_set_new(o, rt->segs[i].cfg.name, w.entries);
	}
	return json_pack("{s:o}", "fdb", o);
}

json_t *
status_counters_json(struct runtime *rt)
{
	uint64_t drops[DROP_MAX] = { 0 };
	struct port_counters pc;
	struct mactab_stats ms;
	json_t *tables = json_object();
	int port, r, i;

	for (port = 0; port < DP_MAX_PORTS; port++) {
		if (port != 0 && !rt->peers[port].used)
			continue;
		dp_port_counters(rt->dp, (uint16_t)port, &pc);
		for (r = 0; r < DROP_MAX; r++)
			drops[r] += pc.drops[r];
	}
	for (i = 0; i < DP_MAX_SEGMENTS; i++) {
		if (!rt->segs[i].used)
			continue;
		mactab_get_stats(rt->segs[i].mactab, &ms);
		json_object_set_new(tables, rt->segs[i].cfg.name,
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
		    "entries", (json_int_t)ms.entries,
		    "capacity", (json_int_t)ms.capacity,
		    "learned", (json_int_t)ms.learned,
		    "moved", (json_int_t)ms.moved,
		    "evicted", (json_int_t)ms.evicted,
		    "expired", (json_int_t)ms.expired));
	}
	dp_port_counters(rt->dp, 0, &pc);
	return json_pack("{s:o,s:o,s:o}", "drops", drops_json(drops),
	    "drops_unattributed", drops_json(pc.drops), "fdb", tables);
}
