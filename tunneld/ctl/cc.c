/* cc.c: control connections, hello, keepalives and rekeying (cc.h). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cc.h"
#include "cc_msg.h"
#include "dp/limits.h"
#include "events.h"
#include "log.h"
#include "sas.h"
#include "tls.h"
#include "xmalloc.h"

enum conn_state { C_CONNECTING, C_HANDSHAKE, C_HELLO, C_UP };

enum {
	OUT_MAX = 64 << 10, /* queued for a peer that does not read */
	KEYS_LEN = 2 * (ESP_KEYMAT + 4),
	LOG_EVERY_MS = 10000,
	HARD_PACKETS_MAX = 5 << 22, /* below AES-GCM's 2^24.5 */
};

struct cc_conn {
	struct cc *cc;
	struct cc_conn *next;
	int fd;
	SSL *ssl;
	uint16_t port;
	bool client;
	enum conn_state st;
	struct sockaddr_any remote;
	uint64_t started_ms, last_rx_ms, last_tx_ms;
	uint8_t in[CC_HDR + CC_MSG_MAX];
	size_t inlen;
	struct buf out;
	size_t outoff;
	struct cc_hello hello;
	uint32_t epoch, pending; /* keys in force; a rekey sent (client) */
	uint64_t pending_ms;
};

struct cc_peer {
	bool active; /* encrypt = yes, keying = auto */
	struct cfg_crypto cr;
	struct sockaddr_any addr; /* its control port */
	char name[DP_NAME_MAX];
	struct cc_conn *conn; /* through hello */
	uint64_t next_try_ms, drain_ms, logged_ms;
	char logged[200]; /* the refusal logged last */
	unsigned backoff_ms;
	struct sas_link link;
};

struct cc {
	struct loop *loop;
	struct runtime *rt;
	struct sas *sas;
	struct events *ev;
	struct tls_ctx *tls;
	int lfd[2];
	struct cc_conn *conns;
	struct cc_peer peers[DP_MAX_PORTS];
	uint64_t unknown_logged_ms;
	struct {
		uint64_t accepted, refused_unknown, refused_busy, tls_failed,
		    protocol_errors, unknown_messages, rekeys;
	} n;
};

static void conn_io(int fd, uint32_t events, void *arg);

static const struct config *
cfg(const struct cc *cc)
{
	return rt_config(cc->rt);
}

static void
link_state(struct cc *cc, uint16_t port, const char *state, const char *why)
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
static bool
may_log(uint64_t *last)
{
	uint64_t now = clock_ms();

	if (*last != 0 && now - *last < LOG_EVERY_MS)
		return false;
	*last = now;
	return true;
}

static void
conn_free(struct cc_conn *c)
{
	struct cc_conn **pp;
	char junk[4096];

	for (pp = &c->cc->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	loop_del(c->cc->loop, c->fd);
	if (c->ssl != NULL && c->st >= C_HELLO)
		(void)SSL_shutdown(c->ssl); /* close_notify, best effort */
	tls_free(c->ssl);
	/*
	 * FIN after the last alert or message, and nothing left unread: a
	 * close with unread input resets the connection, and the reset would
	 * discard the alert that tells the peer why.
	 */
	(void)shutdown(c->fd, SHUT_WR);
	while (recv(c->fd, junk, sizeof junk, MSG_DONTWAIT) > 0)
		;
	close(c->fd);
	buf_free(&c->out);
	OPENSSL_cleanse(c, sizeof *c);
	free(c);
}

static void
back_off(struct cc *cc, struct cc_peer *p)
{
	unsigned b = p->backoff_ms * 2, jitter;

	if (b < CC_BACKOFF_MIN_MS)
		b = CC_BACKOFF_MIN_MS;
	if (b > CC_BACKOFF_MAX_MS)
		b = CC_BACKOFF_MAX_MS;
	p->backoff_ms = b;
	if (RAND_bytes((unsigned char *)&jitter, sizeof jitter) != 1)
		jitter = 0;
	/* 75% to 125% of the backoff, so that peers do not march in step. */
	p->next_try_ms = clock_ms() + b * 3 / 4 + jitter % (b / 2 + 1);
	if (cfg(cc)->daemon.role == ROLE_HUB && b < CC_HUB_WAIT_MS)
		p->next_try_ms = clock_ms() + CC_HUB_WAIT_MS;
}

/*
 * Close c for why: a peer's connection through hello goes down (and the
 * SAs stay until they expire); an attempt that failed backs off.
 */
static void
conn_close(struct cc_conn *c, enum log_level level, const char *why)
{
	struct cc *cc = c->cc;
	struct cc_peer *p = &cc->peers[c->port];
	char addr[INET6_ADDRSTRLEN];

	addr_ntop(&c->remote, addr, sizeof addr);
	if (p->active && p->conn == c) {
		p->conn = NULL;
		events_add(cc->ev, EV_CRYPTO, level, p->name,
		    "control connection to %s lost: %s; the SAs in force "
		    "carry on until they expire",
		    addr, why);
		link_state(cc, c->port, "down", why);
		back_off(cc, p);
	} else if (p->active && level <= LOG_LEVEL_WARN) {
		/* A new reason at once, the same one once in 10 s. */
		if (strcmp(p->logged, why) != 0)
			p->logged_ms = 0;
		snprintf(p->logged, sizeof p->logged, "%s", why);
		if (may_log(&p->logged_ms))
			events_add(cc->ev, EV_CRYPTO, level, p->name,
			    "control connection %s %s refused: %s",
			    c->client ? "to" : "from", addr, why);
		if (p->conn == NULL)
			link_state(cc, c->port, "refused", why);
		if (c->client)
			back_off(cc, p);
	} else
		log_debug("control connection %s %s closed: %s",
		    c->client ? "to" : "from", addr, why);
	conn_free(c);
}

static void
want(struct cc_conn *c, bool write)
{
	(void)loop_mod(c->cc->loop, c->fd, EPOLLIN | (write ? EPOLLOUT : 0));
}

/* Write what is queued; 0, or -1 when c was closed. */
static int
conn_flush(struct cc_conn *c)
{
	char why[256];
	int r;

	while (c->outoff < c->out.len) {
		r = SSL_write(c->ssl, c->out.p + c->outoff,
		    (int)(c->out.len - c->outoff));
		if (r > 0) {
			c->outoff += (size_t)r;
			continue;
		}
		if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_WRITE ||
		    SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ) {
			want(c, true);
			return 0;
		}
		tls_why(c->ssl, r, why, sizeof why);
		conn_close(c, LOG_LEVEL_WARN, why);
		return -1;
	}
	c->out.len = c->outoff = 0;
	want(c, false);
	return 0;
}

/* Queue a message and send it; 0, or -1 when c was closed. */
static int
conn_send(struct cc_conn *c, int type, json_t *body)
{
	cc_msg_encode(&c->out, type, body);
	json_decref(body);
	c->last_tx_ms = clock_ms();
	if (c->out.len - c->outoff > OUT_MAX) {
		conn_close(c, LOG_LEVEL_WARN, "the peer does not read");
		return -1;
	}
	return conn_flush(c);
}

/* Say why and close: the other end logs the same reason. */
static void conn_refuse(struct cc_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
conn_refuse(struct cc_conn *c, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	c->cc->n.protocol_errors++;
	if (conn_send(c, CC_ERROR, json_pack("{s:s}", "reason", why)) == 0)
		conn_close(c, LOG_LEVEL_WARN, why);
}

/* The SAs of epoch for c's two directions; 0 or -1. */
static int
derive(struct cc_conn *c, uint32_t epoch, struct sas_keys *in,
    struct sas_keys *out)
{
	const struct cfg_crypto *cr = &c->cc->peers[c->port].cr;
	uint8_t k[KEYS_LEN];
	/* The first half is the client's to send, the second the server's. */
	const uint8_t *mine = c->client ? k : k + KEYS_LEN / 2,
		      *theirs = c->client ? k + KEYS_LEN / 2 : k;

	if (tls_export(c->ssl, epoch, k, sizeof k) != 0)
		return -1;
	in->cipher = out->cipher = cr->cipher;
	memcpy(out->keymat, mine, ESP_KEYMAT);
	memcpy(in->keymat, theirs, ESP_KEYMAT);
	out->spi = (uint32_t)mine[ESP_KEYMAT] << 24 |
	    (uint32_t)mine[ESP_KEYMAT + 1] << 16 |
	    (uint32_t)mine[ESP_KEYMAT + 2] << 8 | mine[ESP_KEYMAT + 3];
	in->spi = (uint32_t)theirs[ESP_KEYMAT] << 24 |
	    (uint32_t)theirs[ESP_KEYMAT + 1] << 16 |
	    (uint32_t)theirs[ESP_KEYMAT + 2] << 8 | theirs[ESP_KEYMAT + 3];
	/* 0 to 255 are reserved (RFC 4303 2.1). */
	if (out->spi < 256)
		out->spi |= 0x100;
	if (in->spi < 256)
		in->spi |= 0x100;
	OPENSSL_cleanse(k, sizeof k);
	return 0;
}

static void
keyed(struct cc_conn *c, uint32_t epoch, const struct sas_keys *in,
    const struct sas_keys *out)
{
	struct cc *cc = c->cc;
	struct cc_peer *p = &cc->peers[c->port];
	bool first = c->epoch == 0;

	c->epoch = epoch;
	p->drain_ms = clock_ms() + CC_DRAIN_MS;
	p->link.epoch = epoch;
	p->link.rekeys++;
	cc->n.rekeys++;
	link_state(cc, c->port, "up", "");
	if (first)
		events_add(cc->ev, EV_CRYPTO, LOG_LEVEL_INFO, p->name,
		    "ESP %s keyed by the control connection: SPI in 0x%08x, "
		    "out 0x%08x",
		    esp_cipher_name(in->cipher), in->spi, out->spi);
	else
		log_debug("peer %s: rekeyed (epoch %u): SPI in 0x%08x, out "
			  "0x%08x",
		    p->name, epoch, in->spi, out->spi);
}

/* The client starts epoch n + 1 (or the next with a free SPI). */
static void
start_rekey(struct cc_conn *c)
{
	struct cc *cc = c->cc;
	struct sas_keys in = { 0 }, out = { 0 };
	uint32_t n = c->epoch + 1;

	while (derive(c, n, &in, &out) == 0 && sas_spi_taken(cc->sas, in.spi))
		n++; /* a 2^-32 chance a time: the next epoch's SPI */
	if (in.spi == 0 || sas_auto_in(cc->sas, c->port, &in) != 0) {
		conn_close(c, LOG_LEVEL_WARN, "no SA could be made");
		goto out;
	}
	rt_republish(cc->rt);
	c->pending = n;
	c->pending_ms = clock_ms();
	(void)conn_send(c, CC_REKEY,
	    json_pack("{s:I}", "epoch", (json_int_t)n));
out:
	OPENSSL_cleanse(&in, sizeof in);
	OPENSSL_cleanse(&out, sizeof out);
}

static void
on_rekey(struct cc_conn *c, const json_t *body)
{
	struct cc *cc = c->cc;
	struct sas_keys in, out;
	const char *why;
	uint32_t n;

	if (c->client || cc_epoch_parse(body, &n, &why) != 0 || n <= c->epoch) {
		conn_refuse(c, "a rekey out of turn or order");
		return;
	}
	if (derive(c, n, &in, &out) != 0 || sas_spi_taken(cc->sas, in.spi)) {
		c->epoch = n; /* skipped: the client tries the next */
		(void)conn_send(c, CC_REKEY_NAK,
		    json_pack("{s:I, s:s}", "epoch", (json_int_t)n, "reason",
			"SPI taken"));
		goto out;
	}
	if (sas_auto_in(cc->sas, c->port, &in) != 0 ||
	    sas_auto_out(cc->sas, c->port, &out) != 0) {
		conn_close(c, LOG_LEVEL_WARN, "no SA could be made");
		goto out;
	}
	rt_republish(cc->rt);
	keyed(c, n, &in, &out);
	(void)conn_send(c, CC_REKEY_ACK,
	    json_pack("{s:I}", "epoch", (json_int_t)n));
out:
	OPENSSL_cleanse(&in, sizeof in);
	OPENSSL_cleanse(&out, sizeof out);
}

static void
on_ack(struct cc_conn *c, int type, const json_t *body)
{
	struct cc *cc = c->cc;
	struct sas_keys in, out;
	const char *why;
	uint32_t n;

	if (!c->client || cc_epoch_parse(body, &n, &why) != 0 ||
	    n != c->pending) {
		conn_refuse(c, "a rekey answer for no rekey sent");
		return;
	}
	c->pending = 0;
	if (type == CC_REKEY_NAK) {
		c->epoch = n; /* the next tick tries n + 1 */
		return;
	}
	if (derive(c, n, &in, &out) != 0 ||
	    sas_auto_out(cc->sas, c->port, &out) != 0) {
		conn_close(c, LOG_LEVEL_WARN, "no SA could be made");
		goto out;
	}
	rt_republish(cc->rt);
	keyed(c, n, &in, &out);
out:
	OPENSSL_cleanse(&in, sizeof in);
	OPENSSL_cleanse(&out, sizeof out);
}

static const char *
client_node(const struct cc_conn *c)
{
	return c->client ? cfg(c->cc)->daemon.name : c->hello.node;
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
			conn_close(c, LOG_LEVEL_DEBUG,
			    "the crossing connection stays");
			return -1;
		}
		p->conn = NULL;
		conn_close(old, LOG_LEVEL_DEBUG, "replaced by a newer one");
	}
	p->conn = c;
	p->backoff_ms = 0;
	addr_ntop(&c->remote, addr, sizeof addr);
	tls_peer_subject(c->ssl, subject, sizeof subject);
	snprintf(p->link.node, sizeof p->link.node, "%s", c->hello.node);
	snprintf(p->link.remote, sizeof p->link.remote, "%s:%u", addr,
	    addr_port(&c->remote));
	link_state(cc, c->port, "up", "");
	events_add(cc->ev, EV_CRYPTO, LOG_LEVEL_INFO, p->name,
	    "control connection %s %s up: %s %s (tunneld %s), %s",
	    c->client ? "to" : "from", addr, c->hello.hub ? "hub" : "spoke",
	    c->hello.node, c->hello.version, subject);
	if (c->client)
		start_rekey(c);
	return 0;
}

static void
on_hello(struct cc_conn *c, const json_t *body)
{
	const struct cc_peer *p = &c->cc->peers[c->port];
	const char *why, *mine = esp_cipher_name(p->cr.cipher);

	if (c->st != C_HELLO) {
		conn_refuse(c, "a second hello");
		return;
	}
	if (cc_hello_parse(body, &c->hello, &why) != 0) {
		conn_refuse(c, "a bad %s", why);
		return;
	}
	if (c->hello.proto != CC_PROTO) {
		conn_refuse(c, "protocol %u: this tunneld speaks %u",
		    c->hello.proto, CC_PROTO);
		return;
	}
	if (!(c->hello.caps & CC_CAP_ESP)) {
		conn_refuse(c, "the peer cannot key ESP");
		return;
	}
	if (strcmp(c->hello.cipher, mine) != 0) {
		conn_refuse(c, "cipher mismatch: %s here, %s there", mine,
		    c->hello.cipher);
		return;
	}
	c->st = C_UP;
	(void)adopt(c);
}

/* One message; 0, or -1 when c was closed. */
static int
on_message(struct cc_conn *c, int type, const json_t *body)
{
	struct cc *cc = c->cc;
	const char *reason;
	char why[200], text[160];

	if (type != CC_HELLO && type != CC_ERROR && c->st != C_UP) {
		conn_refuse(c, "%s before hello", cc_type_name(type));
		return -1;
	}
	switch (type) {
	case CC_HELLO:
		on_hello(c, body);
		break;
	case CC_KEEPALIVE:
		return 0;
	case CC_REKEY:
		on_rekey(c, body);
		break;
	case CC_REKEY_ACK:
	case CC_REKEY_NAK:
		on_ack(c, type, body);
		break;
	case CC_ERROR:
		reason = json_string_value(json_object_get(body, "reason"));
		if (reason == NULL)
			reason = "(no reason)";
		log_escape(text, sizeof text, reason, strlen(reason));
		snprintf(why, sizeof why, "the peer refused: %s", text);
		conn_close(c, LOG_LEVEL_WARN, why);
		return -1;
	default:
		cc->n.unknown_messages++; /* a later version's: skipped */
		return 0;
	}
	return 0;
}

/* Read and handle what arrived; 0, or -1 when c was closed. */
static int
conn_read(struct cc_conn *c)
{
	struct cc_conn *p;
	const char *bad;
	json_t *body;
	size_t used;
	char why[256];
	int r, type;

	for (;;) {
		r = SSL_read(c->ssl, c->in + c->inlen,
		    (int)(sizeof c->in - c->inlen));
		if (r <= 0) {
			if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
				return 0;
			if (SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_WRITE) {
				want(c, true);
				return 0;
			}
			tls_why(c->ssl, r, why, sizeof why);
			conn_close(c, LOG_LEVEL_WARN, why);
			return -1;
		}
		c->inlen += (size_t)r;
		c->last_rx_ms = clock_ms();
		for (;;) {
			switch (cc_msg_decode(c->in, c->inlen, &used, &type,
			    &body, &bad)) {
			case CC_MSG_MORE:
				goto more;
			case CC_MSG_BAD:
				conn_refuse(c, "%s", bad);
				return -1;
			case CC_MSG_OK:
				break;
			}
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			r = on_message(c, type, body);
			json_decref(body);
			/* Was c closed? It is then no longer in the list. */
			for (p = c->cc->conns; p != NULL && p != c; p = p->next)
				;
			if (r != 0 || p == NULL)
				return -1;
		}
	more:;
	}
}

static json_t *
my_hello(const struct cc *cc, const struct cc_peer *p)
{
	const struct config *c = cfg(cc);
	struct cc_hello h = { .proto = CC_PROTO,
		.caps = CC_CAP_ESP | CC_CAP_PROBE };
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

/* Drive the handshake; 0 when through it, 1 not yet, -1 closed. */
static int
handshake(struct cc_conn *c)
{
	const char *bad;
	char why[256];
	int r = SSL_do_handshake(c->ssl), e;

	if (r != 1) {
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			want(c, e == SSL_ERROR_WANT_WRITE);
			return 1;
		}
		tls_why(c->ssl, r, why, sizeof why);
		c->cc->n.tls_failed++;
		conn_close(c, LOG_LEVEL_WARN, why);
		return -1;
	}
	if ((bad = tls_check(c->ssl)) != NULL) {
		c->cc->n.tls_failed++;
		conn_refuse(c, "%s", bad);
		return -1;
	}
	c->st = C_HELLO;
	return conn_send(c, CC_HELLO, my_hello(c->cc, &c->cc->peers[c->port]));
}

static int
start_tls(struct cc_conn *c)
{
	char *cause = NULL;

	c->ssl = tls_new(c->cc->tls, c->fd, c->client,
	    &c->cc->peers[c->port].cr, cfg(c->cc)->daemon.name, &cause);
	if (c->ssl == NULL) {
		conn_close(c, LOG_LEVEL_WARN, cause);
		free(cause);
		return -1;
	}
	c->st = C_HANDSHAKE;
	return 0;
}

static void
conn_io(int fd, uint32_t events, void *arg)
{
	struct cc_conn *c = arg;
	int err = 0;
	socklen_t len = sizeof err;

	(void)fd;
	if (c->st == C_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err != 0) {
			conn_close(c, LOG_LEVEL_WARN, strerror(err));
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		if (start_tls(c) != 0)
			return;
	}
	if (c->st == C_HANDSHAKE && handshake(c) != 0)
		return;
	if (c->outoff < c->out.len && conn_flush(c) != 0)
		return;
	(void)conn_read(c);
}

static struct cc_conn *
conn_new(struct cc *cc, int fd, uint16_t port, bool client,
    const struct sockaddr_any *remote)
{
	struct cc_conn *c = xcalloc(1, sizeof *c);
	int one = 1, idle = 10, intvl = 5, cnt = 3;

	c->cc = cc;
	c->fd = fd;
	c->port = port;
	c->client = client;
	c->remote = *remote;
	c->started_ms = c->last_rx_ms = c->last_tx_ms = clock_ms();
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	(void)setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	c->next = cc->conns;
	cc->conns = c;
	return c;
}

static int
npending(const struct cc *cc, uint16_t port, bool client)
{
	const struct cc_conn *c;
	int n = 0;

	for (c = cc->conns; c != NULL; c = c->next)
		n += c->st != C_UP && (port == 0 || c->port == port) &&
		    (port == 0 || c->client == client);
	return n;
}

static void
connect_out(struct cc *cc, uint16_t port)
{
	struct cc_peer *p = &cc->peers[port];
	const struct cfg_daemon *d = &cfg(cc)->daemon;
	const struct sockaddr_any *local =
	    p->addr.sa.sa_family == AF_INET6 ? &d->local6 : &d->local4;
	struct cc_conn *c;
	int fd;

	back_off(cc, p); /* the next try, if this one fails */
	if ((fd = socket(p->addr.sa.sa_family,
		 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		link_state(cc, port, "down", strerror(errno));
		return;
	}
	if (local->sa.sa_family == p->addr.sa.sa_family) {
		struct sockaddr_any src = *local;

		if (src.sa.sa_family == AF_INET6)
			src.sin6.sin6_port = 0;
		else
			src.sin.sin_port = 0;
		(void)bind(fd, &src.sa, src.len);
	}
	c = conn_new(cc, fd, port, true, &p->addr);
	if (loop_add(cc->loop, fd, EPOLLOUT | EPOLLIN, conn_io, c) != 0) {
		conn_close(c, LOG_LEVEL_WARN, strerror(errno));
		return;
	}
	if (p->conn == NULL)
		link_state(cc, port, "connecting", NULL);
	if (connect(fd, &p->addr.sa, p->addr.len) != 0 && errno != EINPROGRESS)
		conn_close(c, LOG_LEVEL_WARN, strerror(errno));
}

/* Port of the active peer at this address, or 0. */
static uint16_t
peer_at(const struct cc *cc, const struct sockaddr_any *a)
{
	uint16_t port;

	for (port = 1; port <= DP_MAX_PEERS; port++)
		if (cc->peers[port].active &&
		    addr_same_host(&cc->peers[port].addr, &a->sa))
			return port;
	return 0;
}

static void
on_accept(int lfd, uint32_t events, void *arg)
{
	struct cc *cc = arg;
	struct sockaddr_storage ss;
	struct sockaddr_any remote;
	socklen_t len = sizeof ss;
	char addr[INET6_ADDRSTRLEN];
	struct cc_conn *c;
	uint16_t port;
	int fd;

	(void)events;
	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		 SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if (!addr_from((struct sockaddr *)&ss, &remote) ||
	    (port = peer_at(cc, &remote)) == 0) {
		cc->n.refused_unknown++;
		if (may_log(&cc->unknown_logged_ms))
			log_warnx("control connection from %s refused: no "
				  "encrypted peer has that address (%llu so "
				  "far)",
			    addr_ntop(&remote, addr, sizeof addr),
			    (unsigned long long)cc->n.refused_unknown);
		close(fd);
		return;
	}
	if (npending(cc, 0, false) >= CC_MAX_PENDING ||
	    npending(cc, port, false) >= 2) {
		cc->n.refused_busy++;
		close(fd);
		return;
	}
	cc->n.accepted++;
	c = conn_new(cc, fd, port, false, &remote);
	if (loop_add(cc->loop, fd, EPOLLIN, conn_io, c) != 0) {
		conn_close(c, LOG_LEVEL_WARN, strerror(errno));
		return;
	}
	(void)start_tls(c);
}

static int
listen_on(struct cc *cc, int i, const struct sockaddr_any *local, int family,
    char **cause)
{
	uint16_t port = htons(cfg(cc)->daemon.control_port);
	struct sockaddr_any a = { 0 };
	int one = 1, fd;

	if (local->sa.sa_family == family)
		a = *local;
	a.sa.sa_family = (sa_family_t)family;
	a.len = family == AF_INET6 ? sizeof a.sin6 : sizeof a.sin;
	if (family == AF_INET6)
		a.sin6.sin6_port = port;
	else
		a.sin.sin_port = port;
	if ((fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 0)) == -1)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof one);
	if (bind(fd, &a.sa, a.len) != 0 || listen(fd, 64) != 0 ||
	    loop_add(cc->loop, fd, EPOLLIN, on_accept, cc) != 0)
		goto fail;
	cc->lfd[i] = fd;
	return 0;
fail:
	xasprintf(cause, "control connection: TCP port %u (%s): %s",
	    cfg(cc)->daemon.control_port, family == AF_INET6 ? "IPv6" : "IPv4",
	    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
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

/*
 * Listen once the config has a peer keyed by the control connection (at
 * start, or the reload that adds the first); 0 or -1 with *cause.
 */
static int
listen_if_needed(struct cc *cc, char **cause)
{
	const struct cfg_daemon *d = &cfg(cc)->daemon;
	char *why = NULL;

	if (cc->lfd[0] != -1 || cc->lfd[1] != -1 || !any_auto(cfg(cc)))
		return 0;
	if (d->local6.sa.sa_family != AF_INET6 &&
	    listen_on(cc, 0, &d->local4, AF_INET, cause) != 0)
		return -1;
	if (d->local4.sa.sa_family != AF_INET &&
	    listen_on(cc, 1, &d->local6, AF_INET6, &why) != 0) {
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
	sas_set_rekey(cc->sas, cfg(cc)->tls.rekey_ms,
	    cfg(cc)->tls.rekey_packets);
	if ((cc->tls = tls_ctx_new(&cfg(cc)->tls, &which, &why)) == NULL) {
		xasprintf(cause, "[crypto] %s: %s", which, why);
		free(why);
		free(cc);
		return NULL;
	}
	if (listen_if_needed(cc, cause) != 0) {
		cc_free(cc);
		return NULL;
	}
	return cc;
}

void
cc_free(struct cc *cc)
{
	int i;

	if (cc == NULL)
		return;
	while (cc->conns != NULL)
		conn_free(cc->conns);
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
			conn_close(c, LOG_LEVEL_DEBUG, why);
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
			a = tp->addr;
			if (a.sa.sa_family == AF_INET6)
				a.sin6.sin6_port =
				    htons(cfg(cc)->daemon.control_port);
			else
				a.sin.sin_port =
				    htons(cfg(cc)->daemon.control_port);
		}
		if (want && p->active &&
		    CRYPTO_memcmp(&p->cr, &tp->crypto, sizeof p->cr) == 0 &&
		    memcmp(&p->addr, &a, sizeof a) == 0)
			continue;
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
		    (cfg(cc)->daemon.role == ROLE_HUB ? CC_HUB_WAIT_MS : 0);
		link_state(cc, port, "down", "not connected yet");
	}
}

/* A peer's timers: its connection's and its SAs'. */
static void
tick_peer(struct cc *cc, uint16_t port, uint64_t now)
{
	struct cc_peer *p = &cc->peers[port];
	const struct cfg_tls *t = &cfg(cc)->tls;
	struct cc_conn *c = p->conn;
	uint64_t keyed = sas_auto_keyed_ms(cc->sas, port),
		 used = sas_auto_packets(cc->sas, port),
		 hard = 2ull * t->rekey_packets;

	if (p->drain_ms != 0 && now >= p->drain_ms) {
		p->drain_ms = 0;
		if (sas_auto_drained(cc->sas, port))
			rt_republish(cc->rt);
	}
	if (hard > HARD_PACKETS_MAX)
		hard = HARD_PACKETS_MAX;
	if (keyed != 0 && (c == NULL || c->st != C_UP) &&
	    (now - keyed >= 2ull * t->rekey_ms || used >= hard)) {
		sas_auto_clear(cc->sas, port);
		rt_republish(cc->rt);
		events_add(cc->ev, EV_CRYPTO, LOG_LEVEL_WARN, p->name,
		    "the SAs expired with no control connection to renew "
		    "them (%s): traffic stops until it is back",
		    p->link.why[0] ? p->link.why : p->link.state);
	}
	if (c == NULL) {
		if (now >= p->next_try_ms && npending(cc, port, true) == 0)
			connect_out(cc, port);
		return;
	}
	if (now - c->last_rx_ms >= CC_DEAD_MS) {
		conn_close(c, LOG_LEVEL_WARN, "nothing heard for 30 s");
		return;
	}
	if (c->pending != 0 && now - c->pending_ms >= CC_REKEY_WAIT_MS) {
		conn_close(c, LOG_LEVEL_WARN, "no answer to a rekey in 10 s");
		return;
	}
	if (c->client && c->pending == 0 &&
	    (now - keyed >= t->rekey_ms || used >= t->rekey_packets ||
		keyed == 0)) {
		start_rekey(c);
		return;
	}
	if (now - c->last_tx_ms >= CC_KEEPALIVE_MS)
		(void)conn_send(c, CC_KEEPALIVE, NULL);
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
			conn_close(c, LOG_LEVEL_WARN,
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

	sas_set_rekey(cc->sas, cfg(cc)->tls.rekey_ms,
	    cfg(cc)->tls.rekey_packets);
	if ((tc = tls_ctx_new(&cfg(cc)->tls, &which, &why)) == NULL) {
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
