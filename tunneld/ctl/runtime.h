/*
 * runtime.h: the daemon's live state and how a config becomes it.
 *
 * Owns the config in force, the data path and the table of segments and
 * peers (table.h), with each segment's TAP and MAC table.  rt_open()
 * creates everything that needs privileges; rt_start() starts the data
 * threads; rt_reload() applies a config file (reload.c): everything
 * fallible happens first, then the new forwarding snapshot is published in
 * one step, so a refused reload changes nothing and unchanged tunnels never
 * stop.  Discovery hands its listings over with rt_set_discovered().
 *
 * Control thread only.  0 on success, -1 with *cause (caller frees).
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dp/dp.h"
#include "table.h"

struct runtime;

/* What applying a list of peers did. */
struct rt_changes {
	int added, removed, changed, kept;
	int refused; /* name or endpoint taken, or table full */
};

struct rt_stats {
	uint64_t started_ms;
	uint64_t reloads, reload_failures;
};

/* Create sockets, TAPs and tables for cfg (takes ownership of cfg). */
struct runtime *rt_open(struct config *cfg, char **cause);
/* Start forwarding. */
int rt_start(struct runtime *, char **cause);
/* What a reload did, for the log and the reload reply. */
struct rt_reload_report {
	struct rt_changes peers; /* the [peer] sections' */
	int segs_added, segs_removed, segs_kept;
};

/*
 * Load path and apply it; on success *old is the config it replaced, for
 * the caller to compare against and free, and *report what changed.  On
 * failure nothing changed.
 */
int rt_reload(struct runtime *, const char *path, struct config **old,
    struct rt_reload_report *report, char **cause);
/*
 * Make the peers discovered by provider exactly v[0..n) (segments as bits
 * over the config in force): by name, kept, changed in place (same port),
 * added or removed; then publish.  A peer whose name or endpoint another
 * source holds is refused.
 */
void rt_set_discovered(struct runtime *, const char *provider,
    const struct cfg_peer *const *v, int n, struct rt_changes *);
/*
 * Set a segment's TAP MTU now (mtu = auto follows its peers' paths); the
 * configuration keeps its own value.
 */
int rt_set_segment_mtu(struct runtime *, int slot, int mtu, char **cause);
/* Once a second: age MAC tables. */
void rt_tick(struct runtime *);
/*
 * Move encrypted peers whose authentic ESP came from a new address there
 * (dp_roams()), log it, publish; every health tick, so that traffic
 * follows at once.
 */
void rt_roam(struct runtime *);
/*
 * Publish the table again, as it is: for what the snapshot derives from
 * other owners (the SAs the control connections installed, sas.h).
 */
void rt_republish(struct runtime *);
/*
 * Throughput tests (perf.h): bind a test's TAP queues (fds, one per data
 * thread, still the caller's) to the peer at port as test id, as a segment
 * of its own; publish.  The slot, or -1 with *cause.  Detach unbinds and
 * publishes; then the caller may close the fds.
 */
int rt_test_attach(struct runtime *, uint16_t port, uint32_t id, const int *fds,
    bool vnet, int mtu, char **cause);
void rt_test_detach(struct runtime *, int slot);
/* The MTU for a test's TAP towards the peer at port: what its path carries. */
int rt_test_mtu(const struct runtime *, uint16_t port);
/* Stop forwarding and remove everything the daemon created. */
void rt_close(struct runtime *);

/* Read-only views for status and discovery. */
const struct config *rt_config(const struct runtime *);
const struct table *rt_table(const struct runtime *);
struct dp *rt_dp(const struct runtime *);
/* Each peer's path health (health.h), which the runtime owns. */
struct health *rt_health(const struct runtime *);
/* What happened to the tunnels (events.h), which the runtime owns. */
struct events *rt_events(const struct runtime *);
/* The encrypted peers' SAs (sas.h), which the runtime owns. */
struct sas *rt_sas(const struct runtime *);
void rt_get_stats(const struct runtime *, struct rt_stats *);

#endif
