/*
 * check_mss.c: MSS clamping on hand-built SYNs (IPv4, IPv6, VLAN, option
 * layouts), with the TCP checksum verified by a separate, naive RFC 1071
 * sum, and frames it must leave alone.
 */
#include <string.h>

#include "check_main.h"
#include "net/mss.h"
#include "naive_csum.h"

static uint8_t f[256];

/* Whether the TCP checksum over [l4, l4 + l4len) verifies. */
static int
tcp_ok(size_t l3, size_t l4, size_t l4len, int v6)
{
	uint32_t s =
	    v6 ? naive_sum(f + l3 + 8, 32, 0) : naive_sum(f + l3 + 12, 8, 0);

	s += 6 + (uint32_t)l4len;
	return naive_sum(f + l4, l4len, s) == 0xffff;
}

static void
set_tcp_csum(size_t l3, size_t l4, size_t l4len, int v6)
{
	uint32_t s =
	    v6 ? naive_sum(f + l3 + 8, 32, 0) : naive_sum(f + l3 + 12, 8, 0);
	uint16_t c;

	f[l4 + 16] = f[l4 + 17] = 0;
	s += 6 + (uint32_t)l4len;
	c = (uint16_t)~naive_sum(f + l4, l4len, s);
	f[l4 + 16] = (uint8_t)(c >> 8);
	f[l4 + 17] = (uint8_t)c;
}

/*
 * A SYN (flags) with the given TCP options and 4 bytes of payload, over
 * IPv4 or IPv6, behind a VLAN tag if vlan; returns the frame's length and
 * the TCP header's offset in *l4.
 */
static size_t
syn(int v6, int vlan, uint8_t flags, const uint8_t *opt, size_t optlen,
    size_t *l3p, size_t *l4p)
{
	size_t l3 = 14 + (vlan ? 4 : 0), l4 = l3 + (v6 ? 40 : 20);
	size_t tcplen = 20 + optlen + 4, i;

	memset(f, 0, sizeof f);
	memset(f, 0x02, 12);
	if (vlan) {
		f[12] = 0x81;
		f[14] = 0x00;
		f[15] = 0x05;
	}
	f[l3 - 2] = v6 ? 0x86 : 0x08;
	f[l3 - 1] = v6 ? 0xdd : 0x00;
	if (v6) {
		f[l3] = 0x60;
		f[l3 + 4] = (uint8_t)(tcplen >> 8);
		f[l3 + 5] = (uint8_t)tcplen;
		f[l3 + 6] = 6;
		f[l3 + 7] = 64;
		for (i = 0; i < 32; i++)
			f[l3 + 8 + i] = (uint8_t)(0x20 + i * 7);
	} else {
		f[l3] = 0x45;
		f[l3 + 2] = (uint8_t)((20 + tcplen) >> 8);
		f[l3 + 3] = (uint8_t)(20 + tcplen);
		f[l3 + 8] = 64;
		f[l3 + 9] = 6;
		memcpy(f + l3 + 12, "\x0a\x0a\x00\x0b\x0a\x0a\x00\x15", 8);
	}
	f[l4] = 0x9c;
	f[l4 + 1] = 0x41;
	f[l4 + 3] = 80;
	f[l4 + 7] = 1;
	f[l4 + 12] = (uint8_t)((20 + optlen) / 4 << 4);
	f[l4 + 13] = flags;
	f[l4 + 14] = 0xfa;
	if (optlen > 0)
		memcpy(f + l4 + 20, opt, optlen);
	memcpy(f + l4 + 20 + optlen, "data", 4);
	set_tcp_csum(l3, l4, tcplen, v6);
	*l3p = l3;
	*l4p = l4;
	return l4 + tcplen;
}

static const struct {
	const char *name;
	int v6, vlan;
	uint8_t opt[40];
	size_t optlen, mss_at; /* offset of the MSS value in the options */
} cases[] = {
	{ "v4, MSS alone", 0, 0, { 2, 4, 0x05, 0xb4 }, 4, 2 },
	{ "v6, MSS alone", 1, 0, { 2, 4, 0x05, 0xa0 }, 4, 2 },
	/* Linux's SYN: MSS, SACK-permitted, timestamps, NOP, window scale. */
	{ "v4, Linux layout", 0, 0,
	    { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3,
		7 },
	    20, 2 },
	/* An odd offset: the value straddles two checksum words. */
	{ "v4, MSS after one NOP", 0, 0, { 1, 2, 4, 0x05, 0xb4, 1, 1, 1 }, 8,
	    3 },
	{ "v6, MSS after window scale", 1, 0, { 3, 3, 7, 2, 4, 0x23, 0x28, 0 },
	    8, 5 },
	{ "v4 behind 802.1Q", 0, 1, { 2, 4, 0x05, 0xb4 }, 4, 2 },
};

START_TEST(clamps_and_checksums)
{
	size_t l3, l4,
	    len = syn(cases[_i].v6, cases[_i].vlan, 0x02, cases[_i].opt,
		cases[_i].optlen, &l3, &l4);
	size_t at = l4 + 20 + cases[_i].mss_at;
	unsigned want = cases[_i].v6 ? 1430 - 60 : 1450 - 40;
	unsigned mtu = cases[_i].v6 ? 1430 : 1450;

	ck_assert_msg(tcp_ok(l3, l4, len - l4, cases[_i].v6), "%s: bad test",
	    cases[_i].name);
	ck_assert_msg(mss_clamp(f, len, mtu), "%s: not clamped",
	    cases[_i].name);
	ck_assert_uint_eq((unsigned)(f[at] << 8 | f[at + 1]), want);
	ck_assert_msg(tcp_ok(l3, l4, len - l4, cases[_i].v6),
	    "%s: checksum wrong after clamping", cases[_i].name);
	/* Already small enough: nothing to do. */
	ck_assert(!mss_clamp(f, len, mtu));
	ck_assert(!mss_clamp(f, len, 9000));
	/* The SYN-ACK too. */
	len = syn(cases[_i].v6, cases[_i].vlan, 0x12, cases[_i].opt,
	    cases[_i].optlen, &l3, &l4);
	ck_assert(mss_clamp(f, len, mtu));
	ck_assert(tcp_ok(l3, l4, len - l4, cases[_i].v6));
}
END_TEST

START_TEST(leaves_others_alone)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t bad[] = { 8, 0, 2, 4, 0x05, 0xb4 };
	static const uint8_t over[] = { 1, 1, 8, 12, 0, 0 };
	uint8_t copy[sizeof f];
	size_t l3, l4, len;

	/* An ACK, not a SYN (a TSO super-frame is never a SYN). */
	len = syn(0, 0, 0x10, mss, sizeof mss, &l3, &l4);
	memcpy(copy, f, sizeof f);
	ck_assert(!mss_clamp(f, len, 1000));
	ck_assert_mem_eq(f, copy, sizeof f);
	/* No MSS option; a zero-length option; one running past the header. */
	len = syn(0, 0, 0x02, NULL, 0, &l3, &l4);
	ck_assert(!mss_clamp(f, len, 1000));
	len = syn(0, 0, 0x02, bad, sizeof bad, &l3, &l4);
	ck_assert(!mss_clamp(f, len, 1000));
	len = syn(1, 0, 0x02, over, sizeof over, &l3, &l4);
	ck_assert(!mss_clamp(f, len, 1000));
	/* A truncated frame, at every length. */
	len = syn(0, 1, 0x02, mss, sizeof mss, &l3, &l4);
	for (size_t n = 0; n < len - 4; n++) {
		memcpy(copy, f, sizeof f);
		ck_assert(!mss_clamp(copy, n, 1000));
	}
	/* UDP, and an IPv4 fragment that is not the first. */
	len = syn(0, 0, 0x02, mss, sizeof mss, &l3, &l4);
	f[l3 + 9] = 17;
	ck_assert(!mss_clamp(f, len, 1000));
	f[l3 + 9] = 6;
	f[l3 + 7] = 0x10;
	ck_assert(!mss_clamp(f, len, 1000));
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("mss");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, clamps_and_checksums, 0,
	    sizeof cases / sizeof cases[0]);
	tcase_add_test(tc, leaves_others_alone);
	suite_add_tcase(s, tc);
	return s;
}
