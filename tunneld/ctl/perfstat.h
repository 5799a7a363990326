/*
 * perfstat.h: the arithmetic of the throughput test (issue 14): what a
 * receiver of numbered UDP datagrams counts, and the figures of an
 * interval and of a whole test.
 *
 * A datagram carries its sequence number (from 1) and the sender's clock
 * when sent.  As iperf3 does, a number above the next expected counts the
 * gap as lost; one below it is out of order and takes one back from the
 * lost (it was late, not lost); one seen before (within the last 64) is a
 * duplicate and counts for nothing else.  Jitter is RFC 3550's
 * interarrival jitter: J += (|D| - J) / 16, D the change in transit time
 * (arrival minus the sender's timestamp) between consecutive datagrams,
 * so the two clocks need not agree, only run at the same rate.
 *
 * Plain data and pure functions; callers pass the times (ns).  Any thread,
 * one owner each.
 */
#ifndef PERFSTAT_H
#define PERFSTAT_H

#include <stddef.h>
#include <stdint.h>

struct perf_udp_rx {
	uint64_t packets, bytes; /* received, duplicates not counted */
	uint64_t lost, out_of_order, duplicates;
	uint64_t next_seq; /* the highest number seen, plus one */
	uint64_t seen;	   /* bit i: next_seq - 1 - i arrived */
	int64_t last_transit_ns;
	double jitter_ns;
	int have_transit;
};

/* The figures between two moments of a receiver (a before b). */
struct perf_figures {
	double seconds;
	uint64_t bytes, packets, lost, out_of_order;
	double bits_per_s, packets_per_s;
	double loss_pct;  /* of the datagrams sent in the span: 0..100 */
	double jitter_ms; /* at b */
};

void perf_udp_init(struct perf_udp_rx *);
/* One datagram of len bytes: number seq, sent at sent_ns, here at recv_ns. */
void perf_udp_rx(struct perf_udp_rx *, uint64_t seq, uint64_t sent_ns,
    uint64_t recv_ns, size_t len);
/* The figures from a (at a_ns) to b (at b_ns); a zeroed a: from the start. */
void perf_udp_figures(const struct perf_udp_rx *a, uint64_t a_ns,
    const struct perf_udp_rx *b, uint64_t b_ns, struct perf_figures *);
/* Bits per second of bytes in ns (0 for no time). */
double perf_bits_per_s(uint64_t bytes, uint64_t ns);

#endif
