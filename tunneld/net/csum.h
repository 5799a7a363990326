/*
 * csum.h: the Internet checksum (RFC 1071) for IP and TCP headers.
 *
 * Sums are kept in memory byte order, 32 bits at a time in 64-bit
 * accumulators (which cannot overflow below 2^32 words), so the folded
 * result stores back as the header field with memcpy and no swapping.  A sum over pieces must give each piece an even
 * length except the last.
 */
#ifndef CSUM_H
#define CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s1 = 0, s2 = 0, s3 = 0;
	uint32_t w[4];
	uint16_t h;
	uint8_t tail[2] = { 0, 0 };

	/* Four independent sums: the adds need not wait on each other. */
	for (; len >= 16; p += 16, len -= 16) {
		memcpy(w, p, 16);
		sum += w[0];
		s1 += w[1];
		s2 += w[2];
		s3 += w[3];
	}
	for (; len >= 4; p += 4, len -= 4) {
		memcpy(w, p, 4);
		sum += w[0];
	}
	sum += s1 + s2 + s3;
	if (len >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len == 1) {
		tail[0] = *p;
		memcpy(&h, tail, 2);
		sum += h;
	}
	return sum;
}

/* Fold to 16 bits (not complemented). */
static inline uint16_t
csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The checksum field value: complement of the folded sum. */
static inline uint16_t
csum_finish(uint64_t sum)
{
	return (uint16_t)~csum_fold(sum);
}

/*
 * Sum of the TCP/UDP pseudo-header: addresses as they sit in the IP
 * header (alen 4 or 16 bytes each), protocol, and the L4 length.
 */
static inline uint64_t
csum_pseudo(const void *src, const void *dst, size_t alen, uint8_t proto,
    uint32_t l4len)
{
	uint8_t tail[8] = { 0, 0, (uint8_t)(l4len >> 8), (uint8_t)l4len,
	    0, 0, 0, proto };
	uint64_t sum = csum_add(0, src, alen);

	sum = csum_add(sum, dst, alen);
	if (alen == 4)		/* IPv4: zero, protocol, 16-bit length */
		return csum_add(sum, (const uint8_t[4]){ 0, proto,
		    (uint8_t)(l4len >> 8), (uint8_t)l4len }, 4);
	tail[0] = (uint8_t)(l4len >> 24);
	tail[1] = (uint8_t)(l4len >> 16);
	return csum_add(sum, tail, 8);
}

#endif
