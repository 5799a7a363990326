/*
 * metrics.h: Prometheus text metrics over HTTP ([daemon] metrics =
 * ADDRESS:PORT; off by default).
 *
 * A small HTTP/1.0 server in the control loop: GET /metrics answers with
 * the text metrics_render() makes of the control socket's status, peers
 * and discovery views; any other path is 404 and any other method 405.
 * Each connection carries one request and is closed after the answer; at
 * most METRICS_MAX_CLIENTS at once, each given METRICS_TIMEOUT_MS to
 * send its request, which may be at most METRICS_MAX_REQUEST bytes.
 * Malformed or oversize requests get 400 and a counter, never a stall of
 * the loop.  The socket is opened before tunneld drops root.  Control
 * thread only.
 */
#ifndef METRICS_H
#define METRICS_H

#include <jansson.h>
#include <stdint.h>

#include "loop.h"
#include "net/addr.h"

enum {
	METRICS_MAX_CLIENTS = 8,
	METRICS_MAX_REQUEST = 4096,
	METRICS_TIMEOUT_MS = 5000,
};

/* The page, as a new string; called for each GET /metrics. */
typedef char *(*metrics_source)(void *arg);

struct metrics;

/* Listen on addr (port included); NULL with *cause. */
struct metrics *metrics_open(struct loop *, const struct sockaddr_any *addr,
    metrics_source, void *arg, char **cause);
/* Once a second: close clients past their time. */
void metrics_tick(struct metrics *);
void metrics_close(struct metrics *);

struct metrics_stats {
	uint64_t scrapes, bad_requests, refused;
};
void metrics_get_stats(const struct metrics *, struct metrics_stats *);

/* The text exposition of the control socket's views (metrics_text.c). */
char *metrics_render(json_t *status, json_t *peers, json_t *discovery);

/* Parse "ADDRESS:PORT" ("[v6]:PORT" for IPv6); 0 or -1 with *why. */
int metrics_parse_addr(const char *, struct sockaddr_any *, const char **why);

#endif
