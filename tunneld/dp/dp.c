/* dp.c: data threads' life cycle, snapshot publication and counters. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <netinet/udp.h>
#include <unistd.h>

#include "dp_priv.h"
#include "sock.h"
#include "xmalloc.h"

static const int families[DF_MAX] = { AF_INET, AF_INET6 };

/* Whether the config asks for this family: any named, or none at all. */
static bool
family_wanted(const struct dp_params *p, enum dp_family f)
{
	if (p->local4.len == 0 && p->local6.len == 0)
		return true;
	return f == DF_V4 ? p->local4.len != 0 : p->local6.len != 0;
}

static const struct sockaddr_any *
family_local(const struct dp_params *p, enum dp_family f)
{
	return f == DF_V4 ? &p->local4 : &p->local6;
}

int
dp_epoll_add(int epfd, int fd, uint64_t data)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static bool
over_udp(enum encap_type t)
{
	return encap_ops(t)->transport == ENCAP_OVER_UDP;
}

/*
 * Send queues for one family and encapsulation: entropy sockets over UDP,
 * the shared raw socket over IP.
 */
static int
thread_open_tx(struct dp *dp, struct dp_thread *th, enum dp_family f,
    enum encap_type t, char **cause)
{
	int e, fd;

	for (e = 0; e < DP_ENTROPY_SOCKS; e++) {
		if (!over_udp(t)) {
			if (e > 0 || dp->raw_fd[f][t] == -1)
				break;
			fd = dp->raw_fd[f][t];
		} else if ((fd = sock_udp(families[f], family_local(&dp->p, f),
				0, false, !dp->p.udp_checksum && !dp->gso,
				cause)) == -1)
			return -1;
		th->txq[f][t][e] = xcalloc(1, sizeof *th->txq[f][t][e]);
		th->txq[f][t][e]->fd = fd;
		th->txq[f][t][e]->gso = over_udp(t) && dp->gso;
	}
	return 0;
}

/*
 * df = unset / inherit: IPv4 send queues without DF, beside the DF ones
 * (which probes always use: PMTU probes need DF).
 */
static int
thread_open_frag(struct dp *dp, struct dp_thread *th, enum encap_type t,
    char **cause)
{
	int e, fd;

	for (e = 0; e < DP_ENTROPY_SOCKS; e++) {
		if (!over_udp(t)) {
			if (e > 0 || dp->raw_frag_fd[t] == -1)
				break;
			fd = dp->raw_frag_fd[t];
		} else {
			if ((fd = sock_udp(AF_INET, family_local(&dp->p, DF_V4),
				 0, false, !dp->p.udp_checksum && !dp->gso,
				 cause)) == -1)
				return -1;
			if (sock_allow_path_fragments(fd) == -1) {
				xasprintf(cause, "IPv4 socket: df: %s",
				    strerror(errno));
				close(fd);
				return -1;
			}
		}
		th->txq_frag[t][e] = xcalloc(1, sizeof *th->txq_frag[t][e]);
		th->txq_frag[t][e]->fd = fd;
		th->txq_frag[t][e]->gso = over_udp(t) && dp->gso;
	}
	return 0;
}

/* The receive sockets of one family; a missing family is not an error. */
static int
thread_open_rx(struct dp *dp, struct dp_thread *th, enum dp_family f,
    char **cause)
{
	enum encap_type t;

	for (t = 0; t < ENCAP_MAX; t++) {
		if (!over_udp(t)) {
			if (th->id == 0 && dp->raw_fd[f][t] != -1 &&
			    dp_epoll_add(th->epfd, dp->raw_fd[f][t],
				EV_MAKE(EV_RAW, f, t)) == -1)
				return -1;
			continue;
		}
		th->rx_fd[f][t] = sock_udp(families[f], family_local(&dp->p, f),
		    dp->p.port[t], true, !dp->p.udp_checksum, cause);
		if (th->rx_fd[f][t] == -1)
			return -1;
		if (dp->gro &&
		    setsockopt(th->rx_fd[f][t], SOL_UDP, UDP_GRO, &(int){ 1 },
			sizeof(int)) == -1)
			dp->gro = false;	/* said in describe */
		if (dp_epoll_add(th->epfd, th->rx_fd[f][t],
			EV_MAKE(EV_UDP, f, t)) == -1)
			return -1;
	}
	return 0;
}

static struct dp_thread *
thread_new(struct dp *dp, int id)
{
	struct dp_thread *th = xcalloc(1, sizeof *th);
	int f, k;

	th->dp = dp;
	th->id = id;
	th->pc = xcalloc(DP_MAX_PORTS, sizeof *th->pc);
	th->tb_port = xcalloc(DP_MAX_PORTS, sizeof *th->tb_port);
	th->tb_probe = xcalloc(DP_MAX_PORTS, sizeof *th->tb_probe);
	th->oversize_ms = xcalloc(DP_MAX_PORTS, sizeof *th->oversize_ms);
	th->roam_ms = xcalloc(DP_MAX_PORTS, sizeof *th->roam_ms);
	th->rbuf = xcalloc(DP_BATCH, DP_BUF);
	th->tbuf = xcalloc(DP_BATCH, DP_TBUF);
	th->sbuf = xmalloc(DP_SBUF);
	th->gro.buf = xmalloc(VNET_HDR_LEN + FRAME_MAX);
	for (f = 0; f < DF_MAX; f++)
		for (k = 0; k < ENCAP_MAX; k++)
			th->rx_fd[f][k] = -1;
	for (f = 0; f < DE_MAX; f++)
		th->esp_fd[f] = -1;
	if ((th->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (th->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    dp_epoll_add(th->epfd, th->wakefd, EV_MAKE(EV_WAKE, 0, 0)) == -1)
		fatal("data thread %d: epoll", id);
	return th;
}

static void
thread_free(struct dp_thread *th)
{
	int f, k, e;

	if (th == NULL)
		return;
	for (f = 0; f < DF_MAX; f++) {
		for (k = 0; k < ENCAP_MAX; k++) {
			if (th->rx_fd[f][k] != -1)
				close(th->rx_fd[f][k]);
			for (e = 0; e < DP_ENTROPY_SOCKS; e++) {
				if (th->txq[f][k][e] != NULL && over_udp(k))
					close(th->txq[f][k][e]->fd);
				free(th->txq[f][k][e]);
			}
		}
	}
	for (k = 0; k < ENCAP_MAX; k++) {
		for (e = 0; e < DP_ENTROPY_SOCKS; e++) {
			if (th->txq_frag[k][e] != NULL && over_udp(k))
				close(th->txq_frag[k][e]->fd);
			free(th->txq_frag[k][e]);
		}
	}
	dp_esp_close(th);
	close(th->epfd);
	close(th->wakefd);
	free(th->pc);
	free(th->tb_port);
	free(th->tb_probe);
	free(th->oversize_ms);
	free(th->roam_ms);
	free(th->rbuf);
	free(th->tbuf);
	free(th->sbuf);
	free(th->gro.buf);
	free(th);
}

/* Whether the host has this family at all (IPv6 may be disabled). */
static bool
family_available(enum dp_family f)
{
	struct sockaddr_any any = { .len = 0 };
	char *cause = NULL;
	int fd = sock_udp(families[f], &any, 0, false, false, &cause);

	if (fd == -1) {
		log_warnx("%s underlay not available: %s", f == DF_V4 ? "IPv4"
		    : "IPv6", cause);
		free(cause);
		return false;
	}
	close(fd);
	return true;
}

static int
dp_open_family(struct dp *dp, enum dp_family f, char **cause)
{
	enum encap_type k;
	int t;

	bool frag = f == DF_V4 && dp->p.df != DP_DF_SET;

	for (k = 0; k < ENCAP_MAX; k++) {
		if (over_udp(k) || !dp->p.over_ip)
			continue;
		if ((dp->raw_fd[f][k] =
			    sock_raw(families[f], family_local(&dp->p, f),
				encap_ops(k)->ip_proto, cause)) == -1)
			return -1;
		if (!frag)
			continue;
		if ((dp->raw_frag_fd[k] =
			    sock_raw(AF_INET, family_local(&dp->p, f),
				encap_ops(k)->ip_proto, cause)) == -1)
			return -1;
		if (sock_allow_path_fragments(dp->raw_frag_fd[k]) == -1 ||
		    sock_send_only(dp->raw_frag_fd[k]) == -1) {
			xasprintf(cause, "IPv4 raw socket: df: %s",
			    strerror(errno));
			return -1;
		}
	}
	for (t = 0; t < dp->nthreads; t++) {
		if (thread_open_rx(dp, dp->th[t], f, cause) != 0 ||
		    dp_esp_open(dp, dp->th[t], f, cause) != 0)
			return -1;
		for (k = 0; k < ENCAP_MAX; k++)
			if (thread_open_tx(dp, dp->th[t], f, k, cause) != 0 ||
			    (frag &&
				thread_open_frag(dp, dp->th[t], k, cause) != 0))
				return -1;
	}
	return 0;
}

/* Whether the kernel takes UDP_SEGMENT (GSO) on a UDP socket. */
static bool
udp_gso_available(void)
{
	struct sockaddr_any any = { .len = 0 };
	char *cause = NULL;
	int fd = sock_udp(families[DF_V4], &any, 0, false, false, &cause);
	bool ok;

	if (fd == -1) {
		free(cause);
		return false;
	}
	ok = setsockopt(fd, SOL_UDP, UDP_SEGMENT, &(int){ 1400 },
	    sizeof(int)) == 0;
	close(fd);
	return ok;
}

struct dp *
dp_new(const struct dp_params *p, char **cause)
{
	struct dp *dp = xcalloc(1, sizeof *dp);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int f, t, k, opened = 0;

	dp->p = *p;
	dp->pc_base = xcalloc(DP_MAX_PORTS, sizeof *dp->pc_base);
	dp->ctl_pc = xcalloc(DP_MAX_PORTS, sizeof *dp->ctl_pc);
	dp->frame_max = xcalloc(DP_MAX_PORTS, sizeof *dp->frame_max);
	dp->ctl_pbuf = xmalloc(DP_PBUF);
	for (f = 0; f < DF_MAX; f++)
		for (k = 0; k < ENCAP_MAX; k++)
			dp->raw_fd[f][k] = -1;
	for (k = 0; k < ENCAP_MAX; k++)
		dp->raw_frag_fd[k] = -1;
	dp->nthreads = p->threads > 0 ? p->threads : (int)(ncpu > 0 ? ncpu : 1);
	if (dp->nthreads > DP_MAX_THREADS)
		dp->nthreads = DP_MAX_THREADS;
	for (t = 0; t < dp->nthreads; t++)
		dp->th[t] = thread_new(dp, t);
	dp->gso = dp->gro = p->udp_offload;
	if (dp->gso && !(dp->gso = udp_gso_available()))
		log_warnx("the kernel refuses UDP_SEGMENT: segments go one "
		    "datagram each");
	if (dp->gso && !p->udp_checksum)
		log_info("UDP checksums on: UDP GSO needs them (offload = no "
		    "for zero checksums)");
	for (f = 0; f < DF_MAX; f++) {
		if (!family_wanted(p, f))
			continue;
		/* A wildcard family the host lacks is skipped, not fatal. */
		if (family_local(p, f)->len == 0 && !family_available(f))
			continue;
		if (dp_open_family(dp, f, cause) != 0) {
			dp_free(dp);
			return NULL;
		}
		opened++;
	}
	if (opened == 0) {
		xasprintf(cause, "no underlay address family available");
		dp_free(dp);
		return NULL;
	}
	snprintf(dp->describe, sizeof dp->describe,
	    "%d threads, recvmmsg/"
	    "sendmmsg batches of %d, UDP GSO %s, UDP GRO %s; TAP offloads "
	    "per segment (its offload field); busy-poll %u us; outer DF %s",
	    dp->nthreads, DP_BATCH, dp->gso ? "on" : "off",
	    dp->gro ? "on" : "off", p->busy_poll_us,
	    p->df == DP_DF_SET	       ? "set"
		: p->df == DP_DF_UNSET ? "unset"
				       : "inherited");
	return dp;
}

static void
thread_dispatch(struct dp_thread *th, const struct dp_snapshot *snap,
    uint64_t ev)
{
	uint64_t v;

	switch (EV_TYPE(ev)) {
	case EV_WAKE:
		(void)!read(th->wakefd, &v, sizeof v);
		break;
	case EV_UDP:
		dp_io_udp(th, snap, EV_A(ev), EV_B(ev),
		    th->rx_fd[EV_A(ev)][EV_B(ev)]);
		break;
	case EV_RAW:
		dp_io_raw(th, snap, EV_A(ev), EV_B(ev),
		    th->dp->raw_fd[EV_A(ev)][EV_B(ev)]);
		break;
	case EV_TAP:
		dp_io_tap(th, snap, EV_A(ev), EV_B(ev));
		break;
	case EV_ESP:
		dp_io_esp(th, snap, EV_A(ev), th->esp_fd[EV_A(ev)]);
		break;
	}
}

/*
 * Wait for events.  After traffic, poll without sleeping for up to the
 * busy-poll window first: a packet that comes back within it (a reply,
 * the next of a burst) is taken without a wake-up.  Idle: one sleep.
 */
static int
thread_wait(struct dp_thread *th, struct epoll_event *ev)
{
	uint64_t until;
	int n;

	if (th->dp->p.busy_poll_us == 0)
		return epoll_wait(th->epfd, ev, DP_EVENTS, -1);
	until = clock_us() + th->dp->p.busy_poll_us;
	do {
		if ((n = epoll_wait(th->epfd, ev, DP_EVENTS, 0)) != 0)
			return n;
		sched_yield();
	} while (clock_us() < until);
	return epoll_wait(th->epfd, ev, DP_EVENTS, -1);
}

static void *
thread_main(void *arg)
{
	struct dp_thread *th = arg;
	struct dp *dp = th->dp;
	struct epoll_event ev[DP_EVENTS];
	const struct dp_snapshot *snap;
	int i, n;

	for (;;) {
		/* Quiescent here: this thread holds no snapshot. */
		__atomic_store_n(&th->seen_gen, __atomic_load_n(&dp->gen,
		    __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&dp->quit, __ATOMIC_SEQ_CST))
			break;
		n = thread_wait(th, ev);
		if (n == -1 && errno != EINTR)
			fatal("data thread %d: epoll_wait", th->id);
		snap = __atomic_load_n(&dp->snap, __ATOMIC_SEQ_CST);
		th->snap = snap;
		th->now_ms = clock_ms();
		th->now_s = (uint32_t)(th->now_ms / 1000);
		for (i = 0; i < n; i++)
			thread_dispatch(th, snap, ev[i].data.u64);
	}
	return NULL;
}

int
dp_start(struct dp *dp, char **cause)
{
	sigset_t all, old;
	int t, err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (t = 0; t < dp->nthreads; t++) {
		if ((err = pthread_create(&dp->th[t]->tid, NULL, thread_main,
		    dp->th[t])) != 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			xasprintf(cause, "data thread %d: %s", t, strerror(err));
			return -1;
		}
		dp->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static void
dp_wake_all(struct dp *dp)
{
	uint64_t one = 1;
	int t;

	for (t = 0; t < dp->nthreads; t++)
		(void)!write(dp->th[t]->wakefd, &one, sizeof one);
}

int
dp_publish(struct dp *dp, struct dp_snapshot *snap, struct dp_snapshot **old)
{
	uint64_t gen;
	int t, spins = 0;

	*old = __atomic_exchange_n(&dp->snap, snap, __ATOMIC_SEQ_CST);
	gen = __atomic_add_fetch(&dp->gen, 1, __ATOMIC_SEQ_CST);
	if (!dp->started)
		return 0;
	dp_wake_all(dp);
	for (t = 0; t < dp->nthreads; t++) {
		while (__atomic_load_n(&dp->th[t]->seen_gen, __ATOMIC_SEQ_CST) <
		    gen) {
			struct timespec ts = { 0, 100000 };
			/* A batch takes microseconds; 10 s means a bug. */
			if (++spins > 100000) {
				log_warnx("data thread %d did not release the "
				    "old forwarding state; leaking it", t);
				return -1;
			}
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

struct dp_snapshot *
dp_stop(struct dp *dp)
{
	int t;

	__atomic_store_n(&dp->quit, 1, __ATOMIC_SEQ_CST);
	if (dp->started) {
		dp_wake_all(dp);
		for (t = 0; t < dp->nthreads; t++)
			pthread_join(dp->th[t]->tid, NULL);
		dp->started = false;
	}
	return __atomic_exchange_n(&dp->snap, NULL, __ATOMIC_SEQ_CST);
}

void
dp_free(struct dp *dp)
{
	int t, f, k;

	if (dp == NULL)
		return;
	for (t = 0; t < dp->nthreads; t++)
		thread_free(dp->th[t]);
	for (f = 0; f < DF_MAX; f++)
		for (k = 0; k < ENCAP_MAX; k++)
			if (dp->raw_fd[f][k] != -1)
				close(dp->raw_fd[f][k]);
	for (k = 0; k < ENCAP_MAX; k++)
		if (dp->raw_frag_fd[k] != -1)
			close(dp->raw_frag_fd[k]);
	free(dp->pc_base);
	free(dp->ctl_pc);
	free(dp->frame_max);
	free(dp->ctl_pbuf);
	free(dp);
}

int
dp_threads(const struct dp *dp)
{
	return dp->nthreads;
}

void
dp_get_info(const struct dp *dp, struct dp_info *i)
{
	i->threads = dp->nthreads;
	i->batch = DP_BATCH;
	i->udp_gso = dp->gso;
	i->udp_gro = dp->gro;
	i->busy_poll_us = dp->p.busy_poll_us;
}

const char *
dp_describe(const struct dp *dp)
{
	return dp->describe;
}

int
dp_watch_tap(struct dp *dp, int slot, const int *fds, char **cause)
{
	int t;

	for (t = 0; t < dp->nthreads; t++) {
		if (dp_epoll_add(dp->th[t]->epfd, fds[t],
			EV_MAKE(EV_TAP, slot, fds[t])) == -1) {
			xasprintf(cause, "epoll: %s", strerror(errno));
			while (t-- > 0)
				epoll_ctl(dp->th[t]->epfd, EPOLL_CTL_DEL,
				    fds[t], NULL);
			return -1;
		}
	}
	return 0;
}

void
dp_unwatch_tap(struct dp *dp, const int *fds)
{
	int t;

	for (t = 0; t < dp->nthreads; t++)
		epoll_ctl(dp->th[t]->epfd, EPOLL_CTL_DEL, fds[t], NULL);
}

static void
sum_u64(uint64_t *dst, const uint64_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* Subtract a reset's baseline, field by field. */
static void
sub_u64(uint64_t *dst, const uint64_t *base, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] -= base[i];
}

/* The raw sums over threads, without the baseline. */
static void
port_sum(struct dp *dp, uint16_t port, struct port_counters *out)
{
	int t;

	memset(out, 0, sizeof *out);
	for (t = 0; t < dp->nthreads; t++)
		sum_u64((uint64_t *)out, (const uint64_t *)&dp->th[t]->pc[port],
		    sizeof *out / sizeof(uint64_t));
	sum_u64((uint64_t *)out, (const uint64_t *)&dp->ctl_pc[port],
	    sizeof *out / sizeof(uint64_t));
}

static void
seg_sum(struct dp *dp, int slot, struct seg_counters *out)
{
	int t;

	memset(out, 0, sizeof *out);
	for (t = 0; t < dp->nthreads; t++)
		sum_u64((uint64_t *)out, (const uint64_t *)&dp->th[t]->sc[slot],
		    sizeof *out / sizeof(uint64_t));
}

void
dp_port_counters(struct dp *dp, uint16_t port, struct port_counters *out)
{
	port_sum(dp, port, out);
	sub_u64((uint64_t *)out, (const uint64_t *)&dp->pc_base[port],
	    sizeof *out / sizeof(uint64_t));
}

void
dp_seg_counters(struct dp *dp, int slot, struct seg_counters *out)
{
	seg_sum(dp, slot, out);
	sub_u64((uint64_t *)out, (const uint64_t *)&dp->sc_base[slot],
	    sizeof *out / sizeof(uint64_t));
}

/*
 * The data threads own their counters and never stop writing them, so a
 * reset does not zero them: it takes the current sums as the baseline
 * that reads subtract.
 */
void
dp_reset_port(struct dp *dp, uint16_t port)
{
	port_sum(dp, port, &dp->pc_base[port]);
}

void
dp_reset_seg(struct dp *dp, int slot)
{
	seg_sum(dp, slot, &dp->sc_base[slot]);
}

void
dp_set_mss_mtu(struct dp *dp, int slot, unsigned mtu)
{
	__atomic_store_n(&dp->mss_mtu[slot], mtu, __ATOMIC_RELAXED);
}

unsigned
dp_mss_mtu(const struct dp *dp, int slot)
{
	return __atomic_load_n(&dp->mss_mtu[slot], __ATOMIC_RELAXED);
}

void
dp_set_frame_max(struct dp *dp, uint16_t port, unsigned len)
{
	__atomic_store_n(&dp->frame_max[port], len, __ATOMIC_RELAXED);
}

unsigned
dp_frame_max(const struct dp *dp, uint16_t port)
{
	return __atomic_load_n(&dp->frame_max[port], __ATOMIC_RELAXED);
}
