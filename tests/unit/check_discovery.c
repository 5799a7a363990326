/*
 * check_discovery.c: instances into peers, the retry schedule, and the
 * event-loop HTTP driver (http_async.h) against the fake cloud: the same
 * listing as the synchronous driver, and a timeout from a hung server.
 */
#include <poll.h>
#include <string.h>

#include "check_main.h"
#include "ctl/discovery.h"
#include "fakecloud.h"
#include "http_async.h"
#include "listing.h"
#include "openstack.h"

static void
provider_cfg(struct cfg_provider *p, enum cfg_addr_kind kind, int family)
{
	memset(p, 0, sizeof *p);
	strcpy(p->name, "lab");
	p->address = kind;
	p->family = family;
	p->encap = ENCAP_VXLAN;
	p->port = 4789;
	p->segments = 3;
	p->refresh_s = 60;
}

static void
instance_fill(struct instance *in, const char *name)
{
	memset(in, 0, sizeof *in);
	in->id = (char *)"i-0123";
	in->name = (char *)name;
}

START_TEST(peer_of_picks_address)
{
	char *priv[] = { "fd00::5", "10.0.0.5" }, *pub[] = { "203.0.113.7" };
	struct cfg_provider cfg;
	struct instance in;
	struct cfg_peer peer;
	const char *why;
	char buf[64];

	instance_fill(&in, "web 1/x");
	in.private_addrs = priv;
	in.nprivate = 2;
	in.public_addrs = pub;
	in.npublic = 1;
	provider_cfg(&cfg, CFG_ADDR_PRIVATE, 0);
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_str_eq(peer.name, "lab/web_1_x");
	ck_assert_str_eq(peer.address, "10.0.0.5");	/* IPv4 first */
	ck_assert_int_eq(peer.addr.sa.sa_family, AF_INET);
	ck_assert_uint_eq(ntohs(peer.addr.sin.sin_port), 4789);
	ck_assert_uint_eq(peer.segments, 3);
	ck_assert_int_eq(peer.encap, ENCAP_VXLAN);
	ck_assert(!peer.crypto.encrypt);
	/* The provider's encryption is its peers'. */
	cfg.crypto.encrypt = true;
	cfg.crypto.cipher = ESP_CHACHA20_POLY1305;
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert(peer.crypto.encrypt);
	ck_assert_int_eq(peer.crypto.cipher, ESP_CHACHA20_POLY1305);
	memset(&cfg.crypto, 0, sizeof cfg.crypto);
	provider_cfg(&cfg, CFG_ADDR_PRIVATE, AF_INET6);
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_str_eq(addr_ntop(&peer.addr, buf, sizeof buf), "fd00::5");
	provider_cfg(&cfg, CFG_ADDR_PUBLIC, 0);
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_str_eq(peer.address, "203.0.113.7");
	provider_cfg(&cfg, CFG_ADDR_PUBLIC, AF_INET6);
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "no public address"));
}
END_TEST

/* A peer starts from the path MTU its cloud documents; a config wins. */
START_TEST(peer_of_takes_the_clouds_mtu)
{
	char *priv[] = { "10.0.0.5" };
	struct cfg_provider cfg;
	struct instance in;
	struct cfg_peer peer;
	const char *why;

	instance_fill(&in, "vm");
	in.private_addrs = priv;
	in.nprivate = 1;
	provider_cfg(&cfg, CFG_ADDR_PRIVATE, 0);
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_int_eq(peer.path_mtu_source, PATH_MTU_NONE);
	cfg.type = provider_type_find("gce");
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_uint_eq(peer.path_mtu, 1460);
	ck_assert_int_eq(peer.path_mtu_source, PATH_MTU_CLOUD);
	cfg.path_mtu = 1500;
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_uint_eq(peer.path_mtu, 1500);
	ck_assert_int_eq(peer.path_mtu_source, PATH_MTU_CONFIG);
	cfg.path_mtu = 0;
	cfg.type = provider_type_find("aws");
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_int_eq(peer.path_mtu_source, PATH_MTU_NONE);
}
END_TEST

START_TEST(peer_of_refuses_junk)
{
	char *priv[] = { "not-an-address", "10.0.0.300", "" };
	struct cfg_provider cfg;
	struct instance in;
	struct cfg_peer peer;
	const char *why;

	instance_fill(&in, NULL);
	in.private_addrs = priv;
	in.nprivate = 3;
	provider_cfg(&cfg, CFG_ADDR_PRIVATE, 0);
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), -1);
	priv[2] = (char *)"192.0.2.1";
	ck_assert_int_eq(discovery_peer_of(&cfg, &in, &peer, &why), 0);
	ck_assert_str_eq(peer.name, "lab/i-0123");	/* no name: the id */
}
END_TEST

START_TEST(backoff_grows_with_jitter_and_cap)
{
	struct cfg_provider cfg;
	uint64_t lo, hi, prev_hi = 0;
	unsigned f;

	provider_cfg(&cfg, CFG_ADDR_PRIVATE, 0);	/* refresh 60 s */
	for (f = 1; f <= 12; f++) {
		lo = discovery_backoff_ms(&cfg, f, 0, 0);
		hi = discovery_backoff_ms(&cfg, f, 0, UINT32_MAX - 1);
		ck_assert_uint_le(lo, hi);
		ck_assert_uint_ge(hi, prev_hi);		/* never shrinks */
		ck_assert_uint_ge(lo * 2 + 1, hi);	/* upper half */
		ck_assert_uint_le(hi, 480000);		/* 8 x refresh */
		prev_hi = hi;
	}
	ck_assert_uint_eq(discovery_backoff_ms(&cfg, 1, 0, 0), 7500);
	ck_assert_uint_eq(discovery_backoff_ms(&cfg, 40, 0, 0), 240000);
	/* Retry-After wins when longer. */
	ck_assert_uint_eq(discovery_backoff_ms(&cfg, 1, 600, 0), 600000);
	cfg.refresh_s = 1;
	ck_assert_uint_ge(discovery_backoff_ms(&cfg, 1, 0, 0), 500);
}
END_TEST

/* A tiny event loop for the async driver: poll() and one timer. */
struct mini_loop {
	struct pollfd fds[16];
	int nfds;
	long timer_ms;		/* -1: none */
};

static int
mini_watch(void *arg, int fd, unsigned events)
{
	struct mini_loop *m = arg;
	int i;

	for (i = 0; i < m->nfds && m->fds[i].fd != fd; i++)
		;
	if (events == 0) {
		if (i < m->nfds)
			m->fds[i] = m->fds[--m->nfds];
		return 0;
	}
	if (i == m->nfds) {
		ck_assert_int_lt(m->nfds, 16);
		m->nfds++;
	}
	m->fds[i].fd = fd;
	m->fds[i].events = (short)((events & HTTP_IO_IN ? POLLIN : 0) |
	    (events & HTTP_IO_OUT ? POLLOUT : 0));
	return 0;
}

static void
mini_timer(void *arg, long ms)
{
	((struct mini_loop *)arg)->timer_ms = ms;
}

struct async_run {
	struct listing l;
	struct http_async *a;
	enum provider_step st;
};

static void
run_done(void *arg, struct http_response *resp, const struct provider_err *err)
{
	struct async_run *r = arg;

	r->st = err->kind == PROVIDER_OK ? listing_next(&r->l, resp)
					 : listing_abort(&r->l, err);
	http_response_clear(resp);
	if (r->st == PROVIDER_STEP_REQUEST)
		ck_assert_ptr_nonnull(http_async_start(r->a, &r->l.req,
		    run_done, r));
}

/* Run one listing to its end on the mini loop. */
static enum provider_step
async_list(struct provider *p, struct async_run *r)
{
	struct provider_filter f = { "tunneld", "pod" };
	struct mini_loop m = { .timer_ms = -1 };
	struct http_async_io io = { mini_watch, mini_timer, &m };
	int i, n, rounds = 0;

	r->a = http_async_new(&io);
	r->st = listing_begin(&r->l, p, &f);
	if (r->st == PROVIDER_STEP_REQUEST)
		ck_assert_ptr_nonnull(http_async_start(r->a, &r->l.req,
		    run_done, r));
	while (r->st == PROVIDER_STEP_REQUEST && rounds++ < 10000) {
		n = poll(m.fds, (nfds_t)m.nfds, m.timer_ms < 0 ? 1000 :
		    (int)m.timer_ms);
		if (n == 0) {
			m.timer_ms = -1;
			http_async_timeout(r->a);
			continue;
		}
		for (i = 0; i < m.nfds; i++)
			if (m.fds[i].revents != 0)
				http_async_ready(r->a, m.fds[i].fd,
				    (m.fds[i].revents & POLLIN ? HTTP_IO_IN : 0) |
				    (m.fds[i].revents & POLLOUT ? HTTP_IO_OUT : 0) |
				    (m.fds[i].revents & (POLLERR | POLLHUP) ?
				    HTTP_IO_ERR : 0));
	}
	ck_assert_int_eq(http_async_running(r->a), 0);
	http_async_free(r->a);
	return r->st;
}

static struct provider *
openstack(const char *scenario, long timeout_ms)
{
	char url[128];
	struct openstack_config c = { .app_cred_id = "appcred-id",
		.app_cred_secret = "appcred+secret", .timeout_ms = timeout_ms };
	struct provider_err err;
	struct provider *p;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/keystone/v3",
	    fc.port, scenario);
	c.auth_url = url;
	ck_assert_msg((p = provider_openstack_new("t", &c, &err)) != NULL,
	    "%s", err.message);
	return p;
}

START_TEST(async_matches_sync)
{
	struct provider_filter f = { "tunneld", "pod" };
	struct provider *p = openstack("paged", 0);
	struct instance_list sync = { 0 };
	struct provider_err err;
	struct async_run r;
	size_t i;

	ck_assert_int_eq(async_list(p, &r), PROVIDER_STEP_DONE);
	ck_assert_int_eq(provider_list(p, &f, &sync, &err), PROVIDER_OK);
	ck_assert_uint_eq(r.l.out.n, 3);
	ck_assert_uint_eq(r.l.out.n, sync.n);
	for (i = 0; i < sync.n; i++) {
		ck_assert_str_eq(r.l.out.v[i].id, sync.v[i].id);
		ck_assert_str_eq(r.l.out.v[i].name, sync.v[i].name);
	}
	ck_assert_int_eq(r.l.nrequests, 3);	/* token, page 1, page 2 */
	instance_list_free(&sync);
	listing_clear(&r.l);
	provider_free(p);
}
END_TEST

START_TEST(async_timeout_and_repeat)
{
	struct provider *p = openstack("hang", 700);
	struct async_run r;

	ck_assert_int_eq(async_list(p, &r), PROVIDER_STEP_FAILED);
	ck_assert_int_eq(r.l.err.kind, PROVIDER_TIMEOUT);
	ck_assert_uint_eq(r.l.out.n, 0);
	listing_clear(&r.l);
	provider_free(p);
	p = openstack("repeat", 0);
	ck_assert_int_eq(async_list(p, &r), PROVIDER_STEP_FAILED);
	ck_assert_int_eq(r.l.err.kind, PROVIDER_MALFORMED);
	ck_assert_ptr_nonnull(strstr(r.l.err.message, "pagination"));
	listing_clear(&r.l);
	provider_free(p);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("discovery");
	TCase *tc = tcase_create("peers");
	TCase *ta = tcase_create("async");

	tcase_add_test(tc, peer_of_picks_address);
	tcase_add_test(tc, peer_of_refuses_junk);
	tcase_add_test(tc, peer_of_takes_the_clouds_mtu);
	tcase_add_test(tc, backoff_grows_with_jitter_and_cap);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(ta, fakecloud_setup, fakecloud_teardown);
	tcase_set_timeout(ta, 60);
	tcase_add_test(ta, async_matches_sync);
	tcase_add_test(ta, async_timeout_and_repeat);
	suite_add_tcase(s, ta);
	return s;
}
