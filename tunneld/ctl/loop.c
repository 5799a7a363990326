/* loop.c: a small epoll loop with generation-checked registrations. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "xmalloc.h"

struct loop_entry {
	loop_cb cb;
	void *arg;
	uint32_t gen;
};

struct loop {
	int epfd;
	uint32_t gen;
	struct loop_entry **by_fd;
	int nfd;
};

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);

	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	return l;
}

void
loop_free(struct loop *l)
{
	int fd;

	if (l == NULL)
		return;
	for (fd = 0; fd < l->nfd; fd++)
		free(l->by_fd[fd]);
	free(l->by_fd);
	close(l->epfd);
	free(l);
}

int
loop_add(struct loop *l, int fd, uint32_t events, loop_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_entry *e;
	int n;

	if (fd >= l->nfd) {
		n = fd + 64;
		l->by_fd = xreallocarray(l->by_fd, (size_t)n, sizeof *l->by_fd);
		while (l->nfd < n)
			l->by_fd[l->nfd++] = NULL;
	}
	e = xcalloc(1, sizeof *e);
	e->cb = cb;
	e->arg = arg;
	e->gen = ++l->gen;
	ev.data.u64 = (uint64_t)e->gen << 32 | (uint32_t)fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		free(e);
		return -1;
	}
	free(l->by_fd[fd]);
	l->by_fd[fd] = e;
	return 0;
}

int
loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };

	if (fd >= l->nfd || l->by_fd[fd] == NULL) {
		errno = EBADF;
		return -1;
	}
	ev.data.u64 = (uint64_t)l->by_fd[fd]->gen << 32 | (uint32_t)fd;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void
loop_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->nfd || l->by_fd[fd] == NULL)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	free(l->by_fd[fd]);
	l->by_fd[fd] = NULL;
}

int
loop_once(struct loop *l, int timeout_ms)
{
	struct epoll_event ev[32];
	struct loop_entry *e;
	int i, n, fd;

	if ((n = epoll_wait(l->epfd, ev, 32, timeout_ms)) == -1)
		return errno == EINTR ? 0 : -1;
	for (i = 0; i < n; i++) {
		fd = (int)(uint32_t)ev[i].data.u64;
		e = fd < l->nfd ? l->by_fd[fd] : NULL;
		if (e == NULL || e->gen != (uint32_t)(ev[i].data.u64 >> 32))
			continue;	/* deleted earlier in this round */
		e->cb(fd, ev[i].events, e->arg);
	}
	return n;
}

int
loop_timer_fd(int interval_ms)
{
	struct itimerspec its = {
		.it_interval = { interval_ms / 1000,
		    (long)(interval_ms % 1000) * 1000000 },
		.it_value = { interval_ms / 1000,
		    (long)(interval_ms % 1000) * 1000000 },
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd != -1 && timerfd_settime(fd, 0, &its, NULL) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
loop_timer_set(int fd, long ms)
{
	struct itimerspec its = { .it_value = { ms / 1000,
	    (ms % 1000) * 1000000 } };

	if (ms == 0)
		its.it_value.tv_nsec = 1;	/* 0 would disarm it */
	else if (ms < 0)
		its.it_value.tv_sec = its.it_value.tv_nsec = 0;
	return timerfd_settime(fd, 0, &its, NULL);
}
