/*
 * metrics_text.c: the control socket's views as Prometheus text (format
 * 0.0.4), for metrics.c.
 *
 * Rendered from the same JSON objects the control socket returns, so the
 * two never disagree.  Each family is written whole (HELP, TYPE, then every
 * sample), names carry the tunneld_ prefix, counters end in _total, and
 * units are base units: seconds, bytes, ratios.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "metrics.h"

/* One family: how to get its samples from one object of a list. */
struct family {
	const char *name, *type, *help;
	const char *list;  /* "peers", "segments", "providers" */
	const char *label; /* the list's key label: "peer", ... */
	const char *path;  /* dotted path of the value in each object */
	double scale;	   /* value * scale (ms -> s: 0.001) */
};

static const struct family families[] = {
	{ "tunneld_peer_receive_packets_total", "counter",
	    "Datagrams received from the peer.", "peers", "peer", "rx_packets",
	    1 },
	{ "tunneld_peer_receive_bytes_total", "counter",
	    "Bytes of datagrams received from the peer.", "peers", "peer",
	    "rx_bytes", 1 },
	{ "tunneld_peer_transmit_packets_total", "counter",
	    "Datagrams sent to the peer.", "peers", "peer", "tx_packets", 1 },
	{ "tunneld_peer_transmit_bytes_total", "counter",
	    "Bytes of datagrams sent to the peer.", "peers", "peer", "tx_bytes",
	    1 },
	{ "tunneld_peer_rtt_seconds", "gauge",
	    "Average probe round-trip time over the probe window.", "peers",
	    "peer", "health.rtt_ms.avg", 0.001 },
	{ "tunneld_peer_rtt_min_seconds", "gauge",
	    "Smallest probe round-trip time over the probe window.", "peers",
	    "peer", "health.rtt_ms.min", 0.001 },
	{ "tunneld_peer_rtt_max_seconds", "gauge",
	    "Largest probe round-trip time over the probe window.", "peers",
	    "peer", "health.rtt_ms.max", 0.001 },
	{ "tunneld_peer_jitter_seconds", "gauge",
	    "Probe round-trip jitter (RFC 3550 smoothing).", "peers", "peer",
	    "health.rtt_ms.jitter", 0.001 },
	{ "tunneld_peer_loss_ratio", "gauge",
	    "Probes lost over the probe window, 0 to 1.", "peers", "peer",
	    "health.loss_pct", 0.01 },
	{ "tunneld_peer_path_mtu_bytes", "gauge",
	    "Path MTU towards the peer (outer IP packet).", "peers", "peer",
	    "health.mtu.pmtu", 1 },
	{ "tunneld_peer_inner_mtu_bytes", "gauge",
	    "Largest inner IP packet the path carries.", "peers", "peer",
	    "health.mtu.inner_mtu", 1 },
	{ "tunneld_peer_mtu_black_hole", "gauge",
	    "1 if a member segment's TAP MTU exceeds the inner MTU.", "peers",
	    "peer", "health.mtu.black_hole", 1 },
	{ "tunneld_segment_tap_receive_frames_total", "counter",
	    "Frames read from the segment's TAP.", "segments", "segment",
	    "tap_rx_frames", 1 },
	{ "tunneld_segment_tap_receive_bytes_total", "counter",
	    "Bytes of frames read from the segment's TAP.", "segments",
	    "segment", "tap_rx_bytes", 1 },
	{ "tunneld_segment_tap_transmit_frames_total", "counter",
	    "Frames written to the segment's TAP.", "segments", "segment",
	    "tap_tx_frames", 1 },
	{ "tunneld_segment_tap_transmit_bytes_total", "counter",
	    "Bytes of frames written to the segment's TAP.", "segments",
	    "segment", "tap_tx_bytes", 1 },
	{ "tunneld_segment_floods_total", "counter",
	    "Frames flooded to every port of the segment.", "segments",
	    "segment", "floods", 1 },
	{ "tunneld_segment_mss_clamped_total", "counter",
	    "TCP SYNs whose MSS clamp-mss lowered.", "segments", "segment",
	    "mss_clamped", 1 },
	{ "tunneld_segment_fdb_entries", "gauge",
	    "MAC addresses in the segment's forwarding table.", "segments",
	    "segment", "fdb_entries", 1 },
	{ "tunneld_segment_mtu_bytes", "gauge", "The segment's TAP MTU.",
	    "segments", "segment", "mtu", 1 },
	{ "tunneld_discovery_instances", "gauge",
	    "Instances the provider's last listing matched.", "providers",
	    "provider", "instances", 1 },
	{ "tunneld_discovery_peers", "gauge", "Peers the provider holds.",
	    "providers", "provider", "peers", 1 },
	{ "tunneld_discovery_listings_total", "counter",
	    "Listings the provider completed.", "providers", "provider",
	    "listings", 1 },
	{ "tunneld_discovery_listing_failures_total", "counter",
	    "Listings of the provider that failed.", "providers", "provider",
	    "listing_failures", 1 },
};

/* A label value as the text format wants it: \\, \" and \n escaped. */
static void
add_label_value(struct buf *b, const char *v)
{
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_addc(b, '\\');
		if (*v == '\n') {
			buf_adds(b, "\\n");
			continue;
		}
		buf_addc(b, *v);
	}
}

static void
add_sample(struct buf *b, const char *name, const char *label,
    const char *value, const char *label2, const char *value2, double v)
{
	buf_adds(b, name);
	if (label != NULL) {
		buf_addf(b, "{%s=\"", label);
		add_label_value(b, value);
		buf_addc(b, '"');
		if (label2 != NULL) {
			buf_addf(b, ",%s=\"", label2);
			add_label_value(b, value2);
			buf_addc(b, '"');
		}
		buf_addc(b, '}');
	}
	buf_addf(b, " %.17g\n", v);
}

static void
add_header(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The number at a dotted path; false if absent or null. */
static bool
number_at(json_t *o, const char *path, double *v)
{
	char key[64];
	const char *dot;
	size_t n;

	while ((dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof key)
			return false;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = json_object_get(o, path);
	if (json_is_boolean(o)) {
		*v = json_is_true(o) ? 1 : 0;
		return true;
	}
	if (!json_is_number(o))
		return false;
	*v = json_number_value(o);
	return true;
}

static void
add_family(struct buf *b, const struct family *f, json_t *list)
{
	json_t *o;
	size_t i;
	double v;

	add_header(b, f->name, f->type, f->help);
	json_array_foreach(list, i, o)
	{
		if (number_at(o, f->path, &v))
			add_sample(b, f->name, f->label,
			    json_string_value(json_object_get(o, "name")), NULL,
			    NULL, v * f->scale);
	}
}

/* A per-peer state as one sample per state, 1 for the current one. */
static void
add_states(struct buf *b, json_t *peers)
{
	static const char *const states[] = { "up", "down", "unprobed" };
	const char *name = "tunneld_peer_state", *cur;
	json_t *o;
	size_t i, s;

	add_header(b, name, "gauge",
	    "1 for the peer's probe state (up, down, unprobed), else 0.");
	json_array_foreach(peers, i, o)
	{
		cur = json_string_value(
		    json_object_get(json_object_get(o, "health"), "state"));
		for (s = 0; s < 3; s++)
			add_sample(b, name, "peer",
			    json_string_value(json_object_get(o, "name")),
			    "state", states[s],
			    cur != NULL && strcmp(cur, states[s]) == 0);
	}
}

/* Drops by reason, per peer. */
static void
add_drops(struct buf *b, json_t *peers)
{
	const char *name = "tunneld_peer_drops_total", *reason;
	json_t *o, *n;
	size_t i;

	add_header(b, name, "counter",
	    "Packets from or to the peer dropped, by reason.");
	json_array_foreach(peers, i, o)
	{
		json_object_foreach(json_object_get(o, "drops"), reason, n)
		    add_sample(b, name, "peer",
			json_string_value(json_object_get(o, "name")), "reason",
			reason, json_number_value(n));
	}
}

char *
metrics_render(json_t *status, json_t *peers, json_t *discovery)
{
	struct buf b = { 0 };
	json_t *lists[3];
	double up;
	size_t i;

	lists[0] = json_object_get(peers, "peers");
	lists[1] = json_object_get(status, "segments");
	lists[2] = json_object_get(discovery, "providers");
	add_header(&b, "tunneld_info", "gauge",
	    "Always 1: the daemon's name, role and version as labels.");
	buf_adds(&b, "tunneld_info{name=\"");
	add_label_value(&b, json_string_value(json_object_get(status, "name")));
	buf_adds(&b, "\",role=\"");
	add_label_value(&b, json_string_value(json_object_get(status, "role")));
	buf_adds(&b, "\",version=\"");
	add_label_value(&b,
	    json_string_value(json_object_get(status, "version")));
	buf_adds(&b, "\"} 1\n");
	add_header(&b, "tunneld_uptime_seconds", "gauge",
	    "Seconds since the daemon started.");
	up = (double)json_integer_value(json_object_get(status, "uptime_ms"));
	add_sample(&b, "tunneld_uptime_seconds", NULL, NULL, NULL, NULL,
	    up / 1000);
	for (i = 0; i < sizeof families / sizeof families[0]; i++)
		add_family(&b, &families[i],
		    lists[strcmp(families[i].list, "peers") == 0	? 0
			    : strcmp(families[i].list, "segments") == 0 ? 1
									: 2]);
	add_states(&b, lists[0]);
	add_drops(&b, lists[0]);
	return buf_take(&b);
}
