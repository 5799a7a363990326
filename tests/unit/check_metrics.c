/*
 * check_metrics.c: the Prometheus text rendering and the metrics address
 * parser.  (promtool checks the live page in tests/integration.)
 */
#include <string.h>

#include "check_main.h"
#include "ctl/metrics.h"

static const char status[] =
    "{\"name\": \"hub\", \"role\": \"hub\", \"version\": \"0.1.0\","
    " \"uptime_ms\": 12500, \"segments\": [{\"name\": \"pod\", \"mtu\": 1450,"
    " \"tap_rx_frames\": 5, \"tap_rx_bytes\": 500, \"tap_tx_frames\": 6,"
    " \"tap_tx_bytes\": 600, \"floods\": 1, \"mss_clamped\": 2,"
    " \"fdb_entries\": 3}]}";
static const char peers[] =
    "{\"peers\": [{\"name\": \"a\\\"b\\\\c\", \"rx_packets\": 10,"
    " \"rx_bytes\": 1000, \"tx_packets\": 11, \"tx_bytes\": 1100,"
    " \"drops\": {\"unknown_vni\": 4}, \"health\": {\"state\": \"up\","
    " \"loss_pct\": 2.5, \"rtt_ms\": {\"min\": 1.0, \"avg\": 20.0,"
    " \"max\": 30.0, \"jitter\": null}, \"mtu\": {\"pmtu\": 1400,"
    " \"inner_mtu\": 1350, \"black_hole\": true}}}]}";
static const char disc[] =
    "{\"providers\": [{\"name\": \"lab\", \"instances\": 2, \"peers\": 2,"
    " \"listings\": 7, \"listing_failures\": 1}]}";

static char *
render(void)
{
	json_t *s = json_loads(status, 0, NULL),
	       *p = json_loads(peers, 0, NULL), *d = json_loads(disc, 0, NULL);
	char *page;

	ck_assert(s != NULL && p != NULL && d != NULL);
	page = metrics_render(s, p, d);
	json_decref(s);
	json_decref(p);
	json_decref(d);
	return page;
}

START_TEST(page_has_the_figures)
{
	static const char *const want[] = {
		"tunneld_info{name=\"hub\",role=\"hub\",version=\"0.1.0\"} 1\n",
		"tunneld_uptime_seconds 12.5\n",
		"# TYPE tunneld_peer_receive_bytes_total counter\n",
		/* Label values escaped: a"b\c. */
		"tunneld_peer_receive_bytes_total{peer=\"a\\\"b\\\\c\"} 1000\n",
		"tunneld_peer_rtt_seconds{peer=\"a\\\"b\\\\c\"} 0.02",
		"tunneld_peer_loss_ratio{peer=\"a\\\"b\\\\c\"} 0.025",
		"tunneld_peer_path_mtu_bytes{peer=\"a\\\"b\\\\c\"} 1400\n",
		"tunneld_peer_mtu_black_hole{peer=\"a\\\"b\\\\c\"} 1\n",
		"tunneld_peer_state{peer=\"a\\\"b\\\\c\",state=\"up\"} 1\n",
		"tunneld_peer_state{peer=\"a\\\"b\\\\c\",state=\"down\"} 0\n",
		"tunneld_peer_drops_total{peer=\"a\\\"b\\\\c\",reason="
		"\"unknown_vni\"} 4\n",
		"tunneld_segment_mss_clamped_total{segment=\"pod\"} 2\n",
		"tunneld_segment_mtu_bytes{segment=\"pod\"} 1450\n",
		"tunneld_discovery_listing_failures_total{provider=\"lab\"} "
		"1\n",
	};
	char *page = render();
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(page, want[i]) != NULL, "no \"%s\" in\n%s",
		    want[i], page);
	/* A null figure (jitter) has no sample, but its family is there. */
	ck_assert(
	    strstr(page, "# TYPE tunneld_peer_jitter_seconds gauge\n") != NULL);
	ck_assert(strstr(page, "tunneld_peer_jitter_seconds{") == NULL);
	free(page);
}
END_TEST

START_TEST(empty_views)
{
	json_t *e = json_object();
	char *page = metrics_render(e, e, e);

	ck_assert(strstr(page, "tunneld_info{name=\"\"") != NULL);
	ck_assert(strstr(page, "# TYPE tunneld_peer_state gauge") != NULL);
	free(page);
	json_decref(e);
}
END_TEST

START_TEST(addresses)
{
	struct sockaddr_any a;
	const char *why;

	ck_assert_int_eq(metrics_parse_addr("127.0.0.1:9108", &a, &why), 0);
	ck_assert_int_eq(a.sa.sa_family, AF_INET);
	ck_assert_uint_eq(ntohs(a.sin.sin_port), 9108);
	ck_assert_int_eq(metrics_parse_addr("[::1]:9108", &a, &why), 0);
	ck_assert_int_eq(a.sa.sa_family, AF_INET6);
	ck_assert_uint_eq(ntohs(a.sin6.sin6_port), 9108);
	ck_assert_int_eq(metrics_parse_addr("127.0.0.1", &a, &why), -1);
	ck_assert_int_eq(metrics_parse_addr("127.0.0.1:0", &a, &why), -1);
	ck_assert_int_eq(metrics_parse_addr("127.0.0.1:65536", &a, &why), -1);
	ck_assert_int_eq(metrics_parse_addr("::1:9108", &a, &why), -1);
	ck_assert_int_eq(metrics_parse_addr("[::1]9108", &a, &why), -1);
	ck_assert_int_eq(metrics_parse_addr("host:9108", &a, &why), -1);
	ck_assert_str_eq(why, "not a numeric IPv4 or IPv6 address");
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, page_has_the_figures);
	tcase_add_test(tc, empty_views);
	tcase_add_test(tc, addresses);
	suite_add_tcase(s, tc);
	return s;
}
