/* mss.c: TCP MSS clamping (mss.h). */
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "mss.h"
#include "wire.h"

enum {
	ETH_P_IPV4 = 0x0800,
	ETH_P_IPV6 = 0x86dd,
	ETH_P_8021Q = 0x8100,
	ETH_P_8021AD = 0x88a8,
	TCP_HDR_MIN = 20,
	TCP_FLAG_SYN = 0x02,
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	IP6_HOPOPTS = 0,
	IP6_ROUTING = 43,
	IP6_DSTOPTS = 60,
	IPPROTO_TCP_ = 6,
};

/* Offset of the L3 header and its EtherType; 0 if not IPv4 or IPv6. */
static size_t
l3_start(const uint8_t *f, size_t len, uint16_t *type)
{
	size_t off = 12;

	if (len < ETHER_HDR_LEN)
		return 0;
	*type = get_u16(f + off);
	if (*type == ETH_P_8021Q || *type == ETH_P_8021AD) {
		if (len < ETHER_HDR_LEN + 4)
			return 0;
		off += 4;
		*type = get_u16(f + off);
	}
	return off + 2;
}

/* Offset of the TCP header in an IPv4 packet at off; 0 if none. */
static size_t
tcp_in_ipv4(const uint8_t *f, size_t len, size_t off, size_t *end)
{
	size_t ihl, total;

	if (len < off + IPV4_HDR_MIN || (f[off] >> 4) != 4)
		return 0;
	ihl = (size_t)(f[off] & 0x0f) * 4;
	total = get_u16(f + off + 2);
	if (ihl < IPV4_HDR_MIN || total < ihl || off + total > len ||
	    f[off + 9] != IPPROTO_TCP_ || (get_u16(f + off + 6) & 0x1fff) != 0)
		return 0;
	*end = off + total;
	return off + ihl;
}

/* Offset of the TCP header in an IPv6 packet at off; 0 if none. */
static size_t
tcp_in_ipv6(const uint8_t *f, size_t len, size_t off, size_t *end)
{
	size_t p = off + IPV6_HDR_LEN, plen;
	uint8_t next;
	int hops;

	if (len < p || (f[off] >> 4) != 6)
		return 0;
	plen = get_u16(f + off + 4);
	if (p + plen > len)
		return 0;
	*end = p + plen;
	next = f[off + 6];
	for (hops = 0; hops < 4 &&
	     (next == IP6_HOPOPTS || next == IP6_ROUTING ||
		 next == IP6_DSTOPTS);
	     hops++) {
		if (p + 8 > *end)
			return 0;
		next = f[p];
		p += ((size_t)f[p + 1] + 1) * 8;
	}
	return next == IPPROTO_TCP_ && p <= *end ? p : 0;
}

/*
 * Replace the 2 bytes at tcp + off with v, updating the checksum at
 * tcp + 16: the aligned words around them leave the sum, the new ones
 * enter it (RFC 1624, eqn. 3).
 */
static void
replace_u16(uint8_t *tcp, size_t off, uint16_t v)
{
	size_t a = off & ~(size_t)1, n = off & 1 ? 4 : 2;
	uint8_t before[4], after[4];
	uint16_t field, w;
	uint64_t sum;
	size_t i;

	memcpy(before, tcp + a, n);
	put_u16(tcp + off, v);
	memcpy(after, tcp + a, n);
	memcpy(&field, tcp + 16, 2);
	sum = (uint16_t)~field;
	for (i = 0; i < n; i += 2) {
		memcpy(&w, before + i, 2);
		sum += (uint16_t)~w;
		memcpy(&w, after + i, 2);
		sum += w;
	}
	field = csum_finish(sum);
	memcpy(tcp + 16, &field, 2);
}

bool
mss_clamp(uint8_t *f, size_t len, unsigned mtu)
{
	size_t l3, l4, end, hl, o;
	uint16_t type = 0;
	unsigned max;

	if ((l3 = l3_start(f, len, &type)) == 0)
		return false;
	if (type == ETH_P_IPV4) {
		l4 = tcp_in_ipv4(f, len, l3, &end);
		max = mtu > 40 ? mtu - 40 : 0;
	} else if (type == ETH_P_IPV6) {
		l4 = tcp_in_ipv6(f, len, l3, &end);
		max = mtu > 60 ? mtu - 60 : 0;
	} else
		return false;
	if (l4 == 0 || l4 + TCP_HDR_MIN > end || max == 0 ||
	    (f[l4 + 13] & TCP_FLAG_SYN) == 0)
		return false;
	hl = (size_t)(f[l4 + 12] >> 4) * 4;
	if (hl < TCP_HDR_MIN || l4 + hl > end)
		return false;
	for (o = TCP_HDR_MIN; o < hl;) {
		if (f[l4 + o] == TCPOPT_EOL)
			break;
		if (f[l4 + o] == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 2 > hl || f[l4 + o + 1] < 2 || o + f[l4 + o + 1] > hl)
			break; /* malformed: leave it to the endpoint */
		if (f[l4 + o] == TCPOPT_MSS && f[l4 + o + 1] == 4) {
			if (get_u16(f + l4 + o + 2) <= max)
				return false;
			replace_u16(f + l4, o + 2, (uint16_t)max);
			return true;
		}
		o += f[l4 + o + 1];
	}
	return false;
}
