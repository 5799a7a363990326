/* status.c: JSON views of segments, peers, forwarding tables, counters. */
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "log.h"
#include "sas.h"
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
segment_mtu_json(const struct runtime *rt, int slot, json_t *o)
{
	const struct tbl_segment *s = table_seg(rt_table(rt), slot);
	struct seg_counters sc;

	dp_seg_counters(rt_dp(rt), slot, &sc);
	json_object_set_new(o, "mtu_auto", json_boolean(s->cfg.mtu_auto));
	json_object_set_new(o, "clamp_mss", json_boolean(s->cfg.clamp_mss));
	json_object_set_new(o, "mss_clamped",
	    json_integer((json_int_t)sc.mss_clamped));
	return o;
}

static json_t *
segment_json(const struct runtime *rt, int slot)
{
	const struct tbl_segment *s = table_seg(rt_table(rt), slot);
	struct mactab_stats ms;
	struct seg_counters sc;

	mactab_get_stats(s->mactab, &ms);
	dp_seg_counters(rt_dp(rt), slot, &sc);
	return segment_mtu_json(rt, slot,
	    json_pack("{s:s,s:I,s:s,s:i,s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
		      "s:I,s:I}",
		"name", s->cfg.name, "vni", (json_int_t)s->cfg.vni, "tap",
		s->cfg.tap, "mtu", s->cfg.mtu, "bridge", s->cfg.bridge,
		"offload", s->vnet, "tso_frames", (json_int_t)sc.tso_frames,
		"gro_frames", (json_int_t)sc.gro_frames, "fdb_entries",
		(json_int_t)ms.entries, "tap_rx_frames",
		(json_int_t)sc.tap_rx_frames, "tap_rx_bytes",
		(json_int_t)sc.tap_rx_bytes, "tap_tx_frames",
		(json_int_t)sc.tap_tx_frames, "tap_tx_bytes",
		(json_int_t)sc.tap_tx_bytes, "floods", (json_int_t)sc.floods,
		"tap_kernel_drops", tap_kernel_drops(s->cfg.tap)));
}

/* How many peers are up, down, unprobed, in an MTU black hole. */
static json_t *
health_summary_json(const struct runtime *rt)
{
	int n[3] = { 0, 0, 0 }, holes = 0;
	uint16_t port;

	for (port = PORT_LOCAL;
	     (port = table_peer_next(rt_table(rt), port)) != 0;) {
		n[health_state_of(rt_health(rt), port)]++;
		holes += health_black_hole(rt_health(rt), port);
	}
	return json_pack("{s:i,s:i,s:i,s:i}", "up", n[HEALTH_UP], "down",
	    n[HEALTH_DOWN], "unprobed", n[HEALTH_UNPROBED], "black_holes",
	    holes);
}

json_t *
status_json(const struct runtime *rt)
{
	const struct cfg_daemon *d = &rt_config(rt)->daemon;
	json_t *segs = json_array(), *info;
	struct rt_stats st;
	struct dp_info di;
	int slot;

	rt_get_stats(rt, &st);
	dp_get_info(rt_dp(rt), &di);
	/* TAP offloads are per segment: each segment's offload field. */
	info = json_pack("{s:i,s:i,s:b,s:b,s:I}", "threads", di.threads,
	    "batch", di.batch, "udp_gso", di.udp_gso, "udp_gro", di.udp_gro,
	    "busy_poll_us", (json_int_t)di.busy_poll_us);
	for (slot = -1; (slot = table_seg_next(rt_table(rt), slot)) >= 0;)
		json_array_append_new(segs, segment_json(rt, slot));
	return json_pack("{s:s,s:s,s:s,s:i,s:i,s:I,s:s,s:o,s:i,s:o,s:i,s:I,"
			 "s:I,s:o}",
	    "name", d->name, "role", d->role == ROLE_HUB ? "hub" : "spoke",
	    "version", PACKAGE_VERSION, "wire_version", WIRE_VERSION,
	    "control_version", CTL_PROTO_VERSION, "uptime_ms",
	    (json_int_t)(clock_ms() - st.started_ms), "data_path",
	    dp_describe(rt_dp(rt)), "datapath", info, "threads",
	    dp_threads(rt_dp(rt)), "segments", segs, "peers",
	    table_peer_count(rt_table(rt)), "reloads", (json_int_t)st.reloads,
	    "reload_failures", (json_int_t)st.reload_failures, "health",
	    health_summary_json(rt));
}

static json_t *
peer_json(const struct runtime *rt, uint16_t port)
{
	const struct table *tab = rt_table(rt);
	const struct tbl_peer *p = table_peer(tab, port);
	struct port_counters pc;
	json_t *segs = json_array();
	int slot;

	for (slot = -1; (slot = table_seg_next(tab, slot)) >= 0;)
		if ((p->slots >> slot) & 1)
			json_array_append_new(segs,
			    json_string(table_seg(tab, slot)->cfg.name));
	dp_port_counters(rt_dp(rt), port, &pc);
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
			 "s:o,s:I,s:o,s:o}",
	    "name", p->name, "source", p->source[0] ? p->source : "config",
	    "address", p->address, "encap", encap_ops(p->encap)->name, "port",
	    (int)ntohs(p->addr.sin.sin_port), "segments", segs, "rx_packets",
	    (json_int_t)pc.rx_packets, "rx_bytes", (json_int_t)pc.rx_bytes,
	    "tx_packets", (json_int_t)pc.tx_packets, "tx_bytes",
	    (json_int_t)pc.tx_bytes, "tx_trains", (json_int_t)pc.tx_trains,
	    "mac_moves", (json_int_t)pc.mac_moves, "mac_unlearned",
	    (json_int_t)pc.mac_unlearned, "drops", drops_json(pc.drops),
	    "probe_requests_answered", (json_int_t)pc.probes_answered, "health",
	    health_peer_json(rt_health(rt), rt, port), "encryption",
	    sas_json(rt_sas(rt), port, clock_ms()));
}

json_t *
status_peers_json(const struct runtime *rt)
{
	json_t *a = json_array();
	uint16_t port;

	for (port = PORT_LOCAL;
	     (port = table_peer_next(rt_table(rt), port)) != 0;)
		json_array_append_new(a, peer_json(rt, port));
	return json_pack("{s:o}", "peers", a);
}

json_t *
status_health_json(const struct runtime *rt)
{
	const struct cfg_daemon *d = &rt_config(rt)->daemon;
	const struct tbl_peer *p;
	json_t *a = json_array(), *o;
	uint16_t port;

	for (port = PORT_LOCAL;
	     (port = table_peer_next(rt_table(rt), port)) != 0;) {
		p = table_peer(rt_table(rt), port);
		o = health_peer_json(rt_health(rt), rt, port);
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "address", json_string(p->address));
		json_object_set_new(o, "encap",
		    json_string(encap_ops(p->encap)->name));
		json_array_append_new(a, o);
	}
	return json_pack("{s:I,s:I,s:I,s:o}", "probe_interval_ms",
	    (json_int_t)d->probe_interval_ms, "dead_after_ms",
	    (json_int_t)d->dead_after_ms, "probe_window_ms",
	    (json_int_t)d->probe_window_ms, "peers", a);
}

json_t *
status_pmtu_probe(struct runtime *rt, const char *peer, char **cause)
{
	uint16_t port = table_peer_find(rt_table(rt), peer);

	if (table_peer(rt_table(rt), port) == NULL) {
		xasprintf(cause, "no peer named %s", peer);
		return NULL;
	}
	if (health_recheck_mtu(rt_health(rt), port, cause) != 0)
		return NULL;
	return json_pack("{s:s,s:s}", "peer", peer, "search", "started");
}

struct fdb_walk {
	const struct table *tab;
	json_t *entries;
};

static bool
fdb_entry(const struct mactab_entry *e, void *arg)
{
	struct fdb_walk *w = arg;
	char mac[MAC_TEXT_LEN];
	const struct tbl_peer *p = table_peer(w->tab, e->port);
	const char *port = "local";

	mac_ntoa(e->mac, mac);
	if (e->port != PORT_LOCAL)
		port = p != NULL ? p->name : "?";
	json_array_append_new(w->entries,
	    json_pack("{s:s,s:s,s:I,s:b}", "mac", mac, "port", port, "idle_s",
		(json_int_t)e->idle, "static", e->is_static));
	return true;
}

json_t *
status_fdb_json(const struct runtime *rt, const char *segment, char **cause)
{
	const struct table *tab = rt_table(rt);
	const struct tbl_segment *s;
	struct fdb_walk w = { tab, NULL };
	uint32_t now = (uint32_t)(clock_ms() / 1000);
	json_t *o;
	int slot;

	if (segment != NULL && table_seg_find(tab, segment) < 0) {
		xasprintf(cause, "no segment named %s", segment);
		return NULL;
	}
	o = json_object();
	for (slot = -1; (slot = table_seg_next(tab, slot)) >= 0;) {
		s = table_seg(tab, slot);
		if (segment != NULL && strcmp(segment, s->cfg.name) != 0)
			continue;
		w.entries = json_array();
		mactab_walk(s->mactab, now, fdb_entry, &w);
		json_object_set_new(o, s->cfg.name, w.entries);
	}
	return json_pack("{s:o}", "fdb", o);
}

json_t *
status_counters_json(const struct runtime *rt)
{
	const struct table *tab = rt_table(rt);
	uint64_t drops[DROP_MAX] = { 0 };
	struct port_counters pc;
	struct mactab_stats ms;
	json_t *tables = json_object(), *local;
	uint16_t port;
	int r, slot;

	for (port = PORT_LOCAL;;) {
		dp_port_counters(rt_dp(rt), port, &pc);
		for (r = 0; r < DROP_MAX; r++)
			drops[r] += pc.drops[r];
		if (port == PORT_UNKNOWN)
			break;
		if ((port = table_peer_next(tab, port)) == 0)
			port = PORT_UNKNOWN;
	}
	for (slot = -1; (slot = table_seg_next(tab, slot)) >= 0;) {
		mactab_get_stats(table_seg(tab, slot)->mactab, &ms);
		json_object_set_new(tables, table_seg(tab, slot)->cfg.name,
		    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "entries",
			(json_int_t)ms.entries, "capacity",
			(json_int_t)ms.capacity, "learned",
			(json_int_t)ms.learned, "moved", (json_int_t)ms.moved,
			"evicted", (json_int_t)ms.evicted, "expired",
			(json_int_t)ms.expired, "move_refused",
			(json_int_t)ms.move_refused, "at_limit",
			(json_int_t)ms.at_limit));
	}
	dp_port_counters(rt_dp(rt), PORT_LOCAL, &pc);
	local = drops_json(pc.drops);
	dp_port_counters(rt_dp(rt), PORT_UNKNOWN, &pc);
	return json_pack("{s:o,s:o,s:o,s:o}", "drops", drops_json(drops),
	    "drops_local", local, "drops_unattributed", drops_json(pc.drops),
	    "fdb", tables);
}
