/*
 * gre.c: the GRE header, RFC 2784 and RFC 2890, for 0x6558 only, over IP
 * (protocol 47) and in UDP (RFC 8086).
 */
#include "csum.h"
#include "cursor.h"
#include "encap.h"

/*
 * Accepts the optional checksum (verified) and sequence number (skipped: an
 * L2 tunnel leaves ordering to the inner protocols), requires the key, and
 * refuses reserved bits, other versions and other protocols.  A bare
 * header of protocol GRE_PROTO_PROBE is a probe; GRE_PROTO_TEST with the
 * key, a test's frame.
 */
enum drop_reason
gre_decap(const uint8_t *buf, size_t len, struct decap *d)
{
	struct cursor c;
	uint16_t flags, proto;
	uint32_t key;

	cur_init(&c, buf, len);
	if (!cur_u16(&c, &flags) || !cur_u16(&c, &proto))
		return DROP_TRUNCATED;
	if ((flags & GRE_VERSION_MASK) != 0)
		return DROP_BAD_VERSION;
	if (flags == 0 && proto == GRE_PROTO_PROBE) {
		d->kind = WIRE_PROBE;
		d->vni = 0;
		d->frame = c.p;
		d->frame_len = c.left;
		return DROP_NONE;
	}
	if ((flags & ~(GRE_FLAG_C | GRE_FLAG_K | GRE_FLAG_S)) != 0)
		return DROP_BAD_FLAGS;
	if (proto != GRE_PROTO_TEB && proto != GRE_PROTO_TEST)
		return DROP_BAD_PROTO;
	d->kind = proto == GRE_PROTO_TEST ? WIRE_TEST : WIRE_FRAME;
	if ((flags & GRE_FLAG_C) != 0) {
		if (!cur_skip(&c, GRE_OPT_LEN))
			return DROP_TRUNCATED;
		if (csum_fold(csum_add(0, buf, len)) != 0xffff)
			return DROP_BAD_CHECKSUM;
	}
	if ((flags & GRE_FLAG_K) == 0)
		return DROP_NO_KEY;
	if (!cur_u32(&c, &key))
		return DROP_TRUNCATED;
	if ((flags & GRE_FLAG_S) != 0 && !cur_skip(&c, GRE_OPT_LEN))
		return DROP_TRUNCATED;
	if (c.left < ETHER_HDR_LEN)
		return DROP_RUNT;
	d->vni = key >> 8;
	d->frame = c.p;
	d->frame_len = c.left;
	return DROP_NONE;
}

/* The key carries the VNI as NVGRE's VSID, with FlowID 0 (RFC 7637). */
static size_t
gre_keyed(uint16_t proto, uint32_t vni, uint8_t *hdr)
{
	put_u16(hdr, GRE_FLAG_K);
	put_u16(hdr + 2, proto);
	put_u32(hdr + 4, (vni & VNI_MASK) << 8);
	return GRE_KEY_HDR_LEN;
}

static size_t
gre_build(uint32_t vni, uint8_t *hdr)
{
	return gre_keyed(GRE_PROTO_TEB, vni, hdr);
}

static size_t
gre_build_test(uint32_t id, uint8_t *hdr)
{
	return gre_keyed(GRE_PROTO_TEST, id, hdr);
}

static size_t
gre_build_probe(uint8_t *hdr)
{
	put_u16(hdr, 0);
	put_u16(hdr + 2, GRE_PROTO_PROBE);
	return GRE_PROBE_HDR_LEN;
}

const struct encap_ops encap_gre = {
	.name = "gre",
	.title = "GRE",
	.transport = ENCAP_OVER_IP,
	.ip_proto = IPPROTO_GRE_,
	.hdr_len = GRE_KEY_HDR_LEN,
	.build = gre_build,
	.build_test = gre_build_test,
	.build_probe = gre_build_probe,
	.decap = gre_decap,
};

const struct encap_ops encap_greudp = {
	.name = "gre-udp",
	.title = "GRE-in-UDP",
	.transport = ENCAP_OVER_UDP,
	.default_port = GREUDP_DEFAULT_PORT,
	.hdr_len = GRE_KEY_HDR_LEN,
	.build = gre_build,
	.build_test = gre_build_test,
	.build_probe = gre_build_probe,
	.decap = gre_decap,
};
