/*
 * runtime_priv.h: the runtime's pieces shared by runtime.c (life cycle,
 * peers, the snapshot) and reload.c (planning and applying a reload).
 * Not for other modules.
 */
#ifndef RUNTIME_PRIV_H
#define RUNTIME_PRIV_H

#include "runtime.h"

/* A throughput test's segment (rt_test_attach). */
struct rt_test {
	bool used;
	uint16_t port;
	uint32_t id;
	int fds[DP_MAX_THREADS]; /* the caller's */
	bool vnet;
	int mtu;
	struct mactab *mactab;
};

struct runtime {
	struct config *cfg;
	struct rt_test tests[DP_MAX_TESTS]; /* slot DP_MAX_SEGMENTS + i */
	struct dp *dp;
	struct table *tab;
	struct health *health;
	struct events *events;
	struct sas *sas; /* the encrypted peers' SAs */
	struct rt_stats stats;
};

/* What syncing peers did, and the ports whose MAC entries must go. */
struct peer_changes {
	struct rt_changes n;
	bool flush[DP_MAX_PORTS];
	bool pin[DP_MAX_PORTS];	   /* added or changed: pin its macs again */
	bool listed[DP_MAX_PORTS]; /* scratch for rt_sync_peers */
};

/* Open a segment's TAP and MAC table into a free slot; the slot or -1. */
int rt_seg_create(struct runtime *, const struct cfg_segment *,
    const struct cfg_daemon *, char **cause);
/* Give a MAC table the move and limit policy of d. */
void rt_mac_policy(const struct cfg_daemon *d, struct mactab *);
/* Close a segment's TAP (removing the device) and free its MAC table. */
void rt_seg_release(struct runtime *, const struct tbl_segment *);
/* A config's segment bits (over c's segments) as slots, by name. */
uint64_t rt_slots(const struct runtime *, const struct config *c,
    uint64_t bits);
/*
 * Bring the peers of source ("" for [peer] sections) in line with
 * v[0..n), keeping each peer's port by name; segments read against c.
 */
void rt_sync_peers(struct runtime *, const char *source,
    const struct cfg_peer *const *v, int n, const struct config *c,
    struct peer_changes *);
/*
 * Publish the table to the data threads; once none can see the old
 * snapshot, free it, flush the MAC entries of the ports pc marks and of
 * removed peers, and let those ports be reused.  False if a data thread
 * kept the old snapshot: nothing it refers to may be freed.
 */
bool rt_publish(struct runtime *, const struct peer_changes *pc);
/* The tests' segments, into a snapshot being built (runtime_test.c). */
void rt_snapshot_tests(const struct runtime *, struct dp_snapshot *);

#endif
