/*
 * check_sa.c: a peer's SAs (crypto/sa.c) and ESP's sizes on the underlay
 * (crypto/overhead.c, net/transport.c): sealing and opening through the
 * shared counter and window, tampering, replays, a restarted peer told
 * from a replay, a peer whose IVs are not base + sequence, and every
 * payload size against the outer size it needs.
 */
#include <string.h>
#include <sys/socket.h>

#include "check_main.h"
#include "crypto/overhead.h"
#include "crypto/sa.h"
#include "net/transport.h"

enum { CTX = 3, SPI = 0x1234 };

static const uint8_t key[ESP_KEYMAT] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

struct pkt {
	uint8_t b[2048];
	size_t n;
};

static void
seal(struct sa_out *o, int ctx, const char *text, struct pkt *p)
{
	struct iovec iov[2] = { { (void *)"hdr:", 4 },
		{ (void *)(uintptr_t)text, strlen(text) } };

	ck_assert_int_eq(sa_seal(o, ctx, 17, iov, 2, p->b, sizeof p->b, &p->n),
	    ESP_OK);
}

/* Open a copy of p; the verdict, and the payload in *text. */
static enum sa_verdict
open_copy(struct sa_in *in, int ctx, const struct pkt *p, char *text)
{
	struct pkt c = *p;
	uint8_t *pl, nh;
	size_t plen;
	enum sa_verdict v = sa_open(in, ctx, c.b, c.n, &pl, &plen, &nh);

	if (v == SA_OK) {
		ck_assert_uint_eq(nh, 17);
		memcpy(text, pl, plen);
		text[plen] = '\0';
	}
	return v;
}

static struct sa_out *
out_with_base(uint64_t base)
{
	char *cause = NULL;
	struct sa_out *o =
	    sa_out_new(ESP_AES256_GCM, SPI, key, CTX, base, &cause);

	ck_assert_msg(o != NULL, "%s", cause);
	return o;
}

static struct sa_in *
in_new(void)
{
	char *cause = NULL;
	struct sa_in *in = sa_in_new(ESP_AES256_GCM, SPI, key, 64, CTX, &cause);

	ck_assert_msg(in != NULL, "%s", cause);
	return in;
}

START_TEST(seal_open_tamper_replay)
{
	struct sa_out *o = out_with_base(1000);
	struct sa_in *in = in_new();
	struct pkt p, q;
	char text[2048];
	int i;

	for (i = 0; i < 10; i++) {
		seal(o, i % CTX, "frame", &p);
		ck_assert_int_eq(open_copy(in, (i + 1) % CTX, &p, text), SA_OK);
		ck_assert_str_eq(text, "hdr:frame");
	}
	ck_assert_uint_eq(sa_out_sent(o), 10);
	ck_assert_uint_eq(sa_in_top(in), 10);
	/* The IV on the wire is the base plus the number. */
	ck_assert_uint_eq(p.b[ESP_HDR + 7], (1000 + 10) & 0xff);
	ck_assert_int_eq(open_copy(in, 0, &p, text), SA_REPLAY);
	q = p;
	q.b[q.n / 2] ^= 0x10;
	seal(o, 0, "next", &p);
	q.b[4] = p.b[4], q.b[5] = p.b[5], q.b[6] = p.b[6], q.b[7] = p.b[7];
	ck_assert_int_eq(open_copy(in, 0, &q, text), SA_AUTH_FAILED);
	/* The forgery moved nothing: the real packet 11 still opens. */
	ck_assert_int_eq(open_copy(in, 0, &p, text), SA_OK);
	q.n = ESP_HDR + ESP_IV + ESP_ICV;
	ck_assert_int_eq(open_copy(in, 0, &q, text), SA_MALFORMED);
	sa_out_free(o);
	sa_in_free(in);
}
END_TEST

START_TEST(too_old)
{
	struct sa_out *o = out_with_base(1);
	struct sa_in *in = in_new();
	struct pkt first, p;
	char text[64];
	int i;

	seal(o, 0, "a", &first);
	for (i = 0; i < 100; i++) {
		seal(o, 0, "b", &p);
		ck_assert_int_eq(open_copy(in, 0, &p, text), SA_OK);
	}
	ck_assert_int_eq(open_copy(in, 0, &first, text), SA_TOO_OLD);
	sa_out_free(o);
	sa_in_free(in);
}
END_TEST

/*
 * A tunneld restarted with the same keys: numbers from 1 again, a later
 * IV base.  Its packets authenticate but fall below the window: the SA
 * says so (not delivered), and a fresh window takes them.  Packets of the
 * old instance replayed then are replays, not a restart.
 */
START_TEST(restarted_peer)
{
	struct sa_out *o1 = out_with_base(1000000), *o2;
	struct sa_in *in = in_new(), *fresh;
	struct pkt old[40], p;
	char text[64];
	int i;

	for (i = 0; i < 40; i++) {
		seal(o1, 0, "one", &old[i]);
		ck_assert_int_eq(open_copy(in, 0, &old[i], text), SA_OK);
	}
	ck_assert_uint_eq(sa_in_peer_base(in), 1000000);
	ck_assert(!sa_in_peer_restarted(in));
	ck_assert_int_eq(open_copy(in, 0, &old[5], text), SA_REPLAY);
	o2 = out_with_base(2000000);
	seal(o2, 0, "two", &p);
	ck_assert_int_eq(open_copy(in, 0, &p, text), SA_PEER_RESTARTED);
	ck_assert(sa_in_peer_restarted(in));
	/* A forgery with a later base is not authentic: no restart. */
	fresh = in_new();
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(open_copy(fresh, 0, &old[i], text), SA_OK);
	p.b[p.n - 1] ^= 1;
	ck_assert_int_eq(open_copy(fresh, 0, &p, text), SA_AUTH_FAILED);
	ck_assert(!sa_in_peer_restarted(fresh));
	sa_in_free(fresh);
	/* The new window takes the new instance; old packets are replays. */
	fresh = in_new();
	seal(o2, 0, "two", &p);
	ck_assert_int_eq(open_copy(fresh, 0, &p, text), SA_OK);
	ck_assert_str_eq(text, "hdr:two");
	sa_out_free(o1);
	sa_out_free(o2);
	sa_in_free(in);
	sa_in_free(fresh);
}
END_TEST

/* IVs that are not base + sequence (Linux, scapy): the SA stays strict. */
START_TEST(varying_ivs_never_restart)
{
	struct sa_in *in = in_new();
	struct pkt p[40], late;
	struct sa_out *o;
	char text[64];
	int i;

	for (i = 0; i < 40; i++) {
		/* A new SA per packet, numbers 100..139, unrelated IVs. */
		o = out_with_base(7777u * (uint64_t)(i + 1) * 7777u);
		for (int k = 0; k < 100 + i; k++)
			seal(o, 0, "x", &p[i]);
		sa_out_free(o);
		ck_assert_int_eq(open_copy(in, 0, &p[i], text), SA_OK);
	}
	ck_assert_uint_eq(sa_in_peer_base(in), 0);
	/* Number 1 from a later base: left of the window, as it stays. */
	o = out_with_base(999999999999);
	seal(o, 0, "late", &late);
	ck_assert_int_ne(open_copy(in, 0, &late, text), SA_OK);
	ck_assert(!sa_in_peer_restarted(in));
	sa_out_free(o);
	sa_in_free(in);
}
END_TEST

/* Every payload size: the largest that fits is the largest that fits. */
START_TEST(sizes_on_the_underlay)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	size_t outer, n;
	int t, f, esp, probe;

	for (t = 0; t < ENCAP_MAX; t++)
		for (f = 0; f < 2; f++)
			for (esp = 0; esp < 2; esp++)
				for (probe = 0; probe < 2; probe++)
					for (outer = 100; outer < 1700;
					     outer++) {
						n = overhead_payload_max(t,
						    fams[f], probe, esp, outer);
						ck_assert_uint_le(
						    overhead_outer_len(t,
							fams[f], probe, esp, n),
						    outer);
						ck_assert_uint_gt(
						    overhead_outer_len(t,
							fams[f], probe, esp,
							n + 1),
						    outer);
					}
	/* VXLAN over IPv4 in ESP: 20 + 8 + 16 + 8 + 8 + 2 + 16 and padding. */
	ck_assert_uint_eq(overhead_outer_len(ENCAP_VXLAN, AF_INET, false, true,
			      1514),
	    1514 + 78);
	ck_assert_uint_eq(overhead_outer_len(ENCAP_VXLAN, AF_INET, false, true,
			      1515),
	    1515 + 78 + 3);
	ck_assert_uint_eq(overhead_outer_len(ENCAP_GRE, AF_INET6, false, false,
			      1514),
	    1514 + 40 + 8);
}
END_TEST

START_TEST(transport_round_trip)
{
	uint8_t hdr[TRANSPORT_HDR_MAX], nh, frame[60] = { 0 };
	const uint8_t *tun;
	size_t hl, tl;
	uint8_t src[16] = { 0xfd, 0, [15] = 1 },
		dst[16] = { 0xfd, 0, [15] = 2 };

	hl = transport_build(ENCAP_VXLAN, WIRE_FRAME, 100, 0x12345, 4789,
	    sizeof frame, hdr, &nh);
	ck_assert_uint_eq(hl, 16);
	ck_assert_uint_eq(nh, 17);
	ck_assert_uint_eq(hdr[0] & 0xc0, 0xc0); /* 49152 and up */
	transport_udp6_csum(hdr, src, dst, frame, sizeof frame);
	ck_assert(hdr[6] != 0 || hdr[7] != 0);
	{
		uint8_t pkt[TRANSPORT_HDR_MAX + sizeof frame];
		memcpy(pkt, hdr, hl);
		memcpy(pkt + hl, frame, sizeof frame);
		ck_assert_int_eq(transport_parse(17, pkt, hl + sizeof frame,
				     ENCAP_VXLAN, 4789, &tun, &tl),
		    DROP_NONE);
		ck_assert_uint_eq(tl, 8 + sizeof frame);
		ck_assert_int_eq(transport_parse(17, pkt, hl + sizeof frame,
				     ENCAP_VXLAN, 8472, &tun, &tl),
		    DROP_BAD_PROTO);
		ck_assert_int_eq(transport_parse(47, pkt, hl + sizeof frame,
				     ENCAP_VXLAN, 4789, &tun, &tl),
		    DROP_BAD_PROTO);
		ck_assert_int_eq(transport_parse(17, pkt, hl + sizeof frame - 1,
				     ENCAP_VXLAN, 4789, &tun, &tl),
		    DROP_TRUNCATED);
	}
	hl = transport_build(ENCAP_GRE, WIRE_FRAME, 100, 0, 0, 60, hdr, &nh);
	ck_assert_uint_eq(nh, 47);
	ck_assert_uint_eq(hl, 8);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("sa");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, seal_open_tamper_replay);
	tcase_add_test(tc, too_old);
	tcase_add_test(tc, restarted_peer);
	tcase_add_test(tc, varying_ivs_never_restart);
	tcase_add_test(tc, sizes_on_the_underlay);
	tcase_add_test(tc, transport_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
