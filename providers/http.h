/*
 * http.h: the HTTP exchanges providers ask for, and a driver for them.
 *
 * Providers never do I/O.  They fill a struct http_request and read a
 * struct http_response; a driver performs the exchange with libcurl.
 * http_perform() is the synchronous driver (curl multi + poll), for tests
 * and command line tools; the daemon drives the same requests from its
 * event loop.  Every transfer has a total timeout, TLS verification on,
 * no redirects, http/https only, proxies from the environment, and a cap
 * on the body and header sizes: a larger response is PROVIDER_MALFORMED.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include "provider.h"

enum {
	HTTP_MAX_HEADERS = 16,
	HTTP_DEFAULT_TIMEOUT_MS = 15000,
	HTTP_DEFAULT_MAX_BODY = 16 << 20,
	HTTP_MAX_HEADER_BYTES = 64 << 10,
};

struct http_request {
	char method[8];			/* GET, POST, PUT */
	char *url;
	char *headers[HTTP_MAX_HEADERS];	/* "Name: value" */
	int nheaders;
	char *body;
	size_t body_len;
	long timeout_ms;		/* 0: HTTP_DEFAULT_TIMEOUT_MS */
	size_t max_body;		/* 0: HTTP_DEFAULT_MAX_BODY */
};

struct http_response {
	long status;			/* 0 if no response arrived */
	char *body;			/* NUL-terminated */
	size_t body_len;
	char *headers;			/* raw header block */
};

/* Clear a request or response (free what it owns). */
void http_request_clear(struct http_request *);
void http_response_clear(struct http_response *);
/* Add a header to a request (printf-style value). */
void http_request_header(struct http_request *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Value of a response header (case-insensitive name), new string or NULL. */
char *http_response_header(const struct http_response *, const char *name);

/* Perform one exchange, blocking the caller; PROVIDER_OK or transport error. */
enum provider_error http_perform(const struct http_request *,
    struct http_response *, struct provider_err *);
/* Seconds a Retry-After header asks for (delta-seconds form), 0 if none. */
unsigned http_retry_after(const struct http_response *);
/* Error kind for an HTTP status that is not a success. */
enum provider_error http_status_kind(long status);

#endif
