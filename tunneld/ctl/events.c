/* events.c: the ring of notable changes (events.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "events.h"
#include "xmalloc.h"

struct event {
	uint64_t seq;
	time_t time;
	enum event_kind kind;
	enum log_level level;
	char peer[CFG_NAME_MAX]; /* empty: not about one peer */
	char text[EVENTS_TEXT_MAX];
	long from, to; /* a changed value, before and after; -1: none */
};

struct events {
	struct event ring[EVENTS_KEEP];
	uint64_t next; /* sequence number of the next event */
};

static const char *const kind_names[EV_KIND_MAX] = {
	[EV_STATE] = "state",
	[EV_PMTU] = "pmtu",
	[EV_BLACK_HOLE] = "black_hole",
	[EV_PEER] = "peer",
	[EV_DISCOVERY] = "discovery",
	[EV_RELOAD] = "reload",
	[EV_CRYPTO] = "crypto",
};

const char *
event_kind_name(enum event_kind k)
{
	return (unsigned)k < EV_KIND_MAX ? kind_names[k] : "unknown";
}

struct events *
events_new(void)
{
	struct events *ev = xcalloc(1, sizeof *ev);

	ev->next = 1;
	return ev;
}

void
events_free(struct events *ev)
{
	free(ev);
}

uint64_t
events_next(const struct events *ev)
{
	return ev->next;
}

static void events_vadd(struct events *, enum event_kind, enum log_level,
    const char *, long, long, const char *, va_list)
    __attribute__((format(printf, 7, 0)));

static void
events_vadd(struct events *ev, enum event_kind kind, enum log_level level,
    const char *peer, long from, long to, const char *fmt, va_list ap)
{
	struct event *e = &ev->ring[ev->next % EVENTS_KEEP];
	char text[EVENTS_TEXT_MAX];

	memset(e, 0, sizeof *e);
	e->seq = ev->next++;
	e->time = time(NULL);
	e->kind = kind;
	e->level = level;
	e->from = from;
	e->to = to;
	if (peer != NULL)
		log_escape(e->peer, sizeof e->peer, peer, strlen(peer));
	vsnprintf(text, sizeof text, fmt, ap);
	/* Stored escaped, so the JSON is ASCII; logged raw (log.c escapes). */
	log_escape(e->text, sizeof e->text, text, strlen(text));
	if (level == LOG_LEVEL_WARN)
		log_warnx("%s%s%s%s", peer ? "peer " : "", peer ? peer : "",
		    peer ? ": " : "", text);
	else
		log_info("%s%s%s%s", peer ? "peer " : "", peer ? peer : "",
		    peer ? ": " : "", text);
}

void
events_add(struct events *ev, enum event_kind kind, enum log_level level,
    const char *peer, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	events_vadd(ev, kind, level, peer, -1, -1, fmt, ap);
	va_end(ap);
}

void
events_add_change(struct events *ev, enum event_kind kind, enum log_level level,
    const char *peer, long from, long to, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	events_vadd(ev, kind, level, peer, from, to, fmt, ap);
	va_end(ap);
}

static json_t *
value_or_null(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *
event_json(const struct event *e)
{
	return json_pack("{s:I,s:I,s:s,s:s,s:o,s:s,s:o,s:o}", "seq",
	    (json_int_t)e->seq, "time", (json_int_t)e->time, "kind",
	    event_kind_name(e->kind), "level",
	    e->level == LOG_LEVEL_WARN ? "warn" : "info", "peer",
	    e->peer[0] != '\0' ? json_string(e->peer) : json_null(), "text",
	    e->text, "from", value_or_null(e->from), "to",
	    value_or_null(e->to));
}

json_t *
events_json(const struct events *ev, uint64_t since)
{
	uint64_t first = ev->next > EVENTS_KEEP ? ev->next - EVENTS_KEEP : 1;
	uint64_t seq, lost = 0;
	json_t *a = json_array();

	if (since == 0)
		since = 1;
	if (since < first) {
		lost = first - since;
		since = first;
	}
	for (seq = since; seq < ev->next; seq++)
		json_array_append_new(a,
		    event_json(&ev->ring[seq % EVENTS_KEEP]));
	return json_pack("{s:I,s:I,s:o}", "next", (json_int_t)ev->next, "lost",
	    (json_int_t)lost, "events", a);
}
