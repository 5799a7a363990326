/* model.c: counters to rates for tunneltop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "xmalloc.h"

struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);

	m->rows = xcalloc(MODEL_MAX_PEERS, sizeof *m->rows);
	return m;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	free(m->rows);
	free(m);
}

static uint64_t
u64(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static uint64_t
drops_total(json_t *drops)
{
	const char *k;
	json_t *v;
	uint64_t n = 0;

	json_object_foreach(drops, k, v)
		n += json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v)
					       : 0;
	return n;
}

static const struct peer_row *
find_row(const struct peer_row *rows, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return &rows[i];
	return NULL;
}

/* Rates of r against its previous sample over dt seconds. */
static void
row_rates(struct peer_row *r, const struct peer_row *prev, double dt)
{
	if (prev == NULL || dt <= 0) {
		r->state = RATE_FIRST;
		return;
	}
	if (r->rx_bytes < prev->rx_bytes || r->tx_bytes < prev->tx_bytes ||
	    r->rx_packets < prev->rx_packets ||
	    r->tx_packets < prev->tx_packets) {
		r->state = RATE_RESET;
		return;
	}
	r->rx_bps = (double)(r->rx_bytes - prev->rx_bytes) * 8 / dt;
	r->tx_bps = (double)(r->tx_bytes - prev->tx_bytes) * 8 / dt;
	r->rx_pps = (double)(r->rx_packets - prev->rx_packets) / dt;
	r->tx_pps = (double)(r->tx_packets - prev->tx_packets) / dt;
	r->state = RATE_OK;
}

void
model_update(struct model *m, json_t *status, json_t *peers, uint64_t now_ms)
{
	struct peer_row *old = xcalloc(MODEL_MAX_PEERS, sizeof *old);
	int nold = m->nrows, n = 0;
	double dt = (double)(now_ms - m->sample_ms) / 1000;
	json_t *p;
	size_t i;

	memcpy(old, m->rows, (size_t)nold * sizeof *old);
	snprintf(m->title, sizeof m->title, "%s (%s)  tunneld %s  up %llds",
	    json_string_value(json_object_get(status, "name")),
	    json_string_value(json_object_get(status, "role")),
	    json_string_value(json_object_get(status, "version")),
	    (long long)(u64(status, "uptime_ms") / 1000));
	snprintf(m->data_path, sizeof m->data_path, "%s",
	    json_string_value(json_object_get(status, "data_path")));
	json_array_foreach(json_object_get(peers, "peers"), i, p) {
		struct peer_row *r = &m->rows[n];
		if (n == MODEL_MAX_PEERS)
			break;
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "%s",
		    json_string_value(json_object_get(p, "name")));
		snprintf(r->address, sizeof r->address, "%s",
		    json_string_value(json_object_get(p, "address")));
		snprintf(r->encap, sizeof r->encap, "%s",
		    json_string_value(json_object_get(p, "encap")));
		r->rx_bytes = u64(p, "rx_bytes");
		r->tx_bytes = u64(p, "tx_bytes");
		r->rx_packets = u64(p, "rx_packets");
		r->tx_packets = u64(p, "tx_packets");
		r->drops = drops_total(json_object_get(p, "drops"));
		row_rates(r, m->sample_ms ? find_row(old, nold, r->name) : NULL,
		    dt);
		n++;
	}
	m->nrows = n;
	m->sample_ms = now_ms;
	m->error[0] = '\0';
	free(old);
}

void
model_unreachable(struct model *m, const char *why)
{
	int i;

	snprintf(m->error, sizeof m->error, "%s", why);
	for (i = 0; i < m->nrows; i++)
		m->rows[i].state = RATE_STALE;
}
