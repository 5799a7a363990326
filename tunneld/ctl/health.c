/* health.c: probes out, replies in, peers judged (health.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health_priv.h"
#include "log.h"
#include "net/probe.h"
#include "sas.h"
#include "xmalloc.h"

enum { REPLY_BATCH = 256 };

static const char *const state_names[] = {
	[HEALTH_UNPROBED] = "unprobed",
	[HEALTH_UP] = "up",
	[HEALTH_DOWN] = "down",
};

static const char *const mode_names[] = {
	[PROBE_AUTO] = "auto",
	[PROBE_YES] = "yes",
	[PROBE_NO] = "no",
};

const char *
health_state_name(enum health_state s)
{
	return state_names[s];
}

struct health *
health_new(struct events *ev)
{
	struct health *h = xcalloc(1, sizeof(struct health));

	h->events = ev;
	return h;
}

void
health_free(struct health *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < DP_MAX_PORTS; i++)
		free(h->v[i]);
	free(h);
}

static bool
same_peer(const struct peer_health *ph, const struct tbl_peer *p)
{
	return strcmp(ph->name, p->name) == 0 && ph->encap == p->encap &&
	    ph->esp == p->crypto.encrypt && ph->addr.len == p->addr.len &&
	    memcmp(&ph->addr.sa, &p->addr.sa, p->addr.len) == 0;
}

/* The record of the peer at port, new when the port's peer changed. */
static struct peer_health *
record(struct health *h, const struct cfg_daemon *d, uint16_t port,
    const struct tbl_peer *p)
{
	struct peer_health *ph = h->v[port];

	if (ph != NULL && same_peer(ph, p)) {
		ph->mode = p->probe;
		ph->given_mtu = p->path_mtu;
		ph->given_source = p->path_mtu_source;
		return ph;
	}
	if (ph == NULL)
		ph = h->v[port] = xmalloc(sizeof *ph);
	memset(ph, 0, sizeof *ph);
	snprintf(ph->name, sizeof ph->name, "%s", p->name);
	ph->port = port;
	ph->addr = p->addr;
	ph->encap = p->encap;
	ph->esp = p->crypto.encrypt;
	ph->mode = p->probe;
	ph->given_mtu = p->path_mtu;
	ph->given_source = p->path_mtu_source;
	pathstat_init(&ph->ps, arc4random());
	mtu_start(h, d, ph);
	ph->state = HEALTH_UNPROBED;
	ph->since_ns = h->now_ns;
	snprintf(ph->reason, sizeof ph->reason, "%s",
	    p->probe == PROBE_NO ? "probe = no" : "not answered yet");
	return ph;
}

static void
take_replies(struct health *h, const struct cfg_daemon *d, struct dp *dp)
{
	struct dp_probe_reply r[REPLY_BATCH];
	struct peer_health *ph;
	int i, n;

	do {
		n = dp_probe_replies(dp, r, REPLY_BATCH);
		for (i = 0; i < n; i++) {
			if (r[i].port >= DP_MAX_PORTS ||
			    (ph = h->v[r[i].port]) == NULL)
				continue;
			if (r[i].size > PROBE_BODY_MIN)
				mtu_reply(h, d, ph, &r[i]);
			else
				pathstat_reply(&ph->ps, r[i].seq, r[i].sent_ns,
				    r[i].recv_ns);
		}
	} while (n == REPLY_BATCH);
}

static void
send_probe(struct health *h, struct dp *dp, struct peer_health *ph)
{
	struct probe p = { .type = PROBE_REQUEST };
	uint8_t body[PROBE_BODY_MIN];
	size_t n;
	int err;

	p.sent_ns = h->now_ns;
	p.seq = pathstat_sent(&ph->ps, h->now_ns);
	if (ph->first_probe_ns == 0)
		ph->first_probe_ns = h->now_ns;
	n = probe_build(&p, body, sizeof body, sizeof body);
	if ((err = dp_probe_send(dp, ph->port, ph->encap, &ph->addr, body,
		 n)) != 0 &&
	    ph->send_errors++ == 0)
		log_warnx("peer %s: probe not sent: %s (said once)", ph->name,
		    err == ENOKEY ? "no usable SA yet (tunnelctl peers says "
				    "why)"
				  : strerror(err));
}

static void
set_state(struct health *h, struct peer_health *ph, enum health_state s,
    const char *reason)
{
	if (ph->state == s)
		return;
	ph->state = s;
	ph->since_ns = h->now_ns;
	snprintf(ph->reason, sizeof ph->reason, "%s", reason);
	events_add(h->events, EV_STATE,
	    s == HEALTH_DOWN ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, ph->name,
	    "%s: %s", state_names[s], reason);
}

static void
judge(struct health *h, const struct cfg_daemon *d, struct peer_health *ph)
{
	uint64_t dead = (uint64_t)d->dead_after_ms * 1000000u;
	char why[96];

	if (ph->mode == PROBE_NO) {
		set_state(h, ph, HEALTH_UNPROBED, "probe = no");
		return;
	}
	if (ph->ps.last_reply_ns != 0 &&
	    h->now_ns - ph->ps.last_reply_ns < dead) {
		set_state(h, ph, HEALTH_UP, "probes answered");
		return;
	}
	if (ph->ps.last_reply_ns != 0) {
		snprintf(why, sizeof why, "no probe answered for %u ms%s",
		    d->dead_after_ms,
		    ph->no_sa ? ": no ESP SA (tunnelctl peers says why)" : "");
		set_state(h, ph, HEALTH_DOWN, why);
	} else if (ph->first_probe_ns != 0 &&
	    h->now_ns - ph->first_probe_ns >= dead) {
		if (ph->mode == PROBE_YES) {
			snprintf(why, sizeof why,
			    "probe = yes and no probe "
			    "answered in %u ms",
			    d->dead_after_ms);
			set_state(h, ph, HEALTH_DOWN, why);
		} else /* auto: not a tunneld, or not yet one */
			snprintf(ph->reason, sizeof ph->reason, "%s",
			    "no probe answered: not a tunneld (kernel vxlan, "
			    "OVS?); judged by its traffic");
	}
}

/* Received traffic, for peers judged by it (and shown for all). */
static void
note_rx(struct health *h, struct dp *dp, uint16_t port, struct peer_health *ph)
{
	struct port_counters pc;

	dp_port_counters(dp, port, &pc);
	if (pc.rx_packets != ph->rx_packets) {
		ph->rx_packets = pc.rx_packets;
		ph->last_rx_ns = h->now_ns;
	}
}

/* Keep the cadence of probe-interval, not of the ticks that carry it. */
static void
next_probe(const struct health *h, const struct cfg_daemon *d,
    struct peer_health *ph)
{
	uint64_t step = (uint64_t)d->probe_interval_ms * 1000000u;

	ph->next_probe_ns += step;
	if (ph->next_probe_ns <= h->now_ns) /* new, or far behind */
		ph->next_probe_ns = h->now_ns + step;
}

/* Once a probe-interval: traffic seen, state judged, the next probe. */
/* The probe window's figures; a probe is lost once two intervals old. */
static void
window_of(const struct cfg_daemon *d, const struct peer_health *ph,
    uint64_t now, struct pathstat_window *w)
{
	uint64_t timeout = (uint64_t)d->probe_interval_ms * 2 * 1000000u;

	if (timeout < 1000000000u)
		timeout = 1000000000u;
	if (timeout > (uint64_t)d->dead_after_ms * 1000000u)
		timeout = (uint64_t)d->dead_after_ms * 1000000u;
	pathstat_window(&ph->ps, now, (uint64_t)d->probe_window_ms * 1000000u,
	    timeout, w);
}

static void
interval(struct health *h, const struct cfg_daemon *d, struct dp *dp,
    uint16_t port, struct peer_health *ph)
{
	struct pathstat_window w;

	/* The loss the path MTU search allows for (health_mtu.c). */
	window_of(d, ph, h->now_ns, &w);
	ph->loss = w.judged > 0 ? (double)w.lost / w.judged : 0;
	note_rx(h, dp, port, ph);
	mtu_interval(h, d, ph);
	judge(h, d, ph);
	if (ph->mode != PROBE_NO)
		send_probe(h, dp, ph);
}

/*
 * Per segment, the smallest inner MTU of its peers' paths: what clamp-mss
 * clamps to, and what an mtu = auto TAP follows.
 */
static void
follow_paths(struct health *h, struct runtime *rt)
{
	const struct table *tab = rt_table(rt);
	unsigned min[DP_MAX_SEGMENTS] = { 0 }, inner;
	const char *who[DP_MAX_SEGMENTS] = { NULL };
	const struct tbl_segment *s;
	uint64_t slots;
	uint16_t port;
	char *cause = NULL;
	int slot;

	for (port = PORT_LOCAL; (port = table_peer_next(tab, port)) != 0;) {
		dp_set_frame_max(rt_dp(rt), port, mtu_frame_max(h->v[port]));
		if ((inner = mtu_inner(h->v[port])) == 0)
			continue;
		/* Only the peer's own segments: one bit each. */
		for (slots = table_peer(tab, port)->slots; slots != 0;
		     slots &= slots - 1) {
			slot = __builtin_ctzll(slots);
			if (min[slot] == 0 || inner < min[slot]) {
				min[slot] = inner;
				who[slot] = h->v[port]->name;
			}
		}
	}
	for (slot = -1; (slot = table_seg_next(tab, slot)) >= 0;) {
		s = table_seg(tab, slot);
		dp_set_mss_mtu(rt_dp(rt), slot, min[slot]);
		if (!s->cfg.mtu_auto || min[slot] == 0)
			continue;
		if (min[slot] < CFG_MIN_MTU)
			min[slot] = CFG_MIN_MTU;
		if (min[slot] > CFG_MAX_MTU)
			min[slot] = CFG_MAX_MTU;
		if ((int)min[slot] == s->cfg.mtu || min[slot] == h->tried[slot])
			continue; /* there, or tried and refused: said once */
		h->tried[slot] = min[slot];
		log_info("segment %s: mtu = auto: TAP MTU %d -> %u, the inner "
			 "MTU of peer %s's path",
		    s->cfg.name, s->cfg.mtu, min[slot], who[slot]);
		if (rt_set_segment_mtu(rt, slot, (int)min[slot], &cause) != 0) {
			log_warnx("segment %s: %s", s->cfg.name, cause);
			free(cause);
			cause = NULL;
		}
	}
}

void
health_tick(struct health *h, struct runtime *rt)
{
	const struct table *tab = rt_table(rt);
	const struct cfg_daemon *d = &rt_config(rt)->daemon;
	struct dp *dp = rt_dp(rt);
	const struct tbl_peer *p;
	struct peer_health *ph;
	bool live[DP_MAX_PORTS] = { false };
	uint16_t port;
	int i;

	h->now_ns = dp_clock_ns();
	take_replies(h, d, dp);
	for (port = PORT_LOCAL; (port = table_peer_next(tab, port)) != 0;) {
		p = table_peer(tab, port);
		ph = record(h, d, port, p);
		ph->no_sa =
		    p->crypto.encrypt && sas_out(rt_sas(rt), port) == NULL;
		live[port] = true;
		if (h->now_ns >= ph->next_probe_ns) {
			interval(h, d, dp, port, ph);
			next_probe(h, d, ph);
		}
		mtu_tick(h, dp, d, ph);
	}
	follow_paths(h, rt);
	for (port = PORT_LOCAL; (port = table_peer_next(tab, port)) != 0;)
		mtu_judge(h, tab, d, h->v[port], table_peer(tab, port)->slots);
	for (i = 0; i < DP_MAX_PORTS; i++) {
		if (!live[i] && h->v[i] != NULL) {
			free(h->v[i]);
			h->v[i] = NULL;
		}
	}
}

enum health_state
health_state_of(const struct health *h, uint16_t port)
{
	return port < DP_MAX_PORTS && h->v[port] != NULL ? h->v[port]->state
							 : HEALTH_UNPROBED;
}

bool
health_black_hole(const struct health *h, uint16_t port)
{
	return port < DP_MAX_PORTS && h->v[port] != NULL &&
	    h->v[port]->black_hole;
}

static json_t *
ms_or_null(bool valid, uint32_t us)
{
	return valid ? json_real(us / 1000.0) : json_null();
}

static json_t *
age_or_null(uint64_t now, uint64_t then)
{
	return then != 0 && now >= then ? json_real((now - then) / 1e9)
					: json_null();
}

json_t *
health_peer_json(const struct health *h, const struct runtime *rt,
    uint16_t port)
{
	const struct cfg_daemon *d = &rt_config(rt)->daemon;
	const struct peer_health *ph = port < DP_MAX_PORTS ? h->v[port] : NULL;
	struct pathstat_window w;
	uint64_t now = dp_clock_ns();
	bool rtt;
	json_t *o;

	if (ph == NULL)
		return json_pack("{s:s,s:n,s:s}", "state", "unprobed",
		    "since_s", "reason", "not probed yet");
	window_of(d, ph, now, &w);
	rtt = w.answered > 0;
	o = json_object();
	json_object_set_new(o, "state", json_string(state_names[ph->state]));
	json_object_set_new(o, "since_s", age_or_null(now, ph->since_ns));
	json_object_set_new(o, "reason", json_string(ph->reason));
	json_object_set_new(o, "probe", json_string(mode_names[ph->mode]));
	json_object_set_new(o, "rtt_ms",
	    json_pack("{s:o,s:o,s:o,s:o}", "min", ms_or_null(rtt, w.rtt_min_us),
		"avg", ms_or_null(rtt, w.rtt_avg_us), "max",
		ms_or_null(rtt, w.rtt_max_us), "jitter",
		ms_or_null(ph->ps.answered > 1, w.jitter_us)));
	/* Never answered: no loss figure, the peer may not be a tunneld. */
	json_object_set_new(o, "loss_pct",
	    w.judged > 0 && ph->ps.answered > 0 ? json_real(w.loss_pct)
						: json_null());
	json_object_set_new(o, "window_judged", json_integer(w.judged));
	json_object_set_new(o, "window_lost", json_integer(w.lost));
	json_object_set_new(o, "probes_sent",
	    json_integer((json_int_t)ph->ps.sent));
	json_object_set_new(o, "probes_answered",
	    json_integer((json_int_t)ph->ps.answered));
	json_object_set_new(o, "stale_replies",
	    json_integer((json_int_t)ph->ps.stale));
	json_object_set_new(o, "last_rx_s", age_or_null(now, ph->last_rx_ns));
	json_object_set_new(o, "last_answer_s",
	    age_or_null(now, ph->ps.last_reply_ns));
	json_object_set_new(o, "mtu", mtu_json(h, ph));
	return o;
}

int
health_recheck_mtu(struct health *h, uint16_t port, char **cause)
{
	struct peer_health *ph = port < DP_MAX_PORTS ? h->v[port] : NULL;

	if (ph == NULL || ph->state != HEALTH_UP) {
		xasprintf(cause,
		    "peer %s does not answer probes: its path MTU "
		    "is the kernel's, not searched",
		    ph ? ph->name : "?");
		return -1;
	}
	if (ph->given_source == PATH_MTU_CONFIG) {
		xasprintf(cause,
		    "peer %s: path-mtu is set in the config, "
		    "not searched",
		    ph->name);
		return -1;
	}
	mtu_recheck(h, ph);
	return 0;
}
