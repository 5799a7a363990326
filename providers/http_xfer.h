/*
 * http_xfer.h: one libcurl transfer, shared by the synchronous driver
 * (http.c) and the event-loop driver (http_async.c).  Internal to
 * providers/.
 *
 * xfer_new() sets up an easy handle with every policy of http.h (timeouts,
 * TLS verification, no redirects, caps); xfer_finish() turns the finished
 * transfer's result into a response or an error whose text never holds a
 * URL path or query.
 */
#ifndef HTTP_XFER_H
#define HTTP_XFER_H

#include <curl/curl.h>

#include "buf.h"
#include "http.h"

struct xfer_sink {
	struct buf buf;
	size_t max;
	int overflow;
};

struct xfer {
	CURL *easy;
	struct xfer_sink body, hdrs;
	struct curl_slist *hl;
	char host[128];			/* for messages: never path or query */
	char errbuf[CURL_ERROR_SIZE];
};

/* Make libcurl ready (once per process). */
void xfer_global_init(void);
/*
 * A transfer for req; NULL if libcurl cannot make one.  The request body
 * is not copied: req must live until the transfer is freed.
 */
struct xfer *xfer_new(const struct http_request *);
/* Fill resp from a finished transfer, or err; PROVIDER_OK or the kind. */
enum provider_error xfer_finish(struct xfer *, CURLcode,
    struct http_response *, struct provider_err *);
void xfer_free(struct xfer *);

#endif
