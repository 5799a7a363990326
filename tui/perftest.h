/*
 * perftest.h: tunneltop's throughput test ("t"): the form's choices, the
 * test's own control-socket connection, its per-interval rates and the end
 * figures.  With compare, the underlay test runs first, then the tunnel's.
 * Closing the connection (Esc while it runs) cancels the test at both
 * daemons.  No curses here; view_perf.c paints it.
 */
#ifndef PERFTEST_H
#define PERFTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "ctl_client.h"
#include "model.h"

enum pt_state { PT_FORM, PT_RUNNING, PT_DONE, PT_FAILED, PT_CANCELLED };

enum { PT_POINTS = 240 };

struct ptest {
	enum pt_state st;
	char peer[MODEL_NAME];
	bool udp, reverse, compare;
	unsigned time_s;
	int phase; /* 0: the only or the underlay test; 1: the tunnel's */
	struct ctl_client *c;
	double rate[2][PT_POINTS]; /* bits/s a report, per phase */
	int npoints[2];
	json_t *end[2]; /* each phase's end: {"sender", "receiver", ...} */
	char error[256];
	uint64_t phase_ms; /* when the phase started */
};

/* The form for peer, with the defaults (TCP, 10 s, this node sends). */
void ptest_form(struct ptest *, const char *peer);
/* Start (the first phase); on failure st is PT_FAILED with error. */
void ptest_start(struct ptest *, const char *socket);
/* Its connection, to wait on while it runs; -1 otherwise. */
int ptest_fd(const struct ptest *);
/* Read one report (the fd is readable); the next phase or the end. */
void ptest_read(struct ptest *, const char *socket);
/* Esc while it runs: close the connection, the daemons cancel it. */
void ptest_cancel(struct ptest *);
/* Forget everything (connection, figures). */
void ptest_clear(struct ptest *);
/* A form key ('u', 'r', 'c', '+', '-'); false if it is none. */
bool ptest_form_key(struct ptest *, int key);
/* The receiver's rate of a phase's end, 0 if none. */
double ptest_rate(const struct ptest *, int phase);

#endif
