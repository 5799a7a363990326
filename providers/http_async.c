/* http_async.c: libcurl multi-socket exchanges on the caller's loop. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "http_async.h"
#include "http_xfer.h"
#include "xmalloc.h"

struct http_xchg {
	struct xfer *x;
	http_done done;
	void *arg;
	struct http_xchg *next;
};

struct http_async {
	CURLM *multi;
	struct http_async_io io;
	struct http_xchg *xchgs;
	int running;
};

static int
socket_cb(CURL *e, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct http_async *a = arg;
	unsigned ev = 0;

	(void)e;
	(void)sockp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= HTTP_IO_IN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= HTTP_IO_OUT;
	return a->io.watch(a->io.arg, fd, ev) == 0 ? 0 : -1;
}

static int
timer_cb(CURLM *m, long ms, void *arg)
{
	struct http_async *a = arg;

	(void)m;
	a->io.timer(a->io.arg, ms);
	return 0;
}

struct http_async *
http_async_new(const struct http_async_io *io)
{
	struct http_async *a = xcalloc(1, sizeof *a);

	xfer_global_init();
	a->io = *io;
	if ((a->multi = curl_multi_init()) == NULL) {
		free(a);
		return NULL;
	}
	curl_multi_setopt(a->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(a->multi, CURLMOPT_SOCKETDATA, a);
	curl_multi_setopt(a->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(a->multi, CURLMOPT_TIMERDATA, a);
	return a;
}

/* Unlink and free one exchange. */
static void
xchg_remove(struct http_async *a, struct http_xchg *c)
{
	struct http_xchg **pp;

	for (pp = &a->xchgs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	curl_multi_remove_handle(a->multi, c->x->easy);
	xfer_free(c->x);
	free(c);
}

void
http_async_free(struct http_async *a)
{
	if (a == NULL)
		return;
	while (a->xchgs != NULL)
		xchg_remove(a, a->xchgs);
	curl_multi_cleanup(a->multi);
	free(a);
}

struct http_xchg *
http_async_start(struct http_async *a, const struct http_request *req,
    http_done done, void *arg)
{
	struct http_xchg *c = xcalloc(1, sizeof *c);

	if ((c->x = xfer_new(req)) == NULL ||
	    curl_multi_add_handle(a->multi, c->x->easy) != CURLM_OK) {
		xfer_free(c->x);
		free(c);
		return NULL;
	}
	c->done = done;
	c->arg = arg;
	c->next = a->xchgs;
	a->xchgs = c;
	return c;
}

void
http_async_cancel(struct http_async *a, struct http_xchg *c)
{
	if (c != NULL)
		xchg_remove(a, c);
}

/* Hand every finished exchange to its callback. */
static void
finish_done(struct http_async *a)
{
	struct http_response resp;
	struct provider_err err;
	struct http_xchg *c;
	http_done done;
	CURLMsg *msg;
	void *arg;
	int left;
	char *priv;

	while ((msg = curl_multi_info_read(a->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
		for (c = a->xchgs; c != NULL && (char *)c->x != priv;
		    c = c->next)
			;
		if (c == NULL)
			continue;
		memset(&err, 0, sizeof err);
		xfer_finish(c->x, msg->data.result, &resp, &err);
		done = c->done;
		arg = c->arg;
		xchg_remove(a, c);	/* before done: it may start more */
		done(arg, &resp, &err);
	}
}

void
http_async_ready(struct http_async *a, int fd, unsigned events)
{
	int mask = 0;

	if (events & HTTP_IO_IN)
		mask |= CURL_CSELECT_IN;
	if (events & HTTP_IO_OUT)
		mask |= CURL_CSELECT_OUT;
	if (events & HTTP_IO_ERR)
		mask |= CURL_CSELECT_ERR;
	curl_multi_socket_action(a->multi, fd, mask, &a->running);
	finish_done(a);
}

void
http_async_timeout(struct http_async *a)
{
	curl_multi_socket_action(a->multi, CURL_SOCKET_TIMEOUT, 0, &a->running);
	finish_done(a);
}

int
http_async_running(const struct http_async *a)
{
	int n = 0;
	const struct http_xchg *c;

	for (c = a->xchgs; c != NULL; c = c->next)
		n++;
	return n;
}
