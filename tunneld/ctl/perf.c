/*
 * perf.c: the throughput tests of this daemon (perf.h): requests from the
 * control socket and from peers, the messages between the two ends, and
 * the time limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cc_msg.h"
#include "log.h"
#include "perf_priv.h"
#include "perf_run.h"
#include "xmalloc.h"

struct perf_test *
perf_find(struct perf *pf, uint16_t port, json_int_t id)
{
	int i;

	for (i = 0; i < DP_MAX_TESTS; i++)
		if (pf->tests[i].used && pf->tests[i].port == port &&
		    (id < 0 || pf->tests[i].id == (uint32_t)id))
			return &pf->tests[i];
	return NULL;
}

static struct perf_test *
new_test(struct perf *pf, uint16_t port, const char *peer)
{
	struct perf_test *t;
	int i;

	for (i = 0; i < DP_MAX_TESTS; i++) {
		if ((t = &pf->tests[i])->used)
			continue;
		memset(t, 0, sizeof *t);
		t->used = true;
		t->pf = pf;
		t->port = port;
		t->slot = -1;
		snprintf(t->peer, sizeof t->peer, "%s", peer);
		return t;
	}
	return NULL;
}

/* The parameters, as the request to the peer carries them. */
static void
put_params(const struct perf_test *t, json_t *o)
{
	json_object_set_new(o, "proto", json_string(t->p.udp ? "udp" : "tcp"));
	json_object_set_new(o, "time_ms", json_integer(t->p.time_s * 1000));
	json_object_set_new(o, "streams", json_integer(t->p.parallel));
	json_object_set_new(o, "size", json_integer(t->p.size));
	json_object_set_new(o, "bitrate", json_integer(t->p.bitrate));
	json_object_set_new(o, "interval_ms", json_integer(t->p.interval_ms));
	json_object_set_new(o, "reverse", json_boolean(t->p.reverse));
	json_object_set_new(o, "underlay", json_boolean(t->p.underlay));
	if (t->pair != 0)
		json_object_set_new(o, "pair", json_integer(t->pair));
}

int
perf_chan_send(struct perf *pf, uint16_t port, int type, json_t *body,
    const char **why)
{
	if (cc_can(pf->cc, port, CC_CAP_PERF, why))
		return cc_send(pf->cc, port, CC_CAP_PERF, type, body, why);
	return inband_send(pf->ib, port, type, body, why);
}

bool
perf_send(struct perf_test *t, int type, json_t *body)
{
	const char *why;
	char text[200];

	json_object_set_new(body, "id", json_integer(t->id));
	if (type == CC_PERF_REQUEST)
		put_params(t, body);
	if (perf_chan_send(t->pf, t->port, type, body, &why) == 0)
		return true;
	snprintf(text, sizeof text, "peer %s: %s", t->peer, why);
	perf_test_end(t, text, false);
	return false;
}

/* The defaults for what the request left out. */
static void
fill_defaults(struct ctl_perf *p)
{
	if (p->time_s == 0)
		p->time_s = 10;
	if (p->parallel == 0)
		p->parallel = 1;
	if (p->interval_ms == 0)
		p->interval_ms = 1000;
	if (p->bitrate < 0)
		p->bitrate = p->udp ? PERF_UDP_DEFAULT_RATE : 0;
}

static uint32_t
new_id(void)
{
	uint32_t id = 0;

	(void)RAND_bytes((unsigned char *)&id, sizeof id);
	return (id & 0xffffff) | 1; /* never 0 */
}

/* Why the peer at port cannot run a test now, or NULL. */
static const char *
cannot(struct perf *pf, uint16_t port, const char *name, char *buf, size_t len)
{
	const char *why, *why2;

	if (port == 0)
		snprintf(buf, len, "no peer called %s", name);
	else if (pf->helper == -1)
		snprintf(buf, len,
		    "throughput tests are off here: their "
		    "helper did not start (see the log)");
	else if (perf_find(pf, port, -1) != NULL)
		snprintf(buf, len, "busy: a test with %s runs already", name);
	else if (!cc_can(pf->cc, port, CC_CAP_PERF, &why) &&
	    !inband_can(pf->ib, port, &why2))
		snprintf(buf, len,
		    "%s cannot run a test: %s; in band: %s (a test needs a "
		    "tunneld at the other end)",
		    name, why, why2);
	else
		return NULL;
	return buf;
}

static json_t *
start_line(const struct perf_test *t)
{
	json_t *o = json_pack("{s:s, s:I, s:s, s:i}", "type", "start", "id",
	    (json_int_t)t->id, "peer", t->peer, "mtu", t->mtu);

	put_params(t, o);
	json_object_set_new(o, "path",
	    json_string(t->p.underlay
		    ? "underlay: between the two daemons' addresses, one flow "
		      "per stream"
		    : "tunnel: the test's own segment through the data path"));
	return o;
}

/*
 * One test of ours with port (sending unless reverse), started: its
 * request goes out now (we send) or once our receiver is ready; NULL with
 * *why (the caller's to free) if it could not start.
 */
static struct perf_test *
client_test(struct perf *pf, uint16_t port, const char *peer,
    const struct ctl_perf *p, bool reverse, uint32_t id, uint32_t pair,
    char **why)
{
	struct perf_test *t = new_test(pf, port, peer);

	if (t == NULL) {
		xasprintf(why, "%d tests run already, the most at once",
		    DP_MAX_TESTS);
		return NULL;
	}
	t->client =
	    true; /* who is set once all started: errors go as the reply */
	t->p = *p;
	t->p.reverse = reverse;
	t->sender = !reverse;
	t->id = id;
	t->pair = pair;
	t->mtu = rt_test_mtu(pf->rt, port);
	t->deadline_ms =
	    clock_ms() + PERF_SETUP_MS + t->p.time_s * 1000u + PERF_GRACE_MS;
	if (perf_test_start(t, why) != 0) {
		perf_test_end(t, *why, false);
		return NULL;
	}
	/* The receiver first: ours now, or theirs once they have it. */
	if (t->sender ? !perf_send(t, CC_PERF_REQUEST, json_object())
		      : perf_test_spec(t, 0) != 0) {
		xasprintf(why, "peer %s: the test could not start", peer);
		return NULL;
	}
	return t;
}

char *
perf_request(struct perf *pf, const struct ctl_request *req, control_stream who)
{
	uint16_t port = table_peer_find(rt_table(pf->rt), req->peer);
	struct perf_test *t, *back = NULL;
	struct ctl_perf p = req->perf;
	char buf[300], *why = NULL, *reply;
	uint32_t id = new_id(), id2 = p.bidir ? new_id() : 0;

	pf->n.requests++;
	if (cannot(pf, port, req->peer, buf, sizeof buf) != NULL) {
		pf->n.refused_busy +=
		    port != 0 && perf_find(pf, port, -1) != NULL;
		return ctl_reply_error("%s", buf);
	}
	fill_defaults(&p);
	/* Both ways at once: two tests, each naming the other. */
	if (id2 == id)
		id2 = id ^ 2;
	if ((t = client_test(pf, port, req->peer, &p, p.reverse && !p.bidir, id,
		 id2, &why)) != NULL &&
	    p.bidir &&
	    (back = client_test(pf, port, req->peer, &p, true, id2, id,
		 &why)) == NULL)
		perf_test_end(t, why, true);
	if (t == NULL || (p.bidir && back == NULL)) {
		reply = ctl_reply_error("%s", why);
		free(why);
		return reply;
	}
	t->who = who;
	if (back != NULL)
		back->who = who;
	control_hold(pf->ctl, who, true);
	return ctl_reply_ok(CTL_PERF, start_line(t));
}

static void
refuse_request(struct perf *pf, uint16_t port, json_int_t id, const char *why)
{
	const char *ignored;

	(void)perf_chan_send(pf, port, CC_PERF_REPLY,
	    json_pack("{s:I, s:b, s:s}", "id", id, "ok", 0, "reason", why),
	    &ignored);
}

/*
 * Whether the peer at port runs a test already that rq is not the other
 * direction of (perf --bidir: each names the other, in either order).
 */
static bool
busy(struct perf *pf, uint16_t port, const struct cc_perf_request *rq)
{
	int i, n = 0, partner = 0;

	for (i = 0; i < DP_MAX_TESTS; i++) {
		if (!pf->tests[i].used || pf->tests[i].port != port)
			continue;
		n++;
		partner += rq->pair != 0 && pf->tests[i].id == rq->pair &&
		    pf->tests[i].pair == rq->id;
	}
	return n > 0 && !(n == 1 && partner == 1);
}

/* A peer asks for a test: its receiver runs already when it sends. */
static void
serve(struct perf *pf, uint16_t port, const json_t *body)
{
	const struct tbl_peer *p = table_peer(rt_table(pf->rt), port);
	struct cc_perf_request rq;
	const char *bad;
	struct perf_test *t;
	struct ctl_perf par;
	char *why = NULL;

	/* No way back to it (in band: it answers no probes): nothing opens. */
	if (!cc_can(pf->cc, port, CC_CAP_PERF, &bad) &&
	    !inband_can(pf->ib, port, &bad)) {
		pf->n.refused_stranger++;
		return;
	}
	if (cc_perf_request_parse(body, &rq, &bad) != 0) {
		pf->n.refused_bad++;
		refuse_request(pf, port, rq.id, bad);
		return;
	}
	par = (struct ctl_perf){ .udp = rq.udp,
		.reverse = rq.reverse,
		.underlay = rq.underlay,
		.time_s = rq.time_ms / 1000,
		.bitrate = rq.bitrate,
		.size = rq.size,
		.parallel = rq.streams,
		.interval_ms = rq.interval_ms };
	if (p == NULL || (busy(pf, port, &rq)) ||
	    (t = new_test(pf, port, p->name)) == NULL) {
		pf->n.refused_busy++;
		refuse_request(pf, port, rq.id,
		    "busy: a test with this node runs already, or the most "
		    "tests at once do");
		return;
	}
	pf->n.served++;
	t->id = rq.id;
	t->pair = rq.pair;
	t->p = par;
	t->sender = par.reverse;
	t->mtu = rt_test_mtu(pf->rt, port);
	t->deadline_ms =
	    clock_ms() + PERF_SETUP_MS + par.time_s * 1000u + PERF_GRACE_MS;
	log_info("peer %s: throughput test %u asked for (%s, %u s, %s)",
	    t->peer, t->id, par.udp ? "UDP" : "TCP", par.time_s,
	    par.underlay ? "underlay" : "tunnel");
	if (perf_test_start(t, &why) != 0) {
		refuse_request(pf, port, rq.id, why);
		perf_test_end(t, why, false);
		free(why);
		return;
	}
	if (perf_test_spec(t, t->sender ? rq.port : 0) != 0)
		perf_test_end(t, "the runner did not take its spec", true);
	else if (t->sender)
		(void)perf_send(t, CC_PERF_REPLY, json_pack("{s:b}", "ok", 1));
}

/* The peer's answer to our request. */
static void
on_reply(struct perf_test *t, const json_t *body)
{
	const char *reason = json_string_value(json_object_get(body, "reason"));
	json_int_t port = json_integer_value(json_object_get(body, "port"));
	char why[300];

	if (!json_is_true(json_object_get(body, "ok"))) {
		snprintf(why, sizeof why, "peer %s refused the test: %s",
		    t->peer, reason ? reason : "(no reason)");
		perf_test_end(t, why, false);
	} else if (t->sender &&
	    (port < 1 || port > 65535 || perf_test_spec(t, (int)port) != 0))
		perf_test_end(t, "the peer's receiver has no port", true);
}

static void
on_stop(struct perf_test *t, const json_t *body)
{
	const char *reason = json_string_value(json_object_get(body, "reason"));
	char why[300];

	if (reason != NULL && strcmp(reason, "done") == 0) {
		/* We receive: the sender is done. */
		perf_test_stop_runner(t,
		    json_integer_value(json_object_get(body, "packets")));
		return;
	}
	snprintf(why, sizeof why, "peer %s ended the test: %s", t->peer,
	    reason ? reason : "(no reason)");
	perf_test_end(t, why, false);
}

static void
on_cc_message(void *arg, uint16_t port, int type, const json_t *body)
{
	struct perf *pf = arg;
	json_t *id = json_object_get(body, "id"), *report;
	struct perf_test *t;

	if (type == CC_PERF_REQUEST) {
		serve(pf, port, body);
		return;
	}
	if (!json_is_integer(id) ||
	    (t = perf_find(pf, port, json_integer_value(id))) == NULL)
		return; /* a test that ended here already */
	switch (type) {
	case CC_PERF_REPLY:
		if (t->client)
			on_reply(t, body);
		break;
	case CC_PERF_REPORT:
		report = json_object_get(body, "report");
		if (t->client && json_is_object(report))
			perf_test_theirs(t, json_deep_copy(report));
		break;
	case CC_PERF_STOP:
		on_stop(t, body);
		break;
	}
}

static void
on_cc_down(void *arg, uint16_t port)
{
	struct perf_test *t;

	while ((t = perf_find(arg, port, -1)) != NULL)
		perf_test_end(t, "the control connection to the peer went down",
		    false);
}

static void
on_client_gone(control_stream who, void *arg)
{
	struct perf *pf = arg;
	int i;

	for (i = 0; i < DP_MAX_TESTS; i++)
		if (pf->tests[i].used && pf->tests[i].client &&
		    pf->tests[i].who == who) {
			pf->tests[i].who = 0;
			perf_test_end(&pf->tests[i],
			    "cancelled: its client went away", true);
		}
}

struct perf *
perf_new(struct loop *loop, struct runtime *rt, struct cc *cc,
    struct inband *ib, struct control *ctl, int helper)
{
	struct perf *pf = xcalloc(1, sizeof *pf);
	struct cc_hooks h = { on_cc_message, on_cc_down, pf };
	int i;

	pf->loop = loop;
	pf->rt = rt;
	pf->cc = cc;
	pf->ib = ib;
	pf->ctl = ctl;
	pf->helper = helper;
	for (i = 0; i < DP_MAX_TESTS; i++)
		pf->tests[i].slot = -1;
	cc_set_hooks(cc, &h);
	inband_set_hooks(ib, &h);
	control_on_gone(ctl, on_client_gone, pf);
	return pf;
}

void
perf_free(struct perf *pf)
{
	struct cc_hooks none = { 0 };
	int i;

	if (pf == NULL)
		return;
	for (i = 0; i < DP_MAX_TESTS; i++)
		perf_test_end(&pf->tests[i], "the daemon is stopping", true);
	cc_set_hooks(pf->cc, &none);
	inband_set_hooks(pf->ib, &none);
	control_on_gone(pf->ctl, NULL, NULL);
	if (pf->helper != -1)
		close(pf->helper);
	free(pf);
}

void
perf_tick(struct perf *pf)
{
	uint64_t now = clock_ms();
	int i;

	for (i = 0; i < DP_MAX_TESTS; i++)
		if (pf->tests[i].used && now >= pf->tests[i].deadline_ms) {
			pf->n.timed_out++;
			perf_test_end(&pf->tests[i],
			    "timed out: the test ran past its time", true);
		}
}

json_t *
perf_json(const struct perf *pf)
{
	int i, running = 0;

	for (i = 0; i < DP_MAX_TESTS; i++)
		running += pf->tests[i].used;
	return json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
	    "running", running, "requests", (json_int_t)pf->n.requests,
	    "served", (json_int_t)pf->n.served, "completed",
	    (json_int_t)pf->n.completed, "failed", (json_int_t)pf->n.failed,
	    "timed_out", (json_int_t)pf->n.timed_out, "refused_busy",
	    (json_int_t)pf->n.refused_busy, "refused_bad",
	    (json_int_t)pf->n.refused_bad, "refused_unreachable",
	    (json_int_t)pf->n.refused_stranger, "enabled", pf->helper != -1);
}
