/* cc.c: the control connections' life cycle, peers and timers (cc.h). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cc_priv.h"
#include "events.h"
#include "log.h"
#include "xmalloc.h"

const struct config *
cc_cfg(const struct cc *cc)
{
	return rt_config(cc->rt);
}

void
cc_link_state(struct cc *cc, uint16_t port, const char *state, const char *why)
{
	struct cc_peer *p = &cc->peers[port];

	if (strcmp(p->link.state, state) != 0)
		p->link.since_ms = clock_ms();
	snprintf(p->link.state, sizeof p->link.state, "%s", state);
	if (why != NULL)
		snprintf(p->link.why, sizeof p->link.why, "%s", why);
	sas_set_link(cc->sas, port, &p->link);
}

/* Log a peer's failure now, or not when the last one was < 10 s ago. */
bool
cc_may_log(uint64_t *last)
{
	uint64_t now = clock_ms();

	if (*last != 0 && now - *last < LOG_EVERY_MS)
		return false;
	*last = now;
	return true;
}

/* Whether the config has a peer keyed by the control connection. */
static bool
any_auto(const struct config *c)
{
	int i;

	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].crypto.encrypt &&
		    c->peers[i].crypto.keying == KEYING_AUTO)
			return true;
	return false;
}

static void sync_peers(struct cc *);

/*
 * Listen once the config has a peer keyed by the control connection (at
 * start, or the reload that adds the first); 0 or -1 with *cause.
 */
static int
listen_if_needed(struct cc *cc, char **cause)
{
	const struct cfg_daemon *d = &cc_cfg(cc)->daemon;
	char *why = NULL;

	if (cc->lfd[0] != -1 || cc->lfd[1] != -1 || !any_auto(cc_cfg(cc)))
		return 0;
	if (d->local6.sa.sa_family != AF_INET6 &&
	    cc_listen_on(cc, 0, &d->local4, AF_INET, cause) != 0)
		return -1;
	if (d->local4.sa.sa_family != AF_INET &&
	    cc_listen_on(cc, 1, &d->local6, AF_INET6, &why) != 0) {
		if (cc->lfd[0] == -1) {
			*cause = why;
			return -1;
		}
		log_warnx("%s", why); /* an IPv4-only host */
		free(why);
	}
	return 0;
}

struct cc *
cc_new(struct loop *loop, struct runtime *rt, char **cause)
{
	struct cc *cc = xcalloc(1, sizeof *cc);
	const char *which;
	char *why = NULL;

	cc->loop = loop;
	cc->rt = rt;
	cc->sas = rt_sas(rt);
	cc->ev = rt_events(rt);
	cc->lfd[0] = cc->lfd[1] = -1;
	sas_set_rekey(cc->sas, cc_cfg(cc)->tls.rekey_ms,
	    cc_cfg(cc)->tls.rekey_packets);
	if ((cc->tls = tls_ctx_new(&cc_cfg(cc)->tls, &which, &why)) == NULL) {
		xasprintf(cause, "[crypto] %s: %s", which, why);
		free(why);
		free(cc);
		return NULL;
	}
	if (listen_if_needed(cc, cause) != 0) {
		cc_free(cc);
		return NULL;
	}
	/* Its peers now: a connection may come before the first tick. */
	sync_peers(cc);
	return cc;
}

void
cc_free(struct cc *cc)
{
	int i;

	if (cc == NULL)
		return;
	while (cc->conns != NULL)
		cc_conn_free(cc->conns);
	for (i = 0; i < 2; i++)
		if (cc->lfd[i] != -1) {
			loop_del(cc->loop, cc->lfd[i]);
			close(cc->lfd[i]);
		}
	tls_ctx_free(cc->tls);
	OPENSSL_cleanse(cc->peers, sizeof cc->peers);
	free(cc);
}

static void
close_port(struct cc *cc, uint16_t port, const char *why)
{
	struct cc_conn *c, *next;

	for (c = cc->conns; c != NULL; c = next) {
		next = c->next;
		if (c->port == port)
			cc_conn_close(c, LOG_LEVEL_DEBUG, why);
	}
}

/* Follow the table: a peer added, changed or removed. */
static void
sync_peers(struct cc *cc)
{
	const struct table *tab = rt_table(cc->rt);
	const struct tbl_peer *tp;
	struct cc_peer *p;
	struct sockaddr_any a;
	uint16_t port;
	bool want;

	for (port = 1; port <= DP_MAX_PEERS; port++) {
		p = &cc->peers[port];
		tp = table_peer(tab, port);
		want = tp != NULL && tp->crypto.encrypt &&
		    tp->crypto.keying == KEYING_AUTO;
		if (want) {
			/* Where it roamed: a spoke reconnects from there. */
			a = tp->roamed.sa.sa_family ? tp->roamed : tp->addr;
			if (a.sa.sa_family == AF_INET6)
				a.sin6.sin6_port =
				    htons(cc_cfg(cc)->daemon.control_port);
			else
				a.sin.sin_port =
				    htons(cc_cfg(cc)->daemon.control_port);
		}
		if (want && p->active &&
		    CRYPTO_memcmp(&p->cr, &tp->crypto, sizeof p->cr) == 0) {
			/*
			 * A roam moves where its connection may come from;
			 * the connection it has stays until it fails (its
			 * SAs carry the traffic meanwhile).
			 */
			if (tp->roamed.sa.sa_family != 0)
				p->addr = a;
			if (memcmp(&p->addr, &a, sizeof a) == 0)
				continue;
		}
		if (!want && !p->active)
			continue;
		close_port(cc, port, "the peer changed");
		OPENSSL_cleanse(p, sizeof *p);
		if (!want)
			continue;
		p->active = true;
		p->cr = tp->crypto;
		p->addr = a;
		snprintf(p->name, sizeof p->name, "%s", tp->name);
		p->next_try_ms = clock_ms() +
		    (cc_cfg(cc)->daemon.role == ROLE_HUB ? CC_HUB_WAIT_MS : 0);
		cc_link_state(cc, port, "down", "not connected yet");
	}
}

/* A peer's timers: its SAs', its connection's. */
static void
tick_peer(struct cc *cc, uint16_t port, uint64_t now)
{
	struct cc_peer *p = &cc->peers[port];
	struct cc_conn *c = p->conn;

	if (cc_keys_tick(cc, port, now))
		return;
	if (c == NULL) {
		if (now >= p->next_try_ms && cc_npending(cc, port, true) == 0)
			cc_connect_out(cc, port);
		return;
	}
	if (now - c->last_rx_ms >= CC_DEAD_MS) {
		cc_conn_close(c, LOG_LEVEL_WARN, "nothing heard for 30 s");
		return;
	}
	if (now - c->last_tx_ms >= CC_KEEPALIVE_MS)
		(void)cc_conn_send(c, CC_KEEPALIVE, NULL);
}

void
cc_tick(struct cc *cc)
{
	uint64_t now = clock_ms();
	struct cc_conn *c, *next;
	uint16_t port;

	sync_peers(cc);
	for (c = cc->conns; c != NULL; c = next) {
		next = c->next;
		if (c->st != C_UP && now - c->started_ms >= CC_HANDSHAKE_MS)
			cc_conn_close(c, LOG_LEVEL_WARN,
			    c->st == C_CONNECTING ? "no TCP connection in 10 s"
						  : "no TLS hello in 10 s");
	}
	for (port = 1; port <= DP_MAX_PEERS; port++)
		if (cc->peers[port].active)
			tick_peer(cc, port, now);
}

void
cc_reload(struct cc *cc)
{
	struct tls_ctx *tc;
	const char *which;
	char *why = NULL;

	sas_set_rekey(cc->sas, cc_cfg(cc)->tls.rekey_ms,
	    cc_cfg(cc)->tls.rekey_packets);
	if ((tc = tls_ctx_new(&cc_cfg(cc)->tls, &which, &why)) == NULL) {
		log_warnx("[crypto] %s: %s; new control connections keep the "
			  "files loaded before",
		    which, why);
		free(why);
	} else {
		/* Connections made keep their SSL; new ones use tc. */
		tls_ctx_free(cc->tls);
		cc->tls = tc;
	}
	if (listen_if_needed(cc, &why) != 0) {
		log_warnx("%s", why);
		free(why);
	}
	sync_peers(cc);
}

json_t *
cc_json(const struct cc *cc)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "accepted",
	    (json_int_t)cc->n.accepted, "refused_unknown_source",
	    (json_int_t)cc->n.refused_unknown, "refused_busy",
	    (json_int_t)cc->n.refused_busy, "tls_failed",
	    (json_int_t)cc->n.tls_failed, "protocol_errors",
	    (json_int_t)cc->n.protocol_errors, "unknown_messages",
	    (json_int_t)cc->n.unknown_messages, "rekeys",
	    (json_int_t)cc->n.rekeys);
}

void
cc_set_hooks(struct cc *cc, const struct cc_hooks *h)
{
	cc->hooks = *h;
}

bool
cc_can(const struct cc *cc, uint16_t port, unsigned cap, const char **why)
{
	const struct cc_conn *c =
	    port < DP_MAX_PORTS ? cc->peers[port].conn : NULL;

	*why = NULL;
	if (c == NULL || c->st != C_UP)
		*why = "no control connection to it is up";
	else if ((c->hello.caps & cap) != cap)
		*why = "its tunneld is too old for this (no capability)";
	return *why == NULL;
}

int
cc_send(struct cc *cc, uint16_t port, unsigned cap, int type, json_t *body,
    const char **why)
{
	struct cc_conn *c = port < DP_MAX_PORTS ? cc->peers[port].conn : NULL;

	if (!cc_can(cc, port, cap, why)) {
		json_decref(body);
		return -1;
	}
	if (cc_conn_send(c, type, body) != 0) {
		*why = "its control connection failed";
		return -1;
	}
	return 0;
}
