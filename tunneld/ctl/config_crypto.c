/*
 * config_crypto.c: a [peer]'s encryption keys (config_priv.h).
 *
 * encrypt = yes carries the peer's traffic in ESP.  keying = manual takes
 * the SAs from the config: esp-spi-in / esp-spi-out (32 bits, decimal or
 * 0x hex, 256 and up: RFC 4303 2.1 reserves 1-255) and esp-key-in /
 * esp-key-out (72 hex digits, key then salt, as `ip xfrm state ... aead`
 * takes them).  Keys in the config need a config that only its owner
 * may read.  keying = auto (the default) is config_tls.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config_priv.h"
#include "hex.h"

#define C(f)                                                                   \
	offsetof(struct crypto_stage, f), sizeof(((struct crypto_stage *)0)->f)

const struct key_def peer_crypto_keys[] = {
	{ "encrypt", parse_bool, 0, 0, 0, "no", C(encrypt) },
	{ "keying", parse_str, 0, 0, 0, NULL, C(keying) },
	{ "cipher", parse_str, 0, 0, 0, NULL, C(cipher) },
	{ "esp-spi-in", parse_str, 0, 0, 0, NULL, C(spi_in) },
	{ "esp-spi-out", parse_str, 0, 0, 0, NULL, C(spi_out) },
	{ "esp-key-in", parse_str, 0, 0, 0, NULL, C(key_in) },
	{ "esp-key-out", parse_str, 0, 0, 0, NULL, C(key_out) },
	{ "tls-name", parse_str, 0, 0, 0, NULL, C(tls_name) },
	{ "tls-pin", parse_str, 0, 0, 0, NULL, C(tls_pin) },
	{ "psk-file", parse_str, 0, 0, 0, NULL, C(psk_file) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

void
crypto_stage_clear(struct crypto_stage *st)
{
	OPENSSL_cleanse(st, sizeof *st);
}

static int
load_spi(struct loader *ld, const char *sec, const char *key, const char *v,
    uint32_t *spi)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 0);
	if (*v == '\0' || !isdigit((unsigned char)*v) || *end != '\0' ||
	    errno != 0 || n < 256 || n > UINT32_MAX)
		return load_fail(ld, sec, key,
		    "\"%s\": an SPI is a number from 256 to 4294967295 "
		    "(decimal or 0x hex; 1-255 are reserved)",
		    v);
	*spi = (uint32_t)n;
	return 0;
}

/* Never quotes the value: it is a secret. */
static int
load_key(struct loader *ld, const char *sec, const char *key, const char *v,
    uint8_t out[ESP_KEYMAT])
{
	size_t bad;

	if (strncmp(v, "0x", 2) == 0 || strncmp(v, "0X", 2) == 0)
		v += 2;
	if (strlen(v) != 2 * ESP_KEYMAT)
		return load_fail(ld, sec, key,
		    "must be %d hex digits (a 32-byte key, then the 4-byte "
		    "salt), not %zu",
		    2 * ESP_KEYMAT, strlen(v));
	if (hex_decode(v, out, ESP_KEYMAT, &bad) < 0)
		return load_fail(ld, sec, key, "not hex (digit %zu)", bad + 1);
	return 0;
}

/* The first auto keying key set, or NULL. */
static const char *
auto_key_set(const struct crypto_stage *st)
{
	if (st->tls_name[0] != '\0')
		return "tls-name";
	if (st->tls_pin[0] != '\0')
		return "tls-pin";
	if (st->psk_file[0] != '\0')
		return "psk-file";
	return NULL;
}

/* The first manual keying key set, or NULL. */
static const char *
manual_key_set(const struct crypto_stage *st)
{
	if (st->spi_in[0] != '\0')
		return "esp-spi-in";
	if (st->spi_out[0] != '\0')
		return "esp-spi-out";
	if (st->key_in[0] != '\0')
		return "esp-key-in";
	if (st->key_out[0] != '\0')
		return "esp-key-out";
	return NULL;
}

static int
load_manual(struct loader *ld, const char *sec, const struct config *c,
    const struct crypto_stage *st, struct cfg_crypto *cr)
{
	static const char *const need[] = { "esp-spi-in", "esp-spi-out",
		"esp-key-in", "esp-key-out" };
	const char *have[] = { st->spi_in, st->spi_out, st->key_in,
		st->key_out };
	int i;

	for (i = 0; i < 4; i++)
		if (have[i][0] == '\0')
			return load_fail(ld, sec, NULL,
			    "keying = manual needs esp-spi-in, esp-spi-out, "
			    "esp-key-in and esp-key-out; %s is missing",
			    need[i]);
	if (config_file_exposed(ld))
		return load_fail(ld, sec, "esp-key-in",
		    "ESP keys in %s, which group or others may read: "
		    "chmod 600 it",
		    ld->path);
	if (load_spi(ld, sec, "esp-spi-in", st->spi_in, &cr->spi_in) != 0 ||
	    load_spi(ld, sec, "esp-spi-out", st->spi_out, &cr->spi_out) != 0 ||
	    load_key(ld, sec, "esp-key-in", st->key_in, cr->key_in) != 0 ||
	    load_key(ld, sec, "esp-key-out", st->key_out, cr->key_out) != 0)
		return -1;
	/* Both ends count IVs from similar clocks: one key, two streams. */
	if (CRYPTO_memcmp(cr->key_in, cr->key_out, ESP_KEYMAT) == 0)
		return load_fail(ld, sec, "esp-key-out",
		    "the same key as esp-key-in: each direction needs its "
		    "own, or nonces repeat");
	for (i = 0; i < c->npeers; i++)
		if (c->peers[i].crypto.encrypt &&
		    c->peers[i].crypto.spi_in == cr->spi_in)
			return load_fail(ld, sec, "esp-spi-in",
			    "0x%08x is already peer %s's", cr->spi_in,
			    c->peers[i].name);
	return 0;
}

int
load_peer_crypto(struct loader *ld, const char *sec, const struct config *c,
    const struct crypto_stage *st, struct cfg_crypto *cr)
{
	const char *k;
	int v;

	memset(cr, 0, sizeof *cr);
	if (!st->encrypt) {
		if ((k = manual_key_set(st)) != NULL ||
		    (k = auto_key_set(st)) != NULL ||
		    (st->keying[0] != '\0' && (k = "keying")) ||
		    (st->cipher[0] != '\0' && (k = "cipher")))
			return load_fail(ld, sec, k,
			    "set, but encrypt is not yes");
		return 0;
	}
	cr->encrypt = true;
	cr->cipher = ESP_AES256_GCM;
	if (st->cipher[0] != '\0') {
		if ((v = esp_cipher_parse(st->cipher)) < 0)
			return load_fail(ld, sec, "cipher",
			    "\"%s\": must be aes-256-gcm or chacha20-poly1305",
			    st->cipher);
		cr->cipher = (enum esp_cipher)v;
	}
	if (st->keying[0] == '\0' || strcmp(st->keying, "auto") == 0) {
		if ((k = manual_key_set(st)) != NULL)
			return load_fail(ld, sec, k,
			    "set, but keying is auto (the default)");
		cr->keying = KEYING_AUTO;
		return load_peer_auto(ld, sec, c, st, cr);
	}
	if (strcmp(st->keying, "manual") != 0)
		return load_fail(ld, sec, "keying",
		    "\"%s\": must be auto or manual", st->keying);
	if ((k = auto_key_set(st)) != NULL)
		return load_fail(ld, sec, k, "set, but keying is manual");
	cr->keying = KEYING_MANUAL;
	return load_manual(ld, sec, c, st, cr);
}
