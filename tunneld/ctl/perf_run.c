/*
 * perf_run.c: a throughput test's runner (perf_run.h): the spec, the
 * sockets, the loop that moves bytes and the reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "dp/dp.h"
#include "net/addr.h"
#include "net/cursor.h"
#include "perf_run.h"
#include "perfstat.h"

enum {
	UDP_HDR = 16,
	UDP_MAX = 65507,
	MSG_MAX = 4096,
	BUF_LEN = 128 * 1024, /* PERF_TCP_WRITE, and more than UDP_MAX */
	ROUND_IO = 16,	      /* reads or writes a stream gets a round */
};

#define DRAIN_NS 200000000u /* a UDP receiver reads on after the stop */

struct spec {
	bool send, udp;
	struct sockaddr_any addr, peer;
	int streams;
	unsigned time_ms, interval_ms, size;
	uint64_t bitrate;
};

struct stream {
	int fd;
	bool eof;
	uint64_t seq;		/* UDP send: the last number sent */
	uint64_t next_ns;	/* UDP send: when the next may go */
	uint16_t from;		/* UDP recv: its source port */
	struct perf_udp_rx rx;	/* UDP recv */
	struct perf_udp_rx rx0; /* at the interval's start */
};

struct run {
	struct spec s;
	int ctl, lfd; /* lfd: TCP listener or the UDP receive socket */
	struct stream st[PERF_MAX_STREAMS];
	int n;
	uint64_t t0, ival0, next_report, deadline;
	uint64_t last_rx;	/* recv: when the last bytes came */
	uint64_t bytes, bytes0; /* TCP, and UDP sent */
	uint64_t packets, packets0;
	uint64_t retrans0, refused;
	bool started, stop;
	uint64_t sent; /* recv, UDP: the sender's count, told with the stop */
	uint8_t *buf;
};

static uint64_t
now_ns(void)
{
	return dp_clock_ns();
}

static void
say(struct run *r, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	if (s != NULL)
		(void)send(r->ctl, s, strlen(s), MSG_NOSIGNAL);
	free(s);
	json_decref(o);
}

static int
fail(struct run *r, const char *what, int err)
{
	char why[256];

	snprintf(why, sizeof why, "%s: %s", what, err ? strerror(err) : "");
	if (!err)
		why[strlen(why) - 2] = '\0';
	say(r, json_pack("{s:s, s:s}", "type", "error", "error", why));
	return 1;
}

static int
spec_addr(json_t *o, const char *key, uint16_t port, struct sockaddr_any *a)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && addr_parse(s, port, a) == 0 ? 0 : -1;
}

static const char *
spec_parse(const char *text, size_t len, struct spec *s)
{
	json_t *o = json_loadb(text, len, 0, NULL);
	const char *role, *proto, *why = NULL;
	json_int_t port = -1, streams = 0, t = 0, size = 0, rate = 0, ival = 0;

	if (o == NULL ||
	    json_unpack(o, "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "role",
		&role, "proto", &proto, "port", &port, "streams", &streams,
		"time_ms", &t, "size", &size, "bitrate", &rate, "interval_ms",
		&ival) != 0)
		why = "a spec without its fields";
	else if (port < 0 || port > 65535 || streams < 1 ||
	    streams > PERF_MAX_STREAMS || t < 1 || t > PERF_MAX_TIME_MS ||
	    size < 0 || size > PERF_TCP_WRITE || rate < 0 || ival < 100)
		why = "a spec out of bounds";
	else if (spec_addr(o, "addr", (uint16_t)port, &s->addr) != 0 ||
	    spec_addr(o, "peer", 0, &s->peer) != 0)
		why = "a spec without addresses";
	else {
		s->send = strcmp(role, "send") == 0;
		s->udp = strcmp(proto, "udp") == 0;
		s->streams = (int)streams;
		s->time_ms = (unsigned)t;
		s->size = (unsigned)size;
		s->bitrate = (uint64_t)rate;
		s->interval_ms = (unsigned)ival;
	}
	json_decref(o);
	return why;
}

static int
nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* recv: the listener or UDP socket on addr; "ready" with its port. */
static int
open_recv(struct run *r)
{
	struct sockaddr_any a = r->s.addr;
	int one = 1, big = 8 << 20;

	r->lfd = socket(a.sa.sa_family, r->s.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (r->lfd == -1)
		return fail(r, "socket", errno);
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(r->lfd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (bind(r->lfd, &a.sa, a.len) == -1)
		return fail(r, "bind", errno);
	if (!r->s.udp && listen(r->lfd, PERF_MAX_STREAMS) == -1)
		return fail(r, "listen", errno);
	if (getsockname(r->lfd, &a.sa, &a.len) == -1 || nonblock(r->lfd) == -1)
		return fail(r, "getsockname", errno);
	say(r,
	    json_pack("{s:s, s:i}", "type", "ready", "port",
		(int)addr_port(&a)));
	return 0;
}

/* UDP without a size: what fits the path unfragmented (IP_MTU). */
static unsigned
udp_size(const struct run *r, int fd)
{
	int mtu = 0, v6 = r->s.addr.sa.sa_family == AF_INET6;
	socklen_t len = sizeof mtu;

	if (r->s.size != 0)
		return r->s.size < UDP_HDR ? UDP_HDR : r->s.size;
	if (getsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		v6 ? IPV6_MTU : IP_MTU, &mtu, &len) == -1 ||
	    mtu < 576)
		mtu = 1500;
	return (unsigned)mtu - (v6 ? 48 : 28);
}

/* send: S connected sockets (a TCP connect gives up after 5 s). */
static int
open_send(struct run *r)
{
	struct timeval tv = { .tv_sec = 5 };
	int i, fd;

	for (i = 0; i < r->s.streams; i++) {
		fd = socket(r->s.addr.sa.sa_family,
		    r->s.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
		if (fd == -1)
			return fail(r, "socket", errno);
		r->st[r->n++].fd = fd;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, &r->s.addr.sa, r->s.addr.len) == -1)
			return fail(r, "connect", errno);
		if (nonblock(fd) == -1)
			return fail(r, "fcntl", errno);
		if (r->s.udp && i == 0)
			r->s.size = udp_size(r, fd);
	}
	if (!r->s.udp && r->s.size == 0)
		r->s.size = PERF_TCP_WRITE;
	return 0;
}

/* Retransmits so far over all streams; cwnd (bytes) and RTT of the first. */
static uint64_t
tcp_info_sum(const struct run *r, uint64_t *cwnd, uint64_t *rtt)
{
	struct tcp_info ti;
	socklen_t len;
	uint64_t sum = 0;
	int i;

	*cwnd = *rtt = 0;
	for (i = 0; i < r->n; i++) {
		len = sizeof ti;
		if (getsockopt(r->st[i].fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ==
		    -1)
			continue;
		sum += ti.tcpi_total_retrans;
		*cwnd += (uint64_t)ti.tcpi_snd_cwnd * ti.tcpi_snd_mss;
		if (i == 0)
			*rtt = ti.tcpi_rtt;
	}
	return sum;
}

/* The UDP receiver's figures over its streams since *_0 (or the start). */
static void
udp_figures(struct run *r, bool all, uint64_t a, uint64_t b,
    struct perf_figures *f)
{
	struct perf_figures one;
	struct perf_udp_rx zero;
	double jitter = 0;
	int i;

	memset(f, 0, sizeof *f);
	perf_udp_init(&zero);
	for (i = 0; i < r->n; i++) {
		perf_udp_figures(all ? &zero : &r->st[i].rx0, a, &r->st[i].rx,
		    b, &one);
		f->bytes += one.bytes;
		f->packets += one.packets;
		f->lost += one.lost;
		f->out_of_order += one.out_of_order;
		jitter += one.jitter_ms;
		if (!all)
			r->st[i].rx0 = r->st[i].rx;
	}
	f->jitter_ms = r->n ? jitter / r->n : 0;
	/* The tail the receiver cannot see: what the sender says it sent. */
	if (all && r->sent > f->packets + f->lost)
		f->lost = r->sent - f->packets;
	f->loss_pct = f->packets + f->lost
	    ? 100.0 * (double)f->lost / (double)(f->packets + f->lost)
	    : 0;
}

static void
report(struct run *r, bool end, uint64_t t)
{
	uint64_t a = end ? r->t0 : r->ival0, cwnd, rtt, re;
	double secs = (double)(t - a) / 1e9;
	struct perf_figures f = { 0 };
	json_t *o;

	if (!r->started)
		t = a = r->t0 = r->ival0 = now_ns(), secs = 0;
	else if (end && !r->s.send && r->last_rx > a)
		t = r->last_rx, secs = (double)(t - a) / 1e9; /* not the idle */
	if (r->s.udp && !r->s.send)
		udp_figures(r, end, a, t, &f);
	else {
		f.bytes = end ? r->bytes : r->bytes - r->bytes0;
		f.packets = end ? r->packets : r->packets - r->packets0;
	}
	o = json_pack("{s:s, s:f, s:f, s:f, s:I, s:f, s:i}", "type",
	    end ? "end" : "interval", "start", (double)(a - r->t0) / 1e9, "end",
	    (double)(t - r->t0) / 1e9, "seconds", secs, "bytes",
	    (json_int_t)f.bytes, "bits_per_second",
	    perf_bits_per_s(f.bytes, t - a), "streams", r->n);
	if (!r->s.udp && r->s.send) {
		re = tcp_info_sum(r, &cwnd, &rtt);
		json_object_set_new(o, "retransmits",
		    json_integer((json_int_t)(end ? re : re - r->retrans0)));
		json_object_set_new(o, "cwnd", json_integer((json_int_t)cwnd));
		json_object_set_new(o, "rtt_us", json_integer((json_int_t)rtt));
		r->retrans0 = end ? r->retrans0 : re;
	}
	if (r->s.udp) {
		json_object_set_new(o, "packets",
		    json_integer((json_int_t)f.packets));
		json_object_set_new(o, "packets_per_second",
		    json_real(secs > 0 ? (double)f.packets / secs : 0));
	}
	if (r->s.udp && !r->s.send) {
		json_object_set_new(o, "lost",
		    json_integer((json_int_t)f.lost));
		json_object_set_new(o, "lost_percent", json_real(f.loss_pct));
		json_object_set_new(o, "jitter_ms", json_real(f.jitter_ms));
		json_object_set_new(o, "out_of_order",
		    json_integer((json_int_t)f.out_of_order));
	}
	if (r->refused)
		json_object_set_new(o, "refused",
		    json_integer((json_int_t)r->refused));
	r->bytes0 = r->bytes;
	r->packets0 = r->packets;
	r->ival0 = t;
	say(r, o);
}

static void
start_clock(struct run *r)
{
	if (r->started)
		return;
	r->started = true;
	r->t0 = r->ival0 = now_ns();
	r->next_report = r->t0 + (uint64_t)r->s.interval_ms * 1000000u;
	if (r->s.send)
		r->deadline = r->t0 + (uint64_t)r->s.time_ms * 1000000u;
}

/* recv, TCP: a new stream, if it comes from the peer and there is room. */
static void
tcp_accept(struct run *r)
{
	struct sockaddr_any a;
	int fd;

	a.len = sizeof a.sin6;
	while ((fd = accept4(r->lfd, &a.sa, &a.len, SOCK_NONBLOCK)) != -1) {
		if (!addr_same_host(&r->s.peer, &a.sa) ||
		    r->n == r->s.streams) {
			close(fd);
			r->refused++;
			continue;
		}
		r->st[r->n++].fd = fd;
		start_clock(r);
	}
}

/* recv, TCP: everything a stream has; EOF when the sender closed. */
static void
tcp_read(struct run *r, struct stream *st)
{
	ssize_t n = 0;
	int k = 0;

	while (
	    k++ < ROUND_IO && (n = read(st->fd, r->buf, PERF_TCP_WRITE)) > 0) {
		r->bytes += (uint64_t)n;
		r->last_rx = now_ns();
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		st->eof = true;
}

/* send, TCP: as much as the socket takes. */
static void
tcp_write(struct run *r, struct stream *st)
{
	ssize_t n = 0;
	int k = 0;

	while (k++ < ROUND_IO &&
	    (n = send(st->fd, r->buf, r->s.size, MSG_NOSIGNAL)) > 0)
		r->bytes += (uint64_t)n;
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		st->eof = true;
}

/* recv, UDP: the stream of a source port (a new one while there is room). */
static struct stream *
udp_stream(struct run *r, uint16_t from)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->st[i].from == from)
			return &r->st[i];
	if (r->n == r->s.streams)
		return NULL;
	r->st[r->n].from = from;
	perf_udp_init(&r->st[r->n].rx);
	perf_udp_init(&r->st[r->n].rx0);
	return &r->st[r->n++];
}

static void
udp_read(struct run *r)
{
	struct sockaddr_any a;
	struct stream *st;
	ssize_t n;
	int k;

	for (k = 0; k < 16 * ROUND_IO; k++) {
		a.len = sizeof a.sin6;
		n = recvfrom(r->lfd, r->buf, UDP_MAX, 0, &a.sa, &a.len);
		if (n < 0)
			return;
		if (!addr_same_host(&r->s.peer, &a.sa) || n < UDP_HDR ||
		    (st = udp_stream(r, addr_port(&a))) == NULL) {
			r->refused++;
			continue;
		}
		start_clock(r);
		r->last_rx = now_ns();
		perf_udp_rx(&st->rx, get_u64(r->buf), get_u64(r->buf + 8),
		    r->last_rx, (size_t)n);
	}
}

/* send, UDP: the datagrams due by now, paced to the stream's share. */
static void
udp_write(struct run *r, struct stream *st, uint64_t now)
{
	uint64_t gap = r->s.bitrate ? (uint64_t)r->s.size * 8 * 1000000000u *
		(uint64_t)r->n / r->s.bitrate
				    : 0;
	int burst;

	if (st->next_ns == 0 || st->next_ns + 10 * gap < now)
		st->next_ns = now; /* a late start does not make a burst */
	for (burst = 0; st->next_ns <= now && burst < 64; burst++) {
		put_u64(r->buf, st->seq + 1);
		put_u64(r->buf + 8, now_ns());
		if (send(st->fd, r->buf, r->s.size, 0) == -1) {
			if (errno != EAGAIN && errno != ENOBUFS &&
			    errno != ECONNREFUSED)
				st->eof = true;
			return;
		}
		st->seq++;
		r->bytes += r->s.size;
		r->packets++;
		st->next_ns += gap;
	}
}

/* The spec, within 10 s of the start. */
static int
read_spec(struct run *r)
{
	struct pollfd p = { .fd = r->ctl, .events = POLLIN };
	char msg[MSG_MAX];
	const char *why;
	ssize_t n;

	if (poll(&p, 1, 10000) != 1 ||
	    (n = recv(r->ctl, msg, sizeof msg, 0)) <= 0)
		return fail(r, "no spec from the daemon", 0);
	if ((why = spec_parse(msg, (size_t)n, &r->s)) != NULL)
		return fail(r, why, 0);
	return 0;
}

/* A message from the daemon: stop, or its socket closed (stop too). */
static void
read_ctl(struct run *r)
{
	char msg[MSG_MAX];
	ssize_t n = recv(r->ctl, msg, sizeof msg, MSG_DONTWAIT);

	json_t *o;

	if (n == 0)
		_exit(1); /* the daemon is gone: nobody to report to */
	if (n < 0 || (o = json_loadb(msg, (size_t)n, 0, NULL)) == NULL)
		return;
	if (json_is_string(json_object_get(o, "op")) &&
	    strcmp(json_string_value(json_object_get(o, "op")), "stop") == 0) {
		r->sent =
		    (uint64_t)json_integer_value(json_object_get(o, "sent"));
		/* What is still on its way: until DRAIN_MS after the stop. */
		r->deadline = now_ns() + (r->s.udp ? DRAIN_NS : 0);
		r->stop = !r->s.udp;
	}
	json_decref(o);
}

/* Whether the test is over: time, a stop, or every stream gone. */
static bool
done(const struct run *r, uint64_t now)
{
	int i, gone = 0;

	if (r->stop || (r->deadline != 0 && now >= r->deadline))
		return true;
	for (i = 0; i < r->n; i++)
		gone += r->st[i].eof;
	/* A receiver is done once all the streams came and went. */
	return r->n > 0 && gone == r->n && (r->s.send || r->n == r->s.streams);
}

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
	return a != 0 && a < b ? a : b;
}

/* Fill p for one round; the time the round must end by. */
static uint64_t
round_fds(struct run *r, struct pollfd *p, int *np, uint64_t now)
{
	uint64_t until = now + 1000000000u;
	short ev = r->s.send ? POLLOUT : POLLIN;
	int i, n = 0;

	p[n++] = (struct pollfd){ .fd = r->ctl, .events = POLLIN };
	if (!r->s.send)
		p[n++] = (struct pollfd){ .fd = r->lfd, .events = POLLIN };
	for (i = 0; i < r->n; i++) {
		if (r->st[i].eof || (!r->s.send && r->s.udp))
			continue; /* (the UDP receiver reads lfd) */
		if (r->s.udp && r->s.bitrate != 0) {
			until = r->st[i].next_ns
			    ? min_u64(r->st[i].next_ns, until)
			    : now;
			continue;
		}
		p[n++] = (struct pollfd){ .fd = r->st[i].fd, .events = ev };
	}
	*np = n;
	until = min_u64(r->deadline, until);
	return r->started ? min_u64(r->next_report, until) : until;
}

static void
round_io(struct run *r, const struct pollfd *p, int np, uint64_t now)
{
	int i, k;

	if (p[0].revents)
		read_ctl(r);
	if (!r->s.send && (p[1].revents & POLLIN))
		r->s.udp ? udp_read(r) : tcp_accept(r);
	for (i = 0, k = r->s.send ? 1 : 2; i < r->n; i++) {
		struct stream *st = &r->st[i];

		if (st->eof || (!r->s.send && r->s.udp))
			continue;
		if (r->s.udp && r->s.bitrate != 0) {
			udp_write(r, st, now);
			continue;
		}
		for (; k < np && p[k].fd != st->fd; k++)
			;
		if (k == np || p[k].revents == 0)
			continue;
		if (!r->s.send)
			tcp_read(r, st);
		else
			r->s.udp ? udp_write(r, st, now) : tcp_write(r, st);
	}
}

static void
run_loop(struct run *r)
{
	struct pollfd p[PERF_MAX_STREAMS + 2];
	struct timespec ts;
	uint64_t now, until;
	int np;

	while (!done(r, now = now_ns())) {
		if (r->started && now >= r->next_report) {
			report(r, false, now);
			r->next_report += (uint64_t)r->s.interval_ms * 1000000u;
		}
		until = round_fds(r, p, &np, now);
		now = now_ns();
		until = until > now ? until - now : 0;
		ts.tv_sec = (time_t)(until / 1000000000u);
		ts.tv_nsec = (long)(until % 1000000000u);
		if (ppoll(p, (nfds_t)np, &ts, NULL) == -1 && errno != EINTR)
			break;
		round_io(r, p, np, now_ns());
	}
	/*
	 * The last part of an interval, if it is worth a line: a receiver's
	 * ends with the last bytes, not with the stop that came after them.
	 */
	now = r->s.send ? now_ns() : r->last_rx;
	if (r->started && now > r->ival0 && now - r->ival0 >= 100000000u)
		report(r, false, now);
}

int
perf_run(int fd)
{
	struct run r = { .ctl = fd, .lfd = -1 };
	int i, status;

	signal(SIGPIPE, SIG_IGN);
	if ((r.buf = calloc(1, BUF_LEN)) == NULL)
		return fail(&r, "no memory", 0);
	if ((status = read_spec(&r)) != 0)
		return status;
	alarm((r.s.time_ms + PERF_GRACE_MS) / 1000 + 1);
	status = r.s.send ? open_send(&r) : open_recv(&r);
	if (status != 0)
		return status;
	if (r.s.send)
		start_clock(&r);
	else /* until the daemon says stop, which the sender's end brings */
		r.deadline = now_ns() +
		    (uint64_t)(r.s.time_ms + PERF_GRACE_MS) * 1000000u;
	run_loop(&r);
	report(&r, true, now_ns());
	for (i = 0; i < r.n; i++)
		close(r.st[i].fd);
	free(r.buf);
	return 0;
}
