/* check_pathstat.c: probe history, RTT window, jitter and loss. */
#include "check_main.h"
#include "ctl/pathstat.h"

#define MS 1000000ull
#define S (1000 * MS)

static struct pathstat ps;

/* n probes every step_ms from t0; rtt_ms[i % nr] each, 0 = lost. */
static uint64_t
run(uint64_t t0, int n, uint64_t step_ms, const uint32_t *rtt_ms, int nr)
{
	uint64_t t = t0;
	uint32_t seq;
	int i;

	for (i = 0; i < n; i++, t += step_ms * MS) {
		seq = pathstat_sent(&ps, t);
		if (rtt_ms[i % nr] != 0)
			ck_assert(pathstat_reply(&ps, seq, t,
			    t + rtt_ms[i % nr] * MS));
	}
	return t;
}

START_TEST(rtt_min_avg_max)
{
	static const uint32_t rtt[] = { 10, 20, 30 };
	struct pathstat_window w;
	uint64_t t;

	pathstat_init(&ps, 1000);
	t = run(S, 30, 1000, rtt, 3);
	pathstat_window(&ps, t, 60 * S, 2 * S, &w);
	ck_assert_int_eq(w.sent, 30);
	ck_assert_int_eq(w.answered, 30);
	ck_assert_int_eq(w.judged, 29); /* the last is under 2 s old */
	ck_assert_uint_eq(w.rtt_min_us, 10000);
	ck_assert_uint_eq(w.rtt_avg_us, 20000);
	ck_assert_uint_eq(w.rtt_max_us, 30000);
	ck_assert(w.loss_pct == 0.0);
	/* RTTs stepping by 10 ms and back: the smoothed jitter nears 13 ms. */
	ck_assert_uint_ge(w.jitter_us, 10000);
	ck_assert_uint_le(w.jitter_us, 14000);
}
END_TEST

START_TEST(steady_path_has_no_jitter)
{
	static const uint32_t rtt[] = { 20 };
	struct pathstat_window w;
	uint64_t t;

	pathstat_init(&ps, 0);
	t = run(S, 100, 100, rtt, 1);
	pathstat_window(&ps, t, 60 * S, 2 * S, &w);
	ck_assert_uint_eq(w.jitter_us, 0);
	ck_assert_uint_eq(w.rtt_avg_us, 20000);
}
END_TEST

START_TEST(loss_counts_only_judged_probes)
{
	/* Every tenth probe lost. */
	static const uint32_t rtt[] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 0 };
	struct pathstat_window w;
	uint64_t t;
	uint32_t seq;

	pathstat_init(&ps, 7);
	t = run(S, 200, 100, rtt, 10) + S; /* a second on: all judged */
	pathstat_window(&ps, t, 60 * S, 1 * S, &w);
	ck_assert_int_eq(w.sent, 200);
	ck_assert_int_eq(w.judged, 200);
	ck_assert_int_eq(w.answered, 180);
	ck_assert_int_eq(w.lost, 20);
	ck_assert(w.loss_pct > 9.99 && w.loss_pct < 10.01);
	/*
	 * Probes younger than the timeout do not count for loss, answered
	 * or not: counting only the answered ones would bias it low.
	 */
	seq = pathstat_sent(&ps, t);
	ck_assert(pathstat_reply(&ps, seq, t, t + 5 * MS));
	pathstat_sent(&ps, t + 100 * MS);
	pathstat_window(&ps, t + 200 * MS, 60 * S, 1 * S, &w);
	ck_assert_int_eq(w.sent, 202);
	ck_assert_int_eq(w.answered, 181);
	ck_assert_int_eq(w.judged, 200);
}
END_TEST

START_TEST(window_forgets_old_probes)
{
	static const uint32_t lost[] = { 0 }, fine[] = { 3 };
	struct pathstat_window w;
	uint64_t t;

	pathstat_init(&ps, 0);
	t = run(S, 10, 1000, fine, 1); /* 10 s of a good path */
	t = run(t, 30, 1000, lost, 1); /* 30 s of a dead one */
	t = run(t, 10, 1000, fine, 1); /* then 10 s of a good one */
	pathstat_window(&ps, t, 10 * S + 500 * MS, 2 * S, &w);
	ck_assert_int_eq(w.sent, 10);
	ck_assert(w.loss_pct == 0.0);
	pathstat_window(&ps, t, 60 * S, 1 * S, &w);
	ck_assert_int_eq(w.sent, 50);
	ck_assert(w.loss_pct == 60.0);
	/* The history holds PATHSTAT_HIST probes, whatever the window. */
	t = run(t, PATHSTAT_HIST + 50, 10, fine, 1);
	pathstat_window(&ps, t, 3600 * S, 2 * S, &w);
	ck_assert_int_eq(w.sent, PATHSTAT_HIST);
}
END_TEST

/* A peer that starts later: what it missed before it was there is no loss. */
START_TEST(loss_starts_at_the_first_answer)
{
	static const uint32_t lost[] = { 0 }, fine[] = { 3 }, half[] = { 3, 0 };
	struct pathstat_window w;
	uint64_t t;

	pathstat_init(&ps, 0);
	t = run(S, 5, 1000, lost, 1); /* the peer's daemon not up yet */
	pathstat_window(&ps, t + S, 60 * S, S, &w);
	ck_assert_int_eq(w.judged, 0);
	t = run(t, 10, 1000, fine, 1);
	pathstat_window(&ps, t + S, 60 * S, S, &w);
	ck_assert_int_eq(w.judged, 10);
	ck_assert(w.loss_pct == 0.0);
	t = run(t, 10, 1000, half, 2); /* from then on, losses count */
	pathstat_window(&ps, t + S, 60 * S, S, &w);
	ck_assert_int_eq(w.judged, 20);
	ck_assert_int_eq(w.lost, 5);
}
END_TEST

START_TEST(stale_replies_change_nothing)
{
	struct pathstat_window w;
	uint32_t seq, old;
	int i;

	pathstat_init(&ps, UINT32_MAX - 1); /* and the numbers wrap */
	seq = pathstat_sent(&ps, S);
	ck_assert(pathstat_reply(&ps, seq, S, S + 4 * MS));
	ck_assert(!pathstat_reply(&ps, seq, S, S + 5 * MS)); /* duplicate */
	seq = pathstat_sent(&ps, 2 * S);
	ck_assert(!pathstat_reply(&ps, seq, 2 * S + 1, 2 * S + MS));
	ck_assert(!pathstat_reply(&ps, seq + 1, 2 * S, 2 * S + MS));
	ck_assert(!pathstat_reply(&ps, seq, 2 * S, 2 * S - 1));
	old = seq;
	for (i = 0; i < PATHSTAT_HIST; i++)
		pathstat_sent(&ps, 3 * S + (uint64_t)i * MS);
	ck_assert(!pathstat_reply(&ps, old, 2 * S, 4 * S)); /* overwritten */
	ck_assert_uint_eq(ps.stale, 5);
	ck_assert_uint_eq(ps.answered, 1);
	pathstat_window(&ps, 3 * S + PATHSTAT_HIST * MS, 3600 * S, S, &w);
	ck_assert_int_eq(w.answered, 0);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("pathstat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rtt_min_avg_max);
	tcase_add_test(tc, steady_path_has_no_jitter);
	tcase_add_test(tc, loss_counts_only_judged_probes);
	tcase_add_test(tc, window_forgets_old_probes);
	tcase_add_test(tc, stale_replies_change_nothing);
	tcase_add_test(tc, loss_starts_at_the_first_answer);
	suite_add_tcase(s, tc);
	return s;
}
