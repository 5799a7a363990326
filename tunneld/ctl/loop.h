/*
 * loop.h: the control thread's event loop (epoll, level-triggered).
 *
 * Callbacks are short and never block.  Deleting any fd from inside a
 * callback is safe: pending events for it in the same round are skipped.
 * Timers and signals come in as fds (timerfd, signalfd).
 */
#ifndef LOOP_H
#define LOOP_H

#include <stdint.h>

typedef void (*loop_cb)(int fd, uint32_t events, void *arg);

struct loop;

struct loop *loop_new(void);
void loop_free(struct loop *);
/* Watch fd for events (EPOLLIN, EPOLLOUT); 0 or -1 with errno. */
int loop_add(struct loop *, int fd, uint32_t events, loop_cb, void *arg);
int loop_mod(struct loop *, int fd, uint32_t events);
void loop_del(struct loop *, int fd);
/* Wait up to timeout_ms (-1: forever) and run the callbacks that are due. */
int loop_once(struct loop *, int timeout_ms);
/* A timerfd that fires every interval_ms; -1 with errno. */
int loop_timer_fd(int interval_ms);
/* Arm a timerfd once, ms from now (0: at once, -1: disarm); 0 or -1. */
int loop_timer_set(int fd, long ms);

#endif
