/*
 * limits.h: the data path's fixed capacities.
 *
 * Everything the data threads index (per-port counters and flood buckets,
 * per-segment state, TAP queues) is sized by these at start, so that
 * nothing on the packet path allocates.  The config's bounds are these.
 */
#ifndef DP_LIMITS_H
#define DP_LIMITS_H

enum dp_capacity {
	DP_MAX_THREADS = 16,
	DP_MAX_SEGMENTS = 64, /* slots: bits of a uint64_t */
	DP_MAX_PEERS = 4096,
	DP_MAX_PORTS = DP_MAX_PEERS + 1, /* port 0 is PORT_LOCAL */
	DP_NAME_MAX = 64, /* peer and segment names, NUL included */
};

#endif
