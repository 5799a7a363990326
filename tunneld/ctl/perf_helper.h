/*
 * perf_helper.h: the processes that run throughput tests.
 *
 * perf_helper_start() forks, as root and before any thread exists, a small
 * helper that does one thing on request: start a runner (perf_run.h) for
 * one test.  A tunnel test's runner gets a network namespace of its own,
 * made for the test, that holds only its loopback and the test's TAP,
 * PERF_TAP, addressed PERF_NET.1 (the end that asked for the test) or
 * PERF_NET.2 (the other) /30, with IPv6 off; the daemon's data threads
 * carry that TAP's frames to the peer as the test's segment, so that
 * nothing of the test touches a pod's segment or the host's stack.  An
 * underlay test's runner stays in the daemon's namespace.  Either way the
 * runner drops to the daemon's user (nobody when the daemon keeps root),
 * with no capabilities and PR_SET_NO_NEW_PRIVS, before it reads a byte
 * from the network.  The namespace, and the TAP in it, go when the runner
 * exits.
 *
 * The helper hands the daemon the runner's socket and, for a tunnel test,
 * the TAP's queue fds (one per data thread); it reaps its runners and exits
 * when the daemon's end of its socket closes.  Control thread only.
 */
#ifndef PERF_HELPER_H
#define PERF_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "dp/limits.h"

#define PERF_TAP "perf0"
#define PERF_NET "169.254.77" /* link-local: never routed */

struct perf_spawn {
	bool tunnel;	/* a namespace of its own, with the TAP */
	bool requester; /* PERF_NET.1, else .2 */
	int mtu;	/* the TAP's */
};

struct perf_runner {
	pid_t pid;
	int fd;			 /* SOCK_SEQPACKET to the runner */
	int tap[DP_MAX_THREADS]; /* tunnel: the TAP's queues */
	bool vnet;		 /* the queues carry virtio-net headers */
};

/*
 * Fork the helper: runners will be user's (NULL or "": nobody), with
 * nqueues TAP queues, offloads if vnet.  The daemon's end of its socket,
 * or -1 with *cause.
 */
int perf_helper_start(const char *user, int nqueues, bool vnet, char **cause);
/* Start a runner; 0, or -1 with *cause (helper fd h, from the above). */
int perf_helper_spawn(int h, const struct perf_spawn *, struct perf_runner *,
    char **cause);

#endif
