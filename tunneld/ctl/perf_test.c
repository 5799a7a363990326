/*
 * perf_test.c: one throughput test at this end (perf_priv.h): our runner
 * and its TAP, the spec it gets, its reports, the end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cc_msg.h"
#include "log.h"
#include "perf_priv.h"
#include "perf_run.h"

enum { RUNNER_MSG_MAX = 4096 };

static void on_runner(int fd, uint32_t events, void *arg);

int
perf_test_start(struct perf_test *t, char **why)
{
	struct perf *pf = t->pf;
	struct perf_spawn sp = {
		.tunnel = !t->p.underlay,
		.requester = t->client,
		.mtu = t->mtu,
	};

	if (perf_helper_spawn(pf->helper, &sp, &t->run, why) != 0)
		return -1;
	t->running = true;
	if (loop_add(pf->loop, t->run.fd, EPOLLIN, on_runner, t) == -1) {
		*why = strdup("epoll");
		return -1;
	}
	if (sp.tunnel &&
	    (t->slot = rt_test_attach(pf->rt, t->port, t->id, t->run.tap,
		 t->run.vnet, t->mtu, why)) < 0)
		return -1;
	return 0;
}

/* The peer's underlay address, without its port. */
static void
peer_host(const struct perf_test *t, char *buf, size_t len)
{
	const struct tbl_peer *p = table_peer(rt_table(t->pf->rt), t->port);

	if (p == NULL)
		snprintf(buf, len, "::");
	else
		addr_ntop(&p->addr, buf, len);
}

int
perf_test_spec(struct perf_test *t, int port)
{
	const char *me = t->client ? PERF_NET ".1" : PERF_NET ".2",
		   *other = t->client ? PERF_NET ".2" : PERF_NET ".1";
	char host[INET6_ADDRSTRLEN], *s;
	const char *addr, *peer;
	bool send_ = port != 0, v6;
	int rc;

	peer_host(t, host, sizeof host);
	v6 = strchr(host, ':') != NULL;
	if (!t->p.underlay) {
		addr = send_ ? other : me;
		peer = other;
		port = send_ ? port : PERF_PORT;
	} else {
		addr = send_ ? host : v6 ? "::" : "0.0.0.0";
		peer = host;
		port = send_ ? port : rt_config(t->pf->rt)->daemon.perf_port;
	}
	s = json_dumps(json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:i, "
				 "s:I, s:i}",
			   "role", send_ ? "send" : "recv", "proto",
			   t->p.udp ? "udp" : "tcp", "addr", addr, "port", port,
			   "peer", peer, "streams", (int)t->p.parallel,
			   "time_ms", (int)t->p.time_s * 1000, "size",
			   (int)t->p.size, "bitrate", (json_int_t)t->p.bitrate,
			   "interval_ms", (int)t->p.interval_ms),
	    JSON_COMPACT);
	rc = s != NULL && send(t->run.fd, s, strlen(s), MSG_NOSIGNAL) > 0;
	free(s);
	return rc ? 0 : -1;
}

void
perf_test_stop_runner(struct perf_test *t, json_int_t sent)
{
	char stop[64];
	int n = snprintf(stop, sizeof stop, "{\"op\":\"stop\",\"sent\":%lld}",
	    (long long)sent);

	if (t->running)
		(void)send(t->run.fd, stop, (size_t)n, MSG_NOSIGNAL);
}

void
perf_test_say(struct perf_test *t, json_t *data)
{
	char *line = ctl_reply_ok(CTL_PERF, data);

	if (t->client && t->who != 0)
		(void)control_send(t->pf->ctl, t->who, line);
	free(line);
}

/* A report of ours or theirs, for the client's reader. */
static void
say_report(struct perf_test *t, json_t *report, bool ours)
{
	bool sender = ours ? t->sender : !t->sender;

	json_object_set_new(report, "side",
	    json_string(sender ? "sender" : "receiver"));
	if (t->pair != 0) /* --bidir: which way, from the client */
		json_object_set_new(report, "direction",
		    json_string(t->sender ? "out" : "in"));
	perf_test_say(t, report);
}

void
perf_test_theirs(struct perf_test *t, json_t *report)
{
	const char *type = json_string_value(json_object_get(report, "type"));

	if (type == NULL || strcmp(type, "end") != 0) {
		say_report(t, report, false);
		return;
	}
	json_decref(t->theirs);
	t->theirs = report;
	if (!t->sender) /* their sender is done */
		perf_test_stop_runner(t,
		    json_integer_value(json_object_get(report, "packets")));
	if (t->mine != NULL)
		perf_test_end(t, NULL, false);
}

/* Our runner said it is ready (receiver), reported, ended or failed. */
static void
runner_said(struct perf_test *t, json_t *m)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	json_t *port = json_object_get(m, "port");

	if (type != NULL && strcmp(type, "ready") == 0)
		(void)perf_send(t, t->client ? CC_PERF_REQUEST : CC_PERF_REPLY,
		    json_pack("{s:b, s:O}", "ok", 1, "port", port));
	else if (type != NULL && strcmp(type, "interval") == 0) {
		if (t->client)
			say_report(t, json_incref(m), true);
		else
			(void)perf_send(t, CC_PERF_REPORT,
			    json_pack("{s:O}", "report", m));
	} else if (type != NULL && strcmp(type, "end") == 0) {
		json_decref(t->mine);
		t->mine = json_incref(m);
		/* Its last word: what follows is its exit, no news. */
		loop_del(t->pf->loop, t->run.fd);
		if (!t->client) {
			if (perf_send(t, CC_PERF_REPORT,
				json_pack("{s:O}", "report", m)))
				perf_test_end(t, NULL, false);
		} else if (t->sender &&
		    !perf_send(t, CC_PERF_STOP,
			json_pack("{s:s, s:O*}", "reason", "done", "packets",
			    json_object_get(m, "packets"))))
			return;
		else if (t->theirs != NULL)
			perf_test_end(t, NULL, false);
	} else {
		const char *e = json_string_value(json_object_get(m, "error"));
		char why[300];

		snprintf(why, sizeof why, "the runner failed: %s",
		    e ? e : "(no reason)");
		perf_test_end(t, why, true);
	}
}

static void
on_runner(int fd, uint32_t events, void *arg)
{
	struct perf_test *t = arg;
	char msg[RUNNER_MSG_MAX];
	ssize_t n;
	json_t *m;

	(void)events;
	n = recv(fd, msg, sizeof msg, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		perf_test_end(t, "the runner exited before its end report",
		    true);
		return;
	}
	if ((m = json_loadb(msg, (size_t)n, 0, NULL)) == NULL) {
		perf_test_end(t, "the runner said something unreadable", true);
		return;
	}
	runner_said(t, m);
	json_decref(m);
}

/* A test's figures: {"sender": ..., "receiver": ...}. */
static json_t *
figures(const struct perf_test *t)
{
	return json_pack("{s:O, s:O}", "sender",
	    t->sender ? t->mine : t->theirs, "receiver",
	    t->sender ? t->theirs : t->mine);
}

/*
 * The client's last line: both ends' figures, or why not.  --bidir: the
 * direction that ends first leaves its figures with the other (false:
 * nothing said yet), whose end says both ways, "out" and "in".
 */
static bool
say_end(struct perf_test *t, const char *why)
{
	struct perf_test *o =
	    t->pair ? perf_find(t->pf, t->port, t->pair) : NULL;
	json_t *d;

	if (o != NULL && why == NULL) {
		o->pair_end = figures(t);
		return false;
	}
	if (why != NULL)
		d = json_pack("{s:s, s:s}", "type", "error", "error", why);
	else
		d = json_pack("{s:s, s:s, s:s, s:b, s:b}", "type", "end",
		    "peer", t->peer, "proto", t->p.udp ? "udp" : "tcp",
		    "underlay", t->p.underlay, "reverse", t->p.reverse);
	if (why == NULL && t->pair == 0)
		json_object_update_missing_new(d, figures(t));
	else if (why == NULL) {
		json_object_set_new(d, "bidir", json_true());
		json_object_set_new(d, t->sender ? "out" : "in", figures(t));
		json_object_set(d, t->sender ? "in" : "out",
		    t->pair_end ? t->pair_end : json_null());
	}
	perf_test_say(t, d);
	control_hold(t->pf->ctl, t->who, false);
	if (o != NULL) { /* it failed: the other way ends too, quietly */
		o->who = 0;
		perf_test_end(o, "the other direction failed", true);
	}
	return true;
}

/* Everything the test holds goes: its segment, the TAP, the runner. */
static void
release(struct perf_test *t)
{
	struct perf *pf = t->pf;
	int i;

	if (t->slot >= 0)
		rt_test_detach(pf->rt, t->slot);
	if (t->running) {
		for (i = 0; !t->p.underlay && i < dp_threads(rt_dp(pf->rt));
		     i++)
			close(t->run.tap[i]);
		loop_del(pf->loop, t->run.fd);
		close(t->run.fd);
		kill(t->run.pid, SIGKILL); /* (it may have exited already) */
	}
	json_decref(t->mine);
	json_decref(t->theirs);
	json_decref(t->pair_end);
	memset(t, 0, sizeof *t);
	t->slot = -1;
}

void
perf_test_end(struct perf_test *t, const char *why, bool tell)
{
	struct perf *pf = t->pf;
	const char *ignored;

	if (!t->used)
		return;
	t->used = false; /* nothing below ends it twice */
	if (why == NULL)
		pf->n.completed++;
	else
		pf->n.failed++;
	if (t->client)
		(void)say_end(t, why);
	else if (why != NULL)
		log_info("peer %s: throughput test %u ended: %s", t->peer,
		    t->id, why);
	if (tell && why != NULL)
		(void)perf_chan_send(pf, t->port, CC_PERF_STOP,
		    json_pack("{s:I, s:s}", "id", (json_int_t)t->id, "reason",
			why),
		    &ignored);
	release(t);
	t->pf = pf;
}
