/*
 * esp_speed.c: how fast one core seals and opens ESP (crypto/esp.c), for
 * the cost of encryption before it is in the data path.  Seals N packets
 * of a size with each cipher, then opens them, and prints Gbit/s of
 * payload and packets per second.  Build with `make bench/esp_speed`; run
 * `bench/esp_speed [SIZE [COUNT]]` (default 1400 bytes, 500000 packets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/esp.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report(const char *what, enum esp_cipher c, size_t size, long count, double s)
{
	printf("%-5s %-18s %5zu B  %7.2f Gbit/s  %8.0f kpps\n", what,
	    esp_cipher_name(c), size,
	    (double)size * 8 * (double)count / s / 1e9,
	    (double)count / s / 1e3);
}

int
main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 1400, n, plen;
	long count = argc > 2 ? strtol(argv[2], NULL, 10) : 500000, i;
	static uint8_t key[ESP_KEYMAT] = { 1 }, payload[65536], pkt[70000],
		       sealed[70000];
	char *cause = NULL;
	uint8_t *p, nh;
	int c;

	if (size > sizeof payload || count <= 0)
		return 2;
	for (c = 0; c < ESP_CIPHER_MAX; c++) {
		struct esp_sa *out = esp_sa_new(c, 1, key, true, &cause);
		struct esp_sa *in = esp_sa_new(c, 1, key, false, &cause);
		double t;

		if (out == NULL || in == NULL)
			return 1;
		t = now();
		for (i = 1; i <= count; i++)
			esp_seal(out, (uint64_t)i, 17, payload, size, pkt,
			    sizeof pkt, &n);
		report("seal", (enum esp_cipher)c, size, count, now() - t);
		/* Each open decrypts a fresh copy of the last sealed packet
		 * (the copy is counted: a receive path copies too). */
		memcpy(sealed, pkt, n);
		t = now();
		for (i = 1; i <= count; i++) {
			memcpy(pkt, sealed, n);
			if (esp_open(in, (uint64_t)count, pkt, n, &p, &plen,
				&nh) != ESP_OK)
				return 1;
		}
		report("open", (enum esp_cipher)c, size, count, now() - t);
		esp_sa_free(out);
		esp_sa_free(in);
	}
	return 0;
}
