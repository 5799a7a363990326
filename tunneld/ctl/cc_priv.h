/*
 * cc_priv.h: the control connections' pieces shared by their files:
 * cc.c (life cycle, peers, timers), cc_conn.c (sockets, TLS, frames),
 * cc_hello.c (messages) and cc_keys.c (SAs).  Not for other modules.
 * Control thread only.
 */
#ifndef CC_PRIV_H
#define CC_PRIV_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "cc.h"
#include "cc_msg.h"
#include "config.h"
#include "dp/limits.h"
#include "net/addr.h"
#include "sas.h"
#include "tls.h"

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
	struct cc_hooks hooks;
	struct {
		uint64_t accepted, refused_unknown, refused_busy, tls_failed,
		    protocol_errors, unknown_messages, rekeys;
	} n;
};

const struct config *cc_cfg(const struct cc *);
/* Set a peer's connection state for status (why NULL: keep the last). */
void cc_link_state(struct cc *, uint16_t port, const char *state,
    const char *why);
/* Whether to log now: not if *last was under 10 s ago (then updated). */
bool cc_may_log(uint64_t *last);

/* cc_conn.c */
void cc_conn_free(struct cc_conn *);
/* Close c for why, at level: a peer's connection goes down, an attempt
 * backs off. */
void cc_conn_close(struct cc_conn *, enum log_level, const char *why);
/* Queue a message (body taken; NULL: {}) and send; 0, or -1: c closed. */
int cc_conn_send(struct cc_conn *, int type, json_t *body);
/* Send an error saying why, then close (the peer logs the same). */
void cc_conn_refuse(struct cc_conn *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Connections of port not through hello (port 0: all), ours if client. */
int cc_npending(const struct cc *, uint16_t port, bool client);
void cc_connect_out(struct cc *, uint16_t port);
/* Listen on control-port in slot i of family at local; 0 or -1. */
int cc_listen_on(struct cc *, int i, const struct sockaddr_any *local,
    int family, char **cause);

/* cc_hello.c */
/* Handle one message; 0, or -1 when c was closed. */
int cc_on_message(struct cc_conn *, int type, const json_t *body);
json_t *cc_my_hello(const struct cc *, const struct cc_peer *);

/* cc_keys.c: each 0, or -1 when it closed c. */
int cc_start_rekey(struct cc_conn *);
int cc_on_rekey(struct cc_conn *, const json_t *body);
int cc_on_ack(struct cc_conn *, int type, const json_t *body);
/*
 * A peer's SAs once a second: drain, expire, rekey when due.  Whether it
 * started a rekey or closed the connection (nothing more this tick).
 */
bool cc_keys_tick(struct cc *, uint16_t port, uint64_t now);

#endif
