/*
 * ctl_proto.h: the control socket protocol, version CTL_PROTO_VERSION.
 *
 * A Unix stream socket carrying newline-delimited JSON.  Each request is one
 * object on one line, at most CTL_MAX_REQUEST bytes:
 *   {"cmd": "status"}            daemon, data path, segments
 *   {"cmd": "peers"}             per-peer state and counters
 *   {"cmd": "fdb", "segment": S} forwarding table (all segments if absent)
 *   {"cmd": "counters"}          drops by reason, table statistics
 *   {"cmd": "reload"}            re-read the config file
 *   {"cmd": "subscribe"}         status now, then status and health
 *                                replies once a second
 *   {"cmd": "discovery"}         per provider: state, last success/error
 *   {"cmd": "health"}            per peer: probe state, RTT, loss, MTU
 *   {"cmd": "mtu"}               the same reply (tunnelctl mtu's view)
 *   {"cmd": "events", "since": N} the events numbered N and later (0: all
 *                                the daemon still holds)
 *   {"cmd": "pmtu-probe", "peer": P} search P's path MTU again now
 *   {"cmd": "perf", "peer": P, ...} a throughput test with P: optional
 *                                "udp", "reverse", "underlay", "bidir"
 *                                (booleans; bidir: both ways at once),
 *                                "time" (s, 1-60), "bitrate" (bits/s, UDP;
 *                                0: unlimited), "size" (bytes), "parallel"
 *                                (1-16), "interval" (ms, 100-60000).  The
 *                                reply says the test started; then lines
 *                                {"ok": true, "cmd": "perf", "data": R}
 *                                follow, R {"type": "interval" | "end" |
 *                                "error", ...} (tunnelctl(8), PERF), the
 *                                last an end or an error.  Closing the
 *                                connection cancels the test.
 * Each reply is one line:
 *   {"ok": true, "version": 1, "cmd": C, "data": {...}}
 *   {"ok": false, "version": 1, "error": "reason"}
 * Unknown commands or keys, wrong types and oversize lines get an error
 * reply; the connection stays usable.  Bump the version on any change.
 */
#ifndef CTL_PROTO_H
#define CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define CTL_PROTO_VERSION 5 /* 2: discovery; 3: health; 4: events; 5: perf */
#define CTL_DEFAULT_SOCKET "/run/tunneld/tunneld.sock"

enum ctl_limits {
	CTL_MAX_REQUEST = 4096,
	CTL_MAX_REPLY = 64 << 20,
	CTL_SEGMENT_MAX = 32, /* a segment name, NUL included */
	CTL_NAME_MAX = 64,    /* a peer name (PROVIDER/INSTANCE), likewise */
};

enum ctl_cmd {
	CTL_STATUS,
	CTL_PEERS,
	CTL_FDB,
	CTL_COUNTERS,
	CTL_RELOAD,
	CTL_SUBSCRIBE,
	CTL_DISCOVERY,
	CTL_HEALTH,
	CTL_MTU,
	CTL_EVENTS,
	CTL_PMTU_PROBE,
	CTL_PERF,
	CTL_CMD_MAX
};

/* A throughput test's parameters, as asked for (perf only). */
struct ctl_perf {
	bool udp, reverse, underlay, bidir;
	unsigned time_s;      /* 0: the default, 10 */
	long long bitrate;    /* bits/s; -1: the default (UDP: 100 Mbit/s) */
	unsigned size;	      /* 0: the default */
	unsigned parallel;    /* 0: 1 */
	unsigned interval_ms; /* 0: 1000 */
};

enum { CTL_PERF_MAX_TIME = 60, CTL_PERF_MAX_PARALLEL = 16 };

struct ctl_request {
	enum ctl_cmd cmd;
	char segment[CTL_SEGMENT_MAX]; /* fdb only; empty = all */
	char peer[CTL_NAME_MAX];       /* pmtu-probe and perf */
	unsigned long long since;      /* events only */
	struct ctl_perf perf;	       /* perf only */
};

/* Name of a command on the wire. */
const char *ctl_cmd_name(enum ctl_cmd);
/* Command by name, -1 if unknown. */
int ctl_cmd_parse(const char *);

/* Parse one request line (without its newline); -1 with *cause. */
int ctl_request_parse(const char *line, size_t len, struct ctl_request *,
    char **cause);
/* Encode a request as a line ending in newline (caller frees). */
char *ctl_request_encode(const struct ctl_request *);

/* Encode a reply line ending in newline (caller frees); steals data. */
char *ctl_reply_ok(enum ctl_cmd, json_t *data);
char *ctl_reply_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/*
 * Parse a reply line: 0 with *data (caller decrefs) on "ok": true;
 * CTL_ERR_REPLY with *cause when tunneld answered with an error;
 * CTL_ERR_TRANSPORT with *cause for a malformed line.
 */
enum { CTL_ERR_TRANSPORT = -1, CTL_ERR_REPLY = -2 };
int ctl_reply_parse(const char *line, size_t len, json_t **data,
    char **cause);

#endif
