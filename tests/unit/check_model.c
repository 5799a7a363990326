/* check_model.c: tunneltop's rates from counter deltas and their states. */
#include "check_main.h"
#include "model.h"

static json_t *
peers(json_int_t rx_bytes, json_int_t rx_packets)
{
	return json_pack("{s:[{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:{s:i}}]}", "peers",
	    "name", "spoke1", "address", "10.0.0.2", "encap", "vxlan",
	    "rx_bytes", rx_bytes, "tx_bytes", (json_int_t)0,
	    "rx_packets", rx_packets, "tx_packets", (json_int_t)0,
	    "drops", "truncated", 3);
}

START_TEST(rates)
{
	struct model *m = model_new();
	json_t *st = json_pack("{s:s,s:s,s:s,s:i,s:s}", "name", "hub", "role",
	    "hub", "version", "0.1.0", "uptime_ms", 5000, "data_path", "x");
	json_t *p1 = peers(1000, 10), *p2 = peers(3000, 30), *p3 = peers(5, 1);

	model_update(m, st, p1, 10000);
	ck_assert_int_eq(m->nrows, 1);
	ck_assert_int_eq(m->rows[0].state, RATE_FIRST);
	ck_assert_uint_eq(m->rows[0].drops, 3);
	model_update(m, st, p2, 12000);	/* 2000 bytes, 20 packets in 2 s */
	ck_assert_int_eq(m->rows[0].state, RATE_OK);
	ck_assert_double_eq_tol(m->rows[0].rx_bps, 8000, 1e-6);
	ck_assert_double_eq_tol(m->rows[0].rx_pps, 10, 1e-6);
	model_unreachable(m, "tunneld is not running");
	ck_assert_int_eq(m->rows[0].state, RATE_STALE);
	ck_assert_str_eq(m->error, "tunneld is not running");
	model_update(m, st, p3, 13000);	/* counters went backwards */
	ck_assert_int_eq(m->rows[0].state, RATE_RESET);
	ck_assert_str_eq(m->error, "");
	json_decref(st);
	json_decref(p1);
	json_decref(p2);
	json_decref(p3);
	model_free(m);
}
END_TEST

/* Names as long as the daemon's (63 bytes) that differ only at the end. */
static json_t *
two_peers(json_int_t a_rx, json_int_t b_rx)
{
	return json_pack("{s:[{s:s,s:I},{s:s,s:I}]}", "peers", "name",
	    "lab/instance-of-a-very-long-name-in-a-big-project-0001",
	    "rx_bytes", a_rx, "name",
	    "lab/instance-of-a-very-long-name-in-a-big-project-0002",
	    "rx_bytes", b_rx);
}

START_TEST(long_names_keep_their_own_rates)
{
	struct model *m = model_new();
	json_t *st = json_pack("{s:s}", "name", "hub");
	json_t *p1 = two_peers(0, 0), *p2 = two_peers(1000, 5000);

	model_update(m, st, p1, 10000);
	model_update(m, st, p2, 11000);
	ck_assert_int_eq(m->nrows, 2);
	ck_assert_str_eq(m->rows[1].name,
	    "lab/instance-of-a-very-long-name-in-a-big-project-0002");
	ck_assert_double_eq_tol(m->rows[0].rx_bps, 8000, 1e-6);
	ck_assert_double_eq_tol(m->rows[1].rx_bps, 40000, 1e-6);
	json_decref(st);
	json_decref(p1);
	json_decref(p2);
	model_free(m);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, rates);
	tcase_add_test(tc, long_names_keep_their_own_rates);
	suite_add_tcase(s, tc);
	return s;
}
