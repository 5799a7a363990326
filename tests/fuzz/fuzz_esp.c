/*
 * fuzz_esp.c: ESP packets from anywhere.  The first byte picks the
 * cipher and the epoch; the rest is opened as an ESP packet under a fixed
 * key (it must be refused cleanly, never read out of bounds), then sealed
 * as a payload and opened again, which must give it back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/esp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t keymat[ESP_KEYMAT] = { 7, 6, 5, 4, 3, 2, 1 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum esp_cipher c;
	struct esp_sa *in, *out;
	uint8_t *pkt, *sealed, *p, nh;
	size_t n, plen;
	uint64_t seq;
	char *cause = NULL;

	if (size < 1 || size > 65536)
		return 0;
	c = (enum esp_cipher)(data[0] % ESP_CIPHER_MAX);
	in = esp_sa_new(c, 0x1234, keymat, false, &cause);
	out = esp_sa_new(c, 0x1234, keymat, true, &cause);
	if (in == NULL || out == NULL)
		__builtin_trap();
	pkt = malloc(size - 1 + 1);
	memcpy(pkt, data + 1, size - 1);
	seq = (uint64_t)(data[0] >> 1) << 32 |
	    (size - 1 >= ESP_HDR ? esp_seq_low(pkt) : 1);
	(void)esp_open(in, seq, pkt, size - 1, &p, &plen, &nh);
	sealed = malloc(esp_sealed_len(size - 1));
	if (esp_seal(out, seq, 17, data + 1, size - 1, sealed,
		esp_sealed_len(size - 1), &n) != ESP_OK ||
	    esp_open(in, seq, sealed, n, &p, &plen, &nh) != ESP_OK ||
	    plen != size - 1 || nh != 17 || memcmp(p, data + 1, plen) != 0)
		__builtin_trap();
	free(sealed);
	free(pkt);
	esp_sa_free(in);
	esp_sa_free(out);
	return 0;
}
