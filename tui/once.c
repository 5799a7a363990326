/* once.c: tunneltop --once: one snapshot as text or as JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "once.h"
#include "table.h"

enum { ONCE_EVENTS = 10 };

static json_t *
number_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *
int_or_null(int v)
{
	return v > 0 ? json_integer(v) : json_null();
}

static json_t *
drops_json(const struct tunnel *t)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < t->ndrop; i++)
		json_object_set_new(o, t->drop[i].reason,
		    json_pack("{s:I,s:f}", "total",
			(json_int_t)t->drop[i].total, "per_s",
			t->drop[i].per_s));
	return o;
}

static json_t *
tunnel_json(const struct model *m, const struct tunnel *t, uint64_t now_ms,
    time_t now)
{
	char why[320];
	enum diag_level l = diag_tunnel(m, t, now_ms, now, why, sizeof why);
	static const char *const levels[] = { "ok", "warn", "bad" };

	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:b,s:s,s:s,s:o,s:s,s:{s:o,s:o,"
			 "s:o,s:o},s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:b,s:o,s:o,"
			 "s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:o,s:s,s:s}",
	    "name", t->name, "source", t->source, "address", t->address, "port",
	    t->port, "encap", t->encap, "encrypted", t->encrypted, "segments",
	    t->segments, "state", model_state_name(t->state), "since_s",
	    number_or_null(t->since_s), "reason", t->reason, "rtt_ms", "min",
	    number_or_null(t->rtt_min), "avg", number_or_null(t->rtt_avg),
	    "max", number_or_null(t->rtt_max), "jitter",
	    number_or_null(t->jitter), "loss_pct", number_or_null(t->loss_pct),
	    "last_rx_s", number_or_null(t->last_rx_s), "pmtu",
	    int_or_null(t->pmtu), "pmtu_source", t->pmtu_source,
	    "inner_frame_max", int_or_null(t->inner_frame_max), "inner_mtu",
	    int_or_null(t->inner_mtu), "segment_mtu",
	    int_or_null(t->segment_mtu), "black_hole", t->black_hole,
	    "black_hole_segment",
	    t->black_hole ? json_string(t->black_hole_segment) : json_null(),
	    "rx_bps", number_or_null(t->rx_bps), "tx_bps",
	    number_or_null(t->tx_bps), "rx_pps", number_or_null(t->rx_pps),
	    "tx_pps", number_or_null(t->tx_pps), "drops_ps",
	    number_or_null(t->drops_ps), "rx_bytes", (json_int_t)t->rx_bytes,
	    "tx_bytes", (json_int_t)t->tx_bytes, "rx_packets",
	    (json_int_t)t->rx_packets, "tx_packets", (json_int_t)t->tx_packets,
	    "drops", drops_json(t), "diagnosis", why, "diagnosis_level",
	    levels[l]);
}

static json_t *
model_json(const struct model *m, uint64_t now_ms, time_t now)
{
	json_t *tun = json_array(), *prov = json_array(), *ev = json_array();
	const struct model_event *e;
	int i;

	for (i = 0; i < m->ntunnels; i++)
		json_array_append_new(tun,
		    tunnel_json(m, &m->tunnels[i], now_ms, now));
	for (i = 0; i < m->nproviders; i++)
		json_array_append_new(prov,
		    json_pack("{s:s,s:s,s:s,s:I,s:I,s:s}", "name",
			m->providers[i].name, "type", m->providers[i].type,
			"state", m->providers[i].state, "instances",
			(json_int_t)m->providers[i].instances, "peers",
			(json_int_t)m->providers[i].peers, "last_error",
			m->providers[i].last_error));
	for (i = 0; i < m->ev_len; i++) {
		e = model_event(m, i);
		json_array_append_new(ev,
		    json_pack("{s:I,s:s,s:s,s:s,s:s}", "time",
			(json_int_t)e->time, "kind", e->kind, "level",
			e->warn ? "warn" : "info", "peer", e->peer, "text",
			e->text));
	}
	return json_pack("{s:s,s:s,s:s,s:I,s:s,s:f,s:f,s:{s:i,s:i,s:i,s:i,s:i},"
			 "s:o,s:o,s:o}",
	    "node", m->node, "role", m->role, "version", m->version, "uptime_s",
	    (json_int_t)m->uptime_s, "data_path", m->data_path, "rx_bps",
	    m->rx_bps, "tx_bps", m->tx_bps, "tunnels_by_state", "up", m->nup,
	    "down", m->ndown, "unprobed", m->nunprobed, "black_holes",
	    m->nblack_holes, "dropping", m->ndropping, "tunnels", tun,
	    "providers", prov, "events", ev);
}

/* The table with every column, each as wide as its widest cell. */
static void
table_text(FILE *out, const struct model *m, uint64_t now_ms)
{
	struct table_sort by_name = { COL_NAME, false };
	int w[COL_MAX], c, i, rows, *idx;
	char cell[TABLE_CELL];

	if ((idx = calloc((size_t)m->ntunnels + 1, sizeof *idx)) == NULL)
		return;
	rows = table_rows(m, &by_name, "", idx);
	for (c = 0; c < COL_MAX; c++) {
		w[c] = fmt_width(table_title((enum column)c));
		for (i = 0; i < rows; i++) {
			table_cell(&m->tunnels[idx[i]], (enum column)c, now_ms,
			    false, cell);
			w[c] = fmt_width(cell) > w[c] ? fmt_width(cell) : w[c];
		}
	}
	for (i = -1; i < rows; i++)
		for (c = 0; c < COL_MAX; c++) {
			if (i < 0)
				snprintf(cell, sizeof cell, "%s",
				    table_title((enum column)c));
			else
				table_cell(&m->tunnels[idx[i]], (enum column)c,
				    now_ms, false, cell);
			fprintf(out,
			    table_right((enum column)c) ? "%*s%s" : "%-*s%s",
			    w[c], cell, c + 1 < COL_MAX ? " " : "\n");
		}
	free(idx);
}

static void
print_text(FILE *out, const struct model *m, uint64_t now_ms, time_t now)
{
	char up[FMT_LEN], rx[FMT_LEN], tx[FMT_LEN], why[320], at[FMT_LEN];
	char crypto[32];
	const struct model_event *e;
	int i;

	fprintf(out, "%s (%s) tunneld %s, up %s\ndata path: %s, %s\n", m->node,
	    m->role, m->version,
	    fmt_duration((double)m->uptime_s, up, sizeof up), m->data_path,
	    model_crypto(m, crypto, sizeof crypto));
	fprintf(out,
	    "tunnels %d: %d up, %d down, %d unprobed; %d in a black "
	    "hole, %d dropping; in %sb/s out %sb/s\n",
	    m->ntunnels, m->nup, m->ndown, m->nunprobed, m->nblack_holes,
	    m->ndropping, fmt_rate(m->rx_bps, rx, sizeof rx),
	    fmt_rate(m->tx_bps, tx, sizeof tx));
	table_text(out, m, now_ms);
	for (i = 0; i < m->ntunnels; i++)
		if (diag_tunnel(m, &m->tunnels[i], now_ms, now, why,
			sizeof why) != DIAG_OK)
			fprintf(out, "%s: %s\n", m->tunnels[i].name, why);
	for (i = 0; i < m->nproviders; i++)
		fprintf(out,
		    "discovery %s (%s): %s, %ld instances, %ld peers%s%s\n",
		    m->providers[i].name, m->providers[i].type,
		    m->providers[i].state, m->providers[i].instances,
		    m->providers[i].peers,
		    m->providers[i].last_error[0] ? "; last error: " : "",
		    m->providers[i].last_error);
	for (i = m->ev_len > ONCE_EVENTS ? m->ev_len - ONCE_EVENTS : 0;
	     i < m->ev_len; i++) {
		e = model_event(m, i);
		fprintf(out, "event %s %s%s%s\n",
		    fmt_clock(e->time, at, sizeof at), e->peer,
		    e->peer[0] ? ": " : "", e->text);
	}
}

int
once_print(FILE *out, const struct model *m, bool as_json, uint64_t now_ms,
    time_t now)
{
	json_t *j;
	char *s;

	if (!as_json) {
		print_text(out, m, now_ms, now);
		return 0;
	}
	j = model_json(m, now_ms, now);
	s = json_dumps(j,
	    JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
	json_decref(j);
	if (s == NULL)
		return -1;
	fprintf(out, "%s\n", s);
	free(s);
	return 0;
}
