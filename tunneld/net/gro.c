/* gro.c: coalescing consecutive TCP segments into one TAP write. */
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "cursor.h"
#include "gro.h"

static uint64_t
pseudo(const uint8_t *f, const struct tcp_frame *t, size_t l4len)
{
	const uint8_t *ip = f + ETHER_HDR_LEN;

	return t->v6 ? csum_pseudo(ip + 8, ip + 24, 16, IPPROTO_TCP,
	    (uint32_t)l4len) : csum_pseudo(ip + 12, ip + 16, 4, IPPROTO_TCP,
	    (uint32_t)l4len);
}

bool
tcp_frame_csum_ok(const uint8_t *f, size_t len, const struct tcp_frame *t)
{
	if (!t->v6 && csum_fold(csum_add(0, f + ETHER_HDR_LEN,
	    t->l4 - ETHER_HDR_LEN)) != 0xffff)
		return false;
	return csum_fold(csum_add(pseudo(f, t, len - t->l4), f + t->l4,
	    len - t->l4)) == 0xffff;
}

/* A segment that may take part: ACK with data, nothing but PSH besides. */
static bool
joinable(const uint8_t *f, size_t len, struct tcp_frame *t)
{
	uint8_t flags;

	if (tcp_frame_parse(f, len, t) != 0 || t->payload == 0)
		return false;
	flags = f[t->l4 + 13];
	return (flags & (uint8_t)~(TCP_ACK | TCP_PSH)) == 0 &&
	    (flags & TCP_ACK) && tcp_frame_csum_ok(f, len, t);
}

bool
gro_start(struct gro *g, int key, const uint8_t *f, size_t len)
{
	struct tcp_frame t;

	if (len > FRAME_MAX || !joinable(f, len, &t) ||
	    (f[t.l4 + 13] & TCP_PSH))
		return false;
	memcpy(g->buf + VNET_HDR_LEN, f, len);
	g->len = len;
	g->key = key;
	g->t = t;
	g->nsegs = 1;
	g->mss = t.payload;
	g->next_seq = get_u32(f + t.l4 + 4) + (uint32_t)t.payload;
	g->next_id = t.v6 ? 0 : (uint16_t)(get_u16(f + ETHER_HDR_LEN + 4) + 1);
	g->closed = g->push = false;
	return true;
}

/* Whether f's headers match the pending frame's where they must. */
static bool
same_headers(const struct gro *g, const uint8_t *f, const struct tcp_frame *t)
{
	const uint8_t *p = g->buf + VNET_HDR_LEN, *ip = f + ETHER_HDR_LEN;
	const uint8_t *pip = p + ETHER_HDR_LEN;
	size_t l4 = t->l4, hl = t->hl;

	if (t->v6 != g->t.v6 || l4 != g->t.l4 || hl != g->t.hl ||
	    memcmp(f, p, ETHER_HDR_LEN) != 0)
		return false;
	if (!t->v6) {	/* all but length, id and checksum */
		if (memcmp(ip, pip, 2) != 0 || memcmp(ip + 6, pip + 6, 4) != 0
		    || memcmp(ip + 12, pip + 12, l4 - ETHER_HDR_LEN - 12) != 0)
			return false;
		if (get_u16(ip + 4) != g->next_id && get_u16(ip + 4) !=
		    get_u16(pip + 4))
			return false;
	} else if (memcmp(ip, pip, 4) != 0 || memcmp(ip + 6, pip + 6, 34) != 0)
		return false;
	/* TCP: ports, ack, offset, window, urgent, options. */
	return memcmp(f + l4, p + l4, 4) == 0 &&
	    memcmp(f + l4 + 8, p + l4 + 8, 5) == 0 &&
	    memcmp(f + l4 + 14, p + l4 + 14, 2) == 0 &&
	    memcmp(f + l4 + 18, p + l4 + 18, hl - l4 - 18) == 0;
}

bool
gro_append(struct gro *g, int key, const uint8_t *f, size_t len)
{
	struct tcp_frame t;

	if (g->len == 0 || g->closed || key != g->key ||
	    !joinable(f, len, &t) || t.payload > g->mss ||
	    g->len + t.payload > FRAME_MAX ||
	    get_u32(f + t.l4 + 4) != g->next_seq || !same_headers(g, f, &t))
		return false;
	memcpy(g->buf + VNET_HDR_LEN + g->len, f + t.hl, t.payload);
	g->len += t.payload;
	g->nsegs++;
	g->next_seq += (uint32_t)t.payload;
	g->next_id++;
	if (f[t.l4 + 13] & TCP_PSH)
		g->push = g->closed = true;
	if (t.payload < g->mss)
		g->closed = true;
	return true;
}

size_t
gro_take(struct gro *g, uint8_t **out, int *nsegs)
{
	uint8_t *f = g->buf + VNET_HDR_LEN, *ip = f + ETHER_HDR_LEN;
	struct vnet_hdr h = { 0 };
	size_t len = g->len;
	uint16_t c;

	*out = g->buf;
	*nsegs = g->nsegs;
	g->len = 0;
	if (g->nsegs > 1) {
		if (!g->t.v6) {
			put_u16(ip + 2, (uint16_t)(len - ETHER_HDR_LEN));
			memset(ip + 10, 0, 2);
			c = csum_finish(csum_add(0, ip, g->t.l4 -
			    ETHER_HDR_LEN));
			memcpy(ip + 10, &c, 2);
		} else
			put_u16(ip + 4, (uint16_t)(len - g->t.l4));
		if (g->push)
			f[g->t.l4 + 13] |= TCP_PSH;
		/* Partial checksum: the pseudo-header sum, not complemented. */
		c = csum_fold(pseudo(f, &g->t, len - g->t.l4));
		memcpy(f + g->t.l4 + 16, &c, 2);
		h.flags = VNET_F_NEEDS_CSUM;
		h.gso_type = g->t.v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
		h.hdr_len = (uint16_t)g->t.hl;
		h.gso_size = (uint16_t)g->mss;
		h.csum_start = (uint16_t)g->t.l4;
		h.csum_offset = 16;
	} else
		h.flags = VNET_F_DATA_VALID;	/* checked on the way in */
	memcpy(g->buf, &h, VNET_HDR_LEN);
	return VNET_HDR_LEN + len;
}
