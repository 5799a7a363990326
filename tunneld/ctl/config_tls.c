/*
 * config_tls.c: keying = auto (config_priv.h).
 *
 * [crypto] names this node's TLS identity (ca, cert, key: PEM files) and
 * when the control connection rekeys (rekey-time, rekey-packets).  The
 * files are loaded here once, as the control connection will load them,
 * so that a bad certificate, a key that is not the certificate's or a key
 * file others may read fails tunneld -n with FILE:LINE.
 *
 * A peer with keying = auto authenticates by certificate, optionally with
 * its name (tls-name) and its public key (tls-pin) pinned, or by the
 * external PSK in psk-file (64 to 128 hex digits, a secrets file).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_priv.h"
#include "hex.h"
#include "tls.h"

#define T(f) offsetof(struct cfg_tls, f), sizeof(((struct cfg_tls *)0)->f)

enum {
	REKEY_PACKETS_MIN = 1000,
	REKEY_PACKETS_MAX = 1 << 24,
};
/*
 * 2^23: well below AES-GCM's limit of about 2^24.5 full-size packets per
 * key (RFC 8446 5.5), with room for the second the control thread takes
 * to see the count.
 */
#define REKEY_PACKETS_DEFAULT "8388608"

static const struct key_def crypto_keys[] = {
	{ "ca", parse_str, 0, 0, 0, "", T(ca) },
	{ "cert", parse_str, 0, 0, 0, "", T(cert) },
	{ "key", parse_str, 0, 0, 0, "", T(key) },
	{ "rekey-time", parse_duration, 0, 2000, 86400000, "1h", T(rekey_ms) },
	{ "rekey-packets", parse_uint, 0, REKEY_PACKETS_MIN, REKEY_PACKETS_MAX,
	    REKEY_PACKETS_DEFAULT, T(rekey_packets) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

/* Check what the files hold by loading them as a TLS context would. */
static int
load_identity(struct loader *ld, const struct config *c)
{
	const struct cfg_tls *t = &c->tls;
	struct tls_ctx *tc;
	const char *which;
	char *why = NULL;
	int fd;

	const char *files[] = { t->ca, t->cert, t->key };
	const char *keys[] = { "ca", "cert", "key" };
	int i;

	for (i = 0; i < 3; i++)
		if (files[i][0] == '\0')
			return load_fail(ld, "crypto", keys[i],
			    "missing: ca, cert and key go together");
	for (i = 0; i < 2; i++)
		if (access(files[i], R_OK) != 0)
			return load_fail(ld, "crypto", keys[i],
			    "%s: cannot be read", files[i]);
	if ((fd = open_secret(ld, "crypto", "key", t->key, c)) < 0)
		return -1;
	close(fd);
	if ((tc = tls_ctx_new(t, &which, &why)) == NULL) {
		load_fail(ld, "crypto", which, "%s", why);
		free(why);
		return -1;
	}
	tls_ctx_free(tc);
	return 0;
}

int
load_crypto_section(struct loader *ld, struct config *c)
{
	struct key_table tab = { crypto_keys, &c->tls };
	const struct cfg_tls *t = &c->tls;

	if (load_section(ld, "crypto", &tab, 1) != 0)
		return -1;
	if (t->ca[0] == '\0' && t->cert[0] == '\0' && t->key[0] == '\0')
		return 0;
	return load_identity(ld, c);
}

/* A psk-file: 32 to 64 bytes in hex, spaces and newlines around them. */
static int
load_psk(struct loader *ld, const char *sec, const struct config *c,
    const char *path, struct cfg_crypto *cr)
{
	char *text, *s, *e;
	long n;

	if ((text = read_secret(ld, sec, "psk-file", path, c)) == NULL)
		return -1;
	for (s = text; isspace((unsigned char)*s); s++)
		;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	*e = '\0';
	n = hex_decode(s, cr->psk, CFG_PSK_MAX, NULL);
	OPENSSL_cleanse(text, strlen(text));
	free(text);
	if (n < CFG_PSK_MIN)
		return load_fail(ld, sec, "psk-file",
		    "%s: must hold %d to %d bytes as hex (openssl rand -hex "
		    "32 makes one)",
		    path, CFG_PSK_MIN, CFG_PSK_MAX);
	cr->psk_len = (uint8_t)n;
	return 0;
}

int
load_peer_auto(struct loader *ld, const char *sec, const struct config *c,
    const struct crypto_stage *st, struct cfg_crypto *cr)
{
	if (st->psk_file[0] != '\0') {
		if (st->tls_name[0] != '\0' || st->tls_pin[0] != '\0')
			return load_fail(ld, sec,
			    st->tls_name[0] ? "tls-name" : "tls-pin",
			    "a peer with psk-file has no certificate to check");
		return load_psk(ld, sec, c, st->psk_file, cr);
	}
	if (c->tls.cert[0] == '\0')
		return load_fail(ld, sec, "encrypt",
		    "keying = auto (the default) needs [crypto] ca, cert and "
		    "key, or a psk-file for this peer");
	snprintf(cr->tls_name, sizeof cr->tls_name, "%s", st->tls_name);
	if (st->tls_pin[0] != '\0') {
		if (tls_pin_parse(st->tls_pin, cr->pin) != 0)
			return load_fail(ld, sec, "tls-pin",
			    "\"%s\": must be sha256: and 64 hex digits, the "
			    "SHA-256 of the peer's public key",
			    st->tls_pin);
		cr->pinned = true;
	}
	return 0;
}
