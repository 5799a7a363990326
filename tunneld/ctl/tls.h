/*
 * tls.h: TLS 1.3 for the control connection (OpenSSL).
 *
 * One context serves every control connection of the node, as client and
 * as server: TLS 1.3 only, this node's certificate chain and key, and the
 * CA that must have signed the peer ([crypto] ca, cert, key).  What is
 * particular to a connection is the peer it must reach: tls_new() takes
 * the peer's settings (cfg_crypto) and the handshake itself checks them,
 * so that a wrong peer fails there with an alert the other end can name:
 *
 *  - certificates: the chain verifies to the CA, and when the peer has
 *    tls-name, the certificate names it (subjectAltName DNS, else CN);
 *    when it has tls-pin, the SHA-256 of its public key (DER
 *    SubjectPublicKeyInfo) is the pinned one;
 *  - psk-file: an external PSK (RFC 8446 2.2) with (EC)DHE, so a PSK does
 *    not give up forward secrecy; a connection that did not use it is
 *    refused (tls_check()).
 *
 * The ESP keys come from the exporter (RFC 8446 7.5, tls_export()).
 * Sockets are the caller's; an SSL is freed with tls_free().  Control
 * thread only.
 */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "config.h"

struct tls_ctx;

/*
 * A context with t's files (none: PSK only).  NULL with *cause (caller
 * frees) and *which, the [crypto] key whose file failed.
 */
struct tls_ctx *tls_ctx_new(const struct cfg_tls *t, const char **which,
    char **cause);
void tls_ctx_free(struct tls_ctx *);

/*
 * A connection over the connected socket fd, as client or server, to a
 * peer that must authenticate as cr says; identity: this node's name, the
 * PSK identity it offers.  NULL with *cause.
 */
SSL *tls_new(struct tls_ctx *, int fd, bool client, const struct cfg_crypto *cr,
    const char *identity, char **cause);
/* Cleanse and free what tls_new() made (NULL: nothing). */
void tls_free(SSL *);
/*
 * After the handshake: refuse a connection that did not authenticate as
 * configured (a PSK peer served without its PSK).  NULL if fine, or why.
 */
const char *tls_check(SSL *);
/*
 * Why an SSL call that returned ret failed, as text for the log: the
 * alert received, the verification error, or the system error.
 */
void tls_why(SSL *, int ret, char *buf, size_t len);
/* The peer's certificate subject ("psk": none), for the log. */
void tls_peer_subject(SSL *, char *buf, size_t len);
/*
 * len bytes of keying material for epoch (RFC 8446 7.5, label
 * "EXPORTER-tunneld-esp", context: the epoch, 4 bytes big-endian); 0 or
 * -1.
 */
int tls_export(SSL *, uint32_t epoch, uint8_t *out, size_t len);
/* Parse "sha256:HEX" or HEX (64 digits) into pin; 0 or -1. */
int tls_pin_parse(const char *text, uint8_t pin[CFG_PIN_LEN]);

#endif
