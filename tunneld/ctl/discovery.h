/*
 * discovery.h: the hub's [provider] sections, run on the control loop.
 *
 * Each provider lists its cloud's instances on its own schedule (refresh
 * seconds, jittered); HTTP runs through libcurl's multi-socket API on the
 * control loop (http_async.h), so nothing blocks and the data path is not
 * involved.  A listing's matching, running instances become peers named
 * PROVIDER/INSTANCE (runtime.h rt_set_discovered): new ones are added, one
 * whose address changed is updated in place, one that is gone or stopped
 * is removed once it has been missing for the grace period.  A failing
 * listing changes nothing (the last good list stays) and is retried with
 * exponential backoff and jitter, or after Retry-After.
 *
 * Control thread only.
 */
#ifndef DISCOVERY_H
#define DISCOVERY_H

#include <stdint.h>

#include <jansson.h>

#include "loop.h"
#include "provider.h"
#include "runtime.h"

struct discovery;

/* Start discovery for rt's config (its providers may be none). */
struct discovery *discovery_new(struct loop *, struct runtime *);
/* After a successful rt_reload(): keep, replace or drop providers. */
void discovery_reload(struct discovery *);
/* Once a second: start the listings that are due. */
void discovery_tick(struct discovery *);
/* Per provider: state, last success and error, counts, next refresh. */
json_t *discovery_json(const struct discovery *);
void discovery_free(struct discovery *);

/*
 * The peer an instance becomes under a provider's config, named
 * PROVIDER/NAME; -1 with *why if it has no address of the configured kind
 * and family.  Exposed for tests.
 */
int discovery_peer_of(const struct cfg_provider *, const struct instance *,
    struct cfg_peer *, const char **why);
/* Delay before retry number failures (1, 2, ...), jitter included. */
uint64_t discovery_backoff_ms(const struct cfg_provider *, unsigned failures,
    unsigned retry_after_s, uint32_t random);

#endif
