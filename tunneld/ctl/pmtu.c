/* pmtu.c: the path MTU search state machine (pmtu.h). */
#include <string.h>

#include "pmtu.h"

static const char *const state_names[] = {
	[PMTU_SEARCHING] = "searching",
	[PMTU_DONE] = "done",
	[PMTU_ERROR] = "error",
};

static const char *const source_names[] = {
	[PMTU_SRC_NONE] = "none",
	[PMTU_SRC_PROBE] = "probe",
	[PMTU_SRC_KERNEL] = "kernel",
};

const char *
pmtu_state_name(enum pmtu_state s)
{
	return state_names[s];
}

const char *
pmtu_source_name(enum pmtu_source s)
{
	return source_names[s];
}

static void
set_pmtu(struct pmtu *p, uint16_t size, enum pmtu_source src, uint64_t now)
{
	if (p->pmtu != size)
		p->changed_ns = now;
	p->pmtu = size;
	p->source = src;
}

/* Search (lo, hi): lo answered or the floor, hi too big (exclusive). */
static void
start_search(struct pmtu *p, uint16_t lo, uint16_t hi, bool fresh, uint64_t now)
{
	p->state = PMTU_SEARCHING;
	p->lo = lo;
	p->hi = hi;
	p->fresh = fresh;
	p->size = 0;
	p->tries = 0;
	p->after_hint = false;
	p->next_ns = now;
	p->searches++;
}

void
pmtu_init(struct pmtu *p, uint16_t floor, uint16_t ceiling, uint64_t now)
{
	memset(p, 0, sizeof *p);
	p->floor = floor;
	p->ceiling = ceiling > floor ? ceiling : floor;
	set_pmtu(p, floor, PMTU_SRC_NONE, now);
	start_search(p, floor, (uint16_t)(p->ceiling + 1), true, now);
}

static void
finish(struct pmtu *p, const struct pmtu_params *prm, uint64_t now)
{
	p->state = PMTU_DONE;
	set_pmtu(p, p->lo, PMTU_SRC_PROBE, now);
	p->confirm_at_ns = now + prm->confirm_ns;
	p->raise_at_ns = now + prm->raise_ns;
}

/* The next size the search probes; 0 when it is over. */
static uint16_t
candidate(struct pmtu *p)
{
	uint16_t next = (uint16_t)(p->hinted + 1);

	if (p->hint > p->lo && p->hint < p->hi) {
		p->hinted = p->hint;
		p->hint = 0;
		return p->hinted;
	}
	p->hint = 0;
	if (p->after_hint && next > p->lo && next < p->hi)
		return next;
	p->after_hint = false;
	if (p->fresh && p->hi - 1 > p->lo) {
		p->fresh = false;
		return (uint16_t)(p->hi - 1);
	}
	p->fresh = false;
	if (p->hi - p->lo > 1)
		return (uint16_t)(p->lo + (p->hi - p->lo) / 2);
	if (p->lo == p->floor && !p->floor_ok)
		return p->floor;
	return 0;
}

static uint16_t
probe(struct pmtu *p, uint16_t size)
{
	p->size = size;
	p->tries = 0;
	return size;
}

uint16_t
pmtu_due(struct pmtu *p, const struct pmtu_params *prm, uint64_t now)
{
	uint16_t c;

	if (p->size != 0) {
		if (now - p->sent_ns < prm->timeout_ns)
			return 0;
		if (p->tries < (prm->tries > 0 ? prm->tries : PMTU_TRIES))
			return p->size; /* once more */
		pmtu_too_big(p, prm, now);
	}
	if (now < p->next_ns)
		return 0;
	if (p->state == PMTU_DONE) {
		if (now >= p->raise_at_ns)
			start_search(p, p->pmtu, (uint16_t)(p->ceiling + 1),
			    true, now);
		else if (now >= p->confirm_at_ns)
			return probe(p, p->pmtu);
		else
			return 0;
	} else if (p->state == PMTU_ERROR) {
		if (now < p->confirm_at_ns)
			return 0;
		start_search(p, p->floor, (uint16_t)(p->ceiling + 1), false,
		    now);
	}
	if ((c = candidate(p)) == 0) {
		finish(p, prm, now);
		return 0;
	}
	return probe(p, c);
}

void
pmtu_sent(struct pmtu *p, uint32_t seq, uint64_t now)
{
	p->seq = seq;
	p->sent_ns = now;
	p->tries++;
}

void
pmtu_too_big(struct pmtu *p, const struct pmtu_params *prm, uint64_t now)
{
	uint16_t size = p->size;

	p->size = 0;
	p->tries = 0;
	p->next_ns = now + prm->pace_ns;
	if (p->state == PMTU_DONE) {
		/* The confirmed size vanished: a black hole, search below. */
		p->black_holes++;
		start_search(p, p->floor, size, false, now);
		return;
	}
	if (p->state == PMTU_ERROR) {
		p->confirm_at_ns = now + prm->confirm_ns;
		return;
	}
	if (p->after_hint && size == p->hinted + 1)
		p->after_hint = false;
	if (size <= p->lo) {
		if (size == p->floor) { /* not even the floor passes */
			p->state = PMTU_ERROR;
			set_pmtu(p, p->floor, PMTU_SRC_NONE, now);
			p->confirm_at_ns = now + prm->confirm_ns;
			return;
		}
		/* What passed earlier in this search no longer does. */
		start_search(p, p->floor, size, false, now);
		return;
	}
	p->hi = size;
}

void
pmtu_ack(struct pmtu *p, const struct pmtu_params *prm, uint32_t seq,
    uint16_t size, uint64_t now)
{
	if (p->size == 0 || seq != p->seq || size != p->size)
		return; /* stale: a probe no longer in flight */
	p->size = 0;
	p->tries = 0;
	p->next_ns = now + prm->pace_ns;
	if (size == p->floor)
		p->floor_ok = true;
	if (p->state == PMTU_DONE) {
		p->confirm_at_ns = now + prm->confirm_ns;
		return;
	}
	if (size > p->lo)
		p->lo = size;
	if (p->after_hint && size == p->hinted + 1) {
		/* Above the hint passes too: the hint was wrong. */
		p->refuted = p->hinted;
		p->after_hint = false;
	} else if (size == p->hinted && p->hinted != 0)
		p->after_hint = true;
	if (p->lo >= p->hi - 1 && (p->floor_ok || p->lo > p->floor))
		finish(p, prm, now);
}

void
pmtu_hint(struct pmtu *p, uint16_t mtu, uint64_t now)
{
	(void)now;
	p->kernel = mtu;
	if (mtu == 0 || mtu < p->floor || mtu == p->refuted)
		return;
	if (p->state == PMTU_DONE && mtu < p->pmtu) {
		start_search(p, p->floor, (uint16_t)(p->pmtu + 1), false, now);
		p->hint = mtu;
	} else if (p->state == PMTU_SEARCHING && mtu > p->lo && mtu < p->hi)
		p->hint = mtu;
}

void
pmtu_set_ceiling(struct pmtu *p, uint16_t ceiling, uint64_t now)
{
	if (ceiling < p->floor)
		ceiling = p->floor;
	if (ceiling == p->ceiling)
		return;
	p->ceiling = ceiling;
	if (p->pmtu > ceiling)
		set_pmtu(p, ceiling, PMTU_SRC_NONE, now);
	start_search(p, p->floor, (uint16_t)(ceiling + 1), true, now);
}

void
pmtu_restart(struct pmtu *p, uint64_t now)
{
	start_search(p, p->floor, (uint16_t)(p->ceiling + 1), true, now);
}

int
pmtu_tries_for(double loss)
{
	double chance = 1;
	int n;

	for (n = 0; n < PMTU_TRIES; n++)
		chance *= loss;
	while (n < PMTU_TRIES_MAX && chance > 1e-4 + 1e-12) {
		chance *= loss;
		n++;
	}
	return n;
}
