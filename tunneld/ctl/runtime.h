/*
 * runtime.h: the daemon's live state and how a config becomes it.
 *
 * Owns the config in force, the data path, one TAP and MAC table per segment
 * (by stable slot) and the peer table (by stable port).  rt_open() creates
 * everything that needs privileges; rt_start() starts the data threads;
 * rt_reload() applies a new config: everything fallible happens first, then
 * the new forwarding snapshot is published in one step, so a refused reload
 * changes nothing and unchanged tunnels never stop.
 *
 * Control thread only.  0 on success, -1 with *cause (caller frees).
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dp/dp.h"
#include "net/mactab.h"

struct rt_segment {
	bool used;
	struct cfg_segment cfg;
	int fds[DP_MAX_THREADS];
	bool vnet;			/* offloads on (TSO in, GRO out) */
	struct mactab *mactab;
};

struct rt_peer {
	bool used;
	char source[CFG_SECTION_NAME_MAX];	/* provider; "": [peer] */
	struct cfg_peer cfg;
	uint64_t slot_mask;		/* segments by slot */
};

struct runtime {
	struct config *cfg;
	struct dp *dp;
	struct rt_segment segs[DP_MAX_SEGMENTS];
	struct rt_peer *peers;		/* [DP_MAX_PORTS], port 0 unused */
	uint64_t started_ms;
	uint64_t reloads, reload_failures;
};

/* What applying a list of peers did. */
struct rt_changes {
	int added, removed, changed, kept;
	int refused;		/* name or endpoint taken, or table full */
};

/* Create sockets, TAPs and tables for cfg (takes ownership of cfg). */
struct runtime *rt_open(struct config *cfg, char **cause);
/* Start forwarding. */
int rt_start(struct runtime *, char **cause);
/*
 * Apply cfg (ownership passes on success only); on success *old is the
 * config it replaced, for the caller to compare against and free.
 */
int rt_reload(struct runtime *, struct config *cfg, struct config **old,
    char **cause);
/*
 * Make the peers discovered by provider exactly v[0..n) (segments as bits
 * over rt->cfg's): by name, kept, changed in place (same port), added or
 * removed; then publish.  A peer whose name or endpoint another source
 * holds is refused.
 */
void rt_set_discovered(struct runtime *, const char *provider,
    const struct cfg_peer *v, int n, struct rt_changes *);
/* Once a second: age MAC tables. */
void rt_tick(struct runtime *);
/* Stop forwarding and remove everything the daemon created. */
void rt_close(struct runtime *);

/* Port of the peer called name, 0 if none. */
uint16_t rt_peer_port(const struct runtime *, const char *name);
/* Slot of the segment called name, -1 if none. */
int rt_segment_slot(const struct runtime *, const char *name);

#endif
