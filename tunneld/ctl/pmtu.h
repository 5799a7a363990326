/*
 * pmtu.h: one peer's path MTU, found by probing (RFC 8899, DPLPMTUD).
 *
 * Sizes are outer IP packet sizes.  The search runs between a floor (1280
 * for IPv6, pmtu-floor for IPv4) and a ceiling (the MTU of the interface
 * the route leaves by): first the ceiling, since most paths carry it, then
 * a binary search down to the byte.  A size counts as too big after
 * PMTU_TRIES probes of it went unanswered (more on a path that loses
 * probes of any size: pmtu_tries_for()); sending it failing at once
 * (EMSGSIZE) counts the same.  Once found, the PMTU is confirmed with one
 * probe of its size every confirm interval: as many unanswered in a row
 * while the caller's small probes pass mean a black hole appeared, and the
 * search starts again below it.  Every raise interval (pmtu-interval) the
 * search tries upward again, since paths also grow.
 *
 * A hint (the kernel's PMTU for the destination, which ICMP fragmentation
 * needed / packet too big lowers) is never trusted alone: a hint below the
 * PMTU is probed first, then the size above it, so that a true hint ends
 * the search in two steps and a forged one costs a few probes.
 *
 * Plain data, no clock and no I/O of its own: the caller sends what
 * pmtu_due() asks for and reports what happened.  Control thread only.
 */
#ifndef PMTU_H
#define PMTU_H

#include <stdbool.h>
#include <stdint.h>

enum {
	PMTU_TRIES = 3,	    /* RFC 8899 MAX_PROBES: even on a clean path,
			       so loss that began before the estimate
			       saw it cannot make two losses a verdict */
	PMTU_TRIES_MAX = 8, /* on a very lossy one */
	PMTU_V6_FLOOR = 1280,
	PMTU_V4_FLOOR = 576
};

enum pmtu_state {
	PMTU_SEARCHING, /* pmtu is the floor or the last confirmed size */
	PMTU_DONE,	/* pmtu confirmed by a probe of that size */
	PMTU_ERROR,	/* not even the floor is answered */
};

enum pmtu_source { PMTU_SRC_NONE, PMTU_SRC_PROBE, PMTU_SRC_KERNEL };

struct pmtu_params {
	uint64_t timeout_ns; /* a probe unanswered this long is lost */
	uint64_t pace_ns;    /* at least this between search probes */
	uint64_t confirm_ns; /* between confirmations of the PMTU */
	uint64_t raise_ns;   /* between searches upward (pmtu-interval) */
	int tries;	     /* unanswered probes that make a size too big;
				0: PMTU_TRIES (more on a lossy path) */
};

struct pmtu {
	enum pmtu_state state;
	enum pmtu_source source;
	uint16_t floor, ceiling;
	uint16_t pmtu;	  /* what the peer's figures use */
	uint16_t kernel;  /* the last hint given, for display */
	uint16_t lo, hi;  /* search: lo answered (or the floor), hi too big */
	bool floor_ok;	  /* the floor itself was answered */
	uint16_t hint;	  /* to probe first, then hint + 1 */
	uint16_t hinted;  /* the last hint probed */
	uint16_t refuted; /* a hint whose size + 1 was answered: ignored */
	bool after_hint;  /* the hint was answered: probe hint + 1 next */
	bool fresh;	  /* a new search: try its top first */
	/* The probe in flight (size 0: none). */
	uint16_t size;
	uint32_t seq;
	uint64_t sent_ns;
	int tries;
	uint64_t next_ns, confirm_at_ns, raise_at_ns;
	uint64_t changed_ns;		/* when pmtu last changed */
	uint64_t searches, black_holes; /* searches begun; confirms lost */
};

void pmtu_init(struct pmtu *, uint16_t floor, uint16_t ceiling,
    uint64_t now_ns);
/*
 * The size to probe now, or 0.  When it returns a size the caller sends a
 * probe of it and calls pmtu_sent(), or pmtu_too_big() if the send failed
 * with EMSGSIZE.
 */
uint16_t pmtu_due(struct pmtu *, const struct pmtu_params *, uint64_t now_ns);
void pmtu_sent(struct pmtu *, uint32_t seq, uint64_t now_ns);
void pmtu_too_big(struct pmtu *, const struct pmtu_params *, uint64_t now_ns);
/* A reply that says size bytes of the probe seq arrived. */
void pmtu_ack(struct pmtu *, const struct pmtu_params *, uint32_t seq,
    uint16_t size, uint64_t now_ns);
/* The kernel's PMTU towards the peer (0: none known). */
void pmtu_hint(struct pmtu *, uint16_t mtu, uint64_t now_ns);
/* A new ceiling (the interface MTU changed); restarts the search. */
void pmtu_set_ceiling(struct pmtu *, uint16_t ceiling, uint64_t now_ns);
/*
 * Search again from the top now (an operator asked, or the path came back
 * after an outage): the PMTU in use stays until the search ends.  A search
 * already running starts over.
 */
void pmtu_restart(struct pmtu *, uint64_t now_ns);

/*
 * How many unanswered probes of a size to take as "too big" on a path
 * that loses this share (0..1) of all probes: enough that random loss
 * alone says so at most once in 10^4 (PMTU_TRIES..PMTU_TRIES_MAX).
 */
int pmtu_tries_for(double loss);
const char *pmtu_state_name(enum pmtu_state);
const char *pmtu_source_name(enum pmtu_source);

#endif
