/*
 * cc_conn.c: the control connections' sockets, TLS and frames (cc_priv.h):
 * connecting out, accepting from known peers, the handshake, queued
 * writes and reading frames into messages.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cc_priv.h"
#include "events.h"
#include "log.h"
#include "xmalloc.h"

void
cc_conn_free(struct cc_conn *c)
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
	if (cc_cfg(cc)->daemon.role == ROLE_HUB && b < CC_HUB_WAIT_MS)
		p->next_try_ms = clock_ms() + CC_HUB_WAIT_MS;
}

/*
 * Close c for why: a peer's connection through hello goes down (and the
 * SAs stay until they expire); an attempt that failed backs off.
 */
void
cc_conn_close(struct cc_conn *c, enum log_level level, const char *why)
{
	struct cc *cc = c->cc;
	struct cc_peer *p = &cc->peers[c->port];
	char addr[INET6_ADDRSTRLEN];

	addr_ntop(&c->remote, addr, sizeof addr);
	if (p->active && p->conn == c) {
		p->conn = NULL;
		if (cc->hooks.down != NULL)
			cc->hooks.down(cc->hooks.arg, c->port);
		events_add(cc->ev, EV_CRYPTO, level, p->name,
		    "control connection to %s lost: %s; the SAs in force "
		    "carry on until they expire",
		    addr, why);
		cc_link_state(cc, c->port, "down", why);
		back_off(cc, p);
	} else if (p->active && level <= LOG_LEVEL_WARN) {
		/* (An attempt's next try was set when it was made.) */
		/* A new reason at once, the same one once in 10 s. */
		if (strcmp(p->logged, why) != 0)
			p->logged_ms = 0;
		snprintf(p->logged, sizeof p->logged, "%s", why);
		if (cc_may_log(&p->logged_ms))
			events_add(cc->ev, EV_CRYPTO, level, p->name,
			    "control connection %s %s refused: %s",
			    c->client ? "to" : "from", addr, why);
		if (p->conn == NULL)
			cc_link_state(cc, c->port, "refused", why);
	} else
		log_debug("control connection %s %s closed: %s",
		    c->client ? "to" : "from", addr, why);
	cc_conn_free(c);
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
		cc_conn_close(c, LOG_LEVEL_WARN, why);
		return -1;
	}
	c->out.len = c->outoff = 0;
	want(c, false);
	return 0;
}

/* Queue a message and send it; 0, or -1 when c was closed. */
int
cc_conn_send(struct cc_conn *c, int type, json_t *body)
{
	cc_msg_encode(&c->out, type, body);
	json_decref(body);
	c->last_tx_ms = clock_ms();
	if (c->out.len - c->outoff > OUT_MAX) {
		cc_conn_close(c, LOG_LEVEL_WARN, "the peer does not read");
		return -1;
	}
	return conn_flush(c);
}

void
cc_conn_refuse(struct cc_conn *c, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	c->cc->n.protocol_errors++;
	if (cc_conn_send(c, CC_ERROR, json_pack("{s:s}", "reason", why)) == 0)
		cc_conn_close(c, LOG_LEVEL_WARN, why);
}

/* Read and handle what arrived; 0, or -1 when c was closed. */
static int
conn_read(struct cc_conn *c)
{
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
			cc_conn_close(c, LOG_LEVEL_WARN, why);
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
				cc_conn_refuse(c, "%s", bad);
				return -1;
			case CC_MSG_OK:
				break;
			}
			memmove(c->in, c->in + used, c->inlen - used);
			c->inlen -= used;
			r = cc_on_message(c, type, body);
			json_decref(body);
			if (r != 0)
				return -1; /* c was closed */
		}
	more:;
	}
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
		cc_conn_close(c, LOG_LEVEL_WARN, why);
		return -1;
	}
	if ((bad = tls_check(c->ssl)) != NULL) {
		c->cc->n.tls_failed++;
		cc_conn_refuse(c, "%s", bad);
		return -1;
	}
	c->st = C_HELLO;
	return cc_conn_send(c, CC_HELLO,
	    cc_my_hello(c->cc, &c->cc->peers[c->port]));
}

static int
start_tls(struct cc_conn *c)
{
	char *cause = NULL;

	c->ssl = tls_new(c->cc->tls, c->fd, c->client,
	    &c->cc->peers[c->port].cr, cc_cfg(c->cc)->daemon.name, &cause);
	if (c->ssl == NULL) {
		cc_conn_close(c, LOG_LEVEL_WARN, cause);
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
			cc_conn_close(c, LOG_LEVEL_WARN, strerror(err));
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

int
cc_npending(const struct cc *cc, uint16_t port, bool client)
{
	const struct cc_conn *c;
	int n = 0;

	for (c = cc->conns; c != NULL; c = c->next)
		n += c->st != C_UP && (port == 0 || c->port == port) &&
		    (port == 0 || c->client == client);
	return n;
}

void
cc_connect_out(struct cc *cc, uint16_t port)
{
	struct cc_peer *p = &cc->peers[port];
	const struct cfg_daemon *d = &cc_cfg(cc)->daemon;
	const struct sockaddr_any *local =
	    p->addr.sa.sa_family == AF_INET6 ? &d->local6 : &d->local4;
	struct cc_conn *c;
	int fd;

	back_off(cc, p); /* the next try, if this one fails */
	if ((fd = socket(p->addr.sa.sa_family,
		 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1) {
		cc_link_state(cc, port, "down", strerror(errno));
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
		cc_conn_close(c, LOG_LEVEL_WARN, strerror(errno));
		return;
	}
	if (p->conn == NULL)
		cc_link_state(cc, port, "connecting", NULL);
	if (connect(fd, &p->addr.sa, p->addr.len) != 0 && errno != EINPROGRESS)
		cc_conn_close(c, LOG_LEVEL_WARN, strerror(errno));
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
		if (cc_may_log(&cc->unknown_logged_ms))
			log_warnx("control connection from %s refused: no "
				  "encrypted peer has that address (%llu so "
				  "far)",
			    addr_ntop(&remote, addr, sizeof addr),
			    (unsigned long long)cc->n.refused_unknown);
		close(fd);
		return;
	}
	if (cc_npending(cc, 0, false) >= CC_MAX_PENDING ||
	    cc_npending(cc, port, false) >= 2) {
		cc->n.refused_busy++;
		close(fd);
		return;
	}
	cc->n.accepted++;
	c = conn_new(cc, fd, port, false, &remote);
	if (loop_add(cc->loop, fd, EPOLLIN, conn_io, c) != 0) {
		cc_conn_close(c, LOG_LEVEL_WARN, strerror(errno));
		return;
	}
	(void)start_tls(c);
}

int
cc_listen_on(struct cc *cc, int i, const struct sockaddr_any *local, int family,
    char **cause)
{
	uint16_t port = htons(cc_cfg(cc)->daemon.control_port);
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
	    cc_cfg(cc)->daemon.control_port,
	    family == AF_INET6 ? "IPv6" : "IPv4", strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}
