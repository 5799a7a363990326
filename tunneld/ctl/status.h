/*
 * status.h: the runtime as the control socket shows it (JSON, jansson).
 *
 * Read-only views built on request by the control thread; counters are
 * summed over data threads at that moment.  Every function returns a new
 * reference the caller owns.
 */
#ifndef STATUS_H
#define STATUS_H

#include <jansson.h>

#include "runtime.h"

json_t *status_json(const struct runtime *);
json_t *status_peers_json(const struct runtime *);
/* Forwarding table of one segment (NULL: all); NULL with *cause if none. */
json_t *status_fdb_json(const struct runtime *, const char *segment,
    char **cause);
json_t *status_counters_json(const struct runtime *);
/* Each peer's path health and the probe settings. */
json_t *status_health_json(const struct runtime *);
/* Search peer's path MTU again now: {"peer", "search"}; NULL with *cause. */
json_t *status_pmtu_probe(struct runtime *, const char *peer, char **cause);

#endif
