/*
 * cc_hello.c: the messages of a connection (cc_priv.h): the hello and
 * what it must agree on, which of two connections to a peer stays, and
 * the dispatch of every message.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cc_priv.h"
#include "events.h"
#include "log.h"

static const char *
client_node(const struct cc_conn *c)
{
	return c->client ? cc_cfg(c->cc)->daemon.name : c->hello.node;
}

/* Make c the peer's connection, or drop it for the one it has; 0 or -1. */
static int
adopt(struct cc_conn *c)
{
	struct cc *cc = c->cc;
	struct cc_peer *p = &cc->peers[c->port];
	struct cc_conn *old = p->conn;
	char addr[INET6_ADDRSTRLEN], subject[160];

	if (old != NULL) {
		if (old->client != c->client &&
		    strcmp(client_node(old), client_node(c)) <= 0) {
			cc_conn_close(c, LOG_LEVEL_DEBUG,
			    "the crossing connection stays");
			return -1;
		}
		p->conn = NULL;
		cc_conn_close(old, LOG_LEVEL_DEBUG, "replaced by a newer one");
	}
	p->conn = c;
	p->backoff_ms = 0;
	addr_ntop(&c->remote, addr, sizeof addr);
	tls_peer_subject(c->ssl, subject, sizeof subject);
	snprintf(p->link.node, sizeof p->link.node, "%s", c->hello.node);
	snprintf(p->link.remote, sizeof p->link.remote, "%s:%u", addr,
	    addr_port(&c->remote));
	cc_link_state(cc, c->port, "up", "");
	events_add(cc->ev, EV_CRYPTO, LOG_LEVEL_INFO, p->name,
	    "control connection %s %s up: %s %s (tunneld %s), %s",
	    c->client ? "to" : "from", addr, c->hello.hub ? "hub" : "spoke",
	    c->hello.node, c->hello.version, subject);
	return c->client ? cc_start_rekey(c) : 0;
}

/* 0, or -1 when c was closed. */
static int
on_hello(struct cc_conn *c, const json_t *body)
{
	const struct cc_peer *p = &c->cc->peers[c->port];
	const char *why, *mine = esp_cipher_name(p->cr.cipher);

	if (c->st != C_HELLO) {
		cc_conn_refuse(c, "a second hello");
		return -1;
	}
	if (cc_hello_parse(body, &c->hello, &why) != 0) {
		cc_conn_refuse(c, "a bad %s", why);
		return -1;
	}
	if (c->hello.proto != CC_PROTO) {
		cc_conn_refuse(c, "protocol %u: this tunneld speaks %u",
		    c->hello.proto, CC_PROTO);
		return -1;
	}
	if (!(c->hello.caps & CC_CAP_ESP)) {
		cc_conn_refuse(c, "the peer cannot key ESP");
		return -1;
	}
	if (strcmp(c->hello.cipher, mine) != 0) {
		cc_conn_refuse(c, "cipher mismatch: %s here, %s there", mine,
		    c->hello.cipher);
		return -1;
	}
	c->st = C_UP;
	return adopt(c);
}

/* One message; 0, or -1 when c was closed. */
int
cc_on_message(struct cc_conn *c, int type, const json_t *body)
{
	struct cc *cc = c->cc;
	const char *reason;
	char why[200], text[160];

	if (type != CC_HELLO && type != CC_ERROR && c->st != C_UP) {
		cc_conn_refuse(c, "%s before hello", cc_type_name(type));
		return -1;
	}
	switch (type) {
	case CC_HELLO:
		return on_hello(c, body);
	case CC_KEEPALIVE:
		return 0;
	case CC_REKEY:
		return cc_on_rekey(c, body);
	case CC_REKEY_ACK:
	case CC_REKEY_NAK:
		return cc_on_ack(c, type, body);
	case CC_PERF_REQUEST:
	case CC_PERF_REPLY:
	case CC_PERF_REPORT:
	case CC_PERF_STOP:
		if (cc->hooks.message != NULL)
			cc->hooks.message(cc->hooks.arg, c->port, type, body);
		return 0;
	case CC_ERROR:
		reason = json_string_value(json_object_get(body, "reason"));
		if (reason == NULL)
			reason = "(no reason)";
		log_escape(text, sizeof text, reason, strlen(reason));
		snprintf(why, sizeof why, "the peer refused: %s", text);
		cc_conn_close(c, LOG_LEVEL_WARN, why);
		return -1;
	default:
		cc->n.unknown_messages++; /* a later version's: skipped */
		return 0;
	}
	return 0;
}

json_t *
cc_my_hello(const struct cc *cc, const struct cc_peer *p)
{
	const struct config *c = cc_cfg(cc);
	struct cc_hello h = { .proto = CC_PROTO,
		.caps = CC_CAP_ESP | CC_CAP_PROBE | CC_CAP_PERF };
	int i;

	snprintf(h.node, sizeof h.node, "%s", c->daemon.name);
	h.hub = c->daemon.role == ROLE_HUB;
	snprintf(h.version, sizeof h.version, "%s", PACKAGE_VERSION);
	snprintf(h.cipher, sizeof h.cipher, "%s",
	    esp_cipher_name(p->cr.cipher));
	for (i = 0; i < c->nsegments && i < CC_MAX_SEGMENTS; i++) {
		snprintf(h.segments[i].name, sizeof h.segments[i].name, "%s",
		    c->segments[i].name);
		h.segments[i].vni = c->segments[i].vni;
	}
	h.nsegments = i;
	return cc_hello_json(&h);
}
