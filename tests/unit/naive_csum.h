/*
 * naive_csum.h: RFC 1071 summed 16 bits at a time, big-endian, for tests
 * that check tunneld's checksums against an implementation of their own.
 */
#ifndef NAIVE_CSUM_H
#define NAIVE_CSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t
naive_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

#endif
