/* check_perfstat.c: the throughput test's loss, reorder, jitter and rates. */
#include <math.h>

#include "check_main.h"
#include "ctl/perfstat.h"

#define MS 1000000ull

START_TEST(in_order_no_loss)
{
	struct perf_udp_rx r, zero;
	struct perf_figures f;
	uint64_t i;

	perf_udp_init(&r);
	perf_udp_init(&zero);
	for (i = 1; i <= 1000; i++)
		perf_udp_rx(&r, i, i * MS, i * MS + 5 * MS, 1000);
	perf_udp_figures(&zero, 0, &r, 1000 * MS, &f);
	ck_assert_uint_eq(f.packets, 1000);
	ck_assert_uint_eq(f.lost, 0);
	ck_assert_uint_eq(f.out_of_order, 0);
	/* 1,000,000 bytes in one second. */
	ck_assert_double_eq_tol(f.bits_per_s, 8e6, 1);
	ck_assert_double_eq_tol(f.packets_per_s, 1000, 1e-6);
	ck_assert_double_eq_tol(f.loss_pct, 0, 1e-9);
	ck_assert_double_eq_tol(f.jitter_ms, 0, 1e-9); /* constant transit */
}
END_TEST

START_TEST(gaps_are_lost_late_ones_taken_back)
{
	struct perf_udp_rx r, zero;
	struct perf_figures f;

	perf_udp_init(&r);
	perf_udp_rx(&r, 1, 0, 0, 100);
	perf_udp_rx(&r, 2, 0, 0, 100);
	perf_udp_rx(&r, 5, 0, 0, 100); /* 3 and 4 missing */
	ck_assert_uint_eq(r.lost, 2);
	perf_udp_rx(&r, 3, 0, 0, 100); /* late */
	ck_assert_uint_eq(r.lost, 1);
	ck_assert_uint_eq(r.out_of_order, 1);
	perf_udp_rx(&r, 3, 0, 0, 100); /* again */
	ck_assert_uint_eq(r.duplicates, 1);
	ck_assert_uint_eq(r.packets, 4);
	perf_udp_rx(&r, 5, 0, 0, 100); /* the newest, again */
	ck_assert_uint_eq(r.duplicates, 2);
	perf_udp_rx(&r, 0, 0, 0, 100); /* not ours */
	ck_assert_uint_eq(r.packets, 4);
	perf_udp_init(&zero);
	perf_udp_figures(&zero, 0, &r, 1000 * MS, &f);
	/* 4 received, 1 lost: 20% of 5 sent. */
	ck_assert_double_eq_tol(f.loss_pct, 20, 1e-9);
	/* A jump past the 64 remembered: nothing older counts as a dupe. */
	perf_udp_rx(&r, 200, 0, 0, 100);
	ck_assert_uint_eq(r.lost, 1 + 194);
	perf_udp_rx(&r, 4, 0, 0, 100); /* too old to tell: out of order */
	ck_assert_uint_eq(r.out_of_order, 2);
}
END_TEST

/* RFC 3550 A.8: J += (|D| - J) / 16 over transit changes. */
START_TEST(jitter_as_rfc3550)
{
	struct perf_udp_rx r;
	double j = 0;
	uint64_t i, transit;

	perf_udp_init(&r);
	for (i = 1; i <= 200; i++) {
		transit = (i % 2) ? 10 * MS : 12 * MS; /* alternates by 2 ms */
		perf_udp_rx(&r, i, i * 20 * MS, i * 20 * MS + transit, 100);
		if (i > 1)
			j += (2.0 * MS - j) / 16;
	}
	ck_assert_double_eq_tol(r.jitter_ns, j, 1e-3);
	ck_assert_double_eq_tol(r.jitter_ns / 1e6, 2.0, 0.01); /* converged */
}
END_TEST

START_TEST(intervals_add_up)
{
	struct perf_udp_rx r, zero, at[4];
	struct perf_figures f, whole;
	uint64_t i, bytes = 0, packets = 0;
	int k;

	perf_udp_init(&r);
	perf_udp_init(&zero);
	at[0] = r;
	for (k = 1; k <= 3; k++) {
		for (i = 1; i <= 100; i++) {
			uint64_t seq = (uint64_t)(k - 1) * 100 + i;

			if (seq % 10 != 0) /* every tenth lost */
				perf_udp_rx(&r, seq, 0, 0, 500);
		}
		at[k] = r;
	}
	for (k = 1; k <= 3; k++) {
		perf_udp_figures(&at[k - 1], (uint64_t)(k - 1) * 1000 * MS,
		    &at[k], (uint64_t)k * 1000 * MS, &f);
		bytes += f.bytes;
		packets += f.packets;
		ck_assert_double_eq_tol(f.seconds, 1, 1e-9);
		ck_assert(f.lost == 10 || f.lost == 9 || f.lost == 11);
	}
	perf_udp_figures(&zero, 0, &r, 3000 * MS, &whole);
	ck_assert_uint_eq(whole.bytes, bytes);
	ck_assert_uint_eq(whole.packets, packets);
	ck_assert_uint_eq(whole.packets, 270);
	/* The last gap (300) is not known until 301 comes: 29 lost. */
	ck_assert_uint_eq(whole.lost, 29);
	ck_assert_double_eq_tol(perf_bits_per_s(125, 1000 * MS), 1000, 1e-9);
	ck_assert_double_eq_tol(perf_bits_per_s(125, 0), 0, 1e-9);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("perfstat");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, in_order_no_loss);
	tcase_add_test(tc, gaps_are_lost_late_ones_taken_back);
	tcase_add_test(tc, jitter_as_rfc3550);
	tcase_add_test(tc, intervals_add_up);
	suite_add_tcase(s, tc);
	return s;
}
