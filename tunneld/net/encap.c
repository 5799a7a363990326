/* encap.c: the table of encapsulations and the inner flow hash. */
#include <string.h>
#include <sys/socket.h>

#include "encap.h"

static const struct encap_ops *const table[ENCAP_MAX] = {
	[ENCAP_VXLAN] = &encap_vxlan,
	[ENCAP_GRE] = &encap_gre,
	[ENCAP_GREUDP] = &encap_greudp,
};

const struct encap_ops *
encap_ops(enum encap_type t)
{
	return table[t];
}

size_t
encap_outer_len(enum encap_type t, int family, bool probe)
{
	uint8_t hdr[ENCAP_HDR_MAX];
	size_t ip = family == AF_INET6 ? IPV6_HDR_LEN : IPV4_HDR_MIN;
	size_t udp = table[t]->transport == ENCAP_OVER_UDP ? UDP_HDR_LEN : 0;

	return ip + udp +
	    (probe ? table[t]->build_probe(hdr) : table[t]->hdr_len);
}

size_t
encap_build(enum encap_type t, enum wire_kind kind, uint32_t vni, uint8_t *hdr)
{
	switch (kind) {
	case WIRE_PROBE:
		return table[t]->build_probe(hdr);
	case WIRE_TEST:
		return table[t]->build_test(vni, hdr);
	default:
		return table[t]->build(vni, hdr);
	}
}

int
encap_parse(const char *s)
{
	int t;

	for (t = 0; t < ENCAP_MAX; t++)
		if (strcmp(s, table[t]->name) == 0)
			return t;
	return -1;
}

/*
 * An IPv4 raw socket hands over the whole packet, reassembled.
 * Check the header before trusting its length fields.
 */
enum drop_reason
ip4_payload(const uint8_t *buf, size_t len, uint8_t proto,
    const uint8_t **payload, size_t *payload_len)
{
	size_t hl, total;

	if (len < IPV4_HDR_MIN)
		return DROP_TRUNCATED;
	if ((buf[0] >> 4) != 4)
		return DROP_BAD_VERSION;
	hl = (size_t)(buf[0] & 0x0f) * 4;
	total = (size_t)(buf[2] << 8 | buf[3]);
	if (hl < IPV4_HDR_MIN || total < hl || total > len)
		return DROP_TRUNCATED;
	if (buf[9] != proto)
		return DROP_BAD_PROTO;
	*payload = buf + hl;
	*payload_len = total - hl;
	return DROP_NONE;
}

static uint32_t
mix32(uint32_t h, uint32_t v)
{
	v *= 0xcc9e2d51u;
	v = (v << 15) | (v >> 17);
	v *= 0x1b873593u;
	h ^= v;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

static uint32_t
mix_bytes(uint32_t h, const uint8_t *p, size_t n)
{
	uint32_t v;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&v, p, 4);
		h = mix32(h, v);
	}
	for (v = 0; n > 0; n--)
		v = v << 8 | *p++;
	return mix32(h, v);
}

/* Hash the L3 addresses and L4 ports of an IPv4 or IPv6 frame into h. */
static uint32_t
flow_hash_l3(uint32_t h, uint16_t type, const uint8_t *l3, size_t len)
{
	size_t hl;
	uint8_t proto;

	if (type == 0x0800 && len >= IPV4_HDR_MIN) {
		hl = (size_t)(l3[0] & 0x0f) * 4;
		proto = l3[9];
		h = mix_bytes(h, l3 + 12, 8);
		/* Ports only from the first fragment. */
		if ((l3[6] & 0x3f) != 0 || l3[7] != 0)
			return mix32(h, proto);
	} else if (type == 0x86dd && len >= IPV6_HDR_LEN) {
		hl = IPV6_HDR_LEN;
		proto = l3[6];
		h = mix_bytes(h, l3 + 8, 32);
	} else
		return h;
	h = mix32(h, proto);
	if ((proto == 6 || proto == 17 || proto == 132) && len >= hl + 4)
		h = mix_bytes(h, l3 + hl, 4);
	return h;
}

uint32_t
flow_hash(const uint8_t *frame, size_t len)
{
	uint32_t h = 0x9747b28cu;
	uint16_t type;

	if (len < ETHER_HDR_LEN)
		return h;
	h = mix_bytes(h, frame, 12);
	type = (uint16_t)(frame[12] << 8 | frame[13]);
	h = flow_hash_l3(h, type, frame + ETHER_HDR_LEN, len - ETHER_HDR_LEN);
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

bool
frame_forbids_fragments(const uint8_t *f, size_t len)
{
	size_t l3 = ETHER_HDR_LEN;
	uint16_t type;

	if (len < ETHER_HDR_LEN)
		return true;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x8100 || type == 0x88a8) { /* one VLAN tag */
		if (len < ETHER_HDR_LEN + 4)
			return true;
		type = (uint16_t)(f[16] << 8 | f[17]);
		l3 += 4;
	}
	if (type != 0x0800 || len < l3 + IPV4_HDR_MIN)
		return true;
	return (f[l3 + 6] & 0x40) != 0; /* the DF bit */
}
