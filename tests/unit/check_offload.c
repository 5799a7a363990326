/*
 * check_offload.c: userspace TSO and GRO against hand-built frames, with
 * checksums verified by a separate, naive RFC 1071 implementation.
 */
#include <arpa/inet.h>
#include <string.h>

#include "check_main.h"
#include "net/csum.h"
#include "net/gro.h"
#include "net/offload.h"
#include "naive_csum.h"

static uint8_t frame[70000], out[200000], gbuf[VNET_HDR_LEN + FRAME_MAX];

/* Whether the TCP checksum of a whole frame verifies. */
static int
tcp_ok(const uint8_t *f, size_t len, int v6)
{
	size_t l4 = v6 ? 54 : 34, l4len = len - l4;
	uint32_t s = 0;

	if (v6)
		s = naive_sum(f + 22, 32, 0);
	else
		s = naive_sum(f + 26, 8, 0);
	s += IPPROTO_TCP + (uint32_t)l4len;
	return naive_sum(f + l4, l4len, s) == 0xffff;
}

/*
 * csum_add against naive_sum: every length 0..300 at every alignment 0..7,
 * whole and in two pieces split at an even offset.  Folded sums are in
 * memory byte order, so compare after swapping to network order.
 */
START_TEST(csum_matches_naive)
{
	static uint8_t buf[320];
	size_t len, off, cut;
	uint16_t want, got;

	for (len = 0; len < sizeof buf; len++)
		buf[len] = (uint8_t)(len * 151 + 7 + (len >> 3));
	for (len = 0; len <= 300; len++)
		for (off = 0; off < 8; off++) {
			want = naive_sum(buf + off, len, 0);
			got = ntohs(csum_fold(csum_add(0, buf + off, len)));
			ck_assert_uint_eq(got, want);
			cut = len / 2 & ~(size_t)1;
			got = ntohs(csum_fold(csum_add(csum_add(0, buf + off,
			    cut), buf + off + cut, len - cut)));
			ck_assert_uint_eq(got, want);
		}
}
END_TEST

static size_t
build(int v6, size_t payload, uint8_t flags)
{
	size_t l3 = 14, l4 = v6 ? 54 : 34, hl = l4 + 32, i;
	uint8_t *ip = frame + l3, *tcp = frame + l4;

	memset(frame, 0, hl);
	memcpy(frame, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	if (!v6) {
		frame[12] = 0x08;
		ip[0] = 0x45;
		ip[2] = (uint8_t)((hl - l3 + payload) >> 8);
		ip[3] = (uint8_t)(hl - l3 + payload);
		ip[4] = 0x12; ip[5] = 0x34;	/* id */
		ip[6] = 0x40;			/* DF */
		ip[8] = 64; ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, "\x0a\x0a\0\x0b\x0a\x0a\0\x15", 8);
	} else {
		frame[12] = 0x86; frame[13] = 0xdd;
		ip[0] = 0x60;
		ip[4] = (uint8_t)((hl - l4 + payload) >> 8);
		ip[5] = (uint8_t)(hl - l4 + payload);
		ip[6] = IPPROTO_TCP; ip[7] = 64;
		ip[8] = 0xfd; ip[23] = 1; ip[24] = 0xfd; ip[39] = 2;
	}
	tcp[0] = 0x9c; tcp[1] = 0x40; tcp[2] = 0x13; tcp[3] = 0x89;
	memcpy(tcp + 4, "\xff\xff\xf0\x00", 4);	/* seq wraps */
	memcpy(tcp + 8, "\0\0\0\x07", 4);
	tcp[12] = 8 << 4;
	tcp[13] = flags;
	tcp[14] = 0x01;
	memcpy(tcp + 20, "\x01\x01\x08\x0a\0\0\0\x09\0\0\0\x0a", 12);
	for (i = 0; i < payload; i++)
		frame[hl + i] = (uint8_t)(i * 7 + 3);
	return hl + payload;
}

static struct vnet_hdr
gso_hdr(int v6, uint16_t mss)
{
	struct vnet_hdr h = { VNET_F_NEEDS_CSUM, v6 ? VNET_GSO_TCPV6 :
	    VNET_GSO_TCPV4, 0, mss, v6 ? 54 : 34, 16 };
	return h;
}

static void
check_segments(int v6, size_t payload, uint16_t mss, uint8_t flags)
{
	size_t len = build(v6, payload, flags), l4 = v6 ? 54 : 34, hl = l4 + 32;
	size_t off;
	struct vnet_hdr h = gso_hdr(v6, mss);
	struct tso_seg segs[TSO_MAX_SEGS];
	int i, n = tso_segment(frame, len, &h, out, sizeof out, segs);
	uint32_t seq;

	ck_assert_int_eq(n, (int)((payload + mss - 1) / mss));
	for (i = 0, off = 0; i < n; i++) {
		const uint8_t *f = segs[i].frame;
		size_t plen = i < n - 1 ? mss : payload - off;
		uint8_t want = flags;
		ck_assert_uint_eq(segs[i].len, hl + plen);
		ck_assert(tcp_ok(f, segs[i].len, v6));
		if (!v6) {
			ck_assert_uint_eq(naive_sum(f + 14, 20, 0), 0xffff);
			ck_assert_uint_eq(f[16] << 8 | f[17], hl - 14 + plen);
			ck_assert_uint_eq(f[18] << 8 | f[19], 0x1234 + i);
		} else
			ck_assert_uint_eq(f[18] << 8 | f[19], 32 + plen);
		seq = (uint32_t)f[l4 + 4] << 24 | (uint32_t)f[l4 + 5] << 16 |
		    (uint32_t)f[l4 + 6] << 8 | f[l4 + 7];
		ck_assert_uint_eq(seq, 0xfffff000u + (uint32_t)off);
		if (i < n - 1)
			want &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i > 0)
			want &= (uint8_t)~TCP_CWR;
		ck_assert_uint_eq(f[l4 + 13], want);
		ck_assert(memcmp(f + hl, frame + hl + off, plen) == 0);
		/* TCP options kept */
		ck_assert(memcmp(f + l4 + 20, frame + l4 + 20, 12) == 0);
		off += plen;
	}
	ck_assert_uint_eq(off, payload);
}

START_TEST(tso_ipv4_options_last_short)
{
	check_segments(0, 5000, 1448, TCP_ACK | TCP_PSH | TCP_FIN);
}
END_TEST

START_TEST(tso_ipv6_cwr_exact_multiple)
{
	check_segments(1, 4 * 1428, 1428, TCP_ACK | TCP_CWR | TCP_PSH);
	check_segments(1, 1, 1428, TCP_ACK);
	check_segments(0, 65000, 1000, TCP_ACK);
}
END_TEST

static const struct {
	struct vnet_hdr h;
	int v6frame;
	enum drop_reason want;
} bad_vnet[] = {
	{ { 1, VNET_GSO_TCPV4, 0, 0, 34, 16 }, 0, DROP_BAD_VNET },	/* mss 0 */
	{ { 1, 3, 0, 1400, 34, 6 }, 0, DROP_BAD_VNET },		/* UDP GSO */
	{ { 1, 0, 0, 0, 60000, 16 }, 0, DROP_BAD_VNET },	/* start out */
	{ { 1, 0, 0, 0, 34, 60000 }, 0, DROP_BAD_VNET },	/* offset out */
	{ { 1, 0, 0, 0, 2, 16 }, 0, DROP_BAD_VNET },		/* in Ethernet */
	{ { 1, VNET_GSO_TCPV6, 0, 1400, 34, 16 }, 0, DROP_BAD_VNET },
	{ { 1, VNET_GSO_TCPV4, 0, 1400, 54, 16 }, 1, DROP_BAD_VNET },
	{ { 1, VNET_GSO_TCPV4, 0, 1, 34, 16 }, 0, DROP_BAD_VNET },/* > 256 */
	{ { 0, 0, 0, 0, 0, 0 }, 0, DROP_NONE },
	{ { 1, VNET_GSO_TCPV4 | VNET_GSO_ECN, 0, 1400, 34, 16 }, 0,
	    DROP_NONE },
};

START_TEST(vnet_bad_headers)
{
	static uint8_t buf[VNET_HDR_LEN + 70000];
	size_t len = build(bad_vnet[_i].v6frame, 3000, TCP_ACK);
	struct vnet_hdr h;

	memcpy(buf, &bad_vnet[_i].h, VNET_HDR_LEN);
	memcpy(buf + VNET_HDR_LEN, frame, len);
	ck_assert_int_eq(vnet_parse(buf, VNET_HDR_LEN + len, &h),
	    bad_vnet[_i].want);
	ck_assert_int_eq(vnet_parse(buf, 5, &h), DROP_RUNT);
	/* Not TCP at all with a TCP GSO type. */
	buf[VNET_HDR_LEN + 14 + 9] = IPPROTO_UDP;
	if (bad_vnet[_i].h.gso_type != 0 && bad_vnet[_i].want == DROP_NONE)
		ck_assert_int_eq(vnet_parse(buf, VNET_HDR_LEN + len, &h),
		    DROP_BAD_VNET);
}
END_TEST

START_TEST(gro_joins_and_round_trips)
{
	int v6 = _i;
	size_t len = build(v6, 10000, TCP_ACK | TCP_PSH), glen;
	struct vnet_hdr h = gso_hdr(v6, 1400), gh;
	struct tso_seg segs[TSO_MAX_SEGS], again[TSO_MAX_SEGS];
	static uint8_t out2[200000];
	struct gro g = { .buf = gbuf };
	uint8_t *merged;
	int i, n = tso_segment(frame, len, &h, out, sizeof out, segs), m;

	ck_assert(gro_start(&g, 7, segs[0].frame, segs[0].len));
	for (i = 1; i < n; i++)
		ck_assert_msg(gro_append(&g, 7, segs[i].frame, segs[i].len),
		    "segment %d", i);
	glen = gro_take(&g, &merged, &m);
	ck_assert_int_eq(m, n);
	ck_assert_uint_eq(g.len, 0);
	memcpy(&gh, merged, VNET_HDR_LEN);
	ck_assert_uint_eq(gh.gso_type, v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4);
	ck_assert_uint_eq(gh.gso_size, 1400);
	ck_assert_uint_eq(gh.flags, VNET_F_NEEDS_CSUM);
	ck_assert_uint_eq(glen - VNET_HDR_LEN, len);
	/* The kernel would cut it again: the same segments come out. */
	ck_assert_int_eq(vnet_parse(merged, glen, &gh), DROP_NONE);
	ck_assert_int_eq(tso_segment(merged + VNET_HDR_LEN, len, &gh, out2,
	    sizeof out2, again), n);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(again[i].len, segs[i].len);
		ck_assert(memcmp(again[i].frame, segs[i].frame,
		    segs[i].len) == 0);
	}
	/* Completing the partial checksum gives the whole frame's. */
	offload_finish(merged + VNET_HDR_LEN, len, &gh);
	ck_assert(tcp_ok(merged + VNET_HDR_LEN, len, v6));
	ck_assert(memcmp(merged + VNET_HDR_LEN + len - 9000, frame + len - 9000,
	    9000) == 0);
}
END_TEST

START_TEST(gro_refuses)
{
	size_t len = build(0, 6000, TCP_ACK);
	struct vnet_hdr h = gso_hdr(0, 1500);
	struct tso_seg s[8];
	struct gro g = { .buf = gbuf };
	uint8_t *merged, save;
	int n = tso_segment(frame, len, &h, out, sizeof out, s), m;

	ck_assert_int_eq(n, 4);
	ck_assert(gro_start(&g, 1, s[0].frame, s[0].len));
	ck_assert(!gro_append(&g, 2, s[1].frame, s[1].len));	/* other TAP */
	ck_assert(!gro_append(&g, 1, s[2].frame, s[2].len));	/* gap */
	save = s[1].frame[s[1].len - 1];
	s[1].frame[s[1].len - 1] ^= 0x55;			/* corrupt */
	ck_assert(!gro_append(&g, 1, s[1].frame, s[1].len));
	s[1].frame[s[1].len - 1] = save;
	s[1].frame[34 + 1] ^= 1;				/* other port */
	ck_assert(!gro_append(&g, 1, s[1].frame, s[1].len));
	s[1].frame[34 + 1] ^= 1;
	ck_assert(gro_append(&g, 1, s[1].frame, s[1].len));
	gro_take(&g, &merged, &m);
	ck_assert_int_eq(m, 2);
	/* PSH closes a frame; a SYN never starts one. */
	build(0, 3000, TCP_ACK | TCP_PSH);
	n = tso_segment(frame, 3054 + 12, &h, out, sizeof out, s);
	ck_assert_int_eq(n, 2);
	ck_assert(gro_start(&g, 1, s[0].frame, s[0].len));
	ck_assert(gro_append(&g, 1, s[1].frame, s[1].len));
	ck_assert(g.closed);
	gro_take(&g, &merged, &m);
	s[0].frame[34 + 13] = TCP_SYN | TCP_ACK;
	ck_assert(!gro_start(&g, 1, s[0].frame, s[0].len));
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("offload");
	TCase *tc = tcase_create("offload");

	tcase_add_test(tc, csum_matches_naive);
	tcase_add_test(tc, tso_ipv4_options_last_short);
	tcase_add_test(tc, tso_ipv6_cwr_exact_multiple);
	tcase_add_loop_test(tc, vnet_bad_headers, 0,
	    sizeof bad_vnet / sizeof bad_vnet[0]);
	tcase_add_loop_test(tc, gro_joins_and_round_trips, 0, 2);
	tcase_add_test(tc, gro_refuses);
	suite_add_tcase(s, tc);
	return s;
}
