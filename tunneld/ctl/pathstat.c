/* pathstat.c: probe history, RTT, jitter and loss (pathstat.h). */
#include <string.h>

#include "pathstat.h"

void
pathstat_init(struct pathstat *ps, uint32_t first_seq)
{
	memset(ps, 0, sizeof *ps);
	ps->next_seq = first_seq;
}

uint32_t
pathstat_sent(struct pathstat *ps, uint64_t now_ns)
{
	struct pathstat_probe *e = &ps->v[ps->next_seq % PATHSTAT_HIST];

	e->seq = ps->next_seq;
	e->sent_ns = now_ns;
	e->rtt_us = PATHSTAT_UNANSWERED;
	ps->sent++;
	return ps->next_seq++;
}

bool
pathstat_reply(struct pathstat *ps, uint32_t seq, uint64_t sent_ns,
    uint64_t recv_ns)
{
	struct pathstat_probe *e = &ps->v[seq % PATHSTAT_HIST];
	uint64_t rtt;
	double d;

	if (ps->sent == 0 || e->seq != seq || e->sent_ns != sent_ns ||
	    e->rtt_us != PATHSTAT_UNANSWERED || recv_ns < sent_ns ||
	    ps->next_seq - seq > PATHSTAT_HIST) {
		ps->stale++;
		return false;
	}
	rtt = (recv_ns - sent_ns) / 1000;
	e->rtt_us = rtt >= PATHSTAT_UNANSWERED ? PATHSTAT_UNANSWERED - 1
					       : (uint32_t)rtt;
	if (ps->answered > 0) {
		d = (double)e->rtt_us - (double)ps->last_rtt_us;
		ps->jitter_us += ((d < 0 ? -d : d) - ps->jitter_us) / 16.0;
	}
	ps->last_rtt_us = e->rtt_us;
	if (ps->answered == 0 || sent_ns < ps->first_ok_ns)
		ps->first_ok_ns = sent_ns;
	ps->answered++;
	if (recv_ns > ps->last_reply_ns)
		ps->last_reply_ns = recv_ns;
	return true;
}

void
pathstat_window(const struct pathstat *ps, uint64_t now_ns, uint64_t window_ns,
    uint64_t timeout_ns, struct pathstat_window *w)
{
	uint64_t sum = 0, age;
	uint32_t i,
	    n = ps->sent < PATHSTAT_HIST ? (uint32_t)ps->sent : PATHSTAT_HIST;
	const struct pathstat_probe *e;

	memset(w, 0, sizeof *w);
	for (i = 1; i <= n; i++) {
		e = &ps->v[(ps->next_seq - i) % PATHSTAT_HIST];
		if (e->sent_ns > now_ns || now_ns - e->sent_ns >= window_ns)
			break; /* newest first: the rest are older still */
		w->sent++;
		age = now_ns - e->sent_ns;
		if (e->rtt_us != PATHSTAT_UNANSWERED) {
			if (w->answered == 0 || e->rtt_us < w->rtt_min_us)
				w->rtt_min_us = e->rtt_us;
			if (e->rtt_us > w->rtt_max_us)
				w->rtt_max_us = e->rtt_us;
			sum += e->rtt_us;
			w->answered++;
		}
		/*
		 * Loss only over probes old enough to be judged either way,
		 * and none from before the peer first answered.
		 */
		if (age >= timeout_ns && ps->answered > 0 &&
		    e->sent_ns >= ps->first_ok_ns) {
			w->judged++;
			if (e->rtt_us == PATHSTAT_UNANSWERED)
				w->lost++;
		}
	}
	if (w->answered > 0)
		w->rtt_avg_us = (uint32_t)(sum / (uint64_t)w->answered);
	if (w->judged > 0)
		w->loss_pct = 100.0 * w->lost / (double)w->judged;
	w->jitter_us = (uint32_t)(ps->jitter_us + 0.5);
}
