/*
 * check_replay.c: the anti-replay window: order, reordering, replays,
 * the left edge, jumps, ESN epochs, and two threads racing on one SA.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "check_main.h"
#include "crypto/replay.h"

START_TEST(sizes)
{
	ck_assert_ptr_null(replay_new(REPLAY_MIN - 1));
	ck_assert_ptr_null(replay_new(REPLAY_MAX + 1));
	replay_free(replay_new(REPLAY_MIN));
	replay_free(replay_new(REPLAY_MAX));
}
END_TEST

START_TEST(in_order_then_replayed)
{
	struct replay *r = replay_new(REPLAY_DEFAULT);
	uint64_t s;

	ck_assert_int_eq(replay_accept(r, 0), REPLAY_ZERO);
	for (s = 1; s <= 20000; s++) {
		ck_assert_int_eq(replay_check(r, s), REPLAY_OK);
		ck_assert_int_eq(replay_accept(r, s), REPLAY_OK);
	}
	ck_assert_uint_eq(replay_top(r), 20000);
	/* Everything in the window is a replay; below it, too old. */
	ck_assert_int_eq(replay_check(r, 20000), REPLAY_SEEN);
	ck_assert_int_eq(replay_accept(r, 20000 - REPLAY_DEFAULT + 1),
	    REPLAY_SEEN);
	ck_assert_int_eq(replay_accept(r, 20000 - REPLAY_DEFAULT),
	    REPLAY_TOO_OLD);
	ck_assert_int_eq(replay_check(r, 1), REPLAY_TOO_OLD);
	replay_free(r);
}
END_TEST

START_TEST(reordered_within_the_window)
{
	struct replay *r = replay_new(REPLAY_DEFAULT);
	uint64_t s;

	/* Every even number first, then the odd ones late: all new once. */
	for (s = 2; s <= 8000; s += 2)
		ck_assert_int_eq(replay_accept(r, s), REPLAY_OK);
	for (s = 1; s < 8000; s += 2) {
		ck_assert_int_eq(replay_check(r, s), REPLAY_OK);
		ck_assert_int_eq(replay_accept(r, s), REPLAY_OK);
		ck_assert_int_eq(replay_accept(r, s), REPLAY_SEEN);
	}
	/* replay_check() never marks anything. */
	ck_assert_int_eq(replay_check(r, 8001), REPLAY_OK);
	ck_assert_int_eq(replay_check(r, 8001), REPLAY_OK);
	replay_free(r);
}
END_TEST

START_TEST(a_jump_forward_clears_what_it_passes)
{
	struct replay *r = replay_new(REPLAY_DEFAULT);

	ck_assert_int_eq(replay_accept(r, 5), REPLAY_OK);
	ck_assert_int_eq(replay_accept(r, 1000000), REPLAY_OK);
	ck_assert_int_eq(replay_accept(r, 5), REPLAY_TOO_OLD);
	/* The slots the jump reused hold nothing of the old numbers. */
	ck_assert_int_eq(replay_accept(r, 1000000 - 1), REPLAY_OK);
	ck_assert_int_eq(replay_accept(r, 1000000 - REPLAY_DEFAULT + 1),
	    REPLAY_OK);
	ck_assert_int_eq(replay_accept(r, 1000000 - REPLAY_DEFAULT),
	    REPLAY_TOO_OLD);
	ck_assert_int_eq(replay_accept(r, 1000000), REPLAY_SEEN);
	replay_free(r);
}
END_TEST

START_TEST(esn_epochs)
{
	struct replay *r = replay_new(REPLAY_DEFAULT);
	uint64_t e1 = (uint64_t)1 << 32;

	/* A fresh SA: small numbers are epoch 0. */
	ck_assert_uint_eq(replay_esn(r, 5), 5);
	ck_assert_int_eq(replay_accept(r, e1 - 10), REPLAY_OK);
	/* Near the end of epoch 0: a small number has wrapped into 1, a
	 * number just below the top is still 0. */
	ck_assert_uint_eq(replay_esn(r, 3), e1 + 3);
	ck_assert_uint_eq(replay_esn(r, 0xFFFFFFF0u), e1 - 16);
	ck_assert_int_eq(replay_accept(r, replay_esn(r, 3)), REPLAY_OK);
	/* Just after the wrap: a late packet of epoch 0, a new one of 1. */
	ck_assert_uint_eq(replay_esn(r, 0xFFFFFFF0u), e1 - 16);
	ck_assert_uint_eq(replay_esn(r, 4), e1 + 4);
	ck_assert_int_eq(replay_accept(r, e1 - 16), REPLAY_OK);
	ck_assert_int_eq(replay_accept(r, e1 - 10), REPLAY_SEEN);
	replay_free(r);
}
END_TEST

enum { RACE_CHUNK = 64, RACE_N = 4096 * RACE_CHUNK };

struct racer {
	struct replay *r;
	int reverse; /* walk each chunk backwards: reordering */
	unsigned accepted;
};

static atomic_int go;

static void *
race(void *arg)
{
	struct racer *x = arg;
	uint64_t base, s, i;

	while (!atomic_load(&go))
		;
	for (base = 1; base <= RACE_N; base += RACE_CHUNK)
		for (i = 0; i < RACE_CHUNK; i++) {
			s = x->reverse ? base + RACE_CHUNK - 1 - i : base + i;
			if (replay_accept(x->r, s) == REPLAY_OK)
				x->accepted++;
		}
	return NULL;
}

/* Two data threads receive every packet of one SA (a duplicating path):
 * each number is accepted exactly once, whatever the interleaving. */
START_TEST(two_threads_accept_each_number_once)
{
	struct racer a = { replay_new(REPLAY_DEFAULT), 0, 0 }, b = a;
	pthread_t ta, tb;

	b.reverse = 1;
	atomic_store(&go, 0);
	ck_assert_int_eq(pthread_create(&ta, NULL, race, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, race, &b), 0);
	atomic_store(&go, 1);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	/* A thread that finds a number too old has passed it already, so
	 * the other took it: none is lost, none accepted twice. */
	ck_assert_uint_eq(a.accepted + b.accepted, RACE_N);
	replay_free(a.r);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sizes);
	tcase_add_test(tc, in_order_then_replayed);
	tcase_add_test(tc, reordered_within_the_window);
	tcase_add_test(tc, a_jump_forward_clears_what_it_passes);
	tcase_add_test(tc, esn_epochs);
	tcase_add_test(tc, two_threads_accept_each_number_once);
	suite_add_tcase(s, tc);
	return s;
}
