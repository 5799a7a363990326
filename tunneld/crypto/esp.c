/* esp.c: ESP with AES-256-GCM or ChaCha20-Poly1305 (esp.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "esp.h"
#include "net/cursor.h"

enum { NONCE = 12, SALT = 4, KEY = 32 };

struct esp_sa {
	EVP_CIPHER_CTX *ctx;
	uint32_t spi;
	uint8_t salt[SALT];
	bool encrypt;
};

static const char *const cipher_names[ESP_CIPHER_MAX] = {
	[ESP_AES256_GCM] = "aes-256-gcm",
	[ESP_CHACHA20_POLY1305] = "chacha20-poly1305",
};

static const char *const verdict_names[] = {
	[ESP_OK] = "ok",
	[ESP_TRUNCATED] = "esp_truncated",
	[ESP_BAD_ICV] = "esp_bad_icv",
	[ESP_BAD_PADDING] = "esp_bad_padding",
	[ESP_DUMMY] = "esp_dummy",
	[ESP_NO_ROOM] = "esp_no_room",
	[ESP_CRYPTO_FAILED] = "esp_crypto_failed",
};

const char *
esp_cipher_name(enum esp_cipher c)
{
	return (unsigned)c < ESP_CIPHER_MAX ? cipher_names[c] : "?";
}

int
esp_cipher_parse(const char *s)
{
	int c;

	for (c = 0; c < ESP_CIPHER_MAX; c++)
		if (strcmp(s, cipher_names[c]) == 0)
			return c;
	return -1;
}

const char *
esp_verdict_name(enum esp_verdict v)
{
	return (unsigned)v <= ESP_CRYPTO_FAILED ? verdict_names[v] : "?";
}

uint32_t
esp_spi(const uint8_t *pkt)
{
	return get_u32(pkt);
}

uint32_t
esp_seq_low(const uint8_t *pkt)
{
	return get_u32(pkt + 4);
}

struct esp_sa *
esp_sa_new(enum esp_cipher c, uint32_t spi, const uint8_t keymat[ESP_KEYMAT],
    bool encrypt, char **cause)
{
	const EVP_CIPHER *cipher = c == ESP_AES256_GCM ? EVP_aes_256_gcm()
	    : c == ESP_CHACHA20_POLY1305	       ? EVP_chacha20_poly1305()
						       : NULL;
	struct esp_sa *sa;

	if (cipher == NULL || (sa = calloc(1, sizeof *sa)) == NULL) {
		*cause = strdup("cipher not available");
		return NULL;
	}
	sa->spi = spi;
	sa->encrypt = encrypt;
	memcpy(sa->salt, keymat + KEY, SALT);
	/* The cipher and the key once; per packet only the nonce. */
	if ((sa->ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_CipherInit_ex(sa->ctx, cipher, NULL, NULL, NULL, encrypt) !=
		1 ||
	    EVP_CIPHER_CTX_ctrl(sa->ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCE,
		NULL) != 1 ||
	    EVP_CipherInit_ex(sa->ctx, NULL, NULL, keymat, NULL, encrypt) !=
		1) {
		*cause = strdup("OpenSSL refused the cipher or its key");
		esp_sa_free(sa);
		return NULL;
	}
	return sa;
}

void
esp_sa_free(struct esp_sa *sa)
{
	if (sa == NULL)
		return;
	EVP_CIPHER_CTX_free(sa->ctx);
	OPENSSL_cleanse(sa->salt, sizeof sa->salt);
	free(sa);
}

size_t
esp_sealed_len(size_t len)
{
	size_t body = len + ESP_TRAILER;

	return ESP_HDR + ESP_IV + body + (-body & 3) + ESP_ICV;
}

/*
 * Get (sealing) or set (opening) the ICV through the provider's own
 * parameter: OpenSSL 3's ctrl translates to this at a cost per packet.
 */
static int
tag(struct esp_sa *sa, uint8_t *icv, bool set)
{
	OSSL_PARAM p[2] = { OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
				icv, ESP_ICV),
		OSSL_PARAM_END };

	return set ? EVP_CIPHER_CTX_set_params(sa->ctx, p)
		   : EVP_CIPHER_CTX_get_params(sa->ctx, p);
}

/* Nonce (salt, IV) and AAD (SPI, high and low sequence) for seq. */
static int
start(struct esp_sa *sa, uint64_t seq, const uint8_t iv[ESP_IV])
{
	uint8_t nonce[NONCE], aad[12];
	int n;

	memcpy(nonce, sa->salt, SALT);
	memcpy(nonce + SALT, iv, ESP_IV);
	put_u32(aad, sa->spi);
	put_u32(aad + 4, (uint32_t)(seq >> 32));
	put_u32(aad + 8, (uint32_t)seq);
	if (EVP_CipherInit_ex(sa->ctx, NULL, NULL, NULL, nonce, sa->encrypt) !=
		1 ||
	    EVP_CipherUpdate(sa->ctx, NULL, &n, aad, sizeof aad) != 1)
		return -1;
	return 0;
}

enum esp_verdict
esp_sealv(struct esp_sa *sa, uint64_t seq, uint64_t ivn, uint8_t nh,
    const struct iovec *iov, int iovcnt, uint8_t *out, size_t cap,
    size_t *outlen)
{
	uint8_t *iv = out + ESP_HDR, *body = iv + ESP_IV, tail[3 + ESP_TRAILER];
	size_t len = 0, total, pad, off = 0, i;
	int k, n, fin;

	for (k = 0; k < iovcnt; k++)
		len += iov[k].iov_len;
	total = esp_sealed_len(len);
	if (total > cap || len > INT32_MAX)
		return ESP_NO_ROOM;
	pad = total - ESP_HDR - ESP_IV - ESP_ICV - ESP_TRAILER - len;
	for (i = 0; i < pad; i++)
		tail[i] = (uint8_t)(i + 1);
	tail[pad] = (uint8_t)pad;
	tail[pad + 1] = nh;
	put_u32(out, sa->spi);
	put_u32(out + 4, (uint32_t)seq);
	put_u32(iv, (uint32_t)(ivn >> 32));
	put_u32(iv + 4, (uint32_t)ivn);
	if (start(sa, seq, iv) != 0)
		return ESP_CRYPTO_FAILED;
	/* Each part is encrypted straight into place: no copy first. */
	for (k = 0; k < iovcnt; k++) {
		if (iov[k].iov_len == 0)
			continue;
		if (EVP_CipherUpdate(sa->ctx, body + off, &n, iov[k].iov_base,
			(int)iov[k].iov_len) != 1)
			return ESP_CRYPTO_FAILED;
		off += (size_t)n;
	}
	if (EVP_CipherUpdate(sa->ctx, body + off, &n, tail,
		(int)(pad + ESP_TRAILER)) != 1 ||
	    EVP_CipherFinal_ex(sa->ctx, body + off + (size_t)n, &fin) != 1 ||
	    tag(sa, out + total - ESP_ICV, false) != 1)
		return ESP_CRYPTO_FAILED;
	*outlen = total;
	return ESP_OK;
}

enum esp_verdict
esp_seal(struct esp_sa *sa, uint64_t seq, uint8_t nh, const uint8_t *payload,
    size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
	struct iovec iov = { (void *)(uintptr_t)payload, len };

	return esp_sealv(sa, seq, seq, nh, &iov, 1, out, cap, outlen);
}

/* The padding RFC 4303 2.4 sends by default: 1, 2, 3... */
static bool
padding_ok(const uint8_t *pad, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pad[i] != (uint8_t)(i + 1))
			return false;
	return true;
}

enum esp_verdict
esp_open(struct esp_sa *sa, uint64_t seq, uint8_t *pkt, size_t len,
    uint8_t **payload, size_t *plen, uint8_t *nh)
{
	uint8_t *iv = pkt + ESP_HDR, *body = iv + ESP_IV;
	size_t blen, pad;
	int n, fin;

	if (len < ESP_HDR + ESP_IV + ESP_TRAILER + ESP_ICV || len > INT32_MAX)
		return ESP_TRUNCATED;
	blen = len - ESP_HDR - ESP_IV - ESP_ICV;
	if (start(sa, seq, iv) != 0 ||
	    tag(sa, pkt + len - ESP_ICV, true) != 1 ||
	    EVP_CipherUpdate(sa->ctx, body, &n, body, (int)blen) != 1 ||
	    EVP_CipherFinal_ex(sa->ctx, body + n, &fin) != 1)
		return ESP_BAD_ICV;
	pad = body[blen - 2];
	*nh = body[blen - 1];
	if (pad + ESP_TRAILER > blen || !padding_ok(body + blen - 2 - pad, pad))
		return ESP_BAD_PADDING;
	if (*nh == ESP_NH_DUMMY)
		return ESP_DUMMY;
	*payload = body;
	*plen = blen - ESP_TRAILER - pad;
	return ESP_OK;
}
