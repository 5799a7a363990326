/* vxlan.c: the VXLAN header, RFC 7348 section 5. */
#include "cursor.h"
#include "encap.h"

/*
 * The I flag must be set and every other flag and reserved bit must be zero:
 * RFC 7348 says to ignore reserved bits, but a header with extension bits we
 * do not implement (GBP, GPE) would be misread, so like Linux's vxlan_rcv we
 * refuse it.
 */
enum drop_reason
vxlan_decap(const uint8_t *buf, size_t len, struct decap *d)
{
	struct cursor c;
	uint32_t word0, word1;

	cur_init(&c, buf, len);
	if (!cur_u32(&c, &word0) || !cur_u32(&c, &word1))
		return DROP_TRUNCATED;
	if (word0 == VXLAN_PROBE_WORD0 && word1 == 0) {
		d->kind = WIRE_PROBE;
		d->vni = 0;
		d->frame = c.p;
		d->frame_len = c.left;
		return DROP_NONE;
	}
	if (word0 == VXLAN_TEST_WORD0)
		d->kind = WIRE_TEST;
	else if (word0 == (uint32_t)VXLAN_FLAG_I << 24)
		d->kind = WIRE_FRAME;
	else
		return DROP_BAD_FLAGS;
	if ((word1 & 0xff) != 0)
		return DROP_BAD_FLAGS;
	if (c.left < ETHER_HDR_LEN)
		return DROP_RUNT;
	d->vni = word1 >> 8;
	d->frame = c.p;
	d->frame_len = c.left;
	return DROP_NONE;
}

static size_t
vxlan_build(uint32_t vni, uint8_t *hdr)
{
	put_u32(hdr, (uint32_t)VXLAN_FLAG_I << 24);
	put_u32(hdr + 4, (vni & VNI_MASK) << 8);
	return VXLAN_HDR_LEN;
}

static size_t
vxlan_build_test(uint32_t id, uint8_t *hdr)
{
	put_u32(hdr, VXLAN_TEST_WORD0);
	put_u32(hdr + 4, (id & VNI_MASK) << 8);
	return VXLAN_HDR_LEN;
}

static size_t
vxlan_build_probe(uint8_t *hdr)
{
	put_u32(hdr, VXLAN_PROBE_WORD0);
	put_u32(hdr + 4, 0);
	return VXLAN_HDR_LEN;
}

const struct encap_ops encap_vxlan = {
	.name = "vxlan",
	.title = "VXLAN",
	.transport = ENCAP_OVER_UDP,
	.default_port = VXLAN_DEFAULT_PORT,
	.hdr_len = VXLAN_HDR_LEN,
	.build = vxlan_build,
	.build_test = vxlan_build_test,
	.build_probe = vxlan_build_probe,
	.decap = vxlan_decap,
};
