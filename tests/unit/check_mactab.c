/* check_mactab.c: learning, moving, aging, bounds and flushing. */
#include <string.h>

#include "check_main.h"
#include "net/mactab.h"

static void
mac_n(uint8_t *mac, uint32_t n)
{
	mac[0] = 0x02;
	mac[1] = 0x00;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

START_TEST(learn_and_lookup)
{
	struct mactab *t = mactab_new(1024, 300);
	uint8_t a[6], b[6];

	mac_n(a, 1);
	mac_n(b, 2);
	ck_assert_uint_eq(mactab_lookup(t, a, 100), MACTAB_NONE);
	ck_assert_int_eq(mactab_learn(t, a, 3, 100), MACTAB_LEARNED);
	ck_assert_int_eq(mactab_learn(t, a, 3, 101), MACTAB_REFRESHED);
	ck_assert_uint_eq(mactab_lookup(t, a, 101), 3);
	ck_assert_uint_eq(mactab_lookup(t, b, 101), MACTAB_NONE);
	mactab_free(t);
}
END_TEST

START_TEST(move)
{
	struct mactab *t = mactab_new(1024, 300);
	struct mactab_stats st;
	uint8_t a[6];

	mac_n(a, 1);
	mactab_learn(t, a, 3, 100);
	ck_assert_int_eq(mactab_learn(t, a, 5, 102), MACTAB_MOVED);
	ck_assert_uint_eq(mactab_lookup(t, a, 102), 5);
	mactab_get_stats(t, &st);
	ck_assert_uint_eq(st.moved, 1);
	ck_assert_uint_eq(st.entries, 1);
	mactab_free(t);
}
END_TEST

START_TEST(refuse_multicast_and_zero)
{
	struct mactab *t = mactab_new(64, 300);
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
	static const uint8_t zero[6];

	ck_assert_int_eq(mactab_learn(t, bcast, 1, 1), MACTAB_REFUSED);
	ck_assert_int_eq(mactab_learn(t, mcast, 1, 1), MACTAB_REFUSED);
	ck_assert_int_eq(mactab_learn(t, zero, 1, 1), MACTAB_REFUSED);
	ck_assert_uint_eq(mactab_lookup(t, bcast, 1), MACTAB_NONE);
	mactab_free(t);
}
END_TEST

START_TEST(age)
{
	struct mactab *t = mactab_new(1024, 300);
	struct mactab_stats st;
	uint8_t a[6], b[6];

	mac_n(a, 1);
	mac_n(b, 2);
	mactab_learn(t, a, 1, 1000);
	mactab_learn(t, b, 2, 1200);
	ck_assert_uint_eq(mactab_lookup(t, a, 1300), 1);
	/* 301 s idle: gone for lookups before any sweep. */
	ck_assert_uint_eq(mactab_lookup(t, a, 1301), MACTAB_NONE);
	ck_assert_uint_eq(mactab_expire(t, 1301), 1);
	ck_assert_uint_eq(mactab_lookup(t, b, 1301), 2);
	mactab_get_stats(t, &st);
	ck_assert_uint_eq(st.entries, 1);
	ck_assert_uint_eq(st.expired, 1);
	/* An aged-out MAC seen again elsewhere is learned, not moved. */
	ck_assert_int_eq(mactab_learn(t, a, 4, 1302), MACTAB_LEARNED);
	mactab_free(t);
}
END_TEST

/* Regress: a thread whose clock is a second behind the stamp of another. */
START_TEST(stamp_ahead_of_reader)
{
	struct mactab *t = mactab_new(64, 300);
	uint8_t a[6];

	mac_n(a, 1);
	mactab_learn(t, a, 2, 101);
	ck_assert_uint_eq(mactab_lookup(t, a, 100), 2);
	ck_assert_int_eq(mactab_learn(t, a, 2, 100), MACTAB_REFRESHED);
	ck_assert_uint_eq(mactab_expire(t, 100), 0);
	mactab_free(t);
}
END_TEST

START_TEST(bound_evicts_oldest)
{
	struct mactab *t = mactab_new(64, 300);
	struct mactab_stats st;
	uint32_t i, present = 0;
	uint8_t m[6];

	for (i = 0; i < 1000; i++) {
		mac_n(m, i);
		mactab_learn(t, m, 1, 10 + i);
	}
	mactab_get_stats(t, &st);
	ck_assert_uint_eq(st.capacity, 64);
	ck_assert_uint_le(st.entries, 64);
	ck_assert_uint_eq(st.learned, 1000);
	ck_assert_uint_eq(st.evicted, 1000 - st.entries);
	/* The newest MAC is always there; the oldest are gone. */
	mac_n(m, 999);
	ck_assert_uint_eq(mactab_lookup(t, m, 1009), 1);
	mac_n(m, 0);
	ck_assert_uint_eq(mactab_lookup(t, m, 1009), MACTAB_NONE);
	for (i = 0; i < 1000; i++) {
		mac_n(m, i);
		present += mactab_lookup(t, m, 1009) != MACTAB_NONE;
	}
	ck_assert_uint_eq(present, st.entries);
	mactab_free(t);
}
END_TEST

START_TEST(static_entries)
{
	struct mactab *t = mactab_new(64, 300);
	uint8_t a[6];

	mac_n(a, 7);
	ck_assert(mactab_add_static(t, a, 9));
	ck_assert_int_eq(mactab_learn(t, a, 3, 5), MACTAB_REFUSED);
	ck_assert_uint_eq(mactab_lookup(t, a, 100000), 9);
	ck_assert_uint_eq(mactab_expire(t, 100000), 0);
	ck_assert_uint_eq(mactab_flush_port(t, 9), 0);
	mactab_free(t);
}
END_TEST

static bool
count_entry(const struct mactab_entry *e, void *arg)
{
	(*(int *)arg)++;
	ck_assert_uint_eq(e->port, 2);
	return true;
}

START_TEST(flush_and_walk)
{
	struct mactab *t = mactab_new(256, 300);
	uint8_t m[6];
	uint32_t i;
	int n = 0;

	for (i = 0; i < 10; i++) {
		mac_n(m, i);
		mactab_learn(t, m, (uint16_t)(1 + i % 2), 50);
	}
	ck_assert_uint_eq(mactab_flush_port(t, 1), 5);
	mactab_walk(t, 60, count_entry, &n);
	ck_assert_int_eq(n, 5);
	mactab_free(t);
}
END_TEST

/* Review, finding 2: a peer cannot take a live MAC. */
START_TEST(policy_keeps_live_macs)
{
	static const struct mactab_policy hold = { true, 5, 0 };
	struct mactab *t = mactab_new(1024, 300);
	struct mactab_stats st;
	uint8_t vm[6], spoke[6];

	mactab_set_policy(t, &hold);
	mac_n(vm, 1);
	mac_n(spoke, 2);
	/* A pod VM behind the TAP stays there while it is live. */
	mactab_learn(t, vm, MACTAB_LOCAL, 100);
	ck_assert_int_eq(mactab_learn(t, vm, 7, 101), MACTAB_MOVE_REFUSED);
	ck_assert_int_eq(mactab_learn(t, vm, 7, 200), MACTAB_MOVE_REFUSED);
	ck_assert_uint_eq(mactab_lookup(t, vm, 200), MACTAB_LOCAL);
	/* Once it aged out, it is anyone's. */
	ck_assert_int_eq(mactab_learn(t, vm, 7, 401), MACTAB_LEARNED);
	/* Between peers, a MAC moves only after move_hold quiet seconds. */
	mactab_learn(t, spoke, 3, 1000);
	ck_assert_int_eq(mactab_learn(t, spoke, 4, 1004), MACTAB_MOVE_REFUSED);
	ck_assert_uint_eq(mactab_lookup(t, spoke, 1004), 3);
	ck_assert_int_eq(mactab_learn(t, spoke, 4, 1005), MACTAB_MOVED);
	ck_assert_uint_eq(mactab_lookup(t, spoke, 1005), 4);
	/* Back to the trusted side at once. */
	ck_assert_int_eq(mactab_learn(t, spoke, MACTAB_LOCAL, 1006),
	    MACTAB_MOVED);
	mactab_get_stats(t, &st);
	ck_assert_uint_eq(st.move_refused, 3);
	ck_assert_uint_eq(st.moved, 2);
	mactab_free(t);
}
END_TEST

static bool
count_port(const struct mactab_entry *e, void *arg)
{
	uint32_t *n = arg;

	n[1] += e->port == n[0];
	return true;
}

/* How many live entries port has. */
static uint32_t
at_port(struct mactab *t, uint16_t port, uint32_t now)
{
	uint32_t n[2] = { port, 0 };

	mactab_walk(t, now, count_port, n);
	return n[1];
}

/* Review, finding 3: one port cannot push the others out. */
START_TEST(policy_limits_a_port)
{
	static const struct mactab_policy limit = { true, 5, 100 };
	struct mactab *t = mactab_new(256, 300);
	struct mactab_stats st;
	uint32_t i, pod = 0, refused = 0;
	uint8_t m[6];

	mactab_set_policy(t, &limit);
	for (i = 0; i < 64; i++) {
		mac_n(m, i);
		mactab_learn(t, m, MACTAB_LOCAL, 10);
	}
	/* 5,000 random MACs from peer 9: at most 100 learned. */
	for (i = 0; i < 5000; i++) {
		mac_n(m, 0x10000 + i * 7919);
		refused += mactab_learn(t, m, 9, 11) == MACTAB_AT_LIMIT;
	}
	for (i = 0; i < 64; i++) {
		mac_n(m, i);
		pod += mactab_lookup(t, m, 12) == MACTAB_LOCAL;
	}
	mactab_get_stats(t, &st);
	ck_assert_uint_ge(refused, 4800);
	ck_assert_uint_eq(st.at_limit, refused);
	ck_assert_uint_le(at_port(t, 9, 12), 100);
	/*
	 * Eviction takes the adding port's own entries first: the pod's
	 * lose only where peer 9 had none of its own in the bucket yet.
	 */
	ck_assert_uint_ge(pod, 64 - 8);
	/* Flushed, the port starts again from zero. */
	mactab_flush_port(t, 9);
	mac_n(m, 0xabcdef);
	ck_assert_int_eq(mactab_learn(t, m, 9, 13), MACTAB_LEARNED);
	mactab_free(t);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("mactab");
	TCase *tc = tcase_create("mactab");

	tcase_add_test(tc, learn_and_lookup);
	tcase_add_test(tc, move);
	tcase_add_test(tc, refuse_multicast_and_zero);
	tcase_add_test(tc, age);
	tcase_add_test(tc, stamp_ahead_of_reader);
	tcase_add_test(tc, bound_evicts_oldest);
	tcase_add_test(tc, static_entries);
	tcase_add_test(tc, flush_and_walk);
	tcase_add_test(tc, policy_keeps_live_macs);
	tcase_add_test(tc, policy_limits_a_port);
	suite_add_tcase(s, tc);
	return s;
}
