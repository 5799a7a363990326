/* check_table.c: the segment and peer table: slots, ports, names, endpoints. */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "ctl/table.h"

static struct table *t;

static void
setup(void)
{
	t = table_new();
}

static void
teardown(void)
{
	table_free(t);
}

/* A VXLAN peer "pN" at 10.0.N/256.N%256 (or the given address). */
static struct tbl_peer
peer(int n, const char *address)
{
	struct tbl_peer p;
	char a[64];

	memset(&p, 0, sizeof p);
	snprintf(p.name, sizeof p.name, "p%d", n);
	snprintf(a, sizeof a, "10.0.%d.%d", n / 256, n % 256);
	ck_assert_int_eq(addr_parse(address ? address : a, 4789, &p.addr), 0);
	snprintf(p.address, sizeof p.address, "%s", address ? address : a);
	p.encap = ENCAP_VXLAN;
	p.slots = 1;
	return p;
}

START_TEST(segments_keep_their_slots)
{
	struct tbl_segment s = { .cfg = { .name = "a", .tap = "tn-a" } };
	int a, b;

	a = table_seg_add(t, &s);
	strcpy(s.cfg.name, "b");
	b = table_seg_add(t, &s);
	ck_assert_int_eq(a, 0);
	ck_assert_int_eq(b, 1);
	ck_assert_int_eq(table_seg_find(t, "b"), 1);
	table_seg_del(t, a);
	ck_assert_ptr_null(table_seg(t, a));
	ck_assert_int_eq(table_seg_find(t, "a"), -1);
	ck_assert_int_eq(table_seg_find(t, "b"), 1);
	ck_assert_int_eq(table_seg_next(t, -1), 1);
	ck_assert_int_eq(table_seg_next(t, 1), -1);
}
END_TEST

START_TEST(every_peer_found_by_name_and_endpoint)
{
	struct tbl_peer p;
	uint16_t port;
	int i, n = 0;

	for (i = 0; i < DP_MAX_PEERS; i++) {
		p = peer(i, NULL);
		port = table_peer_add(t, &p);
		ck_assert_uint_eq(port, (unsigned)i + 1);
	}
	p = peer(DP_MAX_PEERS, NULL);
	ck_assert_uint_eq(table_peer_add(t, &p), PORT_UNKNOWN); /* full */
	for (i = 0; i < DP_MAX_PEERS; i++) {
		p = peer(i, NULL);
		ck_assert_uint_eq(table_peer_find(t, p.name), (unsigned)i + 1);
		ck_assert_uint_eq(table_peer_at(t, ENCAP_VXLAN, &p.addr.sa),
		    (unsigned)i + 1);
		ck_assert_uint_eq(table_peer_at(t, ENCAP_GREUDP, &p.addr.sa),
		    PORT_UNKNOWN);
	}
	for (port = PORT_LOCAL; (port = table_peer_next(t, port)) != 0;)
		n++;
	ck_assert_int_eq(n, DP_MAX_PEERS);
	ck_assert_int_eq(table_peer_count(t), DP_MAX_PEERS);
	/* Removing from the middle of chains leaves the rest findable. */
	for (i = 0; i < DP_MAX_PEERS; i += 2)
		table_peer_del(t, (uint16_t)(i + 1));
	for (i = 0; i < DP_MAX_PEERS; i++) {
		p = peer(i, NULL);
		ck_assert_uint_eq(table_peer_find(t, p.name),
		    i % 2 ? (unsigned)i + 1 : PORT_UNKNOWN);
		ck_assert_uint_eq(table_peer_at(t, ENCAP_VXLAN, &p.addr.sa),
		    i % 2 ? (unsigned)i + 1 : PORT_UNKNOWN);
	}
	/*
	 * A freed port is held until the runtime releases it (after the
	 * publish and the MAC flush), then reused.
	 */
	ck_assert(table_port_held(t, 1));
	p = peer(0, NULL);
	ck_assert_uint_eq(table_peer_add(t, &p), PORT_UNKNOWN);
	table_release_ports(t);
	ck_assert(!table_port_held(t, 1));
	ck_assert_uint_eq(table_peer_add(t, &p), 1);
}
END_TEST

START_TEST(names_and_endpoints_are_unique)
{
	struct tbl_peer a = peer(1, "192.0.2.1"), b = peer(2, "192.0.2.1");
	uint16_t pa, pb;

	pa = table_peer_add(t, &a);
	ck_assert_uint_ne(pa, PORT_UNKNOWN);
	/* Same endpoint, other name: refused; other encap: a new endpoint. */
	ck_assert_uint_eq(table_peer_add(t, &b), PORT_UNKNOWN);
	b.encap = ENCAP_GREUDP;
	pb = table_peer_add(t, &b);
	ck_assert_uint_ne(pb, PORT_UNKNOWN);
	/* Same name, other endpoint: refused. */
	b = peer(1, "192.0.2.9");
	ck_assert_uint_eq(table_peer_add(t, &b), PORT_UNKNOWN);
	/* A change in place may not take another peer's endpoint... */
	b = peer(2, "192.0.2.1");
	ck_assert(!table_peer_set(t, pb, &b));
	ck_assert_uint_eq(table_peer_at(t, ENCAP_GREUDP, &b.addr.sa), pb);
	/* ... but may move to a free one, and is found there only. */
	b = peer(2, "192.0.2.2");
	ck_assert(table_peer_set(t, pb, &b));
	ck_assert_uint_eq(table_peer_at(t, ENCAP_VXLAN, &b.addr.sa), pb);
	ck_assert_uint_eq(table_peer_at(t, ENCAP_GREUDP, &a.addr.sa),
	    PORT_UNKNOWN);
	ck_assert_uint_eq(table_peer_find(t, "p2"), pb);
}
END_TEST

START_TEST(same_peer)
{
	struct tbl_peer a = peer(1, NULL), b = peer(1, NULL);

	ck_assert(table_peer_same(&a, &b));
	b.addr.sin.sin_port = htons(1); /* another port */
	ck_assert(!table_peer_same(&a, &b));
	b = a;
	b.slots = 3; /* another segment set */
	ck_assert(!table_peer_same(&a, &b));
	b = a;
	b.encap = ENCAP_GREUDP;
	ck_assert(!table_peer_same(&a, &b));
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, segments_keep_their_slots);
	tcase_add_test(tc, every_peer_found_by_name_and_endpoint);
	tcase_add_test(tc, names_and_endpoints_are_unique);
	tcase_add_test(tc, same_peer);
	suite_add_tcase(s, tc);
	return s;
}
