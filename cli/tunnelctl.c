/*
 * tunnelctl: command line client of tunneld's control socket.
 *
 * Exit codes: 0 success, 1 tunneld answered with an error, 2 usage,
 * 3 tunneld not reachable (not running, no permission, no answer).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_client.h"
#include "log.h"
#include "perf.h"

enum { EXIT_DAEMON_ERROR = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static int json_out; /* --json: errors too go to stdout as JSON */

static void usage(FILE *, int) __attribute__((noreturn));

/* The usage on out, then exit with code (0 for --help, 2 for a mistake). */
static void
usage(FILE *out, int code)
{
	fprintf(out,
	    "usage: tunnelctl [-s socket] [--json] command\n"
	    "       tunnelctl --help | --version\n"
	    "commands:\n"
	    "  status           daemon, data path and segments\n"
	    "  peers            peers with traffic and drop counters\n"
	    "  fdb [SEGMENT]    learned MAC addresses\n"
	    "  discovery        cloud providers: state, instances, errors\n"
	    "  counters         drops by reason, forwarding table statistics\n"
	    "  health           per peer: state, RTT, jitter, loss (probes)\n"
	    "  mtu              per peer: path MTU, inner MTU, black holes\n"
	    "  pmtu-probe PEER  search PEER's path MTU again now\n"
	    "  events [SINCE]   what happened: state and MTU changes, black\n"
	    "                   holes, peers added and removed, reloads\n"
	    "  reload           re-read the configuration\n"
	    "  perf PEER [opts] a throughput test with PEER (tunnelctl perf "
	    "--help)\n"
	    "options:\n"
	    "  -s, --socket P   control socket (default " CTL_DEFAULT_SOCKET
	    ")\n"
	    "  -j, --json       print the daemon's JSON reply (errors too)\n"
	    "  -h, --help       this text\n"
	    "  -V, --version    tunnelctl's and the control protocol's "
	    "versions\n");
	exit(code);
}

/*
 * Say what went wrong and return code: on stderr, and with --json also as
 * {"ok": false, "error": {"code": ..., "message": ...}} on stdout, so
 * that a script reading stdout has something to parse.
 */
static int fail(int, const char *, ...) __attribute__((format(printf, 2, 3)));

static int
fail(int code, const char *fmt, ...)
{
	static const char *const names[] = { [EXIT_DAEMON_ERROR] = "daemon",
		[EXIT_USAGE] = "usage",
		[EXIT_UNREACHABLE] = "unreachable" };
	char raw[1024], msg[1024], *s;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	log_escape(msg, sizeof msg, raw, strlen(raw));
	fprintf(stderr, "tunnelctl: %s\n", msg);
	if (json_out) {
		j = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code",
		    names[code], "message", raw);
		s = json_dumps(j, JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		printf("%s\n", s);
		free(s);
		json_decref(j);
	}
	return code;
}

/* A usage mistake: what it was, then the usage; exits 2. */
static void
usage_error(const char *what, const char *arg)
{
	fail(EXIT_USAGE, "%s%s%s", what, arg ? ": " : "", arg ? arg : "");
	usage(stderr, EXIT_USAGE);
}

static json_int_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/*
 * A string field, escaped for the terminal: names and errors may come
 * from a cloud's API.  From a ring of buffers, so that one printf can
 * take several.
 */
static const char *
str(json_t *o, const char *key)
{
	static char ring[8][512];
	static unsigned next;
	const char *s = json_string_value(json_object_get(o, key));
	char *out = ring[next++ % 8];

	if (s == NULL)
		return "-";
	log_escape(out, sizeof ring[0], s, strlen(s));
	return out;
}

static void
print_drops(json_t *drops)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach(drops, k, v)
	{
		printf("%s%s=%lld", first ? "" : " ", k,
		    (long long)json_integer_value(v));
		first = 0;
	}
	printf("%s\n", first ? "none" : "");
}

/* "s" unless n is one: "1 peer", "2 peers". */
static const char *
plural(json_int_t n)
{
	return n == 1 ? "" : "s";
}

/* A duration as a person reads it: "2d 03:14:05", "03:14:05". */
static const char *
duration(json_int_t secs)
{
	static char buf[32];
	long long s = secs > 0 ? (long long)secs : 0;

	if (s >= 86400)
		snprintf(buf, sizeof buf, "%lldd %02lld:%02lld:%02lld",
		    s / 86400, s % 86400 / 3600, s % 3600 / 60, s % 60);
	else
		snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", s / 3600,
		    s % 3600 / 60, s % 60);
	return buf;
}

/* The widest string field key of the objects of a, at least min. */
static int
width(json_t *a, const char *key, int min)
{
	json_t *o;
	size_t i, n;
	int w = min;

	json_array_foreach(a, i, o)
	{
		n = strlen(str(o, key));
		if (n > (size_t)w)
			w = n > 64 ? 64 : (int)n;
	}
	return w;
}

static void
print_status(json_t *d)
{
	json_int_t npeers = num(d, "peers");
	json_t *s;
	size_t i;

	printf("%s: %s, tunneld %s, up %s, %lld peer%s\n", str(d, "name"),
	    str(d, "role"), str(d, "version"),
	    duration(num(d, "uptime_ms") / 1000), (long long)npeers,
	    plural(npeers));
	printf("data path: %s\n", str(d, "data_path"));
	printf("reloads: %lld (%lld refused)\n", (long long)num(d, "reloads"),
	    (long long)num(d, "reload_failures"));
	s = json_object_get(d, "health");
	printf("peers: %lld up, %lld down, %lld unprobed; %lld in an MTU black "
	       "hole%s\n",
	    (long long)num(s, "up"), (long long)num(s, "down"),
	    (long long)num(s, "unprobed"), (long long)num(s, "black_holes"),
	    num(s, "black_holes") > 0 ? " (tunnelctl mtu)" : "");
	printf("%-12s %8s %-15s %5s %-12s %6s %12s %12s %10s\n", "SEGMENT",
	    "VNI", "TAP", "MTU", "BRIDGE", "FDB", "TAP-RX", "TAP-TX",
	    "TAP-DROPS");
	json_array_foreach(json_object_get(d, "segments"), i, s)
	    printf("%-12s %8lld %-15s %5lld %-12s %6lld %12lld %12lld "
		   "%10lld\n",
		str(s, "name"), (long long)num(s, "vni"), str(s, "tap"),
		(long long)num(s, "mtu"),
		*str(s, "bridge") ? str(s, "bridge") : "-",
		(long long)num(s, "fdb_entries"),
		(long long)num(s, "tap_rx_frames"),
		(long long)num(s, "tap_tx_frames"),
		(long long)num(s, "tap_kernel_drops"));
}

/*
 * "  control: ..." under an auto-keyed peer: its control connection, and
 * why it failed last.
 */
static void
print_control(json_t *e)
{
	json_t *c = json_object_get(e, "control");
	const char *why = str(c, "why");

	if (c == NULL)
		return;
	if (strcmp(str(c, "state"), "up") == 0)
		printf("  control: up %llds, %s at %s, epoch %lld, %lld "
		       "rekeys, "
		       "next in %llds\n",
		    (long long)num(c, "since_s"), str(c, "node"),
		    str(c, "remote"), (long long)num(e, "epoch"),
		    (long long)num(e, "rekeys"),
		    (long long)num(e, "rekey_in_s"));
	else
		printf("  control: %s %llds%s%s\n", str(c, "state"),
		    (long long)num(c, "since_s"), *why ? ": " : "", why);
}

/* "  encryption: ..." under a peer: off, or its SAs and their figures. */
static void
print_encryption(json_t *e)
{
	json_t *left = json_object_get(e, "packets_until_rekey");

	if (!json_is_true(json_object_get(e, "encrypted"))) {
		printf("  encryption: off\n");
		return;
	}
	if (!json_is_true(json_object_get(e, "sa"))) {
		printf("  encryption: %s, %s keys, NO USABLE SA: its traffic "
		       "is dropped%s\n",
		    str(e, "cipher"), str(e, "keying"),
		    json_object_get(e, "control") ? "" : " (see the log)");
		print_control(e);
		return;
	}
	printf("  encryption: ESP %s, %s keys, SPI in 0x%08llx out 0x%08llx, "
	       "SA age %llds, %lld sealed, ",
	    str(e, "cipher"), str(e, "keying"),
	    (unsigned long long)num(e, "spi_in"),
	    (unsigned long long)num(e, "spi_out"),
	    (long long)num(e, "sa_age_s"), (long long)num(e, "packets_sealed"));
	if (json_is_integer(left))
		printf("%lld until rekey\n",
		    (long long)json_integer_value(left));
	else
		printf("never rekeyed (manual)\n");
	print_control(e);
}

static void
print_peers(json_t *d)
{
	json_t *peers = json_object_get(d, "peers"), *p, *seg;
	int wn = width(peers, "name", 4), wa = width(peers, "address", 7);
	size_t i, j;

	printf("%-*s %-*s %-7s %10s %14s %10s %14s\n", wn, "PEER", wa,
	    "ADDRESS", "ENCAP", "RX-PKTS", "RX-BYTES", "TX-PKTS", "TX-BYTES");
	json_array_foreach(peers, i, p)
	{
		printf("%-*s %-*s %-7s %10lld %14lld %10lld %14lld\n", wn,
		    str(p, "name"), wa, str(p, "address"), str(p, "encap"),
		    (long long)num(p, "rx_packets"),
		    (long long)num(p, "rx_bytes"),
		    (long long)num(p, "tx_packets"),
		    (long long)num(p, "tx_bytes"));
		printf("  segments: ");
		json_array_foreach(json_object_get(p, "segments"), j, seg)
		    printf("%s%s", j ? ", " : "", json_string_value(seg));
		printf("%s\n", j ? "" : "none");
		print_encryption(json_object_get(p, "encryption"));
		printf("  drops: ");
		print_drops(json_object_get(p, "drops"));
	}
}

static void
print_fdb(json_t *d)
{
	const char *seg;
	json_t *entries, *e;
	size_t i;
	int w;

	json_object_foreach(json_object_get(d, "fdb"), seg, entries)
	{
		printf("segment %s: %zu entr%s\n", seg,
		    json_array_size(entries),
		    json_array_size(entries) == 1 ? "y" : "ies");
		w = width(entries, "port", 5);
		json_array_foreach(entries, i, e)
		    printf("  %s  %-*s idle %llds%s\n", str(e, "mac"), w,
			str(e, "port"), (long long)num(e, "idle_s"),
			json_is_true(json_object_get(e, "static")) ? " static"
								   : "");
	}
}

static void
print_counters(json_t *d)
{
	const char *seg;
	json_t *t;

	printf("drops: ");
	print_drops(json_object_get(d, "drops"));
	printf("drops on the TAP side: ");
	print_drops(json_object_get(d, "drops_local"));
	printf("drops from unknown sources: ");
	print_drops(json_object_get(d, "drops_unattributed"));
	json_object_foreach(json_object_get(d, "fdb"), seg,
	    t) printf("fdb %s: %lld/%lld entries, learned %lld, moved %lld, "
		      "evicted %lld, expired %lld, moves refused %lld, not "
		      "learned at mac-limit %lld\n",
	    seg, (long long)num(t, "entries"), (long long)num(t, "capacity"),
	    (long long)num(t, "learned"), (long long)num(t, "moved"),
	    (long long)num(t, "evicted"), (long long)num(t, "expired"),
	    (long long)num(t, "move_refused"), (long long)num(t, "at_limit"));
	if ((t = json_object_get(d, "control_connections")) != NULL)
		printf("control connections: %lld accepted, refused %lld "
		       "(unknown source) %lld (busy), %lld TLS failures, %lld "
		       "protocol errors, %lld unknown messages, %lld keyings\n",
		    (long long)num(t, "accepted"),
		    (long long)num(t, "refused_unknown_source"),
		    (long long)num(t, "refused_busy"),
		    (long long)num(t, "tls_failed"),
		    (long long)num(t, "protocol_errors"),
		    (long long)num(t, "unknown_messages"),
		    (long long)num(t, "rekeys"));
}

static void
print_reload(json_t *d)
{
	json_t *c = json_object_get(d, "changes"), *s, *p;

	s = json_object_get(c, "segments");
	p = json_object_get(c, "peers");
	printf("configuration reloaded: segments %lld added, %lld removed, "
	       "%lld kept; peers %lld added, %lld removed, %lld changed, %lld "
	       "unchanged%s\n",
	    (long long)num(s, "added"), (long long)num(s, "removed"),
	    (long long)num(s, "kept"), (long long)num(p, "added"),
	    (long long)num(p, "removed"), (long long)num(p, "changed"),
	    (long long)num(p, "kept"),
	    num(p, "refused") ? " (some refused: see the log)" : "");
}

/* "12s ago" for an epoch time, "never" for null. */
static const char *
ago(json_t *t, char *buf, size_t len)
{
	if (!json_is_integer(t))
		return "never";
	snprintf(buf, len, "%llds ago",
	    (long long)(time(NULL) - json_integer_value(t)));
	return buf;
}

static void
print_discovery(json_t *d)
{
	json_t *p, *err;
	char when[32];
	size_t i;

	if (json_array_size(json_object_get(d, "providers")) == 0) {
		printf("no [provider] sections configured\n");
		return;
	}
	printf("%-16s %-10s %-10s %9s %6s %8s %-14s %s\n", "PROVIDER", "TYPE",
	    "STATE", "INSTANCES", "PEERS", "LEAVING", "LAST SUCCESS", "NEXT");
	json_array_foreach(json_object_get(d, "providers"), i, p)
	{
		printf("%-16s %-10s %-10s %9lld %6lld %8lld %-14s in %llds\n",
		    str(p, "name"), str(p, "type"), str(p, "state"),
		    (long long)num(p, "instances"), (long long)num(p, "peers"),
		    (long long)num(p, "pending_removal"),
		    ago(json_object_get(p, "last_success"), when, sizeof when),
		    (long long)num(p, "next_refresh_s"));
		err = json_object_get(p, "last_error");
		if (json_is_object(err))
			printf("  last error (%s, %lld in a row): %s: %s\n",
			    ago(json_object_get(err, "at"), when, sizeof when),
			    (long long)num(p, "failures"), str(err, "kind"),
			    str(err, "message"));
	}
}

/*
 * A number field as text, "-" when null or absent: integers as they are,
 * reals (milliseconds) to the microsecond.  From a ring of buffers.
 */
static const char *
numstr(json_t *o, const char *key)
{
	static char ring[8][24];
	static unsigned next;
	json_t *v = json_object_get(o, key);
	char *out = ring[next++ % 8];

	if (json_is_integer(v))
		snprintf(out, sizeof ring[0], "%lld",
		    (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, sizeof ring[0], "%.3f", json_real_value(v));
	else
		return "-";
	return out;
}

/* One line per MTU black hole, with what to do about it. */
static void
print_black_holes(json_t *peers)
{
	json_t *p, *m;
	size_t i;

	json_array_foreach(peers, i, p)
	{
		m = json_object_get(p, "mtu");
		if (!json_is_true(json_object_get(m, "black_hole")))
			continue;
		printf("MTU black hole: peer %s: path MTU %s carries inner MTU "
		       "%s, but segment %s's TAP MTU is %s: larger frames "
		       "vanish (set its mtu to %s or less)\n",
		    str(p, "name"), numstr(m, "pmtu"), numstr(m, "inner_mtu"),
		    str(m, "black_hole_segment"), numstr(m, "segment_mtu"),
		    numstr(m, "inner_mtu"));
	}
}

static void
print_health(json_t *d)
{
	json_t *peers = json_object_get(d, "peers"), *p, *rtt, *v;
	int wn = width(peers, "name", 4), wa = width(peers, "address", 7);
	char loss[16], rtts[64];
	size_t i;

	printf("probes every %lld ms, down after %lld ms without an answer, "
	       "figures over %lld s\n",
	    (long long)num(d, "probe_interval_ms"),
	    (long long)num(d, "dead_after_ms"),
	    (long long)num(d, "probe_window_ms") / 1000);
	printf("%-*s %-*s %-7s %-8s %-23s %7s %6s %8s  %s\n", wn, "PEER", wa,
	    "ADDRESS", "ENCAP", "STATE", "RTT-MS MIN/AVG/MAX", "JITTER", "LOSS",
	    "SINCE", "REASON");
	json_array_foreach(peers, i, p)
	{
		rtt = json_object_get(p, "rtt_ms");
		snprintf(rtts, sizeof rtts, "%s/%s/%s", numstr(rtt, "min"),
		    numstr(rtt, "avg"), numstr(rtt, "max"));
		v = json_object_get(p, "loss_pct");
		if (json_is_number(v))
			snprintf(loss, sizeof loss, "%.1f%%",
			    json_number_value(v));
		else
			snprintf(loss, sizeof loss, "-");
		printf("%-*s %-*s %-7s %-8s %-23s %7s %6s %8s  %s", wn,
		    str(p, "name"), wa, str(p, "address"), str(p, "encap"),
		    str(p, "state"), rtts, numstr(rtt, "jitter"), loss,
		    duration((json_int_t)json_number_value(
			json_object_get(p, "since_s"))),
		    str(p, "reason"));
		v = json_object_get(p, "last_rx_s");
		if (strcmp(str(p, "state"), "unprobed") == 0)
			printf(json_is_number(v) ? " (last rx %.0f s ago)"
						 : " (nothing received)",
			    json_number_value(v));
		printf("\n");
	}
	print_black_holes(peers);
}

static void
print_mtu(json_t *d)
{
	json_t *peers = json_object_get(d, "peers"), *p, *m;
	int wn = width(peers, "name", 4), wa = width(peers, "address", 7);
	size_t i;

	printf("%-*s %-*s %-7s %5s %-6s %-9s %8s %9s %7s\n", wn, "PEER", wa,
	    "ADDRESS", "ENCAP", "PMTU", "SOURCE", "SEARCH", "OVERHEAD",
	    "INNER-MTU", "TAP-MTU");
	json_array_foreach(peers, i, p)
	{
		m = json_object_get(p, "mtu");
		printf("%-*s %-*s %-7s %5s %-6s %-9s %8s %9s %7s%s\n", wn,
		    str(p, "name"), wa, str(p, "address"), str(p, "encap"),
		    numstr(m, "pmtu"), str(m, "source"), str(m, "search"),
		    numstr(m, "overhead"), numstr(m, "inner_mtu"),
		    numstr(m, "segment_mtu"),
		    json_is_true(json_object_get(m, "black_hole"))
			? "  BLACK HOLE"
			: "");
	}
	print_black_holes(peers);
}

static void
print_events(json_t *d)
{
	json_t *p;
	char when[32];
	time_t t;
	size_t i;

	if (num(d, "lost") > 0)
		printf("(%lld older events are no longer kept)\n",
		    (long long)num(d, "lost"));
	json_array_foreach(json_object_get(d, "events"), i, p)
	{
		t = (time_t)num(p, "time");
		strftime(when, sizeof when, "%F %T", localtime(&t));
		printf("%6lld %s %-4s %-10s %s%s%s\n", (long long)num(p, "seq"),
		    when, str(p, "level"), str(p, "kind"),
		    json_is_string(json_object_get(p, "peer")) ? str(p, "peer")
							       : "",
		    json_is_string(json_object_get(p, "peer")) ? ": " : "",
		    str(p, "text"));
	}
}

static void
print_pmtu_probe(json_t *d)
{
	printf("peer %s: path MTU search %s\n", str(d, "peer"),
	    str(d, "search"));
}

static void (*const printers[CTL_CMD_MAX])(json_t *) = {
	[CTL_STATUS] = print_status,
	[CTL_PEERS] = print_peers,
	[CTL_FDB] = print_fdb,
	[CTL_COUNTERS] = print_counters,
	[CTL_RELOAD] = print_reload,
	[CTL_DISCOVERY] = print_discovery,
	[CTL_HEALTH] = print_health,
	[CTL_MTU] = print_mtu,
	[CTL_EVENTS] = print_events,
	[CTL_PMTU_PROBE] = print_pmtu_probe,
};

/* The command's argument, if it takes one, into req. */
static void
command_argument(struct ctl_request *req, int argc, char **argv)
{
	char *end;

	if (argc > (req->cmd == CTL_FDB || req->cmd == CTL_EVENTS ||
			       req->cmd == CTL_PMTU_PROBE
			   ? 2
			   : 1))
		usage_error("too many arguments for", argv[0]);
	if (req->cmd == CTL_PMTU_PROBE && argc < 2)
		usage_error("pmtu-probe needs a peer name", NULL);
	if (argc < 2)
		return;
	switch (req->cmd) {
	case CTL_FDB:
		if (strlen(argv[1]) >= sizeof req->segment)
			usage_error("segment name too long", argv[1]);
		strcpy(req->segment, argv[1]);
		break;
	case CTL_PMTU_PROBE:
		if (strlen(argv[1]) >= sizeof req->peer)
			usage_error("peer name too long", argv[1]);
		strcpy(req->peer, argv[1]);
		break;
	default:
		errno = 0;
		req->since = strtoull(argv[1], &end, 10);
		if (errno != 0 || *end != '\0' || argv[1][0] == '-' ||
		    argv[1][0] == '\0')
			usage_error("not an event number", argv[1]);
		break;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	struct ctl_request req = { .cmd = CTL_STATUS };
	struct ctl_client *c;
	char *cause = NULL, *s;
	json_t *data;
	int ch, cmd, rc;

	opterr = 0; /* unknown options are said below, by name */
	/* "+": options after the command are the command's (perf's). */
	while ((ch = getopt_long(argc, argv, "+s:jhV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json_out = 1;
			break;
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("tunnelctl (tunneld) %s, control protocol %d\n",
			    PACKAGE_VERSION, CTL_PROTO_VERSION);
			return 0;
		default:
			usage_error(optopt == 's' ? "-s needs a socket path"
						  : "unknown option",
			    optopt == 's' ? NULL : argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage_error("no command given", NULL);
	if ((cmd = ctl_cmd_parse(argv[0])) < 0 || cmd == CTL_SUBSCRIBE)
		usage_error("unknown command", argv[0]);
	req.cmd = (enum ctl_cmd)cmd;
	if (req.cmd == CTL_PERF)
		return perf_main(path, json_out, argc, argv);
	command_argument(&req, argc, argv);
	if ((c = ctl_client_open(path, 5000, &cause)) == NULL) {
		rc = fail(EXIT_UNREACHABLE, "%s", cause);
		free(cause);
		return rc;
	}
	if ((rc = ctl_client_call(c, &req, &data, &cause)) != 0) {
		rc = fail(rc == CTL_ERR_REPLY ? EXIT_DAEMON_ERROR
					      : EXIT_UNREACHABLE,
		    "%s", cause);
		free(cause);
		ctl_client_close(c);
		return rc;
	}
	if (json_out) {
		s = json_dumps(data,
		    JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
		printf("%s\n", s);
		free(s);
	} else
		printers[req.cmd](data);
	json_decref(data);
	ctl_client_close(c);
	return 0;
}
