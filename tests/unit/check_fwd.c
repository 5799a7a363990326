/* check_fwd.c: learning, unicast, flood set, split horizon, flood limit. */
#include <string.h>

#include "check_main.h"
#include "net/fwd.h"

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 0xa };	/* behind TAP */
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 0xb };	/* behind peer 1 */
static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 0xc };	/* behind peer 2 */
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint16_t peers[] = { 1, 2, 3 };

static struct fwd_segment seg;
static struct tbucket tb;

static void
setup(void)
{
	seg.mactab = mactab_new(1024, 300);
	seg.peer_ports = peers;
	seg.npeers = 3;
	seg.relay = true;
	tbucket_init(&tb, 0, 1, 0);
}

static void
teardown(void)
{
	mactab_free(seg.mactab);
}

static enum drop_reason
frame(uint16_t in, const uint8_t *dst, const uint8_t *src,
    struct fwd_result *r)
{
	uint8_t f[60] = { 0 };

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	return fwd_frame(&seg, in, f, sizeof f, 100, 100000, &tb, r);
}

START_TEST(unknown_floods_then_learned_unicasts)
{
	struct fwd_result r;

	ck_assert_int_eq(frame(PORT_LOCAL, mac_b, mac_a, &r), DROP_NONE);
	ck_assert_int_eq(r.action, FWD_FLOOD);
	ck_assert_int_eq(r.learned, MACTAB_LEARNED);
	/* The reply from peer 1 teaches mac_b and goes only to the TAP. */
	ck_assert_int_eq(frame(1, mac_a, mac_b, &r), DROP_NONE);
	ck_assert_int_eq(r.action, FWD_UNICAST);
	ck_assert_uint_eq(r.port, PORT_LOCAL);
	/* Now a -> b is unicast to peer 1: no flood to peers 2 and 3. */
	ck_assert_int_eq(frame(PORT_LOCAL, mac_b, mac_a, &r), DROP_NONE);
	ck_assert_int_eq(r.action, FWD_UNICAST);
	ck_assert_uint_eq(r.port, 1);
}
END_TEST

START_TEST(flood_set_split_horizon)
{
	/* Hub (relay): from peer 1 to TAP and peers 2, 3, not back to 1. */
	ck_assert(fwd_floods_to(&seg, 1, PORT_LOCAL));
	ck_assert(!fwd_floods_to(&seg, 1, 1));
	ck_assert(fwd_floods_to(&seg, 1, 2));
	ck_assert(fwd_floods_to(&seg, 1, 3));
	ck_assert(!fwd_floods_to(&seg, PORT_LOCAL, PORT_LOCAL));
	ck_assert(fwd_floods_to(&seg, PORT_LOCAL, 2));
	/* Spoke (no relay): from a peer to the TAP only. */
	seg.relay = false;
	ck_assert(fwd_floods_to(&seg, 1, PORT_LOCAL));
	ck_assert(!fwd_floods_to(&seg, 1, 2));
	ck_assert(fwd_floods_to(&seg, PORT_LOCAL, 2));
}
END_TEST

START_TEST(spoke_to_spoke_relay)
{
	struct fwd_result r;

	ck_assert_int_eq(frame(2, bcast, mac_c, &r), DROP_NONE);
	ck_assert_int_eq(frame(1, mac_c, mac_b, &r), DROP_NONE);
	ck_assert_int_eq(r.action, FWD_UNICAST);
	ck_assert_uint_eq(r.port, 2);
	seg.relay = false;
	ck_assert_int_eq(frame(1, mac_c, mac_b, &r), DROP_NO_RELAY);
}
END_TEST

START_TEST(hairpin_and_bad_source)
{
	struct fwd_result r;

	frame(1, bcast, mac_b, &r);
	ck_assert_int_eq(frame(1, mac_b, mac_c, &r), DROP_HAIRPIN);
	ck_assert_int_eq(frame(1, mac_a, bcast, &r), DROP_BAD_SRC_MAC);
	ck_assert_int_eq(fwd_frame(&seg, 1, mac_a, 13, 1, 1, &tb, &r),
	    DROP_RUNT);
}
END_TEST

START_TEST(flood_limit)
{
	struct fwd_result r;
	uint8_t f[60] = { 0 };
	int i, passed = 0;

	memcpy(f, bcast, 6);
	memcpy(f + 6, mac_a, 6);
	tbucket_init(&tb, 10, 5, 1000);
	/* Burst of 5, then nothing until time moves. */
	for (i = 0; i < 20; i++)
		passed += fwd_frame(&seg, PORT_LOCAL, f, 60, 1, 1000, &tb,
		    &r) == DROP_NONE;
	ck_assert_int_eq(passed, 5);
	ck_assert_int_eq(fwd_frame(&seg, PORT_LOCAL, f, 60, 1, 1000, &tb, &r),
	    DROP_FLOOD_LIMIT);
	/* 10/s: 100 ms buys one token back. */
	ck_assert_int_eq(fwd_frame(&seg, PORT_LOCAL, f, 60, 1, 1100, &tb, &r),
	    DROP_NONE);
	/* Known unicast is never limited. */
	memcpy(f, mac_a, 6);
	memcpy(f + 6, mac_b, 6);
	ck_assert_int_eq(fwd_frame(&seg, 1, f, 60, 1, 1100, &tb, &r),
	    DROP_NONE);
	ck_assert_int_eq(r.action, FWD_UNICAST);
}
END_TEST

/* Review, finding 3: a flood the limit drops teaches nothing. */
START_TEST(no_learning_from_a_refused_flood)
{
	struct fwd_result r;
	uint8_t f[60] = { 0 };

	memcpy(f, bcast, 6);
	memcpy(f + 6, mac_c, 6);
	tbucket_init(&tb, 1, 1, 1000);
	ck_assert_int_eq(fwd_frame(&seg, 2, f, 60, 1, 1000, &tb, &r),
	    DROP_NONE);
	memcpy(f + 6, mac_b, 6);
	ck_assert_int_eq(fwd_frame(&seg, 2, f, 60, 1, 1000, &tb, &r),
	    DROP_FLOOD_LIMIT);
	ck_assert_uint_eq(mactab_lookup(seg.mactab, mac_b, 1), MACTAB_NONE);
	ck_assert_uint_eq(mactab_lookup(seg.mactab, mac_c, 1), 2);
}
END_TEST

/* Review, finding 2: a frame stealing a live MAC is dropped. */
START_TEST(stolen_source_mac_dropped)
{
	static const struct mactab_policy hold = { true, 5, 0 };
	struct fwd_result r;

	mactab_set_policy(seg.mactab, &hold);
	ck_assert_int_eq(frame(PORT_LOCAL, bcast, mac_a, &r), DROP_NONE);
	ck_assert_int_eq(frame(2, mac_c, mac_a, &r), DROP_MAC_MOVE);
	ck_assert_int_eq(r.learned, MACTAB_MOVE_REFUSED);
	ck_assert_uint_eq(mactab_lookup(seg.mactab, mac_a, 100), PORT_LOCAL);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("fwd");
	TCase *tc = tcase_create("fwd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unknown_floods_then_learned_unicasts);
	tcase_add_test(tc, flood_set_split_horizon);
	tcase_add_test(tc, spoke_to_spoke_relay);
	tcase_add_test(tc, hairpin_and_bad_source);
	tcase_add_test(tc, flood_limit);
	tcase_add_test(tc, no_learning_from_a_refused_flood);
	tcase_add_test(tc, stolen_source_mac_dropped);
	suite_add_tcase(s, tc);
	return s;
}
