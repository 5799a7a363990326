/*
 * check_model.c: tunneltop's model apart from its view: rates and their
 * states, history buckets and sparklines, sorting, filtering, the columns
 * kept at a width, the diagnosis line of each case, and events.
 */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "diag.h"
#include "model.h"
#include "series.h"
#include "table.h"
#include "ui.h"

#include <curses.h>

static json_t *
status(json_int_t uptime_ms)
{
	return json_pack("{s:s,s:s,s:s,s:I,s:{s:i,s:i,s:b,s:b},s:[{s:b}]}",
	    "name", "hub", "role", "hub", "version", "0.1.0", "uptime_ms",
	    uptime_ms, "datapath", "threads", 2, "batch", 32, "udp_gso", 1,
	    "udp_gro", 1, "segments", "offload", 1);
}

/* A peer as the daemon's "peers" reply has it. */
static json_t *
peer(const char *name, json_int_t rx, const char *state, double rtt,
    double loss)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:[s],s:I,s:I,s:I,s:I,s:{},"
			 "s:{s:s,s:f,s:s,s:s,s:{s:f,s:f,s:f,s:f},s:f,s:f,"
			 "s:{s:i,s:s,s:s,s:i,s:i,s:i,s:i,s:b,s:n}}}",
	    "name", name, "source", "config", "address", "10.0.0.2", "encap",
	    "vxlan", "port", 4789, "segments", "pod", "rx_bytes", rx,
	    "tx_bytes", rx / 2, "rx_packets", rx / 1000, "tx_packets",
	    rx / 2000, "drops", "health", "state", state, "since_s", 65.0,
	    "reason",
	    strcmp(state, "down") == 0 ? "no probe answered for "
					 "5000 ms"
				       : "probes answered",
	    "probe", "auto", "rtt_ms", "min", rtt / 2, "avg", rtt, "max",
	    rtt * 2, "jitter", rtt / 10, "loss_pct", loss, "last_rx_s", 6.0,
	    "mtu", "pmtu", 1500, "source", "probe", "search", "done",
	    "inner_frame_max", 1464, "inner_mtu", 1450, "segment_mtu", 1450,
	    "overhead", 50, "black_hole", 0, "black_hole_segment");
}

static void
update(struct model *m, json_t *peers, json_int_t uptime_ms, uint64_t now_ms)
{
	struct replies r = { .status = status(uptime_ms), .peers = peers };

	model_update(m, &r, now_ms, (time_t)(1700000000 + now_ms / 1000));
	json_decref(r.status);
	json_decref(peers);
}

static json_t *
one(json_t *p)
{
	return json_pack("{s:[o]}", "peers", p);
}

START_TEST(rates_and_their_states)
{
	struct model *m = model_new();
	const struct tunnel *t;

	update(m, one(peer("spoke1", 1000, "up", 1, 0)), 5000, 10000);
	t = model_find(m, "spoke1");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->rate, RATE_FIRST);
	ck_assert(isnan(t->rx_bps));
	/* 2000 bytes in 2 s */
	update(m, one(peer("spoke1", 3000, "up", 1, 0)), 7000, 12000);
	t = model_find(m, "spoke1");
	ck_assert_int_eq(t->rate, RATE_OK);
	ck_assert_double_eq_tol(t->rx_bps, 8000, 1e-6);
	ck_assert_double_eq_tol(t->tx_bps, 4000, 1e-6);
	ck_assert_double_eq_tol(m->rx_bps, 8000, 1e-6);
	ck_assert_int_eq(t->hist_len, 2);
	model_unreachable(m, "tunneld is not running", 1700000013);
	ck_assert(m->stale);
	ck_assert_int_eq(model_find(m, "spoke1")->rate, RATE_STALE);
	ck_assert_str_eq(m->error, "tunneld is not running");
	/* The daemon restarted: counters went backwards, uptime too. */
	update(m, one(peer("spoke1", 5, "up", 1, 0)), 1000, 13000);
	t = model_find(m, "spoke1");
	ck_assert_int_eq(t->rate, RATE_RESET);
	ck_assert(!m->stale);
	ck_assert_str_eq(model_event(m, m->ev_len - 1)->text,
	    "tunneld restarted");
	ck_assert_int_eq(t->hist_len, 3); /* the history survives */
	model_reset_history(m);
	ck_assert_int_eq(model_find(m, "spoke1")->hist_len, 0);
	model_free(m);
}
END_TEST

START_TEST(history_is_capped_and_bucketed)
{
	struct model *m = model_new();
	const struct tunnel *t;
	double v[8];
	char spark[SPARK_BUCKETS * 3 + 1];
	int i;

	/* 700 s at 1000 bytes/s (8000 b/s), then 60 s at twice that. */
	for (i = 0; i <= 700; i++)
		update(m, one(peer("a", (json_int_t)i * 1000, "up", 1, 0)),
		    i * 1000, 1000 + (uint64_t)i * 1000);
	for (i = 1; i <= 60; i++)
		update(m,
		    one(peer("a", 700000 + (json_int_t)i * 2000, "up", 1, 0)),
		    700000 + i * 1000, 701000 + (uint64_t)i * 1000);
	t = model_find(m, "a");
	ck_assert_int_eq(t->hist_len, MODEL_HISTORY);
	/* The last 2 minutes in 6 buckets of 20 s: 8000, 8000, 8000 b/s rx
	 * + 4000 tx, then 16000 + 8000. */
	series_buckets(t, SERIES_TOTAL, 761000, 120000, 6, v);
	ck_assert_double_eq_tol(v[0], 12000, 1e-3);
	ck_assert_double_eq_tol(v[2], 12000, 1e-3);
	ck_assert_double_eq_tol(v[3], 24000, 1e-3);
	ck_assert_double_eq_tol(v[5], 24000, 1e-3);
	ck_assert_double_eq_tol(series_max(v, 6), 24000, 1e-3);
	ck_assert_int_eq(series_level(v[0], 24000), 4);
	ck_assert_int_eq(series_level(v[5], 24000), 8);
	ck_assert_int_eq(series_level(1, 24000), 1); /* not nothing */
	ck_assert_int_eq(series_level(0, 24000), 0);
	/* Before the history began: no data, not zero. */
	series_buckets(t, SERIES_TOTAL, 761000, 760000, 8, v);
	ck_assert(isnan(v[0]));
	ck_assert(!isnan(v[7]));
	/* Up all along: no bucket has a moment down. */
	series_buckets(t, SERIES_DOWN, 761000, 120000, 6, v);
	ck_assert_double_eq_tol(series_max(v, 6), 0, 1e-9);
	series_sparkline(t, SERIES_TOTAL, 761000, 120000, 6, false, spark);
	ck_assert_str_eq(spark, "===@@@");
	/* One moment down marks its bucket, and only that one. */
	update(m, one(peer("a", 900000, "down", 1, 0)), 761000, 762000);
	t = model_find(m, "a");
	series_buckets(t, SERIES_DOWN, 762000, 120000, 6, v);
	ck_assert(v[5] > 0 && v[5] < 1);
	ck_assert_double_eq_tol(v[4], 0, 1e-9);
	model_free(m);
}
END_TEST

static json_t *
three(void)
{
	json_t *a = peer("os/web", 0, "up", 2, 0),
	       *b = peer("aws/db", 0, "down", 40, 20),
	       *c = peer("spoke1", 0, "up", 9, 1);

	json_object_set_new(b, "encap", json_string("gre"));
	json_object_set_new(c, "source", json_string("lab"));
	return json_pack("{s:[o,o,o]}", "peers", a, b, c);
}

START_TEST(sorted_and_filtered)
{
	struct model *m = model_new();
	struct table_sort s = { COL_NAME, false };
	int idx[3], n;

	update(m, three(), 1000, 1000);
	n = table_rows(m, &s, "", idx);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "aws/db");
	ck_assert_str_eq(m->tunnels[idx[2]].name, "spoke1");
	s.invert = true;
	table_rows(m, &s, "", idx);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "spoke1");
	/* RTT sorts largest first; inverted, smallest first. */
	s.col = COL_RTT;
	s.invert = false;
	table_rows(m, &s, "", idx);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "aws/db");
	ck_assert_str_eq(m->tunnels[idx[1]].name, "spoke1");
	s.invert = true;
	table_rows(m, &s, "", idx);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "os/web");
	ck_assert_str_eq(table_sort_order(&s), "smallest first");
	/* STATE puts the trouble first. */
	s.col = COL_STATE;
	s.invert = false;
	table_rows(m, &s, "", idx);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "aws/db");
	ck_assert_str_eq(table_sort_order(&s), "down first");
	s.col = COL_ENCAP;
	ck_assert_str_eq(table_sort_order(&s), "A to Z");
	/* Filters: a name part, a source, an encapsulation, a state. */
	ck_assert_int_eq(table_rows(m, &s, "WEB", idx), 1);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "os/web");
	ck_assert_int_eq(table_rows(m, &s, "lab", idx), 1);
	ck_assert_int_eq(table_rows(m, &s, "gre", idx), 1);
	ck_assert_int_eq(table_rows(m, &s, "down", idx), 1);
	ck_assert_str_eq(m->tunnels[idx[0]].name, "aws/db");
	ck_assert_int_eq(table_rows(m, &s, "up", idx), 2);
	ck_assert_int_eq(table_rows(m, &s, "nothing", idx), 0);
	model_free(m);
}
END_TEST

static bool
shown(const struct placed *pl, int n, enum column c)
{
	int i;

	for (i = 0; i < n; i++)
		if (pl[i].col == c)
			return true;
	return false;
}

START_TEST(columns_dropped_at_a_width)
{
	static const int widths[] = { 30, 60, 80, 100, 132, 160, 250 };
	struct placed pl[COL_MAX];
	int i, n, w;

	for (w = 0; w < (int)(sizeof widths / sizeof widths[0]); w++) {
		n = table_layout(widths[w], pl);
		/* Never wider than the terminal, in display order. */
		ck_assert_int_le(pl[n - 1].x + pl[n - 1].width, widths[w]);
		for (i = 1; i < n; i++)
			ck_assert_int_gt(pl[i].x,
			    pl[i - 1].x + pl[i - 1].width - 1);
		ck_assert(shown(pl, n, COL_NAME) && shown(pl, n, COL_STATE));
	}
	n = table_layout(80, pl);
	ck_assert(shown(pl, n, COL_RX) && shown(pl, n, COL_TX));
	ck_assert(shown(pl, n, COL_RTT) && shown(pl, n, COL_LOSS));
	ck_assert(shown(pl, n, COL_PMTU) && shown(pl, n, COL_FRAME));
	ck_assert(shown(pl, n, COL_DROPS));
	ck_assert(!shown(pl, n, COL_ADDRESS) && !shown(pl, n, COL_SPARK));
	ck_assert_int_ge(pl[0].width, 16);
	n = table_layout(160, pl);
	ck_assert_int_eq(n, COL_MAX); /* everything at 160 */
	/* The least important go first. */
	n = table_layout(45, pl);
	ck_assert(!shown(pl, n, COL_RTT));
	ck_assert(shown(pl, n, COL_RX));
	n = table_layout(10, pl); /* below the minimum: nothing, no wrap */
	ck_assert_int_eq(n, 0);
}
END_TEST

/* The diagnosis of the only tunnel after p (changed by the caller). */
static enum diag_level
diagnose(json_t *p, char *why, size_t n)
{
	struct model *m = model_new();
	enum diag_level l;

	update(m, one(p), 1000, 1000);
	l = diag_tunnel(m, &m->tunnels[0], 1000, 1700000001, why, n);
	model_free(m);
	return l;
}

static json_t *
mtu_of(json_t *p)
{
	return json_object_get(json_object_get(p, "health"), "mtu");
}

START_TEST(diagnosis_lines)
{
	char why[512];
	json_t *p;

	ck_assert_int_eq(diagnose(peer("a", 0, "up", 1, 0), why, sizeof why),
	    DIAG_OK);
	ck_assert_str_eq(why, "");
	ck_assert_int_eq(diagnose(peer("a", 0, "down", 1, 0), why, sizeof why),
	    DIAG_BAD);
	ck_assert_msg(strstr(why, "down since ") == why &&
		strstr(why, ": no probe answered for 5000 ms, last rx 6s ago"),
	    "%s", why);
	p = peer("a", 0, "up", 1, 0);
	json_object_set_new(mtu_of(p), "black_hole", json_true());
	json_object_set_new(mtu_of(p), "black_hole_segment",
	    json_string("pod"));
	json_object_set_new(mtu_of(p), "pmtu", json_integer(1400));
	json_object_set_new(mtu_of(p), "inner_mtu", json_integer(1350));
	ck_assert_int_eq(diagnose(p, why, sizeof why), DIAG_BAD);
	ck_assert_str_eq(why,
	    "black hole: path 1400, TAP pod 1450; set mtu = auto or "
	    "clamp-mss = yes");
	ck_assert_int_eq(diagnose(peer("a", 0, "up", 12, 2.5), why, sizeof why),
	    DIAG_WARN);
	ck_assert_str_eq(why,
	    "losing 2.5% of probes; RTT 12.0 ms, jitter 1.20 "
	    "ms");
	p = peer("a", 0, "unprobed", 1, 0);
	json_object_set_new(json_object_get(p, "health"), "last_rx_s",
	    json_real(125));
	ck_assert_int_eq(diagnose(p, why, sizeof why), DIAG_WARN);
	ck_assert_str_eq(why, "unprobed and nothing received for 2m05s");
}
END_TEST

/* Drops by reason between two samples. */
static enum diag_level
diagnose_drops(const char *reason, char *why, size_t n)
{
	struct model *m = model_new();
	json_t *p = peer("a", 1000, "up", 1, 0);
	enum diag_level l;

	json_object_set_new(p, "drops", json_pack("{s:i}", reason, 10));
	update(m, one(p), 1000, 1000);
	p = peer("a", 2000, "up", 1, 0);
	json_object_set_new(p, "drops", json_pack("{s:i}", reason, 30));
	update(m, one(p), 2000, 2000);
	ck_assert_double_eq_tol(m->tunnels[0].drops_ps, 20, 1e-6);
	ck_assert_int_eq(m->ndropping, 1);
	l = diag_tunnel(m, &m->tunnels[0], 2000, 1700000002, why, n);
	model_free(m);
	return l;
}

START_TEST(diagnosis_of_drops)
{
	char why[512];

	ck_assert_int_eq(diagnose_drops("unknown_vni", why, sizeof why),
	    DIAG_WARN);
	ck_assert_str_eq(why, "dropping 20/s: unknown_vni 20/s");
	ck_assert_int_eq(diagnose_drops("oversize", why, sizeof why), DIAG_BAD);
	ck_assert_str_eq(why,
	    "dropping 20/s oversize frames: the path carries "
	    "frames of up to 1464 bytes; set mtu = auto or "
	    "clamp-mss = yes");
	ck_assert_int_eq(diagnose_drops("replay", why, sizeof why), DIAG_WARN);
	ck_assert_str_eq(why, "replay drops rising: 20/s");
}
END_TEST

START_TEST(diagnosis_of_a_rate_fall_after_a_pmtu_drop)
{
	struct model *m = model_new();
	struct replies r = { 0 };
	char why[512];
	uint64_t t;
	json_int_t rx = 0;

	/* 20 s at 1 MB/s, the PMTU drops, then 10 s at 100 kB/s. */
	for (t = 1; t <= 30; t++) {
		rx += t <= 20 ? 1000000 : 100000;
		r.status = status((json_int_t)t * 1000);
		r.peers = one(peer("a", rx, "up", 1, 0));
		r.events = t != 21
		    ? NULL
		    : json_pack("{s:i,s:i,s:[{s:i,s:I,s:s,s:s,s:s,s:s,s:i,"
				"s:i}]}",
			  "next", 2, "lost", 0, "events", "seq", 1, "time",
			  (json_int_t)1700000020, "kind", "pmtu", "level",
			  "info", "peer", "a", "text",
			  "path MTU 1500 -> 1400 (probe)", "from", 1500, "to",
			  1400);
		model_update(m, &r, t * 1000, (time_t)(1700000000 + t));
		json_decref(r.status);
		json_decref(r.peers);
		json_decref(r.events);
	}
	ck_assert_int_eq(m->events_next, 2);
	ck_assert_int_eq(diag_tunnel(m, &m->tunnels[0], 30000, 1700000030, why,
			     sizeof why),
	    DIAG_WARN);
	ck_assert_msg(strstr(why, "rate fell 8") == why &&
		strstr(why, "% when PMTU dropped 1500 -> 1400 at "),
	    "%s", why);
	model_free(m);
}
END_TEST

START_TEST(events_and_escaping)
{
	struct model *m = model_new();
	struct replies r = { 0 };

	r.status = status(1000);
	r.peers = json_pack("{s:[{s:s}]}", "peers", "name", "bad\033[2Jname");
	r.events = json_pack("{s:i,s:i,s:[{s:i,s:i,s:s,s:s,s:n,s:s}]}", "next",
	    8, "lost", 0, "events", "seq", 7, "time", 1700000000, "kind",
	    "reload", "level", "warn", "peer", "text", "reload refused");
	model_update(m, &r, 1000, 1700000001);
	ck_assert_str_eq(m->tunnels[0].name, "bad\\x1b[2Jname");
	ck_assert_int_eq(m->ev_len, 1);
	ck_assert(model_event(m, 0)->warn);
	ck_assert_str_eq(model_event(m, 0)->peer, "");
	ck_assert_uint_eq(m->events_next, 8);
	json_decref(r.events);
	/* A daemon numbering from 1 again: ask for everything. */
	r.events = json_pack("{s:i,s:i,s:[]}", "next", 3, "lost", 0, "events");
	model_update(m, &r, 2000, 1700000002);
	ck_assert_uint_eq(m->events_next, 1);
	json_decref(r.status);
	json_decref(r.peers);
	json_decref(r.events);
	model_free(m);
}
END_TEST

START_TEST(keys_move_scroll_sort_and_filter)
{
	struct model *m = model_new();
	json_t *a = json_array();
	struct ui u;
	char name[16];
	int i;

	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "peer-%02d", i);
		json_array_append_new(a,
		    peer(name, 0, i == 7 ? "down" : "up", 1 + i, 0));
	}
	update(m, json_pack("{s:o}", "peers", a), 1000, 1000);
	ui_init(&u);
	ui_rows(&u, m);
	ui_set_page(&u, 10);
	for (i = 0; i < 12; i++)
		ui_key(&u, m, 'j', 0);
	ck_assert_int_eq(u.sel, 12);
	ck_assert_int_eq(u.top, 3); /* the selection stays on the screen */
	ui_key(&u, m, KEY_NPAGE, 0);
	ck_assert_int_eq(u.sel, 22);
	ui_key(&u, m, 'G', 0);
	ck_assert_int_eq(u.sel, 49);
	ck_assert_int_eq(u.top, 40);
	ck_assert_str_eq(ui_selected(&u, m)->name, "peer-49");
	/* Sorted by STATE the selection follows its tunnel, by name. */
	for (i = 0; i < COL_STATE; i++)
		ui_key(&u, m, 's', 0);
	ck_assert_int_eq(u.sort.col, COL_STATE);
	ck_assert_str_eq(m->tunnels[u.rows[0]].name, "peer-07"); /* down */
	ck_assert_str_eq(ui_selected(&u, m)->name, "peer-49");
	/* The filter applies as it is typed; Esc clears it. */
	ui_key(&u, m, '/', 0);
	ui_key(&u, m, '4', 0);
	ck_assert_int_eq(u.nrows, 14); /* 04, 14, 24, 34, 40..49 */
	ui_key(&u, m, '\n', 0);
	ck_assert(!u.editing);
	ck_assert_str_eq(u.filter, "4");
	ck_assert_int_eq(ui_key(&u, m, 'q', 0), ACT_QUIT);
	ui_key(&u, m, 27, 0);
	ck_assert_int_eq(u.nrows, 50);
	/* Enter opens the selected tunnel; Esc returns; ? and back. */
	ui_key(&u, m, '\n', 0);
	ck_assert_int_eq(u.screen, SCR_DETAIL);
	ck_assert_int_eq(ui_key(&u, m, 'p', 0), ACT_PMTU_PROBE);
	ui_key(&u, m, '?', 0);
	ck_assert_int_eq(u.screen, SCR_HELP);
	ui_key(&u, m, 27, 0);
	ck_assert_int_eq(u.screen, SCR_DETAIL);
	ui_key(&u, m, 27, 0);
	ck_assert_int_eq(u.screen, SCR_MAIN);
	ui_free(&u);
	model_free(m);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, rates_and_their_states);
	tcase_add_test(tc, history_is_capped_and_bucketed);
	tcase_add_test(tc, sorted_and_filtered);
	tcase_add_test(tc, columns_dropped_at_a_width);
	tcase_add_test(tc, diagnosis_lines);
	tcase_add_test(tc, diagnosis_of_drops);
	tcase_add_test(tc, diagnosis_of_a_rate_fall_after_a_pmtu_drop);
	tcase_add_test(tc, events_and_escaping);
	tcase_add_test(tc, keys_move_scroll_sort_and_filter);
	suite_add_tcase(s, tc);
	return s;
}
