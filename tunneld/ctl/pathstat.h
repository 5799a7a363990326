/*
 * pathstat.h: one peer's probes and what they say about the path.
 *
 * The last PATHSTAT_HIST probes sent, by sequence number, each with its
 * send time and, once answered, its round-trip time.  From them, over a
 * window of time: RTT min/avg/max, loss (a probe counts once it is older
 * than the answer timeout), and jitter, smoothed as RFC 3550 smooths
 * interarrival jitter (J += (|D| - J) / 16, D the change between
 * consecutive RTTs).  A reply that matches no probe we hold (a duplicate,
 * one older than the history, a sequence number or send time we never
 * used) is counted as stale and changes nothing.  Probes sent before the
 * first one answered count for no loss: the peer was not there yet (a
 * tunneld that starts after this one), not losing them.
 *
 * Plain data, no clock of its own: callers pass the time (ns, any
 * monotonic clock).  Not thread-safe; the control thread owns each one.
 */
#ifndef PATHSTAT_H
#define PATHSTAT_H

#include <stdbool.h>
#include <stdint.h>

enum { PATHSTAT_HIST = 512 };

struct pathstat_probe {
	uint32_t seq;
	uint32_t rtt_us; /* PATHSTAT_UNANSWERED until answered */
	uint64_t sent_ns;
};

#define PATHSTAT_UNANSWERED UINT32_MAX

struct pathstat {
	uint32_t next_seq;
	uint64_t sent, answered, stale;
	uint64_t last_reply_ns; /* 0: never answered */
	uint64_t first_ok_ns;	/* send time of the first probe answered */
	uint32_t last_rtt_us;
	double jitter_us;
	struct pathstat_probe v[PATHSTAT_HIST];
};

/* Figures over a window; the RTT fields are valid when answered > 0. */
struct pathstat_window {
	int sent;     /* probes sent in the window */
	int answered; /* of those, answered (the RTT figures) */
	int judged;   /* of those, older than the timeout (the loss) */
	int lost;     /* of the judged, unanswered */
	double loss_pct;
	uint32_t rtt_min_us, rtt_avg_us, rtt_max_us, jitter_us;
};

/* Start empty, numbering probes from first_seq. */
void pathstat_init(struct pathstat *, uint32_t first_seq);
/* Record a probe sent at now; returns the sequence number to send. */
uint32_t pathstat_sent(struct pathstat *, uint64_t now_ns);
/* A reply received at recv_ns; false if it is stale (see above). */
bool pathstat_reply(struct pathstat *, uint32_t seq, uint64_t sent_ns,
    uint64_t recv_ns);
/*
 * The probes sent in (now - window, now]; loss over those sent at least
 * timeout before now.
 */
void pathstat_window(const struct pathstat *, uint64_t now_ns,
    uint64_t window_ns, uint64_t timeout_ns, struct pathstat_window *);

#endif
