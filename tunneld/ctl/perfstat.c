/* perfstat.c: the throughput test's arithmetic (perfstat.h). */
#include <string.h>

#include "perfstat.h"

void
perf_udp_init(struct perf_udp_rx *r)
{
	memset(r, 0, sizeof *r);
	r->next_seq = 1;
}

static void
jitter(struct perf_udp_rx *r, uint64_t sent_ns, uint64_t recv_ns)
{
	int64_t transit = (int64_t)(recv_ns - sent_ns), d;

	if (r->have_transit) {
		d = transit - r->last_transit_ns;
		if (d < 0)
			d = -d;
		r->jitter_ns += ((double)d - r->jitter_ns) / 16.0;
	}
	r->last_transit_ns = transit;
	r->have_transit = 1;
}

void
perf_udp_rx(struct perf_udp_rx *r, uint64_t seq, uint64_t sent_ns,
    uint64_t recv_ns, size_t len)
{
	uint64_t back, gap;

	if (seq == 0)
		return; /* numbers start at 1: not one of ours */
	if (seq >= r->next_seq) {
		gap = seq - r->next_seq;
		r->lost += gap;
		r->seen = gap + 1 >= 64 ? 1 : (r->seen << (gap + 1)) | 1;
		r->next_seq = seq + 1;
	} else {
		back = r->next_seq - 1 - seq;
		if (back < 64 && (r->seen >> back) & 1) {
			r->duplicates++;
			return;
		}
		if (back < 64)
			r->seen |= 1ull << back;
		r->out_of_order++;
		if (r->lost > 0)
			r->lost--; /* late, not lost */
	}
	r->packets++;
	r->bytes += len;
	jitter(r, sent_ns, recv_ns);
}

double
perf_bits_per_s(uint64_t bytes, uint64_t ns)
{
	return ns == 0 ? 0 : (double)bytes * 8e9 / (double)ns;
}

void
perf_udp_figures(const struct perf_udp_rx *a, uint64_t a_ns,
    const struct perf_udp_rx *b, uint64_t b_ns, struct perf_figures *f)
{
	uint64_t ns = b_ns > a_ns ? b_ns - a_ns : 0, sent;

	memset(f, 0, sizeof *f);
	f->seconds = (double)ns / 1e9;
	f->bytes = b->bytes - a->bytes;
	f->packets = b->packets - a->packets;
	/* Late arrivals may take back losses counted before a. */
	f->lost = b->lost > a->lost ? b->lost - a->lost : 0;
	f->out_of_order = b->out_of_order - a->out_of_order;
	f->bits_per_s = perf_bits_per_s(f->bytes, ns);
	f->packets_per_s = ns == 0 ? 0 : (double)f->packets * 1e9 / (double)ns;
	sent = f->packets + f->lost;
	f->loss_pct = sent == 0 ? 0 : 100.0 * (double)f->lost / (double)sent;
	f->jitter_ms = b->jitter_ns / 1e6;
}
