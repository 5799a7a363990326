/*
 * perf_priv.h: the throughput tests' pieces shared by perf.c (requests
 * from the control socket and from peers, time-outs) and perf_test.c (one
 * test's runner, its reports and its end).  Not for other modules.
 * Control thread only.
 */
#ifndef PERF_PRIV_H
#define PERF_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "perf.h"
#include "perf_helper.h"

struct perf_test {
	bool used;
	struct perf *pf;
	uint32_t id;   /* 24 bits, the test header's (wire.h) */
	uint16_t port; /* the peer's */
	char peer[64];
	bool client;	   /* we asked; who reads the reports */
	bool sender;	   /* our runner sends */
	struct ctl_perf p; /* with the defaults filled in */
	control_stream who;
	struct perf_runner run;
	bool running; /* the runner is up (run valid) */
	int slot;     /* the test's segment, or -1 */
	int mtu;
	int their_port; /* the receiver's, once known */
	uint64_t deadline_ms;
	json_t *mine, *theirs; /* the two end reports */
	uint32_t pair;	       /* --bidir: the other direction's test, or 0 */
	json_t *pair_end;      /* its figures, when it ended first (client) */
};

struct perf {
	struct loop *loop;
	struct runtime *rt;
	struct cc *cc;
	struct inband *ib;
	struct control *ctl;
	int helper;
	struct perf_test tests[DP_MAX_TESTS];
	struct {
		uint64_t requests, served, completed, failed, timed_out,
		    refused_busy, refused_bad, refused_stranger;
	} n;
};

/* perf_test.c */
/* Start our runner (and the TAP); 0, or -1 with *why (caller frees). */
int perf_test_start(struct perf_test *, char **why);
/* Tell the runner what to do: send to port, or receive (port 0). */
int perf_test_spec(struct perf_test *, int port);
/*
 * Tell our runner (the receiver) the sender finished, having sent sent
 * datagrams (UDP; 0: not known), so that the tail's loss counts.
 */
void perf_test_stop_runner(struct perf_test *, json_int_t sent);
/* The client's line to who: a report, an end or an error. */
void perf_test_say(struct perf_test *, json_t *data);
/* A report from the peer's runner (client only). */
void perf_test_theirs(struct perf_test *, json_t *report);
/*
 * End the test: the client prints why (NULL: done, both ends' figures),
 * the peer hears perf-stop why unless it is gone (tell false).
 */
void perf_test_end(struct perf_test *, const char *why, bool tell);

/* perf.c */
/* The test of port with id (-1: any), or NULL. */
struct perf_test *perf_find(struct perf *, uint16_t port, json_int_t id);
/*
 * Send to the peer at port over its control connection, or in band when
 * it has none; 0, or -1 with *why.
 */
int perf_chan_send(struct perf *, uint16_t port, int type, json_t *body,
    const char **why);
/* Send a message about t to its peer; false (and t ended) if it failed. */
bool perf_send(struct perf_test *, int type, json_t *body);

#endif
