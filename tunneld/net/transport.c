/* transport.c: the transport packet inside ESP (transport.h). */
#include "csum.h"
#include "cursor.h"
#include "transport.h"

enum { EPHEMERAL_BASE = 49152, EPHEMERAL_MASK = 0x3fff };

static bool
over_udp(enum encap_type t)
{
	return encap_ops(t)->transport == ENCAP_OVER_UDP;
}

size_t
transport_build(enum encap_type t, enum wire_kind kind, uint32_t vni,
    uint32_t hash, uint16_t dport, size_t payload_len, uint8_t *out,
    uint8_t *nh)
{
	const struct encap_ops *o = encap_ops(t);
	size_t udp = over_udp(t) ? UDP_HDR_LEN : 0;
	size_t hl = encap_build(t, kind, vni, out + udp);

	if (udp == 0) {
		*nh = o->ip_proto;
		return hl;
	}
	/* Source port in the dynamic range, as RFC 7348 5 suggests. */
	put_u16(out, (uint16_t)(EPHEMERAL_BASE | (hash & EPHEMERAL_MASK)));
	put_u16(out + 2, dport);
	put_u16(out + 4, (uint16_t)(UDP_HDR_LEN + hl + payload_len));
	put_u16(out + 6, 0);
	*nh = IPPROTO_UDP_;
	return UDP_HDR_LEN + hl;
}

void
transport_udp6_csum(uint8_t *hdr, const uint8_t *src, const uint8_t *dst,
    const uint8_t *payload, size_t payload_len)
{
	size_t udp_len = get_u16(hdr + 4), hl = udp_len - payload_len;
	uint64_t sum =
	    csum_pseudo(src, dst, 16, IPPROTO_UDP_, (uint32_t)udp_len);
	uint16_t c;

	/* The tunnel headers are of even length: the pieces sum apart. */
	sum = csum_add(sum, hdr, hl);
	sum = csum_add(sum, payload, payload_len);
	c = csum_finish(sum);
	if (c == 0)
		c = 0xffff; /* 0 means "none" in UDP */
	memcpy(hdr + 6, &c, sizeof c);
}

enum drop_reason
transport_parse(uint8_t nh, const uint8_t *p, size_t len, enum encap_type t,
    uint16_t dport, const uint8_t **tun, size_t *tun_len)
{
	if (!over_udp(t)) {
		if (nh != encap_ops(t)->ip_proto)
			return DROP_BAD_PROTO;
		*tun = p;
		*tun_len = len;
		return DROP_NONE;
	}
	if (nh != IPPROTO_UDP_)
		return DROP_BAD_PROTO;
	if (len < UDP_HDR_LEN || get_u16(p + 4) != len)
		return DROP_TRUNCATED;
	if (get_u16(p + 2) != dport)
		return DROP_BAD_PROTO; /* not the tunnel this peer runs */
	*tun = p + UDP_HDR_LEN;
	*tun_len = len - UDP_HDR_LEN;
	return DROP_NONE;
}
