/* check_pmtu.c: the path MTU search against simulated paths. */
#include "check_main.h"
#include "ctl/pmtu.h"

#define MS 1000000ull

static const struct pmtu_params prm = {
	.timeout_ns = 200 * MS,
	.pace_ns = 10 * MS,
	.confirm_ns = 1000 * MS,
	.raise_ns = 60000 * MS,
};

/*
 * A path that carries packets up to mtu; local_mtu: larger fail to send;
 * loss_pct: the share of probes of any size it loses (a fixed sequence).
 */
struct path {
	uint16_t mtu, local_mtu;
	int loss_pct;
	uint32_t rng;
	uint64_t now;
	uint32_t seq;
	int probes;
	/* the probe in flight and when its answer arrives (0: lost) */
	uint32_t pending_seq;
	uint16_t pending_size;
	uint64_t answer_at;
};

/* Run for ms milliseconds in 5 ms steps, with these parameters. */
static void
run_params(struct pmtu *p, struct path *w, uint64_t ms,
    const struct pmtu_params *pp)
{
	uint64_t end = w->now + ms * MS;
	uint16_t size;

	for (; w->now < end; w->now += 5 * MS) {
		if (w->answer_at != 0 && w->now >= w->answer_at) {
			pmtu_ack(p, pp, w->pending_seq, w->pending_size,
			    w->now);
			w->answer_at = 0;
		}
		if ((size = pmtu_due(p, pp, w->now)) == 0)
			continue;
		w->probes++;
		if (w->local_mtu != 0 && size > w->local_mtu) {
			pmtu_too_big(p, pp, w->now);
			continue;
		}
		pmtu_sent(p, ++w->seq, w->now);
		w->pending_seq = w->seq;
		w->pending_size = size;
		w->rng = w->rng * 1103515245u + 12345u;
		w->answer_at =
		    size <= w->mtu && (int)((w->rng >> 16) % 100) >= w->loss_pct
		    ? w->now + 20 * MS
		    : 0;
	}
}

static void
run(struct pmtu *p, struct path *w, uint64_t ms)
{
	run_params(p, w, ms, &prm);
}

/* The same with tries unanswered probes for a verdict. */
static void
run_with(struct pmtu *p, struct path *w, uint64_t ms, int tries)
{
	struct pmtu_params pp = prm;

	pp.tries = tries;
	run_params(p, w, ms, &pp);
}

START_TEST(full_path_in_one_probe)
{
	struct path w = { .mtu = 1500, .now = 1 };
	struct pmtu p;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run(&p, &w, 100);
	ck_assert_int_eq(p.state, PMTU_DONE);
	ck_assert_uint_eq(p.pmtu, 1500);
	ck_assert_int_eq(p.source, PMTU_SRC_PROBE);
	ck_assert_int_eq(w.probes, 1);
}
END_TEST

START_TEST(silent_black_hole_found_to_the_byte)
{
	static const uint16_t mtus[] = { 1400, 1499, 577, 576, 1280 };
	struct path w = { .mtu = mtus[_i], .now = 1 };
	struct pmtu p;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run(&p, &w, 10000);
	ck_assert_int_eq(p.state, PMTU_DONE);
	ck_assert_uint_eq(p.pmtu, mtus[_i]);
	ck_assert_int_le(w.probes, 40);
}
END_TEST

START_TEST(shrinking_then_growing_path)
{
	struct path w = { .mtu = 1500, .now = 1 };
	struct pmtu p;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run(&p, &w, 500);
	ck_assert_uint_eq(p.pmtu, 1500);
	/* A link of the path drops to 1400, silently: the confirmations of
	 * 1500 go unanswered, and a new search finds 1400. */
	w.mtu = 1400;
	run(&p, &w, 5000);
	ck_assert_int_eq(p.state, PMTU_DONE);
	ck_assert_uint_eq(p.pmtu, 1400);
	ck_assert_uint_eq(p.black_holes, 1);
	/* Back to 1500: found again at the next raise. */
	w.mtu = 1500;
	run(&p, &w, 61000);
	ck_assert_uint_eq(p.pmtu, 1500);
	ck_assert_int_eq(p.state, PMTU_DONE);
}
END_TEST

START_TEST(restart_finds_a_grown_path_now)
{
	struct path w = { .mtu = 1400, .now = 1 };
	struct pmtu p;
	uint64_t searches;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run(&p, &w, 10000);
	ck_assert_uint_eq(p.pmtu, 1400);
	/* The path grows; without a restart only the raise (60 s) sees it. */
	w.mtu = 1500;
	run(&p, &w, 2000);
	ck_assert_uint_eq(p.pmtu, 1400);
	searches = p.searches;
	pmtu_restart(&p, w.now);
	ck_assert_uint_eq(p.pmtu, 1400); /* kept while the search runs */
	ck_assert_uint_eq(p.searches, searches + 1);
	run(&p, &w, 200);
	ck_assert_int_eq(p.state, PMTU_DONE);
	ck_assert_uint_eq(p.pmtu, 1500);
}
END_TEST

START_TEST(tries_grow_with_the_loss)
{
	ck_assert_int_eq(pmtu_tries_for(0), PMTU_TRIES);
	ck_assert_int_eq(pmtu_tries_for(0.01), PMTU_TRIES);
	ck_assert_int_eq(pmtu_tries_for(0.1), 4);
	ck_assert_int_eq(pmtu_tries_for(0.3), 8);
	ck_assert_int_eq(pmtu_tries_for(1), PMTU_TRIES_MAX);
}
END_TEST

START_TEST(random_loss_is_not_a_black_hole)
{
	struct path w = { .mtu = 1500, .now = 1, .loss_pct = 10, .rng = 7 };
	struct pmtu p;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	/* 10 minutes of confirmations, one a second, at 10% loss. */
	run_with(&p, &w, 600000, pmtu_tries_for(0.1));
	ck_assert_uint_eq(p.pmtu, 1500);
	ck_assert_uint_eq(p.black_holes, 0);
	/* Taking two losses for a verdict errs. */
	w.now = 1;
	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run_with(&p, &w, 600000, 2);
	ck_assert_uint_gt(p.black_holes, 0);
}
END_TEST

START_TEST(true_hint_ends_the_search_fast)
{
	struct path w = { .mtu = 1500, .now = 1 };
	struct pmtu p;
	int before;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run(&p, &w, 100);
	w.mtu = 1400;
	before = w.probes;
	pmtu_hint(&p, 1400, w.now); /* ICMP said 1400 */
	run(&p, &w, 800);
	ck_assert_uint_eq(p.pmtu, 1400);
	ck_assert_int_eq(p.state, PMTU_DONE);
	/* 1400 answered, 1401 lost PMTU_TRIES times, no confirmation due. */
	ck_assert_int_eq(w.probes - before, 1 + PMTU_TRIES);
}
END_TEST

START_TEST(forged_hint_is_refuted)
{
	struct path w = { .mtu = 1500, .now = 1 };
	struct pmtu p;
	int searches;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	run(&p, &w, 100);
	pmtu_hint(&p, 1300, w.now); /* a forged packet too big */
	run(&p, &w, 2000);
	ck_assert_uint_eq(p.pmtu, 1500);
	ck_assert_uint_eq(p.refuted, 1300);
	searches = (int)p.searches;
	pmtu_hint(&p, 1300, w.now); /* the same again: ignored */
	run(&p, &w, 100);
	ck_assert_int_eq((int)p.searches, searches);
	ck_assert_uint_eq(p.kernel, 1300);
}
END_TEST

START_TEST(floor_lost)
{
	struct path w = { .mtu = 500, .now = 1 };
	struct pmtu p;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, w.now);
	/* The search ends in error (and retries after confirm_ns). */
	for (int i = 0; i < 300 && p.state != PMTU_ERROR; i++)
		run(&p, &w, 100);
	ck_assert_int_eq(p.state, PMTU_ERROR);
	ck_assert_uint_eq(p.pmtu, PMTU_V4_FLOOR);
	ck_assert_int_eq(p.source, PMTU_SRC_NONE);
	/* The path heals: the next retry finds it. */
	w.mtu = 1500;
	run(&p, &w, 2000);
	ck_assert_int_eq(p.state, PMTU_DONE);
	ck_assert_uint_eq(p.pmtu, 1500);
}
END_TEST

START_TEST(send_failure_counts_as_too_big)
{
	struct path w = { .mtu = 9000, .local_mtu = 1500, .now = 1 };
	struct pmtu p;

	pmtu_init(&p, PMTU_V6_FLOOR, 9000, w.now);
	run(&p, &w, 10000);
	ck_assert_int_eq(p.state, PMTU_DONE);
	ck_assert_uint_eq(p.pmtu, 1500);
}
END_TEST

START_TEST(stale_answers_change_nothing)
{
	struct pmtu p;
	uint16_t size;

	pmtu_init(&p, PMTU_V4_FLOOR, 1500, 1);
	size = pmtu_due(&p, &prm, 1);
	ck_assert_uint_eq(size, 1500);
	pmtu_sent(&p, 7, 1);
	pmtu_ack(&p, &prm, 8, 1500, 2); /* another probe's number */
	pmtu_ack(&p, &prm, 7, 1400, 2); /* a size we did not send */
	ck_assert_int_eq(p.state, PMTU_SEARCHING);
	pmtu_ack(&p, &prm, 7, 1500, 3);
	ck_assert_int_eq(p.state, PMTU_DONE);
	pmtu_ack(&p, &prm, 7, 1500, 4); /* a duplicate */
	ck_assert_int_eq(p.state, PMTU_DONE);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("pmtu");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, full_path_in_one_probe);
	tcase_add_loop_test(tc, silent_black_hole_found_to_the_byte, 0, 5);
	tcase_add_test(tc, shrinking_then_growing_path);
	tcase_add_test(tc, restart_finds_a_grown_path_now);
	tcase_add_test(tc, tries_grow_with_the_loss);
	tcase_add_test(tc, random_loss_is_not_a_black_hole);
	tcase_add_test(tc, true_hint_ends_the_search_fast);
	tcase_add_test(tc, forged_hint_is_refuted);
	tcase_add_test(tc, floor_lost);
	tcase_add_test(tc, send_failure_counts_as_too_big);
	tcase_add_test(tc, stale_answers_change_nothing);
	suite_add_tcase(s, tc);
	return s;
}
