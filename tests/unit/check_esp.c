/*
 * check_esp.c: ESP sealing and opening against scapy's IPsec.
 *
 * The vectors (tests/data/esp-scapy.txt, made by tests/esp/scapy_vectors.py;
 * ESP_VECTORS names another file, as tests/esp-scapy.sh does with fresh
 * ones) hold packets scapy sealed: each must open to its payload, and
 * sealing the payload must give scapy's bytes exactly.  Then the cases no
 * vector holds: a changed byte, a wrong epoch, a wrong key, dummies, bad
 * padding, truncation, no room.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check_main.h"
#include "crypto/esp.h"

enum { MAXPKT = 4096 };

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	if (strcmp(s, "-") == 0)
		return 0;
	for (; s[0] != '\0' && s[1] != '\0' && n < cap; s += 2) {
		ck_assert(sscanf(s, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static const char *
vectors(void)
{
	static char path[1024];
	const char *v = getenv("ESP_VECTORS"), *d = getenv("TEST_DATA");

	if (v != NULL)
		return v;
	snprintf(path, sizeof path, "%s/esp-scapy.txt", d ? d : "tests/data");
	return path;
}

/* One vector: open scapy's packet, then seal and compare bytes. */
static void
check_vector(char *line)
{
	char cipher[32], keyhex[80], payhex[2 * MAXPKT + 2],
	    esphex[2 * MAXPKT + 2];
	uint8_t key[ESP_KEYMAT], pay[MAXPKT], esp[MAXPKT], out[MAXPKT], *p, nh;
	unsigned spi, want_nh;
	unsigned long long seq;
	size_t plen, elen, olen;
	struct esp_sa *in, *seal;
	char *cause = NULL;

	ck_assert_int_eq(sscanf(line, "%31s %x %llx %79s %u %8193s %8193s",
			     cipher, &spi, &seq, keyhex, &want_nh, payhex,
			     esphex),
	    7);
	ck_assert_uint_eq(unhex(keyhex, key, sizeof key), ESP_KEYMAT);
	plen = unhex(payhex, pay, sizeof pay);
	elen = unhex(esphex, esp, sizeof esp);
	ck_assert_int_ge(esp_cipher_parse(cipher), 0);
	in = esp_sa_new(esp_cipher_parse(cipher), spi, key, false, &cause);
	seal = esp_sa_new(esp_cipher_parse(cipher), spi, key, true, &cause);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(seal);
	ck_assert_uint_eq(esp_spi(esp), spi);
	ck_assert_uint_eq(esp_seq_low(esp), (uint32_t)seq);
	ck_assert_int_eq(esp_seal(seal, seq, (uint8_t)want_nh, pay, plen, out,
			     sizeof out, &olen),
	    ESP_OK);
	ck_assert_uint_eq(olen, elen);
	ck_assert_msg(memcmp(out, esp, elen) == 0, "%s: sealed bytes differ",
	    line);
	ck_assert_int_eq(esp_open(in, seq, esp, elen, &p, &olen, &nh), ESP_OK);
	ck_assert_uint_eq(olen, plen);
	ck_assert_uint_eq(nh, want_nh);
	ck_assert(plen == 0 || memcmp(p, pay, plen) == 0);
	esp_sa_free(in);
	esp_sa_free(seal);
}

START_TEST(scapy_vectors)
{
	FILE *f = fopen(vectors(), "r");
	static char line[5 * MAXPKT];
	int n = 0;

	ck_assert_msg(f != NULL, "no vectors at %s", vectors());
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		check_vector(line);
		n++;
	}
	fclose(f);
	ck_assert_int_ge(n, 18);
}
END_TEST

static const uint8_t keymat[ESP_KEYMAT] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

/* Seal payload "hello" as seq into pkt; its length. */
static size_t
sealed(enum esp_cipher c, uint64_t seq, uint8_t nh, uint8_t *pkt)
{
	struct esp_sa *sa = esp_sa_new(c, 0x1234, keymat, true, &(char *){ 0 });
	size_t n;

	ck_assert_int_eq(esp_seal(sa, seq, nh, (const uint8_t *)"hello", 5, pkt,
			     MAXPKT, &n),
	    ESP_OK);
	esp_sa_free(sa);
	return n;
}

static enum esp_verdict
opened(enum esp_cipher c, const uint8_t *key, uint64_t seq, uint8_t *pkt,
    size_t n)
{
	struct esp_sa *sa = esp_sa_new(c, 0x1234, key, false, &(char *){ 0 });
	uint8_t *p, nh;
	size_t plen;
	enum esp_verdict v = esp_open(sa, seq, pkt, n, &p, &plen, &nh);

	esp_sa_free(sa);
	return v;
}

START_TEST(forgeries_are_refused)
{
	enum esp_cipher c = (enum esp_cipher)_i;
	uint8_t pkt[MAXPKT], other[ESP_KEYMAT] = { 9 };
	uint64_t seq = (uint64_t)3 << 32 | 77;
	size_t n = sealed(c, seq, 17, pkt);

	ck_assert_uint_eq(n, esp_sealed_len(5));
	ck_assert_uint_eq(n % 4, 0);
	ck_assert_int_eq(opened(c, keymat, seq, pkt, n), ESP_OK);
	n = sealed(c, seq, 17, pkt);
	/* The wrong epoch: the high half is only in the AAD. */
	ck_assert_int_eq(opened(c, keymat, seq + ((uint64_t)1 << 32), pkt, n),
	    ESP_BAD_ICV);
	n = sealed(c, seq, 17, pkt);
	ck_assert_int_eq(opened(c, other, seq, pkt, n), ESP_BAD_ICV);
	n = sealed(c, seq, 17, pkt);
	pkt[ESP_HDR + ESP_IV] ^= 1; /* a payload bit */
	ck_assert_int_eq(opened(c, keymat, seq, pkt, n), ESP_BAD_ICV);
	n = sealed(c, seq, 17, pkt);
	pkt[n - 1] ^= 0x80; /* the ICV */
	ck_assert_int_eq(opened(c, keymat, seq, pkt, n), ESP_BAD_ICV);
	n = sealed(c, seq, 17, pkt);
	ck_assert_int_eq(opened(c, keymat, seq, pkt, n - 1), ESP_BAD_ICV);
	ck_assert_int_eq(opened(c, keymat, seq, pkt, ESP_HDR + ESP_IV + 17),
	    ESP_TRUNCATED);
	n = sealed(c, seq, ESP_NH_DUMMY, pkt);
	ck_assert_int_eq(opened(c, keymat, seq, pkt, n), ESP_DUMMY);
}
END_TEST

/* An ESP packet of SPI 7, number 9 around body, sealed by OpenSSL itself. */
static size_t
raw_seal(const uint8_t *body, int blen, uint8_t *pkt)
{
	static const uint8_t hdr[16] = { 0, 0, 0, 7, 0, 0, 0, 9, 0, 0, 0, 0, 0,
		0, 0, 9 };
	uint8_t nonce[12], aad[12] = { 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9 };
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n;

	memcpy(nonce, keymat + 32, 4);
	memcpy(nonce + 4, hdr + 8, 8);
	memcpy(pkt, hdr, sizeof hdr);
	ck_assert(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, keymat,
		      nonce) == 1);
	ck_assert(EVP_EncryptUpdate(ctx, NULL, &n, aad, sizeof aad) == 1);
	ck_assert(EVP_EncryptUpdate(ctx, pkt + 16, &n, body, blen) == 1);
	ck_assert(EVP_EncryptFinal_ex(ctx, pkt + 16 + n, &n) == 1);
	ck_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16,
		      pkt + 16 + blen) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return 16 + (size_t)blen + 16;
}

/* Authentic, but padded 9, 9 where RFC 4303 says 1, 2; or too long. */
START_TEST(bad_padding_is_refused)
{
	static const uint8_t good[] = { 'a', 'b', 1, 2, 2, 17 };
	static const uint8_t bad[] = { 'a', 'b', 9, 9, 2, 17 };
	static const uint8_t long_pad[] = { 'a', 'b', 1, 2, 200, 17 };
	struct esp_sa *sa =
	    esp_sa_new(ESP_AES256_GCM, 7, keymat, false, &(char *){ 0 });
	uint8_t pkt[MAXPKT], *p, nh;
	size_t n, plen;

	n = raw_seal(good, sizeof good, pkt);
	ck_assert_int_eq(esp_open(sa, 9, pkt, n, &p, &plen, &nh), ESP_OK);
	ck_assert_uint_eq(plen, 2);
	ck_assert_uint_eq(nh, 17);
	n = raw_seal(bad, sizeof bad, pkt);
	ck_assert_int_eq(esp_open(sa, 9, pkt, n, &p, &plen, &nh),
	    ESP_BAD_PADDING);
	n = raw_seal(long_pad, sizeof long_pad, pkt);
	ck_assert_int_eq(esp_open(sa, 9, pkt, n, &p, &plen, &nh),
	    ESP_BAD_PADDING);
	esp_sa_free(sa);
}
END_TEST

START_TEST(no_room)
{
	struct esp_sa *sa =
	    esp_sa_new(ESP_CHACHA20_POLY1305, 7, keymat, true, &(char *){ 0 });
	uint8_t pkt[64];
	size_t n;

	ck_assert_int_eq(esp_seal(sa, 1, 17, pkt, 40, pkt + 0, 40, &n),
	    ESP_NO_ROOM);
	ck_assert_int_eq(esp_cipher_parse("des"), -1);
	esp_sa_free(sa);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("esp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, scapy_vectors);
	tcase_add_loop_test(tc, forgeries_are_refused, 0, ESP_CIPHER_MAX);
	tcase_add_test(tc, bad_padding_is_refused);
	tcase_add_test(tc, no_room);
	suite_add_tcase(s, tc);
	return s;
}
