/*
 * perf_run.h: one end of one throughput test, in a process of its own.
 *
 * A runner is started by the test helper (perf_helper.h) with no
 * privileges left, and talks to its daemon over a SOCK_SEQPACKET socket,
 * one JSON object a message.  The kernel's TCP and UDP do the work, so
 * that the figures mean what iperf3's mean.  The daemon sends one spec:
 *
 *   {"role": "send" | "recv", "proto": "tcp" | "udp",
 *    "addr": A, "port": N, "peer": P, "streams": S, "time_ms": T,
 *    "size": B, "bitrate": R, "interval_ms": I}
 *
 * recv listens on A:N (N 0: a port of the kernel's choice), takes
 * connections and datagrams from P only (others are closed or dropped and
 * counted as "refused") and answers {"type": "ready", "port": N}.  send
 * connects S streams to A:N (TCP) or sends S streams of numbered
 * datagrams (UDP, perfstat.h) at R bits/s in all (0: as fast as it can),
 * B bytes a write or a datagram (0: 128 KiB for TCP, the path MTU's worth
 * for UDP), for T ms.  Both then report every I ms and at the end:
 *
 *   {"type": "interval" | "end", "start": s, "end": s, "seconds": s,
 *    "bytes": n, "bits_per_second": x, "streams": n,
 *    TCP:  "retransmits": n, "cwnd": bytes, "rtt_us": n (sender)
 *    UDP:  "packets": n, "packets_per_second": x, "lost": n,
 *          "lost_percent": x, "jitter_ms": x, "out_of_order": n (receiver)}
 *
 * where start and end are seconds since the first byte moved.  The
 * daemon may send {"op": "stop"} at any time: the runner ends at once with
 * its end report.  An error is {"type": "error", "error": "..."} and the
 * runner exits.  A runner never lives past T + PERF_GRACE_MS (an alarm
 * kills it), and exits when its daemon's socket closes.
 */
#ifndef PERF_RUN_H
#define PERF_RUN_H

enum {
	PERF_MAX_STREAMS = 16,
	PERF_MAX_TIME_MS = 60000,
	PERF_GRACE_MS = 10000,
	PERF_TCP_WRITE = 128 * 1024,
};

/* The runner's whole life on socket fd; its exit status. */
int perf_run(int fd);

#endif
