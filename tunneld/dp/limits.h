/*
 * limits.h: the data path's fixed capacities.
 *
 * Everything the data threads index (per-port counters and flood buckets,
 * per-segment state, TAP queues) is sized by these at start, so that
 * nothing on the packet path allocates.  The config's bounds are these.
 */
#ifndef DP_LIMITS_H
#define DP_LIMITS_H

#include "net/fwd.h" /* PORT_LOCAL */

enum dp_capacity {
	DP_MAX_THREADS = 16,
	DP_MAX_SEGMENTS = 64,  /* slots: bits of a uint64_t */
	DP_MAX_TESTS = 16,     /* throughput tests at once, slots after those */
	DP_TESTS_PER_PEER = 2, /* one each way (tunnelctl perf --bidir) */
	DP_MAX_SLOTS = DP_MAX_SEGMENTS + DP_MAX_TESTS,
	DP_MAX_PEERS = 4096,
	/* Ports: PORT_LOCAL (0, the TAP), peers 1..DP_MAX_PEERS, PORT_UNKNOWN.
	 */
	PORT_UNKNOWN = DP_MAX_PEERS + 1, /* no known peer */
	DP_MAX_PORTS = DP_MAX_PEERS + 2,
	DP_NAME_MAX = 64, /* peer and segment names, NUL included */
};

#endif
