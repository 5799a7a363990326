/* ctl_proto.c: encoding and strict parsing of control messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"
#include "xmalloc.h"

static const char *const cmd_names[CTL_CMD_MAX] = {
	[CTL_STATUS] = "status",
	[CTL_PEERS] = "peers",
	[CTL_FDB] = "fdb",
	[CTL_COUNTERS] = "counters",
	[CTL_RELOAD] = "reload",
	[CTL_SUBSCRIBE] = "subscribe",
	[CTL_DISCOVERY] = "discovery",
	[CTL_HEALTH] = "health",
	[CTL_MTU] = "mtu",
	[CTL_EVENTS] = "events",
	[CTL_PMTU_PROBE] = "pmtu-probe",
	[CTL_PERF] = "perf",
};

const char *
ctl_cmd_name(enum ctl_cmd c)
{
	return (unsigned)c < CTL_CMD_MAX ? cmd_names[c] : "unknown";
}

int
ctl_cmd_parse(const char *s)
{
	int c;

	for (c = 0; c < CTL_CMD_MAX; c++)
		if (strcmp(s, cmd_names[c]) == 0)
			return c;
	return -1;
}

static int
parse_fail(char **cause, json_t *j, const char *msg)
{
	xasprintf(cause, "%s", msg);
	json_decref(j);
	return -1;
}

/* A string key into dst (size n): NUL-free and shorter than n. */
static int
parse_string(json_t *v, char *dst, size_t n)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) >= n || json_string_length(v) != strlen(s))
		return -1;
	strcpy(dst, s);
	return 0;
}

/* An integer key within [lo, hi]; -1 if it is not. */
static int
parse_int(json_t *v, long long lo, long long hi, long long *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* One key of a perf request; 1 if key is none of them. */
static int
parse_perf_key(struct ctl_perf *p, const char *key, json_t *v)
{
	bool *flag = strcmp(key, "udp") == 0 ? &p->udp
	    : strcmp(key, "reverse") == 0    ? &p->reverse
	    : strcmp(key, "underlay") == 0   ? &p->underlay
	    : strcmp(key, "bidir") == 0	     ? &p->bidir
					     : NULL;
	long long n;

	if (flag != NULL) {
		if (!json_is_boolean(v))
			return -1;
		*flag = json_is_true(v);
		return 0;
	}
	if (strcmp(key, "time") == 0 &&
	    parse_int(v, 1, CTL_PERF_MAX_TIME, &n) == 0)
		p->time_s = (unsigned)n;
	else if (strcmp(key, "bitrate") == 0 &&
	    parse_int(v, 0, 100000000000LL, &n) == 0)
		p->bitrate = n;
	else if (strcmp(key, "size") == 0 && parse_int(v, 16, 131072, &n) == 0)
		p->size = (unsigned)n;
	else if (strcmp(key, "parallel") == 0 &&
	    parse_int(v, 1, CTL_PERF_MAX_PARALLEL, &n) == 0)
		p->parallel = (unsigned)n;
	else if (strcmp(key, "interval") == 0 &&
	    parse_int(v, 100, 60000, &n) == 0)
		p->interval_ms = (unsigned)n;
	else if (strcmp(key, "time") == 0 || strcmp(key, "bitrate") == 0 ||
	    strcmp(key, "size") == 0 || strcmp(key, "parallel") == 0 ||
	    strcmp(key, "interval") == 0)
		return -1;
	else
		return 1;
	return 0;
}

/* One key of a request; -1 if the command has no such key or it is bad. */
static int
parse_key(struct ctl_request *r, const char *key, json_t *v, char **cause)
{
	json_int_t n;
	int rc;

	if (r->cmd == CTL_PERF && strcmp(key, "peer") != 0 &&
	    (rc = parse_perf_key(&r->perf, key, v)) != 1) {
		if (rc == 0)
			return 0;
		xasprintf(cause, "bad \"%s\" value", key);
	} else if (strcmp(key, "segment") == 0 && r->cmd == CTL_FDB) {
		if (parse_string(v, r->segment, sizeof r->segment) == 0)
			return 0;
		xasprintf(cause, "bad \"segment\" value");
	} else if (strcmp(key, "peer") == 0 &&
	    (r->cmd == CTL_PMTU_PROBE || r->cmd == CTL_PERF)) {
		if (parse_string(v, r->peer, sizeof r->peer) == 0 &&
		    r->peer[0] != '\0')
			return 0;
		xasprintf(cause, "bad \"peer\" value");
	} else if (strcmp(key, "since") == 0 && r->cmd == CTL_EVENTS) {
		if (json_is_integer(v) && (n = json_integer_value(v)) >= 0) {
			r->since = (unsigned long long)n;
			return 0;
		}
		xasprintf(cause, "bad \"since\" value");
	} else
		xasprintf(cause, "unknown key in request");
	return -1;
}

int
ctl_request_parse(const char *line, size_t len, struct ctl_request *r,
    char **cause)
{
	json_t *j, *v;
	const char *key;
	json_error_t err;
	int c;

	memset(r, 0, sizeof *r);
	r->perf.bitrate = -1;
	if (len > CTL_MAX_REQUEST)
		return parse_fail(cause, NULL, "request too long");
	if ((j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return parse_fail(cause, NULL, "request is not valid JSON");
	if (!json_is_object(j))
		return parse_fail(cause, j, "request is not a JSON object");
	if ((v = json_object_get(j, "cmd")) == NULL || !json_is_string(v))
		return parse_fail(cause, j, "request has no \"cmd\" string");
	if ((c = ctl_cmd_parse(json_string_value(v))) < 0)
		return parse_fail(cause, j, "unknown command");
	r->cmd = (enum ctl_cmd)c;
	json_object_foreach(j, key, v) {
		if (strcmp(key, "cmd") != 0 &&
		    parse_key(r, key, v, cause) != 0) {
			json_decref(j);
			return -1;
		}
	}
	json_decref(j);
	if ((r->cmd == CTL_PMTU_PROBE || r->cmd == CTL_PERF) &&
	    r->peer[0] == '\0')
		return parse_fail(cause, NULL,
		    r->cmd == CTL_PERF ? "perf needs a \"peer\""
				       : "pmtu-probe needs a \"peer\"");
	return 0;
}

/* Compact one-line encoding with the newline; steals j. */
static char *
encode_line(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(9)), *line;

	json_decref(j);
	if (s == NULL)
		return xstrdup("{\"ok\":false,\"error\":\"encoding failed\"}\n");
	xasprintf(&line, "%s\n", s);
	free(s);
	return line;
}

/* The perf keys that differ from the defaults. */
static void
perf_encode(json_t *j, const struct ctl_perf *p)
{
	const struct {
		const char *key;
		long long v, none;
	} n[] = {
		{ "time", p->time_s, 0 },
		{ "bitrate", p->bitrate, -1 },
		{ "size", p->size, 0 },
		{ "parallel", p->parallel, 0 },
		{ "interval", p->interval_ms, 0 },
	};
	size_t i;

	if (p->udp)
		json_object_set_new(j, "udp", json_true());
	if (p->reverse)
		json_object_set_new(j, "reverse", json_true());
	if (p->underlay)
		json_object_set_new(j, "underlay", json_true());
	if (p->bidir)
		json_object_set_new(j, "bidir", json_true());
	for (i = 0; i < sizeof n / sizeof n[0]; i++)
		if (n[i].v != n[i].none)
			json_object_set_new(j, n[i].key, json_integer(n[i].v));
}

char *
ctl_request_encode(const struct ctl_request *r)
{
	json_t *j = json_pack("{s:s}", "cmd", ctl_cmd_name(r->cmd));

	if (r->segment[0] != '\0')
		json_object_set_new(j, "segment", json_string(r->segment));
	if (r->peer[0] != '\0')
		json_object_set_new(j, "peer", json_string(r->peer));
	if (r->cmd == CTL_EVENTS)
		json_object_set_new(j, "since",
		    json_integer((json_int_t)r->since));
	if (r->cmd == CTL_PERF)
		perf_encode(j, &r->perf);
	return encode_line(j);
}

char *
ctl_reply_ok(enum ctl_cmd c, json_t *data)
{
	return encode_line(json_pack("{s:b,s:i,s:s,s:o}", "ok", 1, "version",
	    CTL_PROTO_VERSION, "cmd", ctl_cmd_name(c), "data",
	    data ? data : json_object()));
}

char *
ctl_reply_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return encode_line(json_pack("{s:b,s:i,s:s}", "ok", 0, "version",
	    CTL_PROTO_VERSION, "error", msg));
}

int
ctl_reply_parse(const char *line, size_t len, json_t **data, char **cause)
{
	json_t *j, *ok, *e;
	json_error_t err;

	*data = NULL;
	if ((j = json_loadb(line, len, 0, &err)) == NULL || !json_is_object(j))
		return parse_fail(cause, j, "malformed reply from tunneld");
	ok = json_object_get(j, "ok");
	if (!json_is_boolean(ok))
		return parse_fail(cause, j, "reply without \"ok\"");
	if (!json_is_true(ok)) {
		e = json_object_get(j, "error");
		xasprintf(cause, "%s", json_is_string(e) ? json_string_value(e)
		    : "unspecified error");
		json_decref(j);
		return CTL_ERR_REPLY;
	}
	*data = json_incref(json_object_get(j, "data"));
	json_decref(j);
	if (*data == NULL)
		return parse_fail(cause, NULL, "reply without \"data\"");
	return 0;
}
