/*
 * esp.h: ESP (RFC 4303) with an AEAD, for one SA in one direction.
 *
 * Ciphers: AES-256-GCM (RFC 4106) and ChaCha20-Poly1305 (RFC 7634), both
 * keyed by 36 bytes of keying material (a 32-byte key, then the 4-byte
 * salt of the nonce), both with an 8-byte explicit IV and a 16-byte ICV,
 * both as `ip xfrm state ... aead` takes them.  Sequence numbers are 64-bit
 * (extended, RFC 4303 2.2.1): the low half is sent, the high half goes
 * into the AAD (SPI, high, low; RFC 4106 5).  The IV is the caller's:
 * a counter that never repeats under one key (sa.h adds the sequence
 * number to a base taken from the clock when the SA is made).
 *
 * The packet is what follows the outer IP header (and, for UDP
 * encapsulation, RFC 3948, the UDP header): SPI, sequence number, IV,
 * then the encrypted payload, padding (1, 2, 3... to a 4-byte boundary),
 * pad length and next header, then the ICV.
 *
 * An SA holds one OpenSSL context whose cipher and key are set once; per
 * packet only the nonce changes, so sealing and opening allocate nothing.
 * A context is not shared: one SA per direction per data thread (they may
 * share the key and the replay window, replay.h).  0 or a verdict; the
 * functions never print.
 */
#ifndef ESP_H
#define ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum esp_cipher { ESP_AES256_GCM, ESP_CHACHA20_POLY1305, ESP_CIPHER_MAX };

enum {
	ESP_KEYMAT = 36, /* key, then salt */
	ESP_HDR = 8,	 /* SPI and the low sequence number */
	ESP_IV = 8,
	ESP_ICV = 16,
	ESP_TRAILER = 2, /* pad length, next header */
	/* The most ESP adds to a payload (with 3 bytes of padding). */
	ESP_OVERHEAD_MAX = ESP_HDR + ESP_IV + 3 + ESP_TRAILER + ESP_ICV,
	ESP_NH_DUMMY = 59, /* RFC 4303 2.6: a dummy packet, discarded */
};

enum esp_verdict {
	ESP_OK,
	ESP_TRUNCATED,	   /* shorter than header, IV, trailer and ICV */
	ESP_BAD_ICV,	   /* not authentic: wrong key, sequence or bytes */
	ESP_BAD_PADDING,   /* authentic, but its padding is not 1, 2, 3... */
	ESP_DUMMY,	   /* authentic, next header 59: discard quietly */
	ESP_NO_ROOM,	   /* sealing: the output buffer is too small */
	ESP_CRYPTO_FAILED, /* sealing: OpenSSL failed (not expected) */
};

struct esp_sa;

/*
 * An SA that seals (encrypt true) or opens packets with spi and keymat;
 * NULL with *cause (caller frees) if OpenSSL lacks the cipher.
 */
struct esp_sa *esp_sa_new(enum esp_cipher, uint32_t spi,
    const uint8_t keymat[ESP_KEYMAT], bool encrypt, char **cause);
void esp_sa_free(struct esp_sa *);
/* The bytes a payload of len takes sealed. */
size_t esp_sealed_len(size_t len);
/*
 * Seal the payload that iov[0..iovcnt) holds (next header nh) as number
 * seq with explicit IV ivn, into out (cap bytes; it may not overlap the
 * payload): ESP_OK with *outlen, ESP_NO_ROOM, or ESP_CRYPTO_FAILED.  The
 * IV must never repeat under one key; the payload is encrypted straight
 * from its parts into out.
 */
enum esp_verdict esp_sealv(struct esp_sa *, uint64_t seq, uint64_t ivn,
    uint8_t nh, const struct iovec *iov, int iovcnt, uint8_t *out, size_t cap,
    size_t *outlen);
/* The same for one buffer, with the IV equal to seq. */
enum esp_verdict esp_seal(struct esp_sa *, uint64_t seq, uint8_t nh,
    const uint8_t *payload, size_t len, uint8_t *out, size_t cap,
    size_t *outlen);
/* The SPI and the low sequence number of a packet (len >= ESP_HDR). */
uint32_t esp_spi(const uint8_t *pkt);
uint32_t esp_seq_low(const uint8_t *pkt);
/*
 * Open pkt (len bytes) as number seq (the full 64 bits, replay_esn()),
 * decrypting in place: on ESP_OK, *payload points into pkt, *plen and *nh
 * say what it is.
 */
enum esp_verdict esp_open(struct esp_sa *, uint64_t seq, uint8_t *pkt,
    size_t len, uint8_t **payload, size_t *plen, uint8_t *nh);
const char *esp_cipher_name(enum esp_cipher);
/* A cipher by its name ("aes-256-gcm", "chacha20-poly1305"); -1 if none. */
int esp_cipher_parse(const char *);
const char *esp_verdict_name(enum esp_verdict);

#endif
