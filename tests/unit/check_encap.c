/* check_encap.c: VXLAN, GRE and GRE-in-UDP headers, good and malformed. */
#include <string.h>
#include <sys/socket.h>

#include "check_main.h"
#include "net/csum.h"
#include "net/encap.h"
#include "net/probe.h"

/* An inner frame: broadcast ARP request from 02:00:00:00:00:01. */
static const uint8_t inner[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
};

static size_t
build(enum encap_type t, uint32_t vni, uint8_t *out)
{
	size_t h = encap_ops(t)->build(vni, out);

	memcpy(out + h, inner, sizeof inner);
	return h + sizeof inner;
}

START_TEST(vxlan_header_bytes)
{
	/* RFC 7348 section 5: flags 0x08, 24 reserved, VNI, 8 reserved. */
	static const uint8_t want[8] = { 0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0 };
	uint8_t hdr[ENCAP_HDR_MAX];

	ck_assert_uint_eq(encap_ops(ENCAP_VXLAN)->build(0x123456, hdr), 8);
	ck_assert_mem_eq(hdr, want, 8);
}
END_TEST

START_TEST(gre_header_bytes)
{
	/* RFC 2890: K bit, protocol 0x6558, key = VSID << 8 | FlowID 0. */
	static const uint8_t want[8] = { 0x20, 0x00, 0x65, 0x58, 0x12, 0x34,
		0x56, 0x00 };
	uint8_t hdr[ENCAP_HDR_MAX];

	ck_assert_uint_eq(encap_ops(ENCAP_GRE)->build(0x123456, hdr), 8);
	ck_assert_mem_eq(hdr, want, 8);
	ck_assert_uint_eq(encap_ops(ENCAP_GREUDP)->build(0x123456, hdr), 8);
	ck_assert_mem_eq(hdr, want, 8);
}
END_TEST

START_TEST(roundtrip)
{
	uint8_t buf[128];
	struct decap d;
	size_t n;

	n = build(ENCAP_VXLAN, 4242, buf);
	ck_assert_int_eq(vxlan_decap(buf, n, &d), DROP_NONE);
	ck_assert_uint_eq(d.vni, 4242);
	ck_assert_uint_eq(d.frame_len, sizeof inner);
	ck_assert_mem_eq(d.frame, inner, sizeof inner);

	n = build(ENCAP_GRE, VNI_MAX, buf);
	ck_assert_int_eq(gre_decap(buf, n, &d), DROP_NONE);
	ck_assert_uint_eq(d.vni, VNI_MAX);
	ck_assert_mem_eq(d.frame, inner, sizeof inner);
}
END_TEST

/* Table of malformed headers and the reason each must give. */
struct bad_case {
	const char *what;
	uint8_t hdr[20];
	size_t hlen;
	size_t inner_len;
	enum drop_reason want;
};

static const struct bad_case vxlan_bad[] = {
	{ "empty", { 0 }, 0, 0, DROP_TRUNCATED },
	{ "7 bytes", { 0x08, 0, 0, 0, 0, 0, 1 }, 7, 0, DROP_TRUNCATED },
	{ "no I flag", { 0x00, 0, 0, 0, 0, 0, 1, 0 }, 8, 14, DROP_BAD_FLAGS },
	{ "extra flag", { 0x88, 0, 0, 0, 0, 0, 1, 0 }, 8, 14, DROP_BAD_FLAGS },
	{ "reserved1", { 0x08, 0, 1, 0, 0, 0, 1, 0 }, 8, 14, DROP_BAD_FLAGS },
	{ "reserved2", { 0x08, 0, 0, 0, 0, 0, 1, 7 }, 8, 14, DROP_BAD_FLAGS },
	{ "runt", { 0x08, 0, 0, 0, 0, 0, 1, 0 }, 8, 13, DROP_RUNT },
};

static const struct bad_case gre_bad[] = {
	{ "empty", { 0 }, 0, 0, DROP_TRUNCATED },
	{ "3 bytes", { 0x20, 0, 0x65 }, 3, 0, DROP_TRUNCATED },
	{ "version 1", { 0x20, 0x01, 0x65, 0x58, 0, 0, 1, 0 }, 8, 14,
	    DROP_BAD_VERSION },
	{ "routing bit", { 0x60, 0, 0x65, 0x58, 0, 0, 1, 0 }, 8, 14,
	    DROP_BAD_FLAGS },
	{ "reserved0", { 0x20, 0x80, 0x65, 0x58, 0, 0, 1, 0 }, 8, 14,
	    DROP_BAD_FLAGS },
	{ "IPv4 payload", { 0x20, 0, 0x08, 0x00, 0, 0, 1, 0 }, 8, 14,
	    DROP_BAD_PROTO },
	{ "no key", { 0x00, 0, 0x65, 0x58 }, 4, 14, DROP_NO_KEY },
	{ "key cut", { 0x20, 0, 0x65, 0x58, 0, 0 }, 6, 0, DROP_TRUNCATED },
	{ "seq cut", { 0x30, 0, 0x65, 0x58, 0, 0, 1, 0, 0 }, 9, 0,
	    DROP_TRUNCATED },
	{ "runt", { 0x20, 0, 0x65, 0x58, 0, 0, 1, 0 }, 8, 10, DROP_RUNT },
	{ "bad checksum", { 0xa0, 0, 0x65, 0x58, 0x12, 0x34, 0, 0, 0, 0, 1,
	    0 }, 12, 14, DROP_BAD_CHECKSUM },
};

static void
run_bad(const struct bad_case *c, enum drop_reason (*fn)(const uint8_t *,
    size_t, struct decap *))
{
	uint8_t buf[64];
	struct decap d;

	memcpy(buf, c->hdr, c->hlen);
	memcpy(buf + c->hlen, inner, c->inner_len);
	ck_assert_msg(fn(buf, c->hlen + c->inner_len, &d) == c->want,
	    "case %s: got %s, want %s", c->what,
	    drop_name(fn(buf, c->hlen + c->inner_len, &d)), drop_name(c->want));
}

START_TEST(vxlan_malformed)
{
	run_bad(&vxlan_bad[_i], vxlan_decap);
}
END_TEST

START_TEST(gre_malformed)
{
	run_bad(&gre_bad[_i], gre_decap);
}
END_TEST

START_TEST(gre_checksum_and_sequence)
{
	/* C, K and S set, with a correct checksum: accepted. */
	uint8_t buf[64] = { 0xb0, 0x00, 0x65, 0x58, 0, 0, 0, 0, 0x00, 0x00,
		0x07, 0x00, 0, 0, 0, 42 };
	struct decap d;
	uint16_t sum;

	memcpy(buf + 16, inner, sizeof inner);
	sum = csum_finish(csum_add(0, buf, 16 + sizeof inner));
	memcpy(buf + 4, &sum, sizeof sum);	/* csum.h: memory order */
	ck_assert_int_eq(gre_decap(buf, 16 + sizeof inner, &d), DROP_NONE);
	ck_assert_uint_eq(d.vni, 7);
	ck_assert_mem_eq(d.frame, inner, sizeof inner);
	buf[20] ^= 1;
	ck_assert_int_eq(gre_decap(buf, 16 + sizeof inner, &d),
	    DROP_BAD_CHECKSUM);
}
END_TEST

START_TEST(ip4_raw)
{
	uint8_t pkt[64] = { 0x45, 0, 0, 20 + 8 + 14, 0, 0, 0x40, 0, 64, 47 };
	const uint8_t *pl;
	size_t pll;

	ck_assert_int_eq(ip4_payload(pkt, 20 + 8 + 14, IPPROTO_GRE_, &pl, &pll),
	    DROP_NONE);
	ck_assert_ptr_eq(pl, pkt + 20);
	ck_assert_uint_eq(pll, 22);
	/* Total length larger than what arrived. */
	ck_assert_int_eq(ip4_payload(pkt, 30, IPPROTO_GRE_, &pl, &pll),
	    DROP_TRUNCATED);
	pkt[0] = 0x44;	/* IHL below 5 */
	ck_assert_int_eq(ip4_payload(pkt, 42, IPPROTO_GRE_, &pl, &pll),
	    DROP_TRUNCATED);
	pkt[0] = 0x65;
	ck_assert_int_eq(ip4_payload(pkt, 42, IPPROTO_GRE_, &pl, &pll),
	    DROP_BAD_VERSION);
	pkt[0] = 0x45;
	pkt[9] = 17;
	ck_assert_int_eq(ip4_payload(pkt, 42, IPPROTO_GRE_, &pl, &pll),
	    DROP_BAD_PROTO);
	ck_assert_int_eq(ip4_payload(pkt, 19, IPPROTO_GRE_, &pl, &pll),
	    DROP_TRUNCATED);
}
END_TEST

START_TEST(entropy)
{
	uint8_t f1[64] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0,
		2, 0x30, 0x39, 0x00, 0x50 };
	uint8_t f2[64];
	uint32_t h1;

	memcpy(f2, f1, sizeof f1);
	f2[34 + 1] ^= 1;	/* another source port */
	h1 = flow_hash(f1, 54);
	ck_assert_uint_eq(h1, flow_hash(f1, 54));
	ck_assert_uint_ne(h1, flow_hash(f2, 54));
	/* Truncated frames hash without reading past the end. */
	(void)flow_hash(f1, 20);
	(void)flow_hash(f1, 3);
}
END_TEST

/* Probe headers: what each encapsulation sends, and that decap sees them. */
START_TEST(probe_headers)
{
	static const uint8_t vx[8] = { 0x00, 'T', 'D', 'P', 0, 0, 0, 0 };
	static const uint8_t gre[4] = { 0x00, 0x00, 0x88, 0xb5 };
	struct probe p = { .type = PROBE_REQUEST, .seq = 7, .sent_ns = 99 };
	uint8_t buf[256];
	struct decap d;
	enum encap_type t;
	size_t h;

	ck_assert_uint_eq(encap_ops(ENCAP_VXLAN)->build_probe(buf), 8);
	ck_assert_mem_eq(buf, vx, 8);
	ck_assert_uint_eq(encap_ops(ENCAP_GRE)->build_probe(buf), 4);
	ck_assert_mem_eq(buf, gre, 4);
	for (t = 0; t < ENCAP_MAX; t++) {
		h = encap_ops(t)->build_probe(buf);
		ck_assert_uint_eq(probe_build(&p, buf + h, sizeof buf - h, 40),
		    40);
		ck_assert_int_eq(encap_ops(t)->decap(buf, h + 40, &d),
		    DROP_NONE);
		ck_assert_int_eq(d.kind, WIRE_PROBE);
		ck_assert_ptr_eq(d.frame, buf + h);
		ck_assert_uint_eq(d.frame_len, 40);
		/* A frame header is no probe. */
		h = build(t, 5, buf);
		ck_assert_int_eq(encap_ops(t)->decap(buf, h, &d), DROP_NONE);
		ck_assert_int_eq(d.kind, WIRE_FRAME);
	}
	/* VXLAN: a probe header with a VNI is neither probe nor frame. */
	encap_ops(ENCAP_VXLAN)->build_probe(buf);
	buf[5] = 1;
	ck_assert_int_eq(vxlan_decap(buf, 48, &d), DROP_BAD_FLAGS);
	/* GRE: the probe protocol with a key is refused as a frame. */
	encap_ops(ENCAP_GRE)->build_probe(buf);
	buf[0] = 0x20;
	ck_assert_int_eq(gre_decap(buf, 48, &d), DROP_BAD_PROTO);
}
END_TEST

/* Test frames: their own header, the size of a frame's, the id kept. */
START_TEST(test_headers)
{
	static const uint8_t vx[8] = { 0x00, 'T', 'D', 'T', 0x12, 0x34, 0x56,
		0 };
	static const uint8_t gre[8] = { 0x20, 0x00, 0x88, 0xb6, 0x12, 0x34,
		0x56, 0 };
	uint8_t buf[64] = { 0 };
	struct decap d;
	enum encap_type t;
	size_t h;

	ck_assert_uint_eq(encap_build(ENCAP_VXLAN, WIRE_TEST, 0x123456, buf),
	    8);
	ck_assert_mem_eq(buf, vx, 8);
	ck_assert_uint_eq(encap_build(ENCAP_GRE, WIRE_TEST, 0x123456, buf), 8);
	ck_assert_mem_eq(buf, gre, 8);
	for (t = 0; t < ENCAP_MAX; t++) {
		memset(buf, 0, sizeof buf);
		h = encap_build(t, WIRE_TEST, 77, buf);
		ck_assert_uint_eq(h, encap_ops(t)->hdr_len);
		ck_assert_int_eq(encap_ops(t)->decap(buf, h + 60, &d),
		    DROP_NONE);
		ck_assert_int_eq(d.kind, WIRE_TEST);
		ck_assert_uint_eq(d.vni, 77);
		ck_assert_ptr_eq(d.frame, buf + h);
		/* and a frame of VNI 77 stays a frame */
		h = encap_build(t, WIRE_FRAME, 77, buf);
		ck_assert_int_eq(encap_ops(t)->decap(buf, h + 60, &d),
		    DROP_NONE);
		ck_assert_int_eq(d.kind, WIRE_FRAME);
		ck_assert_uint_eq(d.vni, 77);
	}
	/* VXLAN: the test word with the low reserved byte set is refused. */
	encap_build(ENCAP_VXLAN, WIRE_TEST, 77, buf);
	buf[7] = 1;
	ck_assert_int_eq(vxlan_decap(buf, 60, &d), DROP_BAD_FLAGS);
}
END_TEST

/* The overhead operators count: outer headers + the inner Ethernet's. */
START_TEST(overheads)
{
	static const struct {
		enum encap_type t;
		int family;
		size_t frame, probe;
	} want[] = {
		{ ENCAP_VXLAN, AF_INET, 50, 36 },
		{ ENCAP_VXLAN, AF_INET6, 70, 56 },
		{ ENCAP_GRE, AF_INET, 42, 24 },
		{ ENCAP_GRE, AF_INET6, 62, 44 },
		{ ENCAP_GREUDP, AF_INET, 50, 32 },
		{ ENCAP_GREUDP, AF_INET6, 70, 52 },
	};
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		ck_assert_uint_eq(encap_outer_len(want[i].t, want[i].family,
				      false) +
			ETHER_HDR_LEN,
		    want[i].frame);
		ck_assert_uint_eq(encap_outer_len(want[i].t, want[i].family,
				      true),
		    want[i].probe);
	}
}
END_TEST

/* df = inherit reads the inner IPv4 DF bit, through one VLAN tag. */
START_TEST(inner_df)
{
	uint8_t f[64] = { 0 };

	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	ck_assert(!frame_forbids_fragments(f, 34));
	f[20] = 0x40; /* DF */
	ck_assert(frame_forbids_fragments(f, 34));
	ck_assert(frame_forbids_fragments(f, 20)); /* truncated: keep DF */
	memset(f, 0, sizeof f);
	f[12] = 0x81; /* 802.1Q, then IPv4 without DF */
	f[16] = 0x08;
	f[18] = 0x45;
	ck_assert(!frame_forbids_fragments(f, 38));
	f[12] = 0x86; /* IPv6: never fragmented on the path */
	f[13] = 0xdd;
	ck_assert(frame_forbids_fragments(f, 54));
	f[12] = 0x08; /* ARP */
	f[13] = 0x06;
	ck_assert(frame_forbids_fragments(f, 42));
}
END_TEST

START_TEST(probe_bodies)
{
	struct probe in = { .type = PROBE_REQUEST,
		.seq = 0xdeadbeef,
		.sent_ns = 0x0102030405060708ull },
		     out;
	uint8_t buf[2000];

	ck_assert_uint_eq(probe_build(&in, buf, sizeof buf, 1400), 1400);
	ck_assert_uint_eq(buf[0], 'T');
	ck_assert_uint_eq(buf[3], 'R');
	ck_assert_int_eq(probe_parse(buf, 1400, &out), DROP_NONE);
	ck_assert_int_eq(out.type, PROBE_REQUEST);
	ck_assert_uint_eq(out.seq, 0xdeadbeef);
	ck_assert_uint_eq(out.size, 1400); /* a request says its own size */
	ck_assert(out.sent_ns == 0x0102030405060708ull);
	in.type = PROBE_REPLY;
	in.size = 1234;
	ck_assert_uint_eq(probe_build(&in, buf, sizeof buf, PROBE_BODY_MIN),
	    PROBE_BODY_MIN);
	ck_assert_int_eq(probe_parse(buf, PROBE_BODY_MIN, &out), DROP_NONE);
	ck_assert_int_eq(out.type, PROBE_REPLY);
	ck_assert_uint_eq(out.size, 1234);
	/* Too small to build; short, wrong magic, version or type. */
	ck_assert_uint_eq(probe_build(&in, buf, 16, 16), 0);
	ck_assert_uint_eq(probe_build(&in, buf, 31, 32), 0);
	ck_assert_int_eq(probe_parse(buf, PROBE_BODY_MIN - 1, &out),
	    DROP_BAD_PROBE);
	buf[0] ^= 1;
	ck_assert_int_eq(probe_parse(buf, PROBE_BODY_MIN, &out),
	    DROP_BAD_PROBE);
	buf[0] ^= 1;
	buf[4] = 2;
	ck_assert_int_eq(probe_parse(buf, PROBE_BODY_MIN, &out),
	    DROP_BAD_PROBE);
	buf[4] = PROBE_VERSION;
	buf[5] = 3;
	ck_assert_int_eq(probe_parse(buf, PROBE_BODY_MIN, &out),
	    DROP_BAD_PROBE);
}
END_TEST

START_TEST(names)
{
	ck_assert_int_eq(encap_parse("gre-udp"), ENCAP_GREUDP);
	ck_assert_int_eq(encap_parse("vxlan"), ENCAP_VXLAN);
	ck_assert_int_eq(encap_parse("geneve"), -1);
	ck_assert_str_eq(encap_ops(ENCAP_GRE)->name, "gre");
	ck_assert_int_eq(encap_parse(encap_ops(ENCAP_GREUDP)->name),
	    ENCAP_GREUDP);
	ck_assert_str_eq(drop_name(DROP_UNKNOWN_VNI), "unknown_vni");
	ck_assert_str_eq(drop_name(DROP_MAX), "unknown");
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("encap");
	TCase *tc = tcase_create("encap");

	tcase_add_test(tc, vxlan_header_bytes);
	tcase_add_test(tc, gre_header_bytes);
	tcase_add_test(tc, roundtrip);
	tcase_add_loop_test(tc, vxlan_malformed, 0,
	    sizeof vxlan_bad / sizeof vxlan_bad[0]);
	tcase_add_loop_test(tc, gre_malformed, 0,
	    sizeof gre_bad / sizeof gre_bad[0]);
	tcase_add_test(tc, gre_checksum_and_sequence);
	tcase_add_test(tc, ip4_raw);
	tcase_add_test(tc, entropy);
	tcase_add_test(tc, names);
	tcase_add_test(tc, probe_headers);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, probe_bodies);
	tcase_add_test(tc, overheads);
	tcase_add_test(tc, inner_df);
	suite_add_tcase(s, tc);
	return s;
}
