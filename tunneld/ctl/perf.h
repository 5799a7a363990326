/*
 * perf.h: throughput tests between this tunneld and a peer's (DESIGN.md,
 * "Throughput test"; tunnelctl(8), PERF).
 *
 * A control-socket client asks for a test (perf_request) and then reads
 * its reports.  The end that asked is the test's client, the peer's daemon
 * its server; they agree over the control connection (cc.h, CC_PERF_*),
 * or, with a peer that has none, over the in-band channel (inband.h), and
 * each starts a runner (perf_run.h) through the helper
 * (perf_helper.h): the receiver first, then the sender, to the port the
 * receiver got.  By default the client sends; reverse, the server does.
 *
 * A tunnel test's runners reach each other through their TAPs, bound at
 * both ends to the peer as the test's segment (rt_test_attach): the
 * test's frames take the whole data path (encapsulation, encryption,
 * offloads) both ways, and never a pod's segment.  An underlay test's
 * runners use the two daemons' underlay addresses and perf-port, with as
 * many flows as the tunnel test has streams.
 *
 * The sender's end ends the test: perf-stop "done" tells the receiver's
 * runner to stop, its end report comes back, and the client prints both
 * ends' figures.  A test never outlives its time plus PERF_GRACE_MS (and
 * PERF_SETUP_MS to start): its runners are killed and both ends told.
 * A client that goes away cancels its test at both ends.
 *
 * Safety: a server starts nothing until a known peer asks, over an
 * authenticated control connection or in band from its address; one test per
 * peer at a time (another request, from either end, is refused as busy); at
 * most DP_MAX_TESTS at once.  Refusals are counted.  Control thread only.
 */
#ifndef PERF_H
#define PERF_H

#include <jansson.h>

#include "cc.h"
#include "control.h"
#include "ctl_proto.h"
#include "inband.h"
#include "loop.h"
#include "runtime.h"

enum {
	PERF_SETUP_MS = 5000, /* from the request to both runners going */
	PERF_PORT = 5201,     /* the receiver's port inside a tunnel test */
	PERF_UDP_DEFAULT_RATE = 100000000, /* bits/s when none is asked for */
};

struct perf;

/* helper: perf_helper_start()'s fd (-1: tests refused, with the reason). */
struct perf *perf_new(struct loop *, struct runtime *, struct cc *,
    struct inband *, struct control *, int helper);
/* End every test (both ends told) and free. */
void perf_free(struct perf *);
/*
 * A "perf" request from client who: the reply line (a start or an
 * error); the reports then go to who (control_send) until the end.
 */
char *perf_request(struct perf *, const struct ctl_request *,
    control_stream who);
/* Once a second: end the tests that ran out of time. */
void perf_tick(struct perf *);
/* For status: {"running": N, "requests": N, "refused_busy": N, ...}. */
json_t *perf_json(const struct perf *);

#endif
