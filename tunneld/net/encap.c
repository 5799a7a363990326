/* encap.c: names, header building and flow entropy. */
#include <string.h>

#include "cursor.h"
#include "encap.h"

static const char *const encap_names[ENCAP_MAX] = {
	[ENCAP_VXLAN] = "vxlan",
	[ENCAP_GRE] = "gre",
	[ENCAP_GREUDP] = "gre-udp",
};

const char *
encap_name(enum encap_type t)
{
	return (unsigned)t < ENCAP_MAX ? encap_names[t] : "unknown";
}

int
encap_parse(const char *s)
{
	int t;

	for (t = 0; t < ENCAP_MAX; t++)
		if (strcmp(s, encap_names[t]) == 0)
			return t;
	return -1;
}

size_t
encap_header_len(enum encap_type t)
{
	return t == ENCAP_VXLAN ? VXLAN_HDR_LEN : GRE_KEY_HDR_LEN;
}

size_t
encap_header(enum encap_type t, uint32_t vni, uint8_t *hdr)
{
	if (t == ENCAP_VXLAN) {
		put_u32(hdr, (uint32_t)VXLAN_FLAG_I << 24);
		put_u32(hdr + 4, (vni & VNI_MASK) << 8);
		return VXLAN_HDR_LEN;
	}
	put_u16(hdr, GRE_FLAG_K);
	put_u16(hdr + 2, GRE_PROTO_TEB);
	put_u32(hdr + 4, (vni & VNI_MASK) << 8);	/* FlowID 0 */
	return GRE_KEY_HDR_LEN;
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

uint16_t
entropy_port(uint32_t hash)
{
	return (uint16_t)(ENTROPY_PORT_MIN + hash % ENTROPY_PORT_SPAN);
}
