/*
 * perf.c: tunnelctl perf (perf.h).  One test reads its reports as they
 * come; --all runs one test per peer at once over connections of their
 * own and waits on them all, --each one after another; --compare runs
 * the underlay test, then the tunnel test, and prints their ratio.
 */
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "log.h"
#include "perf.h"
#include "units.h"

enum { OUT_TEXT, OUT_JSON, OUT_STREAM };
enum { EXIT_OK, EXIT_FAILED, EXIT_USAGE_, EXIT_UNREACHABLE_ };
enum { MAX_RUNS = 64 };

struct opts {
	struct ctl_perf p;
	bool all, each, compare;
	int out;
};

struct run {
	struct ctl_client *c;
	char peer[CTL_NAME_MAX];
	struct ctl_perf p;
	json_t *start, *end, *intervals;
	char *error;
	bool done, unreachable;
};

static double
dnum(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static void
print_json(json_t *j, bool compact)
{
	char *s = json_dumps(j,
	    (compact ? JSON_COMPACT : JSON_INDENT(2)) | JSON_SORT_KEYS |
		JSON_REAL_PRECISION(9));

	printf("%s\n", s);
	fflush(stdout);
	free(s);
}

/* Which side's intervals the text shows: TCP's sender, UDP's receiver. */
static bool
shown(const struct run *r, json_t *report)
{
	const char *side = json_string_value(json_object_get(report, "side"));

	return side != NULL &&
	    strcmp(side, r->p.udp ? "receiver" : "sender") == 0;
}

static void
print_head(const struct run *r)
{
	const char *path = json_string_value(json_object_get(r->start, "path"));

	printf("peer %s: %s, %u s, %u stream%s%s; %s", r->peer,
	    r->p.udp ? "UDP" : "TCP",
	    (unsigned)dnum(r->start, "time_ms") / 1000,
	    (unsigned)dnum(r->start, "streams"),
	    dnum(r->start, "streams") == 1 ? "" : "s",
	    r->p.bidir	       ? ", both ways at once"
		: r->p.reverse ? ", the peer sends"
			       : ", this node sends",
	    path ? path : "-");
	if (!r->p.underlay)
		printf(" (inner MTU %d)", (int)dnum(r->start, "mtu"));
	printf("\n");
	if (r->p.udp)
		printf("[ ID] Interval           Transfer     Bitrate         "
		       "Jitter    Lost/Total Datagrams\n");
	else
		printf("[ ID] Interval           Transfer     Bitrate         "
		       "Retr  Cwnd\n");
}

/* The shape of one line: interval, transfer, bitrate. */
static void
print_figures(json_t *o)
{
	const char *dir = json_string_value(json_object_get(o, "direction"));
	char b[UNITS_LEN], t[UNITS_LEN];

	/* --bidir: OUT this node to the peer, IN the other way. */
	printf("%s %6.2f-%-6.2f sec  %10s  %15s",
	    dir == NULL		? "[SUM]"
		: dir[0] == 'o' ? "[OUT]"
				: "[ IN]",
	    dnum(o, "start"), dnum(o, "end"), units_bytes(dnum(o, "bytes"), b),
	    units_rate(dnum(o, "bits_per_second"), t));
}

static void
print_udp_rx(json_t *o)
{
	double lost = dnum(o, "lost"), got = dnum(o, "packets");

	printf("  %.3f ms  %.0f/%.0f (%.2g%%)", dnum(o, "jitter_ms"), lost,
	    lost + got, dnum(o, "lost_percent"));
	if (dnum(o, "out_of_order") > 0)
		printf("  %.0f out of order", dnum(o, "out_of_order"));
}

static void
print_interval(const struct run *r, json_t *o)
{
	char c[UNITS_LEN];

	print_figures(o);
	if (r->p.udp)
		print_udp_rx(o);
	else
		printf("  %4.0f  %s", dnum(o, "retransmits"),
		    units_bytes(dnum(o, "cwnd"), c));
	printf("\n");
}

static void
print_side(const struct run *r, json_t *o, const char *side)
{
	if (!json_is_object(o)) {
		printf("[SUM] (no figures)                                    "
		       "%s\n",
		    side);
		return;
	}
	print_figures(o);
	if (r->p.udp && strcmp(side, "receiver") == 0)
		print_udp_rx(o);
	else if (r->p.udp)
		printf("  %.0f datagrams", dnum(o, "packets"));
	else if (strcmp(side, "sender") == 0)
		printf("  %4.0f      ", dnum(o, "retransmits"));
	else
		printf("            ");
	printf("  %s\n", side);
}

static void
print_end(const struct run *r)
{
	static const char *const dirs[] = { "out", "in" };
	bool bidir = json_is_true(json_object_get(r->end, "bidir"));
	json_t *e;
	int i;

	printf("- - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n");
	for (i = 0; i < 2 && bidir; i++) {
		e = json_object_get(r->end, dirs[i]);
		printf("%s:\n",
		    i ? "in (the peer sends)" : "out (this node sends)");
		print_side(r, json_object_get(e, "sender"), "sender");
		print_side(r, json_object_get(e, "receiver"), "receiver");
	}
	if (!bidir) {
		print_side(r, json_object_get(r->end, "sender"), "sender");
		print_side(r, json_object_get(r->end, "receiver"), "receiver");
	}
	if (r->p.underlay)
		printf("(underlay: %u flow%s, one per stream, between the two "
		       "daemons' addresses)\n",
		    r->p.parallel ? r->p.parallel : 1,
		    r->p.parallel > 1 ? "s" : "");
}

/* Open a connection and ask for the test; false if it did not start. */
static bool
run_start(struct run *r, const char *socket)
{
	struct ctl_request req = { .cmd = CTL_PERF, .perf = r->p };
	unsigned t = r->p.time_s ? r->p.time_s : 10;

	snprintf(req.peer, sizeof req.peer, "%s", r->peer);
	r->intervals = json_array();
	/* Reports come each interval; the end within time + grace. */
	if ((r->c = ctl_client_open(socket, (int)(t + 20) * 1000, &r->error)) ==
	    NULL) {
		r->unreachable = r->done = true;
		return false;
	}
	if (ctl_client_call(r->c, &req, &r->start, &r->error) != 0) {
		r->done = true;
		return false;
	}
	return true;
}

/* Read the next report; the run is done at its end or an error. */
static void
run_step(struct run *r, int out, bool alone)
{
	const char *type;
	json_t *d;

	if (ctl_client_next(r->c, &d, &r->error) != 0) {
		r->done = true;
		return;
	}
	if (out == OUT_STREAM)
		print_json(d, true);
	type = json_string_value(json_object_get(d, "type"));
	if (type != NULL && strcmp(type, "interval") == 0) {
		if (alone && out == OUT_TEXT && shown(r, d))
			print_interval(r, d);
		json_array_append(r->intervals, d);
	} else if (type != NULL && strcmp(type, "end") == 0) {
		r->end = json_incref(d);
		r->done = true;
	} else {
		type = json_string_value(json_object_get(d, "error"));
		r->error = strdup(type ? type : "the daemon ended the test");
		r->done = true;
	}
	json_decref(d);
}

static void
run_free(struct run *r)
{
	ctl_client_close(r->c);
	json_decref(r->start);
	json_decref(r->end);
	json_decref(r->intervals);
	free(r->error);
}

/* Wait on every run until all are done. */
static void
run_all(struct run *v, int n, int out)
{
	struct pollfd p[MAX_RUNS];
	int i, k, left;

	for (;;) {
		/* Replies read already first: poll would not see them. */
		for (i = left = 0; i < n; i++)
			while (!v[i].done && ctl_client_pending(v[i].c))
				run_step(&v[i], out, n == 1);
		for (i = k = 0; i < n; i++) {
			if (v[i].done)
				continue;
			p[k++] = (struct pollfd){ .fd = ctl_client_fd(v[i].c),
				.events = POLLIN };
			left++;
		}
		if (left == 0 || poll(p, (nfds_t)k, 90000) <= 0)
			return;
		for (i = k = 0; i < n; i++) {
			if (v[i].done)
				continue;
			if (p[k++].revents != 0)
				run_step(&v[i], out, n == 1);
		}
	}
}

static json_t *
run_json(const struct run *r)
{
	json_t *o = json_pack("{s:s, s:O*, s:O}", "peer", r->peer, "start",
	    r->start, "intervals", r->intervals);

	if (r->end != NULL)
		json_object_set(o, "end", r->end);
	if (r->error != NULL)
		json_object_set_new(o, "error", json_string(r->error));
	return o;
}

/* A side's rate; --bidir: both ways' together. */
static double
side_rate(const struct run *r, const char *side)
{
	if (json_is_true(json_object_get(r->end, "bidir")))
		return dnum(json_object_get(json_object_get(r->end, "out"),
				side),
			   "bits_per_second") +
		    dnum(json_object_get(json_object_get(r->end, "in"), side),
			"bits_per_second");
	return dnum(json_object_get(r->end, side), "bits_per_second");
}

/* The error of a run on stderr; its exit code. */
static int
run_failed(const struct run *r)
{
	char msg[1024];

	log_escape(msg, sizeof msg, r->error ? r->error : "no result",
	    strlen(r->error ? r->error : "no result"));
	fprintf(stderr, "tunnelctl: perf %s: %s\n", r->peer, msg);
	return r->unreachable ? EXIT_UNREACHABLE_ : EXIT_FAILED;
}

/* One test, shown as it runs. */
static int
perf_one(struct run *r, const char *socket, int out)
{
	if (run_start(r, socket)) {
		if (out == OUT_TEXT)
			print_head(r);
		else if (out == OUT_STREAM)
			print_json(r->start, true);
		run_all(r, 1, out);
	}
	if (out == OUT_TEXT && r->end != NULL)
		print_end(r);
	return r->end != NULL ? EXIT_OK : run_failed(r);
}

static int
perf_compare(struct run *r, const char *socket, int out)
{
	struct run u = *r;
	double a, b;
	json_t *j;
	int rc;

	u.p.underlay = true;
	if (out == OUT_TEXT)
		printf("== over the underlay\n");
	if ((rc = perf_one(&u, socket, out)) != 0)
		goto done;
	if (out == OUT_TEXT)
		printf("\n== through the tunnel\n");
	if ((rc = perf_one(r, socket, out)) != 0)
		goto done;
	a = side_rate(&u, "receiver");
	b = side_rate(r, "receiver");
	if (out == OUT_TEXT)
		printf("\ntunnel / underlay: %.2f (receiver rates; the tunnel "
		       "is one flow on the underlay per inner flow, or one "
		       "for ESP)\n",
		    a > 0 ? b / a : 0);
	else if (out == OUT_JSON) {
		j = json_pack("{s:o, s:o, s:f}", "underlay", run_json(&u),
		    "tunnel", run_json(r), "ratio", a > 0 ? b / a : 0.0);
		print_json(j, false);
		json_decref(j);
	}
done:
	run_free(&u);
	return rc;
}

/* Every peer's name, from the daemon. */
static int
peer_names(const char *socket, char names[][CTL_NAME_MAX], int max)
{
	struct ctl_request req = { .cmd = CTL_PEERS };
	struct ctl_client *c = ctl_client_open(socket, 5000, NULL);
	json_t *d = NULL, *p;
	char *cause = NULL;
	size_t i;
	int n = 0;

	if (c == NULL || ctl_client_call(c, &req, &d, &cause) != 0) {
		free(cause);
		ctl_client_close(c);
		return -1;
	}
	json_array_foreach(json_object_get(d, "peers"), i,
	    p) if (n < max && json_is_string(json_object_get(p, "name")))
	    snprintf(names[n++], CTL_NAME_MAX, "%.*s", CTL_NAME_MAX - 1,
		json_string_value(json_object_get(p, "name")));
	json_decref(d);
	ctl_client_close(c);
	return n;
}

static void
print_table(const struct run *v, int n)
{
	char s[UNITS_LEN], r[UNITS_LEN];
	double ts = 0, tr = 0;
	int i;

	printf("%-24s %-5s %16s %16s  %s\n", "PEER", "PROTO", "SENDER",
	    "RECEIVER", v[0].p.udp ? "LOST" : "RETR");
	for (i = 0; i < n; i++) {
		if (v[i].end == NULL) {
			printf("%-24s %-5s failed: %s\n", v[i].peer,
			    v[i].p.udp ? "udp" : "tcp",
			    v[i].error ? v[i].error : "no result");
			continue;
		}
		ts += side_rate(&v[i], "sender");
		tr += side_rate(&v[i], "receiver");
		printf("%-24s %-5s %16s %16s  %.0f\n", v[i].peer,
		    v[i].p.udp ? "udp" : "tcp",
		    units_rate(side_rate(&v[i], "sender"), s),
		    units_rate(side_rate(&v[i], "receiver"), r),
		    dnum(json_object_get(v[i].end,
			     v[i].p.udp ? "receiver" : "sender"),
			v[i].p.udp ? "lost" : "retransmits"));
	}
	printf("%-24s %-5s %16s %16s\n", "TOTAL", "", units_rate(ts, s),
	    units_rate(tr, r));
}

/* --all (at once) or --each (one after another): a table and the total. */
static int
perf_many(const struct opts *o, const char *socket)
{
	static char names[MAX_RUNS][CTL_NAME_MAX];
	static struct run v[MAX_RUNS];
	int n = peer_names(socket, names, MAX_RUNS), i, failed = 0;
	json_t *j, *a;

	if (n <= 0) {
		fprintf(stderr, "tunnelctl: perf: %s\n",
		    n == 0 ? "no peers" : "tunneld is not reachable");
		return n == 0 ? EXIT_FAILED : EXIT_UNREACHABLE_;
	}
	for (i = 0; i < n; i++) {
		memset(&v[i], 0, sizeof v[i]);
		memcpy(v[i].peer, names[i],
		    sizeof v[i].peer); /* both NUL-ended */
		v[i].p = o->p;
		if (run_start(&v[i], socket) && o->each)
			run_all(&v[i], 1,
			    o->out == OUT_STREAM ? OUT_STREAM : OUT_JSON);
	}
	run_all(v, n, o->out == OUT_STREAM ? OUT_STREAM : OUT_JSON);
	if (o->out == OUT_TEXT)
		print_table(v, n);
	a = json_array();
	for (i = 0; i < n; i++) {
		failed += v[i].end == NULL;
		json_array_append_new(a, run_json(&v[i]));
	}
	if (o->out == OUT_JSON) {
		j = json_pack("{s:o, s:b}", "tests", a, "at_once", !o->each);
		print_json(j, false);
		json_decref(j);
	} else
		json_decref(a);
	for (i = 0; i < n; i++)
		run_free(&v[i]);
	return failed ? EXIT_FAILED : EXIT_OK;
}

static void perf_usage(FILE *, int) __attribute__((noreturn));

static void
perf_usage(FILE *f, int code)
{
	fprintf(f,
	    "usage: tunnelctl perf PEER | --all | --each [options]\n"
	    "  -u, --udp          UDP (default TCP)\n"
	    "  -t, --time S       seconds, 1-60 (default 10)\n"
	    "  -b, --bitrate R    UDP bits/s, K M G allowed (default 100M; "
	    "0: unlimited)\n"
	    "  -l, --size N       bytes a write or a datagram\n"
	    "  -P, --parallel P   streams, 1-16 (default 1)\n"
	    "  -R, --reverse      the peer sends\n"
	    "      --bidir        both ways at once\n"
	    "      --underlay     over the bare underlay, not the tunnel\n"
	    "      --compare      underlay, then tunnel, and the ratio\n"
	    "  -i, --interval S   seconds between reports (default 1)\n"
	    "      --all          every peer at once; --each: one by one\n"
	    "  -J, --json         one JSON document at the end\n"
	    "      --json-stream  one JSON object per report as it comes\n");
	exit(code);
}

static void
bad(const char *what, const char *arg)
{
	fprintf(stderr, "tunnelctl: perf: %s%s%s\n", what, arg ? ": " : "",
	    arg ? arg : "");
	perf_usage(stderr, EXIT_USAGE_);
}

static unsigned
count(const char *s, unsigned lo, unsigned hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < (long)lo || v > (long)hi)
		bad(what, s);
	return (unsigned)v;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "udp", no_argument, NULL, 'u' },
		{ "time", required_argument, NULL, 't' },
		{ "bitrate", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 'l' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "reverse", no_argument, NULL, 'R' },
		{ "bidir", no_argument, NULL, 'B' },
		{ "underlay", no_argument, NULL, 'U' },
		{ "compare", no_argument, NULL, 'C' },
		{ "interval", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'A' },
		{ "each", no_argument, NULL, 'E' },
		{ "json", no_argument, NULL, 'J' },
		{ "json-stream", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double iv;
	int ch;

	optind = 0; /* GNU: start afresh (tunnelctl parsed its own first) */
	while (
	    (ch = getopt_long(argc, argv, "ut:b:l:P:Ri:Jh", lo, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o->p.udp = true;
			break;
		case 't':
			o->p.time_s = count(optarg, 1, CTL_PERF_MAX_TIME,
			    "--time takes 1 to 60 seconds");
			break;
		case 'b':
			if ((o->p.bitrate = units_parse_rate(optarg)) < 0)
				bad("not a bitrate", optarg);
			break;
		case 'l':
			o->p.size = count(optarg, 16, 131072,
			    "--size takes 16 to 131072 bytes");
			break;
		case 'P':
			o->p.parallel = count(optarg, 1, CTL_PERF_MAX_PARALLEL,
			    "--parallel takes 1 to 16 streams");
			break;
		case 'R':
			o->p.reverse = true;
			break;
		case 'B':
			o->p.bidir = true;
			break;
		case 'U':
			o->p.underlay = true;
			break;
		case 'C':
			o->compare = true;
			break;
		case 'i':
			iv = strtod(optarg, NULL);
			if (iv < 0.1 || iv > 60)
				bad("--interval takes 0.1 to 60 seconds",
				    optarg);
			o->p.interval_ms = (unsigned)(iv * 1000 + 0.5);
			break;
		case 'A':
			o->all = true;
			break;
		case 'E':
			o->each = true;
			break;
		case 'J':
			o->out = OUT_JSON;
			break;
		case 'S':
			o->out = OUT_STREAM;
			break;
		case 'h':
			perf_usage(stdout, 0);
		default:
			bad("unknown option", argv[optind - 1]);
		}
	}
	return optind;
}

int
perf_main(const char *socket, int json, int argc, char **argv)
{
	struct opts o = { .p = { .bitrate = -1 }, .out = json ? OUT_JSON : 0 };
	struct run r = { 0 };
	int first = parse_opts(argc, argv, &o), rc;
	json_t *j;

	if (o.all && o.each)
		bad("--all and --each: one or the other", NULL);
	if (o.p.bidir && o.p.reverse)
		bad("--bidir and --reverse: one or the other", NULL);
	if (o.compare && o.p.underlay)
		bad("--compare runs the underlay test itself", NULL);
	if (o.all || o.each) {
		if (first != argc)
			bad("--all and --each take no peer", argv[first]);
		if (o.compare)
			bad("--compare is for one peer", NULL);
		return perf_many(&o, socket);
	}
	if (first != argc - 1)
		bad(first == argc ? "which peer?" : "one peer at a time",
		    first < argc ? argv[first + 1] : NULL);
	snprintf(r.peer, sizeof r.peer, "%s", argv[first]);
	r.p = o.p;
	rc = o.compare ? perf_compare(&r, socket, o.out)
		       : perf_one(&r, socket, o.out);
	if (o.out == OUT_JSON && !o.compare) {
		j = run_json(&r);
		print_json(j, false);
		json_decref(j);
	}
	run_free(&r);
	return rc;
}
