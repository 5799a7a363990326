/* tls.c: TLS 1.3 contexts, the peer's checks and the exporter (tls.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "hex.h"
#include "tls.h"
#include "xmalloc.h"

struct tls_ctx {
	SSL_CTX *ctx;
};

/* What one connection must check, kept with its SSL; cleansed. */
struct tls_peer {
	char name[128];
	uint8_t pin[CFG_PIN_LEN];
	bool pinned;
	uint8_t psk[CFG_PSK_MAX];
	size_t psk_len;
	char identity[64];
	char why[200]; /* what our own checks refused */
};

static const char EXPORTER_LABEL[] = "EXPORTER-tunneld-esp";
/* The PSK's suite: TLS_AES_256_GCM_SHA384. */
static const unsigned char PSK_SUITE[] = { 0x13, 0x02 };

static int peer_index = -1;
/* The server's session context: a PSK's session must carry the same. */
static const unsigned char SID_CTX[] = "tunneld";

static struct tls_peer *
peer_of(SSL *s)
{
	return SSL_get_ex_data(s, peer_index);
}

static void
ssl_failure(char **cause, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];

	ERR_error_string_n(e, buf, sizeof buf);
	xasprintf(cause, "%s: %s", what,
	    ERR_reason_error_string(e) ? ERR_reason_error_string(e) : buf);
	ERR_clear_error();
}

static int
load_files(SSL_CTX *c, const struct cfg_tls *t, const char **which,
    char **cause)
{
	if (SSL_CTX_use_certificate_chain_file(c, t->cert) != 1) {
		*which = "cert";
		ssl_failure(cause, t->cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(c, t->key, SSL_FILETYPE_PEM) != 1) {
		*which = "key";
		ssl_failure(cause, t->key);
		return -1;
	}
	if (SSL_CTX_check_private_key(c) != 1) {
		*which = "key";
		ERR_clear_error();
		xasprintf(cause, "%s: not the key of the certificate in %s",
		    t->key, t->cert);
		return -1;
	}
	if (SSL_CTX_load_verify_locations(c, t->ca, NULL) != 1) {
		*which = "ca";
		ssl_failure(cause, t->ca);
		return -1;
	}
	return 0;
}

struct tls_ctx *
tls_ctx_new(const struct cfg_tls *t, const char **which, char **cause)
{
	struct tls_ctx *tc;
	SSL_CTX *c;

	*which = "cert";
	if (peer_index < 0 &&
	    (peer_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL)) <
		0) {
		ssl_failure(cause, "OpenSSL");
		return NULL;
	}
	if ((c = SSL_CTX_new(TLS_method())) == NULL) {
		ssl_failure(cause, "OpenSSL");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
	/* Every connection is a full handshake: no tickets, no cache. */
	SSL_CTX_set_num_tickets(c, 0);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(c, SID_CTX, sizeof SID_CTX - 1);
	/* Non-blocking writes: part now, the rest from where it moved to. */
	SSL_CTX_set_mode(c,
	    SSL_MODE_ENABLE_PARTIAL_WRITE |
		SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (t->cert[0] != '\0' && load_files(c, t, which, cause) != 0) {
		SSL_CTX_free(c);
		return NULL;
	}
	tc = xcalloc(1, sizeof *tc);
	tc->ctx = c;
	return tc;
}

void
tls_ctx_free(struct tls_ctx *tc)
{
	if (tc == NULL)
		return;
	SSL_CTX_free(tc->ctx);
	free(tc);
}

/* SHA-256 of a certificate's DER SubjectPublicKeyInfo; 0 or -1. */
static int
spki_sha256(X509 *x, uint8_t md[CFG_PIN_LEN])
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int len, rc;

	if ((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der)) <= 0)
		return -1;
	rc = EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
	OPENSSL_free(der);
	return rc == 1 && mdlen == CFG_PIN_LEN ? 0 : -1;
}

static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *s =
	    X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_peer *p = peer_of(s);
	X509 *cert = X509_STORE_CTX_get_current_cert(x);
	int err = X509_STORE_CTX_get_error(x);
	uint8_t md[CFG_PIN_LEN];
	char subj[96] = "?", text[2 * CFG_PIN_LEN + 1];

	if (cert != NULL)
		X509_NAME_oneline(X509_get_subject_name(cert), subj,
		    sizeof subj);
	if (!ok) {
		if (err == X509_V_ERR_HOSTNAME_MISMATCH)
			snprintf(p->why, sizeof p->why,
			    "the peer's certificate (%s) does not name %s",
			    subj, p->name);
		else
			snprintf(p->why, sizeof p->why,
			    "the peer's certificate (%s): %s", subj,
			    X509_verify_cert_error_string(err));
		return 0;
	}
	if (X509_STORE_CTX_get_error_depth(x) != 0 || !p->pinned)
		return 1;
	if (spki_sha256(cert, md) != 0 ||
	    CRYPTO_memcmp(md, p->pin, sizeof md) != 0) {
		hex_encode(md, sizeof md, text);
		snprintf(p->why, sizeof p->why,
		    "the peer's public key (sha256:%.16s...) is not the "
		    "pinned one",
		    text);
		X509_STORE_CTX_set_error(x,
		    X509_V_ERR_APPLICATION_VERIFICATION);
		return 0;
	}
	return 1;
}

/* The session that carries the peer's PSK; NULL on failure. */
static SSL_SESSION *
psk_session(SSL *s, const struct tls_peer *p)
{
	const SSL_CIPHER *c = SSL_CIPHER_find(s, PSK_SUITE);
	SSL_SESSION *ss;

	if (c == NULL || (ss = SSL_SESSION_new()) == NULL)
		return NULL;
	if (SSL_SESSION_set1_master_key(ss, p->psk, p->psk_len) != 1 ||
	    SSL_SESSION_set_cipher(ss, c) != 1 ||
	    SSL_SESSION_set1_id_context(ss, SID_CTX, sizeof SID_CTX - 1) != 1 ||
	    SSL_SESSION_set_protocol_version(ss, TLS1_3_VERSION) != 1) {
		SSL_SESSION_free(ss);
		return NULL;
	}
	return ss;
}

static int
use_psk(SSL *s, const EVP_MD *md, const unsigned char **id, size_t *idlen,
    SSL_SESSION **sess)
{
	struct tls_peer *p = peer_of(s);
	const SSL_CIPHER *c = SSL_CIPHER_find(s, PSK_SUITE);

	*sess = NULL;
	/* A HelloRetryRequest's suite may not be the PSK's: none then. */
	if (c == NULL ||
	    (md != NULL && SSL_CIPHER_get_handshake_digest(c) != md))
		return 1;
	if ((*sess = psk_session(s, p)) == NULL)
		return 0;
	*id = (const unsigned char *)p->identity;
	*idlen = strlen(p->identity);
	return 1;
}

static int
find_psk(SSL *s, const unsigned char *id, size_t idlen, SSL_SESSION **sess)
{
	struct tls_peer *p = peer_of(s);
	size_t i,
	    n = idlen < sizeof p->identity - 1 ? idlen : sizeof p->identity - 1;

	/* The identity names the client in the log; the address chose p. */
	for (i = 0; i < n; i++)
		p->identity[i] =
		    id[i] >= 0x20 && id[i] < 0x7f ? (char)id[i] : '?';
	p->identity[n] = '\0';
	*sess = psk_session(s, p);
	return *sess != NULL;
}

SSL *
tls_new(struct tls_ctx *tc, int fd, bool client, const struct cfg_crypto *cr,
    const char *identity, char **cause)
{
	struct tls_peer *p;
	SSL *s;

	if ((s = SSL_new(tc->ctx)) == NULL || SSL_set_fd(s, fd) != 1) {
		SSL_free(s);
		ssl_failure(cause, "TLS");
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", cr->tls_name);
	memcpy(p->pin, cr->pin, sizeof p->pin);
	p->pinned = cr->pinned;
	memcpy(p->psk, cr->psk, cr->psk_len);
	p->psk_len = cr->psk_len;
	snprintf(p->identity, sizeof p->identity, "%s", identity);
	SSL_set_ex_data(s, peer_index, p);
	SSL_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
	    verify_cb);
	if (p->psk_len > 0) {
		if (client)
			SSL_set_psk_use_session_callback(s, use_psk);
		else
			SSL_set_psk_find_session_callback(s, find_psk);
	} else if (p->name[0] != '\0' && SSL_set1_host(s, p->name) != 1) {
		tls_free(s);
		ssl_failure(cause, "TLS");
		return NULL;
	}
	if (client)
		SSL_set_connect_state(s);
	else
		SSL_set_accept_state(s);
	return s;
}

void
tls_free(SSL *s)
{
	struct tls_peer *p;

	if (s == NULL)
		return;
	if ((p = peer_of(s)) != NULL) {
		OPENSSL_cleanse(p, sizeof *p);
		free(p);
		SSL_set_ex_data(s, peer_index, NULL);
	}
	SSL_free(s);
}

const char *
tls_check(SSL *s)
{
	struct tls_peer *p = peer_of(s);

	if (p->psk_len > 0 && !SSL_session_reused(s))
		return "the peer did not authenticate with the PSK";
	if (p->psk_len == 0 && SSL_get0_peer_certificate(s) == NULL)
		return "the peer sent no certificate";
	return NULL;
}

void
tls_why(SSL *s, int ret, char *buf, size_t len)
{
	struct tls_peer *p = peer_of(s);
	int e = SSL_get_error(s, ret), saved = errno;
	unsigned long code = ERR_peek_error();
	const char *r;
	long v;

	if (p != NULL && p->why[0] != '\0')
		snprintf(buf, len, "%s", p->why);
	else if (code != 0 && (r = ERR_reason_error_string(code)) != NULL) {
		if (ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED &&
		    (v = SSL_get_verify_result(s)) != X509_V_OK)
			snprintf(buf, len, "%s: %s", r,
			    X509_verify_cert_error_string(v));
		else if (ERR_GET_REASON(code) == SSL_R_BINDER_DOES_NOT_VERIFY)
			snprintf(buf, len, "the peer's PSK is not ours (%s)",
			    r);
		else if (p != NULL && p->psk_len > 0 &&
		    strstr(r, "alert") != NULL)
			snprintf(buf, len,
			    "%s (is the PSK the same at both ends?)", r);
		else
			snprintf(buf, len, "%s", r);
	} else if (e == SSL_ERROR_SYSCALL && saved != 0)
		snprintf(buf, len, "%s", strerror(saved));
	else if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL)
		snprintf(buf, len, "the peer closed the connection");
	else
		snprintf(buf, len, "TLS error %d", e);
	ERR_clear_error();
}

void
tls_peer_subject(SSL *s, char *buf, size_t len)
{
	X509 *x = SSL_get0_peer_certificate(s);
	struct tls_peer *p = peer_of(s);

	if (x != NULL)
		X509_NAME_oneline(X509_get_subject_name(x), buf, (int)len);
	else
		snprintf(buf, len, "PSK%s%s", p->identity[0] ? " " : "",
		    p->identity);
}

int
tls_export(SSL *s, uint32_t epoch, uint8_t *out, size_t len)
{
	const uint8_t context[4] = { (uint8_t)(epoch >> 24),
		(uint8_t)(epoch >> 16), (uint8_t)(epoch >> 8), (uint8_t)epoch };

	return SSL_export_keying_material(s, out, len, EXPORTER_LABEL,
		   sizeof EXPORTER_LABEL - 1, context, sizeof context, 1) == 1
	    ? 0
	    : -1;
}

int
tls_pin_parse(const char *text, uint8_t pin[CFG_PIN_LEN])
{
	if (strncmp(text, "sha256:", 7) == 0)
		text += 7;
	return hex_decode(text, pin, CFG_PIN_LEN, NULL) == CFG_PIN_LEN ? 0 : -1;
}
