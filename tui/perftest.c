/* perftest.c: tunneltop's throughput test, without the drawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "perftest.h"

static const unsigned durations[] = { 5, 10, 30, 60 };

void
ptest_clear(struct ptest *t)
{
	ctl_client_close(t->c);
	json_decref(t->end[0]);
	json_decref(t->end[1]);
	memset(t, 0, sizeof *t);
}

void
ptest_form(struct ptest *t, const char *peer)
{
	ptest_clear(t);
	snprintf(t->peer, sizeof t->peer, "%s", peer);
	t->time_s = 10;
	t->st = PT_FORM;
}

static void
failed(struct ptest *t, const char *why)
{
	snprintf(t->error, sizeof t->error, "%s", why ? why : "failed");
	ctl_client_close(t->c);
	t->c = NULL;
	t->st = PT_FAILED;
}

/* Ask for the phase's test on a connection of its own. */
static void
start_phase(struct ptest *t, const char *socket)
{
	struct ctl_request req = { .cmd = CTL_PERF };
	char *cause = NULL;
	json_t *start = NULL;

	req.perf = (struct ctl_perf){ .udp = t->udp,
		.reverse = t->reverse,
		.underlay = t->compare && t->phase == 0,
		.time_s = t->time_s,
		.bitrate = -1 };
	snprintf(req.peer, sizeof req.peer, "%.*s", (int)sizeof req.peer - 1,
	    t->peer);
	ctl_client_close(t->c);
	if ((t->c = ctl_client_open(socket, (int)(t->time_s + 20) * 1000,
		 &cause)) == NULL ||
	    ctl_client_call(t->c, &req, &start, &cause) != 0) {
		failed(t, cause);
		free(cause);
		return;
	}
	json_decref(start);
	t->st = PT_RUNNING;
	t->phase_ms = clock_ms();
}

void
ptest_start(struct ptest *t, const char *socket)
{
	t->phase = 0;
	t->npoints[0] = t->npoints[1] = 0;
	json_decref(t->end[0]);
	json_decref(t->end[1]);
	t->end[0] = t->end[1] = NULL;
	start_phase(t, socket);
}

int
ptest_fd(const struct ptest *t)
{
	return t->st == PT_RUNNING && t->c != NULL ? ctl_client_fd(t->c) : -1;
}

/* The side whose reports make the graph: TCP's sender, UDP's receiver. */
static bool
graphed(const struct ptest *t, json_t *d)
{
	const char *side = json_string_value(json_object_get(d, "side"));

	return side != NULL &&
	    strcmp(side, t->udp ? "receiver" : "sender") == 0;
}

void
ptest_read(struct ptest *t, const char *socket)
{
	const char *type;
	char *cause = NULL;
	json_t *d;
	int *n = &t->npoints[t->phase];

	if (ctl_client_next(t->c, &d, &cause) != 0) {
		failed(t, cause);
		free(cause);
		return;
	}
	type = json_string_value(json_object_get(d, "type"));
	if (type != NULL && strcmp(type, "interval") == 0) {
		if (graphed(t, d) && *n < PT_POINTS)
			t->rate[t->phase][(*n)++] = json_number_value(
			    json_object_get(d, "bits_per_second"));
	} else if (type != NULL && strcmp(type, "end") == 0) {
		t->end[t->phase] = json_incref(d);
		if (t->compare && t->phase == 0) {
			t->phase = 1;
			start_phase(t, socket);
		} else {
			ctl_client_close(t->c);
			t->c = NULL;
			t->st = PT_DONE;
		}
	} else
		failed(t, json_string_value(json_object_get(d, "error")));
	json_decref(d);
}

void
ptest_cancel(struct ptest *t)
{
	ctl_client_close(t->c); /* the daemon cancels it at both ends */
	t->c = NULL;
	t->st = PT_CANCELLED;
}

bool
ptest_form_key(struct ptest *t, int key)
{
	size_t i, n = sizeof durations / sizeof durations[0];

	for (i = 0; i < n && durations[i] != t->time_s; i++)
		;
	switch (key) {
	case 'u':
		t->udp = !t->udp;
		break;
	case 'r':
		t->reverse = !t->reverse;
		break;
	case 'c':
		t->compare = !t->compare;
		break;
	case '+':
		t->time_s = durations[i + 1 < n ? i + 1 : n - 1];
		break;
	case '-':
		t->time_s = durations[i > 0 && i < n ? i - 1 : 0];
		break;
	default:
		return false;
	}
	return true;
}

double
ptest_rate(const struct ptest *t, int phase)
{
	return json_number_value(
	    json_object_get(json_object_get(t->end[phase], "receiver"),
		"bits_per_second"));
}
