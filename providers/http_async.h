/*
 * http_async.h: HTTP exchanges driven by the caller's event loop.
 *
 * libcurl's multi-socket API: the agent tells the loop which sockets to
 * watch and when to wake it (struct http_async_io); the loop reports
 * readiness and timeouts back; a finished exchange calls its done
 * callback with a response or an error.  Nothing here blocks.  The same
 * policies as http_perform() apply (http.h).  One thread only.
 */
#ifndef HTTP_ASYNC_H
#define HTTP_ASYNC_H

#include "http.h"
#include "provider.h"

enum {
	HTTP_IO_IN = 1,
	HTTP_IO_OUT = 2,
	HTTP_IO_ERR = 4,
};

struct http_async_io {
	/* Watch fd for HTTP_IO_IN/OUT (0: stop watching it); 0 or -1. */
	int (*watch)(void *arg, int fd, unsigned events);
	/* Call http_async_timeout() in ms milliseconds (-1: never). */
	void (*timer)(void *arg, long ms);
	void *arg;
};

/*
 * Called once per exchange: kind PROVIDER_OK with resp filled (its owner
 * is the callback), else err says why.  It may start new exchanges.
 */
typedef void (*http_done)(void *arg, struct http_response *resp,
    const struct provider_err *err);

struct http_async;
struct http_xchg;

struct http_async *http_async_new(const struct http_async_io *);
/* Cancel every exchange (without callbacks) and free the agent. */
void http_async_free(struct http_async *);
/* Start req (it must live until done is called or the exchange cancelled). */
struct http_xchg *http_async_start(struct http_async *,
    const struct http_request *, http_done, void *arg);
/* Forget an exchange; its callback is not called. */
void http_async_cancel(struct http_async *, struct http_xchg *);
/* The loop saw HTTP_IO_* events on fd. */
void http_async_ready(struct http_async *, int fd, unsigned events);
/* The timer asked for by io->timer expired. */
void http_async_timeout(struct http_async *);
/* Exchanges in flight. */
int http_async_running(const struct http_async *);

#endif
