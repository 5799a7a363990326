/* gre.c: GRE header parsing, RFC 2784 and RFC 2890, for 0x6558 only. */
#include "csum.h"
#include "cursor.h"
#include "encap.h"

/*
 * Accepts the optional checksum (verified) and sequence number (skipped: an
 * L2 tunnel leaves ordering to the inner protocols), requires the key, and
 * refuses reserved bits, other versions and other protocols.
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
	if ((flags & ~(GRE_FLAG_C | GRE_FLAG_K | GRE_FLAG_S)) != 0)
		return DROP_BAD_FLAGS;
	if (proto != GRE_PROTO_TEB)
		return DROP_BAD_PROTO;
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

/*
 * A raw IPPROTO_GRE socket hands over the whole IPv4 packet, reassembled.
 * Check the header before trusting its length fields.
 */
enum drop_reason
ip4_gre_payload(const uint8_t *buf, size_t len, const uint8_t **payload,
    size_t *payload_len)
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
	if (buf[9] != IPPROTO_GRE_)
		return DROP_BAD_PROTO;
	*payload = buf + hl;
	*payload_len = total - hl;
	return DROP_NONE;
}
