/* model.c: the daemon's replies to tunnels with rates and history. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "model.h"
#include "xmalloc.h"

static const char *const state_names[TUN_STATE_MAX] = {
	[TUN_UP] = "up",
	[TUN_DOWN] = "down",
	[TUN_UNPROBED] = "unprobed",
};

const char *
model_state_name(enum tunnel_state s)
{
	return (unsigned)s < TUN_STATE_MAX ? state_names[s] : "?";
}

struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);

	m->events = xcalloc(MODEL_EVENTS, sizeof *m->events);
	m->providers = xcalloc(1, sizeof *m->providers);
	m->macs = xcalloc(MODEL_MACS, sizeof *m->macs);
	m->events_next = 1;
	return m;
}

static void
free_tunnels(struct tunnel *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i].hist);
	free(v);
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	free_tunnels(m->tunnels, m->ntunnels);
	free(m->events);
	free(m->providers);
	free(m->macs);
	free(m);
}

/* A string field, escaped, into dst ("" when absent). */
static void
str(json_t *o, const char *key, char *dst, size_t n)
{
	const char *s = json_string_value(json_object_get(o, key));

	dst[0] = '\0';
	if (s != NULL)
		log_escape(dst, n, s, strlen(s));
}

/* A number field; NAN when absent, null, or beyond what a figure can be
 * (so that no conversion of it to an integer or a float overflows). */
static double
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	double d = json_is_number(v) ? json_number_value(v) : NAN;

	return d > -1e15 && d < 1e15 ? d : NAN;
}

/* A whole number field; 0 when there is no figure. */
static long long
whole(json_t *o, const char *key)
{
	double v = num(o, key);

	return isnan(v) ? 0 : (long long)v;
}

static uint64_t
counter(json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v > 0 ? (uint64_t)v : 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct tunnel *)a)->name,
	    ((const struct tunnel *)b)->name);
}

static struct tunnel *
find(const struct model *m, const char *name)
{
	struct tunnel key;

	if (m->ntunnels == 0)
		return NULL;
	snprintf(key.name, sizeof key.name, "%s", name);
	return bsearch(&key, m->tunnels, (size_t)m->ntunnels,
	    sizeof *m->tunnels, by_name);
}

const struct tunnel *
model_find(const struct model *m, const char *name)
{
	return find(m, name);
}

const struct sample *
model_sample(const struct tunnel *t, int i)
{
	return &t->hist[(t->hist_head + i) % MODEL_HISTORY];
}

const struct model_event *
model_event(const struct model *m, int i)
{
	return &m->events[(m->ev_head + i) % MODEL_EVENTS];
}

static void
health_of(struct tunnel *t, json_t *h)
{
	json_t *rtt = json_object_get(h, "rtt_ms"), *mtu;
	char state[16];
	int s;

	str(h, "state", state, sizeof state);
	t->state = TUN_UNPROBED;
	for (s = 0; s < TUN_STATE_MAX; s++)
		if (strcmp(state, state_names[s]) == 0)
			t->state = (enum tunnel_state)s;
	t->since_s = num(h, "since_s");
	str(h, "reason", t->reason, sizeof t->reason);
	str(h, "probe", t->probe, sizeof t->probe);
	t->rtt_min = num(rtt, "min");
	t->rtt_avg = num(rtt, "avg");
	t->rtt_max = num(rtt, "max");
	t->jitter = num(rtt, "jitter");
	t->loss_pct = num(h, "loss_pct");
	t->last_rx_s = num(h, "last_rx_s");
	mtu = json_object_get(h, "mtu");
	t->pmtu = (int)whole(mtu, "pmtu");
	t->inner_frame_max = (int)whole(mtu, "inner_frame_max");
	t->inner_mtu = (int)whole(mtu, "inner_mtu");
	t->segment_mtu = (int)whole(mtu, "segment_mtu");
	t->overhead = (int)whole(mtu, "overhead");
	str(mtu, "source", t->pmtu_source, sizeof t->pmtu_source);
	str(mtu, "search", t->search, sizeof t->search);
	t->black_hole = json_is_true(json_object_get(mtu, "black_hole"));
	str(mtu, "black_hole_segment", t->black_hole_segment,
	    sizeof t->black_hole_segment);
}

static void
segments_of(struct tunnel *t, json_t *segs)
{
	char one[MODEL_NAME];
	size_t i, len = 0;
	json_t *s;

	t->segments[0] = '\0';
	json_array_foreach(segs, i, s)
	{
		if (!json_is_string(s))
			continue;
		if (len + 1 >= sizeof t->segments)
			break;
		log_escape(one, sizeof one, json_string_value(s),
		    strlen(json_string_value(s)));
		len += (size_t)snprintf(t->segments + len,
		    sizeof t->segments - len, "%s%s", len ? "," : "", one);
	}
}

/* Drops by reason, with their rates against prev's over dt seconds. */
static void
drops_of(struct tunnel *t, json_t *drops, const struct tunnel *prev, double dt)
{
	const char *k;
	json_t *v;
	int j;

	t->ndrop = 0;
	t->drops = 0;
	json_object_foreach(drops, k, v)
	{
		struct drop_rate *d = &t->drop[t->ndrop];
		if (t->ndrop == MODEL_DROP_KINDS)
			break;
		log_escape(d->reason, sizeof d->reason, k, strlen(k));
		d->total = json_integer_value(v) > 0
		    ? (uint64_t)json_integer_value(v)
		    : 0;
		d->per_s = 0;
		for (j = 0; prev != NULL && dt > 0 && j < prev->ndrop; j++)
			if (strcmp(prev->drop[j].reason, d->reason) == 0 &&
			    d->total >= prev->drop[j].total)
				d->per_s =
				    (double)(d->total - prev->drop[j].total) /
				    dt;
		t->drops += d->total;
		t->ndrop++;
	}
}

static double
per_s(uint64_t now, uint64_t before, double dt, double scale)
{
	return (double)(now - before) * scale / dt;
}

/* Rates of t against its previous sample over dt seconds. */
static void
rates_of(struct tunnel *t, const struct tunnel *prev, double dt)
{
	t->rx_bps = t->tx_bps = t->rx_pps = t->tx_pps = t->drops_ps = NAN;
	if (prev == NULL || dt <= 0) {
		t->rate = RATE_FIRST;
		return;
	}
	if (t->rx_bytes < prev->rx_bytes || t->tx_bytes < prev->tx_bytes ||
	    t->rx_packets < prev->rx_packets ||
	    t->tx_packets < prev->tx_packets || t->drops < prev->drops) {
		t->rate = RATE_RESET;
		return;
	}
	t->rx_bps = per_s(t->rx_bytes, prev->rx_bytes, dt, 8);
	t->tx_bps = per_s(t->tx_bytes, prev->tx_bytes, dt, 8);
	t->rx_pps = per_s(t->rx_packets, prev->rx_packets, dt, 1);
	t->tx_pps = per_s(t->tx_packets, prev->tx_packets, dt, 1);
	t->drops_ps = per_s(t->drops, prev->drops, dt, 1);
	t->rate = RATE_OK;
}

static void
hist_append(struct tunnel *t, uint64_t now_ms)
{
	struct sample *s;

	if (t->hist == NULL)
		t->hist = xcalloc(MODEL_HISTORY, sizeof *t->hist);
	if (t->hist_len == MODEL_HISTORY) {
		t->hist_head = (t->hist_head + 1) % MODEL_HISTORY;
		t->hist_len--;
	}
	s = &t->hist[(t->hist_head + t->hist_len++) % MODEL_HISTORY];
	s->t_ms = now_ms;
	s->rx_bps = (float)t->rx_bps;
	s->tx_bps = (float)t->tx_bps;
	s->drops_ps = (float)t->drops_ps;
	s->rtt_ms = (float)t->rtt_avg;
	s->loss_pct = (float)t->loss_pct;
	s->pmtu = (uint16_t)(t->pmtu > 0 && t->pmtu < 65536 ? t->pmtu : 0);
	s->state = (uint8_t)t->state;
}

static void
crypto_of(struct tunnel *t, json_t *e)
{
	json_t *c;

	t->encrypted = json_is_true(json_object_get(e, "encrypted"));
	if (!t->encrypted)
		return;
	str(e, "cipher", t->cipher, sizeof t->cipher);
	str(e, "keying", t->keying, sizeof t->keying);
	t->sa_usable = json_is_true(json_object_get(e, "sa"));
	t->sa_age_s = num(e, "sa_age_s");
	if ((c = json_object_get(e, "control")) == NULL)
		return;
	str(c, "state", t->control, sizeof t->control);
	str(c, "why", t->control_why, sizeof t->control_why);
	str(c, "node", t->control_node, sizeof t->control_node);
	str(c, "remote", t->control_remote, sizeof t->control_remote);
	t->control_since_s = num(c, "since_s");
	t->rekey_in_s = num(e, "rekey_in_s");
	t->epoch = whole(e, "epoch");
	t->rekeys = whole(e, "rekeys");
}

static void
tunnel_of(struct tunnel *t, json_t *p)
{
	memset(t, 0, sizeof *t);
	str(p, "name", t->name, sizeof t->name);
	str(p, "source", t->source, sizeof t->source);
	str(p, "address", t->address, sizeof t->address);
	str(p, "encap", t->encap, sizeof t->encap);
	t->port = (int)whole(p, "port");
	crypto_of(t, json_object_get(p, "encryption"));
	segments_of(t, json_object_get(p, "segments"));
	t->rx_bytes = counter(p, "rx_bytes");
	t->tx_bytes = counter(p, "tx_bytes");
	t->rx_packets = counter(p, "rx_packets");
	t->tx_packets = counter(p, "tx_packets");
	health_of(t, json_object_get(p, "health"));
}

static void
count_tunnels(struct model *m)
{
	const struct tunnel *t;
	int i;

	m->rx_bps = m->tx_bps = 0;
	m->nup = m->ndown = m->nunprobed = m->nblack_holes = m->ndropping = 0;
	m->nencrypted = 0;
	for (i = 0; i < m->ntunnels; i++) {
		t = &m->tunnels[i];
		m->nencrypted += t->encrypted;
		m->nup += t->state == TUN_UP;
		m->ndown += t->state == TUN_DOWN;
		m->nunprobed += t->state == TUN_UNPROBED;
		m->nblack_holes += t->black_hole;
		m->ndropping += t->rate == RATE_OK && t->drops_ps > 0;
		if (t->rate == RATE_OK) {
			m->rx_bps += t->rx_bps;
			m->tx_bps += t->tx_bps;
		}
	}
}

static void
update_tunnels(struct model *m, json_t *peers, uint64_t now_ms)
{
	json_t *a = json_object_get(peers, "peers"), *p;
	size_t i, n = json_array_size(a);
	double dt = (double)(now_ms - m->sample_ms) / 1000;
	struct tunnel *v, *prev;
	int j, k = 0;

	if (n > MODEL_MAX_TUNNELS)
		n = MODEL_MAX_TUNNELS;
	v = xcalloc(n + 1, sizeof *v);
	json_array_foreach(a, i, p)
	{
		if (i == n)
			break;
		tunnel_of(&v[k], p);
		prev = m->sample_ms != 0 ? find(m, v[k].name) : NULL;
		drops_of(&v[k], json_object_get(p, "drops"), prev, dt);
		rates_of(&v[k], prev, dt);
		if (prev != NULL) { /* the history moves to the new record */
			v[k].hist = prev->hist;
			v[k].hist_head = prev->hist_head;
			v[k].hist_len = prev->hist_len;
			prev->hist = NULL;
		}
		hist_append(&v[k], now_ms);
		k++;
	}
	qsort(v, (size_t)k, sizeof *v, by_name);
	for (j = 1; j < k; j++) /* the daemon's names are unique; be sure */
		if (strcmp(v[j].name, v[j - 1].name) == 0)
			snprintf(v[j].name, sizeof v[j].name, "%.100s#%d",
			    v[j - 1].name, j);
	free_tunnels(m->tunnels, m->ntunnels);
	m->tunnels = v;
	m->ntunnels = k;
}

/* The data path in a few words: threads, offloads, encryption. */
static void
header_of(struct model *m, json_t *st)
{
	json_t *dp = json_object_get(st, "datapath"), *seg;
	bool gso = json_is_true(json_object_get(dp, "udp_gso"));
	bool gro = json_is_true(json_object_get(dp, "udp_gro"));
	int tap_off = 0, nseg = 0;
	size_t i;

	str(st, "name", m->node, sizeof m->node);
	str(st, "role", m->role, sizeof m->role);
	str(st, "version", m->version, sizeof m->version);
	m->uptime_s = whole(st, "uptime_ms") / 1000;
	m->threads = (int)whole(dp, "threads");
	m->reloads = (int)whole(st, "reloads");
	m->reload_failures = (int)whole(st, "reload_failures");
	json_array_foreach(json_object_get(st, "segments"), i, seg)
	{
		nseg++;
		tap_off += json_is_true(json_object_get(seg, "offload"));
	}
	snprintf(m->data_path, sizeof m->data_path,
	    "%d thread%s, batch %lld, UDP %s, TAP offloads %s", m->threads,
	    m->threads == 1 ? "" : "s", whole(dp, "batch"),
	    gso && gro ? "GSO+GRO"
		: gso  ? "GSO"
		: gro  ? "GRO"
		       : "no GSO/GRO",
	    nseg == 0		  ? "-"
		: tap_off == nseg ? "on"
		: tap_off	  ? "some"
				  : "off");
}

/* A new event at the end of the ring, zeroed. */
static struct model_event *
push_event(struct model *m, time_t t)
{
	struct model_event *e;

	if (m->ev_len == MODEL_EVENTS) {
		m->ev_head = (m->ev_head + 1) % MODEL_EVENTS;
		m->ev_len--;
	}
	e = &m->events[(m->ev_head + m->ev_len++) % MODEL_EVENTS];
	memset(e, 0, sizeof *e);
	e->time = t;
	return e;
}

/* What the console itself saw: the daemon gone, back, restarted. */
static void
local_event(struct model *m, time_t now, bool warn, const char *text)
{
	struct model_event *e = push_event(m, now);

	snprintf(e->kind, sizeof e->kind, "console");
	e->warn = warn;
	e->from = e->to = -1;
	snprintf(e->text, sizeof e->text, "%s", text);
}

static void
events_of(struct model *m, json_t *r)
{
	json_t *e;
	size_t i;
	uint64_t next = counter(r, "next");

	if (r == NULL)
		return;
	if (next < m->events_next) { /* numbered from 1 again: a restart */
		m->events_next = 1;
		return;
	}
	json_array_foreach(json_object_get(r, "events"), i, e)
	{
		struct model_event *me =
		    push_event(m, (time_t)whole(e, "time"));
		me->seq = counter(e, "seq");
		str(e, "kind", me->kind, sizeof me->kind);
		me->warn = json_is_string(json_object_get(e, "level")) &&
		    strcmp(json_string_value(json_object_get(e, "level")),
			"warn") == 0;
		str(e, "peer", me->peer, sizeof me->peer);
		str(e, "text", me->text, sizeof me->text);
		me->from = json_is_integer(json_object_get(e, "from"))
		    ? (long)whole(e, "from")
		    : -1;
		me->to = json_is_integer(json_object_get(e, "to"))
		    ? (long)whole(e, "to")
		    : -1;
	}
	m->events_next = next;
}

static void
providers_of(struct model *m, json_t *r)
{
	json_t *a = json_object_get(r, "providers"), *p, *err;
	size_t i;

	if (r == NULL)
		return;
	free(m->providers);
	m->providers = xcalloc(json_array_size(a) + 1, sizeof *m->providers);
	m->nproviders = 0;
	json_array_foreach(a, i, p)
	{
		struct provider_row *pr = &m->providers[m->nproviders++];
		str(p, "name", pr->name, sizeof pr->name);
		str(p, "type", pr->type, sizeof pr->type);
		str(p, "state", pr->state, sizeof pr->state);
		pr->last_success = (time_t)whole(p, "last_success");
		err = json_object_get(p, "last_error");
		str(err, "message", pr->last_error, sizeof pr->last_error);
		pr->last_error_at = (time_t)whole(err, "at");
		pr->instances = (long)whole(p, "instances");
		pr->peers = (long)whole(p, "peers");
		pr->failures = (long)whole(p, "failures");
		pr->next_refresh_s = (long)whole(p, "next_refresh_s");
	}
}

/* The MACs that the forwarding tables have behind peer. */
static void
macs_of(struct model *m, json_t *r, const char *peer)
{
	const char *seg;
	json_t *entries, *e;
	char port[MODEL_NAME];
	size_t i;

	if (r == NULL || peer == NULL)
		return;
	snprintf(m->macs_of, sizeof m->macs_of, "%s", peer);
	m->nmacs = m->macs_total = 0;
	json_object_foreach(json_object_get(r, "fdb"), seg, entries)
	{
		json_array_foreach(entries, i, e)
		{
			struct mac_row *mr = &m->macs[m->nmacs];
			str(e, "port", port, sizeof port);
			if (strcmp(port, peer) != 0)
				continue;
			if (m->macs_total++ >= MODEL_MACS)
				continue;
			str(e, "mac", mr->mac, sizeof mr->mac);
			log_escape(mr->segment, sizeof mr->segment, seg,
			    strlen(seg));
			mr->idle_s = (long)whole(e, "idle_s");
			mr->is_static =
			    json_is_true(json_object_get(e, "static"));
			m->nmacs++;
		}
	}
}

void
model_update(struct model *m, const struct replies *r, uint64_t now_ms,
    time_t now)
{
	long long uptime = m->uptime_s;

	if (m->stale)
		local_event(m, now, false, "tunneld answers again");
	header_of(m, r->status);
	if (m->sample_ms != 0 && m->uptime_s < uptime)
		local_event(m, now, true, "tunneld restarted");
	update_tunnels(m, r->peers, now_ms);
	count_tunnels(m);
	events_of(m, r->events);
	providers_of(m, r->discovery);
	macs_of(m, r->fdb, r->fdb_peer);
	m->sample_ms = now_ms;
	m->updated_at = now;
	m->stale = false;
	m->error[0] = '\0';
}

void
model_unreachable(struct model *m, const char *why, time_t now)
{
	char text[MODEL_TEXT + 32];
	int i;

	log_escape(m->error, sizeof m->error, why, strlen(why));
	if (!m->stale) {
		m->stale_since = now;
		snprintf(text, sizeof text, "tunneld not answering: %s",
		    m->error);
		local_event(m, now, true, text);
	}
	m->stale = true;
	for (i = 0; i < m->ntunnels; i++)
		m->tunnels[i].rate = RATE_STALE;
}

void
model_reset_history(struct model *m)
{
	int i;

	for (i = 0; i < m->ntunnels; i++)
		m->tunnels[i].hist_len = 0;
}

const char *
model_crypto(const struct model *m, char *buf, size_t len)
{
	if (m->nencrypted == 0)
		snprintf(buf, len, "plaintext");
	else
		snprintf(buf, len, "ESP %d of %d", m->nencrypted, m->ntunnels);
	return buf;
}
