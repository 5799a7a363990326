/* offload.c: virtio-net headers and userspace TCP segmentation. */
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "offload.h"
#include "wire.h"

int
tcp_frame_parse(const uint8_t *f, size_t len, struct tcp_frame *t)
{
	size_t l3 = ETHER_HDR_LEN, thl;
	uint16_t type;

	if (len < l3 + 40)
		return -1;
	type = get_u16(f + 12);
	if (type == 0x0800) {
		size_t ihl = (size_t)(f[l3] & 0x0f) * 4;
		if ((f[l3] >> 4) != 4 || ihl < 20 || f[l3 + 9] != IPPROTO_TCP ||
		    (get_u16(f + l3 + 6) & 0x3fff) != 0 ||	/* MF or offset */
		    get_u16(f + l3 + 2) != len - l3)
			return -1;
		t->l4 = l3 + ihl;
		t->v6 = 0;
	} else if (type == 0x86dd) {
		if ((f[l3] >> 4) != 6 || f[l3 + 6] != IPPROTO_TCP ||
		    get_u16(f + l3 + 4) != len - l3 - 40)
			return -1;
		t->l4 = l3 + 40;
		t->v6 = 1;
	} else
		return -1;
	if (len < t->l4 + 20)
		return -1;
	thl = (size_t)(f[t->l4 + 12] >> 4) * 4;
	if (thl < 20 || len < t->l4 + thl)
		return -1;
	t->hl = t->l4 + thl;
	t->payload = len - t->hl;
	return 0;
}

enum drop_reason
vnet_parse(const uint8_t *buf, size_t len, struct vnet_hdr *h)
{
	const uint8_t *frame = buf + VNET_HDR_LEN;
	size_t flen = len - VNET_HDR_LEN;
	struct tcp_frame t;
	uint8_t gso;

	if (len < VNET_HDR_LEN + ETHER_HDR_LEN)
		return DROP_RUNT;
	memcpy(h, buf, VNET_HDR_LEN);
	gso = h->gso_type & (uint8_t)~VNET_GSO_ECN;
	if ((h->flags & VNET_F_NEEDS_CSUM) && ((size_t)h->csum_start +
	    h->csum_offset + 2 > flen || h->csum_start < ETHER_HDR_LEN))
		return DROP_BAD_VNET;
	if (gso == VNET_GSO_NONE)
		return DROP_NONE;
	if ((gso != VNET_GSO_TCPV4 && gso != VNET_GSO_TCPV6) ||
	    h->gso_size == 0 || tcp_frame_parse(frame, flen, &t) != 0 ||
	    t.v6 != (gso == VNET_GSO_TCPV6) || t.payload == 0 ||
	    (t.payload + h->gso_size - 1) / h->gso_size > TSO_MAX_SEGS)
		return DROP_BAD_VNET;
	return DROP_NONE;
}

void
offload_finish(uint8_t *frame, size_t len, const struct vnet_hdr *h)
{
	uint16_t c;

	if (!(h->flags & VNET_F_NEEDS_CSUM))
		return;
	/* The field holds the pseudo-header sum; sum from csum_start on. */
	c = csum_finish(csum_add(0, frame + h->csum_start,
	    len - h->csum_start));
	if (c == 0 && h->csum_offset == 6)
		c = 0xffff;	/* UDP: zero would mean "no checksum" */
	memcpy(frame + h->csum_start + h->csum_offset, &c, 2);
}

size_t
tso_space(size_t len, uint16_t gso_size)
{
	return len + (len / (gso_size ? gso_size : 1) + 1) * TSO_MAX_HDR;
}

/* Fix up one segment's IP and TCP headers and checksums in place. */
static void
tso_fix(uint8_t *f, const struct tcp_frame *t, size_t plen, uint32_t seq,
    uint16_t id, uint8_t flags)
{
	size_t l3 = ETHER_HDR_LEN, l4len = t->hl - t->l4 + plen;
	uint8_t *tcp = f + t->l4;
	uint64_t sum;
	uint16_t c;

	if (!t->v6) {
		put_u16(f + l3 + 2, (uint16_t)(t->hl - l3 + plen));
		put_u16(f + l3 + 4, id);
		memset(f + l3 + 10, 0, 2);
		c = csum_finish(csum_add(0, f + l3, t->l4 - l3));
		memcpy(f + l3 + 10, &c, 2);
		sum = csum_pseudo(f + l3 + 12, f + l3 + 16, 4, IPPROTO_TCP,
		    (uint32_t)l4len);
	} else {
		put_u16(f + l3 + 4, (uint16_t)l4len);
		sum = csum_pseudo(f + l3 + 8, f + l3 + 24, 16, IPPROTO_TCP,
		    (uint32_t)l4len);
	}
	put_u32(tcp + 4, seq);
	tcp[13] = flags;
	memset(tcp + 16, 0, 2);
	c = csum_finish(csum_add(sum, tcp, l4len));
	memcpy(tcp + 16, &c, 2);
}

int
tso_segment(const uint8_t *frame, size_t len, const struct vnet_hdr *h,
    uint8_t *out, size_t cap, struct tso_seg *segs)
{
	struct tcp_frame t;
	size_t off, plen, used = 0, mss = h->gso_size;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
	int n = 0, last;

	if (mss == 0 || tcp_frame_parse(frame, len, &t) != 0 ||
	    t.hl > TSO_MAX_HDR || t.payload == 0 ||
	    (t.payload + mss - 1) / mss > TSO_MAX_SEGS ||
	    cap < tso_space(len, h->gso_size))
		return -1;
	seq = get_u32(frame + t.l4 + 4);
	id = t.v6 ? 0 : get_u16(frame + ETHER_HDR_LEN + 4);
	for (off = 0; off < t.payload; off += plen, n++) {
		plen = t.payload - off < mss ? t.payload - off : mss;
		last = off + plen == t.payload;
		flags = frame[t.l4 + 13];
		if (!last)
			flags &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (n > 0)
			flags &= (uint8_t)~TCP_CWR;
		segs[n].frame = out + used;
		segs[n].len = t.hl + plen;
		memcpy(out + used, frame, t.hl);
		memcpy(out + used + t.hl, frame + t.hl + off, plen);
		tso_fix(out + used, &t, plen, seq + (uint32_t)off,
		    (uint16_t)(id + n), flags);
		used += segs[n].len;
	}
	return n;
}
