/* discovery.c: provider listings on the control loop, turned into peers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "discovery.h"
#include "events.h"
#include "http_async.h"
#include "listing.h"
#include "localaddr.h"
#include "log.h"
#include "xmalloc.h"

/* A discovered instance, kept while listed and for the grace after. */
struct tracked {
	char *id;
	char address[64];
	struct cfg_peer peer;
	uint64_t last_seen_ms;
	bool seen;
};

struct dprov {
	struct discovery *d;
	const struct cfg_provider *cfg;
	struct provider *prov;		/* NULL: the settings were refused */
	struct provider_filter filter;
	struct listing l;
	struct http_xchg *x;		/* the exchange in flight: listing */
	uint64_t next_ms;
	time_t last_ok, last_error_at;	/* wall clock, for display */
	struct provider_err err;	/* the last error; kind OK if none */
	unsigned failures;		/* in a row */
	size_t ninstances;		/* matching and up, last good listing */
	size_t refused, refused_logged; /* at addresses no peer may have */
	char refused_example[160];
	struct tracked *t;
	size_t nt;
	uint64_t listings, listing_failures;
	struct rt_changes last;
};

struct discovery {
	struct loop *loop;
	struct runtime *rt;
	struct http_async *http;
	int timer_fd;
	struct dprov *v[CFG_MAX_PROVIDERS];
	int n;
};

static void dprov_done(void *, struct http_response *,
    const struct provider_err *);

/* "PROVIDER/INSTANCE": letters, digits and _ . - kept, the rest as _. */
static void
peer_name(char *out, size_t len, const char *provider, const char *inst)
{
	size_t i, n, start = strlen(provider) + 1;

	snprintf(out, len, "%s/%s", provider, inst);
	n = strlen(out);
	for (i = start; i < n; i++)
		if (!isalnum((unsigned char)out[i]) && strchr("_.-", out[i]) ==
		    NULL)
			out[i] = '_';
}

/* The peer at address under cfg (encapsulation, port, segments). */
static int
peer_build(const struct cfg_provider *cfg, const char *address,
    struct cfg_peer *peer)
{
	if (strlen(address) >= sizeof peer->address ||
	    addr_parse(address, cfg->port, &peer->addr) != 0)
		return -1;
	snprintf(peer->address, sizeof peer->address, "%s", address);
	peer->encap = cfg->encap;
	peer->segments = cfg->segments;
	peer->crypto = cfg->crypto;
	/* A config value wins; else what the cloud documents, if anything. */
	peer->path_mtu = (uint16_t)(cfg->path_mtu != 0 ? cfg->path_mtu
		: cfg->type != NULL		       ? cfg->type->path_mtu
						       : 0);
	peer->path_mtu_source = cfg->path_mtu != 0 ? PATH_MTU_CONFIG
	    : peer->path_mtu != 0		   ? PATH_MTU_CLOUD
						   : PATH_MTU_NONE;
	return 0;
}

/* The first address of the wanted family (IPv4 first when any). */
static const char *
pick_address(char *const *v, size_t n, int family)
{
	struct sockaddr_any a;
	int pass, want;
	size_t i;

	for (pass = 0; pass < 2; pass++) {
		want = family != 0 ? family : pass == 0 ? AF_INET : AF_INET6;
		for (i = 0; i < n; i++)
			if (addr_parse(v[i], 0, &a) == 0 &&
			    a.sa.sa_family == want)
				return v[i];
		if (family != 0)
			break;
	}
	return NULL;
}

int
discovery_peer_of(const struct cfg_provider *cfg, const struct instance *in,
    struct cfg_peer *peer, const char **why)
{
	bool pub = cfg->address == CFG_ADDR_PUBLIC;
	const char *addr = pick_address(pub ? in->public_addrs :
	    in->private_addrs, pub ? in->npublic : in->nprivate, cfg->family);

	memset(peer, 0, sizeof *peer);
	if (addr == NULL || peer_build(cfg, addr, peer) != 0) {
		*why = pub ? "no public address of the wanted family" :
		    "no private address of the wanted family";
		return -1;
	}
	peer_name(peer->name, sizeof peer->name, cfg->name,
	    in->name != NULL && in->name[0] != '\0' ? in->name : in->id);
	return 0;
}

uint64_t
discovery_backoff_ms(const struct cfg_provider *cfg, unsigned failures,
    unsigned retry_after_s, uint32_t random)
{
	uint64_t refresh = (uint64_t)cfg->refresh_s * 1000;
	uint64_t base = refresh / 4 > 1000 ? refresh / 4 : 1000;
	uint64_t cap = 8 * refresh < 900000 ? 8 * refresh : 900000;
	uint64_t delay;

	if (cap < refresh)
		cap = refresh;
	delay = base << (failures > 1 ? (failures - 1 > 20 ? 20 : failures - 1)
	    : 0);
	if (delay > cap)
		delay = cap;
	/* Jitter: anywhere in the upper half, so hubs do not march in step. */
	delay = delay / 2 + random % (delay / 2 + 1);
	if ((uint64_t)retry_after_s * 1000 > delay)
		delay = (uint64_t)(retry_after_s < 3600 ? retry_after_s : 3600)
		    * 1000;
	return delay;
}

static struct tracked *
tracked_find(struct dprov *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->nt; i++)
		if (strcmp(p->t[i].id, id) == 0)
			return &p->t[i];
	return NULL;
}

/* Whether another tracked instance already has this peer name. */
static bool
name_taken(const struct dprov *p, const struct tracked *self,
    const char *name)
{
	size_t i;

	for (i = 0; i < p->nt; i++)
		if (&p->t[i] != self && strcmp(p->t[i].peer.name, name) == 0)
			return true;
	return false;
}

/* Two instances of one name: the second gets "~" and a hash of its id. */
static void
name_unique(struct dprov *p, struct tracked *t)
{
	uint32_t h = 2166136261u;
	const char *s;
	char *name = t->peer.name;
	size_t keep = sizeof t->peer.name - 10;

	if (!name_taken(p, t, name))
		return;
	for (s = t->id; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	if (strlen(name) > keep)
		name[keep] = '\0';
	snprintf(name + strlen(name), 10, "~%08x", h);
}

static void
tracked_drop(struct dprov *p, size_t i)
{
	free(p->t[i].id);
	p->t[i] = p->t[--p->nt];
}

/*
 * An instance at an address that cannot be a peer (this host's own, a
 * loopback or multicast one): counted, the first of a listing kept for
 * the log line, and a tracked one dropped at once, never after a grace.
 */
static void
skip_instance(struct dprov *p, const struct instance *in,
    const struct cfg_peer *peer, const char *why)
{
	struct tracked *t;
	char id[64];

	if (p->refused++ == 0) {
		log_escape(id, sizeof id, in->id, strlen(in->id));
		snprintf(p->refused_example, sizeof p->refused_example,
		    "instance %s at %s: %s", id, peer->address, why);
	}
	if ((t = tracked_find(p, in->id)) != NULL)
		tracked_drop(p, (size_t)(t - p->t));
}

/* Take one instance of a good listing into the tracked set. */
static void
track_instance(struct dprov *p, const struct instance *in,
    const struct localaddrs *local, uint64_t now)
{
	struct cfg_peer peer;
	struct tracked *t;
	const char *why;

	if (in->id == NULL || !instance_matches(in, &p->filter) ||
	    !instance_is_running(in))
		return;
	if (discovery_peer_of(p->cfg, in, &peer, &why) != 0) {
		log_debug("discovery %s: instance %s skipped: %s", p->cfg->name,
		    in->id, why);
		return;
	}
	if ((why = localaddrs_refuse(local, &peer.addr)) != NULL) {
		skip_instance(p, in, &peer, why);
		return;
	}
	p->ninstances++;
	if ((t = tracked_find(p, in->id)) == NULL) {
		p->t = xreallocarray(p->t, p->nt + 1, sizeof *p->t);
		t = &p->t[p->nt++];
		memset(t, 0, sizeof *t);
		t->id = xstrdup(in->id);
		t->peer = peer;
		name_unique(p, t);
	} else {
		snprintf(peer.name, sizeof peer.name, "%s", t->peer.name);
		t->peer = peer;		/* a new address is taken in place */
	}
	snprintf(t->address, sizeof t->address, "%s", peer.address);
	t->last_seen_ms = now;
	t->seen = true;
}

/* Hand the tracked set to the runtime as this provider's peers. */
static void
dprov_push(struct dprov *p)
{
	const struct cfg_peer **v = xcalloc(p->nt + 1, sizeof *v);
	size_t i;

	for (i = 0; i < p->nt; i++)
		v[i] = &p->t[i].peer;
	rt_set_discovered(p->d->rt, p->cfg->name, v, (int)p->nt, &p->last);
	free(v);
	if (p->last.added + p->last.removed + p->last.changed > 0)
		log_info("discovery %s: %zu instances; peers %d added, %d "
		    "removed, %d updated, %d refused", p->cfg->name,
		    p->ninstances, p->last.added, p->last.removed,
		    p->last.changed, p->last.refused);
}

/* A good listing: track what is up, forget what is gone past the grace. */
static void
dprov_success(struct dprov *p, struct instance_list *list)
{
	uint64_t now = clock_ms(), grace = (uint64_t)p->cfg->grace_s * 1000;
	struct localaddrs *local;
	size_t i;

	if (p->failures > 0)
		events_add(rt_events(p->d->rt), EV_DISCOVERY, LOG_LEVEL_INFO,
		    NULL, "discovery %s: listing works again after %u failures",
		    p->cfg->name, p->failures);
	p->failures = 0;
	p->err.kind = PROVIDER_OK;
	p->last_ok = time(NULL);
	p->ninstances = 0;
	p->refused = 0;
	for (i = 0; i < p->nt; i++)
		p->t[i].seen = false;
	local = localaddrs_new();
	for (i = 0; i < list->n; i++)
		track_instance(p, &list->v[i], local, now);
	localaddrs_free(local);
	/* One line when the count changes, not one per listing. */
	if (p->refused > 0 && p->refused != p->refused_logged)
		log_warnx("discovery %s: %zu instances skipped: their address "
			  "cannot be a peer (%s)",
		    p->cfg->name, p->refused, p->refused_example);
	p->refused_logged = p->refused;
	for (i = p->nt; i-- > 0;)
		if (!p->t[i].seen && now - p->t[i].last_seen_ms >= grace)
			tracked_drop(p, i);
	dprov_push(p);
	p->next_ms = now + (uint64_t)p->cfg->refresh_s * 900 +
	    arc4random_uniform(p->cfg->refresh_s * 200 + 1);
}

/* A failed listing: keep every peer, say why, retry after a backoff. */
static void
dprov_failure(struct dprov *p, const struct provider_err *err)
{
	uint64_t delay;

	p->failures++;
	p->listing_failures++;
	p->last_error_at = time(NULL);
	if (p->failures == 1 || strcmp(p->err.message, err->message) != 0)
		events_add(rt_events(p->d->rt), EV_DISCOVERY, LOG_LEVEL_WARN,
		    NULL, "discovery %s: %s: %s; keeping %zu peers",
		    p->cfg->name, provider_error_name(err->kind), err->message,
		    p->nt);
	p->err = *err;
	delay = discovery_backoff_ms(p->cfg, p->failures, err->retry_after_s,
	    arc4random());
	p->next_ms = clock_ms() + delay;
}

/* Go on with a listing's step: ask for the next exchange or finish. */
static void
dprov_step(struct dprov *p, enum provider_step st)
{
	struct provider_err err;

	if (st == PROVIDER_STEP_REQUEST) {
		if ((p->x = http_async_start(p->d->http, &p->l.req, dprov_done,
		    p)) != NULL)
			return;
		provider_fail(&err, PROVIDER_SERVER_ERROR, "libcurl could not "
		    "start a transfer");
		st = listing_abort(&p->l, &err);
	}
	if (st == PROVIDER_STEP_DONE)
		dprov_success(p, &p->l.out);
	else {
		err = p->l.err;
		dprov_failure(p, &err);
	}
	listing_clear(&p->l);
}

static void
dprov_done(void *arg, struct http_response *resp,
    const struct provider_err *err)
{
	struct dprov *p = arg;
	enum provider_step st;

	p->x = NULL;
	if (err->kind == PROVIDER_OK)
		st = listing_next(&p->l, resp);
	else
		st = listing_abort(&p->l, err);
	http_response_clear(resp);
	dprov_step(p, st);
}

static void
dprov_start(struct dprov *p)
{
	p->listings++;
	dprov_step(p, listing_begin(&p->l, p->prov, &p->filter));
}

/* Recompute the tracked peers under (a new) cfg, addresses kept. */
static void
dprov_reconfigure(struct dprov *p, const struct cfg_provider *cfg)
{
	size_t i;

	p->cfg = cfg;
	p->filter.tag_key = cfg->tag_key[0] ? cfg->tag_key : NULL;
	p->filter.tag_value = cfg->tag_has_value ? cfg->tag_value : NULL;
	for (i = p->nt; i-- > 0;) {
		struct tracked *t = &p->t[i];
		char name[CFG_NAME_MAX];
		snprintf(name, sizeof name, "%s", t->peer.name);
		if (peer_build(cfg, t->address, &t->peer) != 0) {
			tracked_drop(p, i);
			continue;
		}
		snprintf(t->peer.name, sizeof t->peer.name, "%s", name);
	}
}

static struct dprov *
dprov_new(struct discovery *d, const struct cfg_provider *cfg)
{
	struct dprov *p = xcalloc(1, sizeof *p);
	struct provider_settings s = cfg->settings;

	p->d = d;
	dprov_reconfigure(p, cfg);
	s.timeout_ms = (long)cfg->timeout_s * 1000;
	if ((p->prov = provider_create(cfg->type, cfg->name, &s, &p->err)) ==
	    NULL) {
		p->last_error_at = time(NULL);
		log_warnx("discovery %s: %s", cfg->name, p->err.message);
	}
	p->next_ms = clock_ms();
	return p;
}

static void
dprov_free(struct dprov *p)
{
	if (p == NULL)
		return;
	http_async_cancel(p->d->http, p->x);
	listing_clear(&p->l);
	while (p->nt > 0)
		tracked_drop(p, p->nt - 1);
	free(p->t);
	provider_free(p->prov);
	free(p);
}

/* libcurl wants fd watched for events (0: no longer). */
static void
http_fd_ready(int fd, uint32_t events, void *arg)
{
	struct discovery *d = arg;
	unsigned ev = 0;

	if (events & EPOLLIN)
		ev |= HTTP_IO_IN;
	if (events & EPOLLOUT)
		ev |= HTTP_IO_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		ev |= HTTP_IO_ERR;
	http_async_ready(d->http, fd, ev);
}

static int
http_watch(void *arg, int fd, unsigned events)
{
	struct discovery *d = arg;
	uint32_t ev = 0;

	if (events == 0) {
		loop_del(d->loop, fd);
		return 0;
	}
	if (events & HTTP_IO_IN)
		ev |= EPOLLIN;
	if (events & HTTP_IO_OUT)
		ev |= EPOLLOUT;
	if (loop_mod(d->loop, fd, ev) == 0)
		return 0;
	return loop_add(d->loop, fd, ev, http_fd_ready, d);
}

static void
http_timer(void *arg, long ms)
{
	struct discovery *d = arg;

	if (loop_timer_set(d->timer_fd, ms) == -1)
		log_warn("discovery: timerfd");
}

static void
http_timer_ready(int fd, uint32_t events, void *arg)
{
	struct discovery *d = arg;
	uint64_t n;

	(void)events;
	(void)!read(fd, &n, sizeof n);
	http_async_timeout(d->http);
}

struct discovery *
discovery_new(struct loop *loop, struct runtime *rt)
{
	struct discovery *d = xcalloc(1, sizeof *d);
	struct http_async_io io = { http_watch, http_timer, d };
	int i;

	d->loop = loop;
	d->rt = rt;
	d->timer_fd = loop_timer_fd(0);
	if (d->timer_fd == -1 || (d->http = http_async_new(&io)) == NULL ||
	    loop_add(loop, d->timer_fd, EPOLLIN, http_timer_ready, d) == -1)
		fatal("discovery: timer or libcurl");
	for (i = 0; i < rt_config(rt)->nproviders; i++)
		d->v[d->n++] = dprov_new(d, &rt_config(rt)->providers[i]);
	return d;
}

void
discovery_free(struct discovery *d)
{
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		dprov_free(d->v[i]);
	http_async_free(d->http);
	loop_del(d->loop, d->timer_fd);
	close(d->timer_fd);
	free(d);
}

static struct dprov *
take_old(struct dprov **old, int n, const char *name)
{
	struct dprov *p;
	int i;

	for (i = 0; i < n; i++) {
		if (old[i] != NULL && strcmp(old[i]->cfg->name, name) == 0) {
			p = old[i];
			old[i] = NULL;
			return p;
		}
	}
	return NULL;
}

void
discovery_reload(struct discovery *d)
{
	const struct config *nc = rt_config(d->rt);
	struct dprov *old[CFG_MAX_PROVIDERS], *o, *p;
	int i, n = d->n;

	memcpy(old, d->v, sizeof old);
	d->n = 0;
	for (i = 0; i < nc->nproviders; i++) {
		const struct cfg_provider *cfg = &nc->providers[i];
		o = take_old(old, n, cfg->name);
		if (o != NULL && config_provider_same_listing(o->cfg, cfg)) {
			dprov_reconfigure(o, cfg);
			p = o;
		} else {
			/* New settings: list again now, tunnels kept till then. */
			p = dprov_new(d, cfg);
			if (o != NULL) {
				p->t = o->t;
				p->nt = o->nt;
				o->t = NULL;
				o->nt = 0;
				dprov_reconfigure(p, cfg);
				dprov_free(o);
			}
		}
		d->v[d->n++] = p;
		dprov_push(p);
	}
	for (i = 0; i < n; i++)
		dprov_free(old[i]);	/* their peers left with the reload */
}

void
discovery_tick(struct discovery *d)
{
	uint64_t now = clock_ms();
	int i;

	for (i = 0; i < d->n; i++)
		if (d->v[i]->prov != NULL && d->v[i]->x == NULL &&
		    now >= d->v[i]->next_ms)
			dprov_start(d->v[i]);
}

static const char *
dprov_state(const struct dprov *p)
{
	if (p->prov == NULL)
		return "bad_config";
	if (p->failures > 0)
		return "failing";
	if (p->last_ok == 0)
		return p->x != NULL ? "listing" : "pending";
	return p->x != NULL ? "listing" : "ok";
}

static json_t *
time_or_null(time_t t)
{
	return t != 0 ? json_integer((json_int_t)t) : json_null();
}

static json_t *
dprov_json(const struct dprov *p, uint64_t now)
{
	json_t *err = json_null();
	size_t i, missing = 0;

	for (i = 0; i < p->nt; i++)
		missing += !p->t[i].seen;
	if (p->err.kind != PROVIDER_OK)
		err = json_pack("{s:s,s:s,s:o}", "kind",
		    provider_error_name(p->err.kind), "message", p->err.message,
		    "at", time_or_null(p->last_error_at));
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
			 "s:I,s:I}",
	    "name", p->cfg->name, "type", p->cfg->type->type, "state",
	    dprov_state(p), "last_success", time_or_null(p->last_ok),
	    "last_error", err, "failures", (json_int_t)p->failures, "instances",
	    (json_int_t)p->ninstances, "refused_addresses",
	    (json_int_t)p->refused, "peers", (json_int_t)p->nt,
	    "pending_removal", (json_int_t)missing, "next_refresh_s",
	    (json_int_t)(p->x != NULL || p->prov == NULL ? 0
		    : p->next_ms > now ? (p->next_ms - now + 999) / 1000
				       : 0),
	    "refresh_s", (json_int_t)p->cfg->refresh_s, "listings",
	    (json_int_t)p->listings, "listing_failures",
	    (json_int_t)p->listing_failures);
}

json_t *
discovery_json(const struct discovery *d)
{
	json_t *a = json_array();
	uint64_t now = clock_ms();
	int i;

	for (i = 0; i < d->n; i++)
		json_array_append_new(a, dprov_json(d->v[i], now));
	return json_pack("{s:o}", "providers", a);
}
