/* http.c: request/response plumbing and the synchronous libcurl driver. */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "buf.h"
#include "http.h"
#include "http_xfer.h"
#include "xmalloc.h"

void
http_request_clear(struct http_request *r)
{
	int i;

	free(r->url);
	/* Headers and bodies may carry tokens and passwords. */
	for (i = 0; i < r->nheaders; i++) {
		OPENSSL_cleanse(r->headers[i], strlen(r->headers[i]));
		free(r->headers[i]);
	}
	if (r->body != NULL)
		OPENSSL_cleanse(r->body, r->body_len);
	free(r->body);
	memset(r, 0, sizeof *r);
}

void
http_response_clear(struct http_response *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof *r);
}

void
http_request_header(struct http_request *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nheaders == HTTP_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&r->headers[r->nheaders], fmt, ap) >= 0)
		r->nheaders++;
	va_end(ap);
}

char *
http_response_header(const struct http_response *r, const char *name)
{
	const char *line = r->headers, *end, *colon, *v;
	size_t n = strlen(name);

	while (line != NULL && *line != '\0') {
		end = strchr(line, '\n');
		colon = memchr(line, ':', end ? (size_t)(end - line)
					      : strlen(line));
		if (colon != NULL && (size_t)(colon - line) == n &&
		    strncasecmp(line, name, n) == 0) {
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			n = end ? (size_t)(end - v) : strlen(v);
			while (n > 0 && isspace((unsigned char)v[n - 1]))
				n--;
			return strndup(v, n);
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

unsigned
http_retry_after(const struct http_response *r)
{
	char *v = http_response_header(r, "Retry-After"), *end;
	unsigned long s = 0;

	if (v != NULL) {
		s = strtoul(v, &end, 10);
		if (end == v || *end != '\0' || s > 86400)
			s = 0;	/* HTTP-date or nonsense: caller's backoff */
		free(v);
	}
	return (unsigned)s;
}

enum provider_error
http_status_kind(long status)
{
	if (status == 401)
		return PROVIDER_AUTH_FAILED;
	if (status == 403)
		return PROVIDER_FORBIDDEN;
	if (status == 404)
		return PROVIDER_NOT_FOUND;
	if (status == 429)
		return PROVIDER_THROTTLED;
	if (status >= 500)
		return PROVIDER_SERVER_ERROR;
	return PROVIDER_BAD_CONFIG;	/* 4xx: the request we built is refused */
}

static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct xfer_sink *s = arg;

	if (s->buf.len + size * n > s->max) {
		s->overflow = 1;
		return 0;	/* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	buf_add(&s->buf, p, size * n);
	return size * n;
}

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
xfer_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, curl_init_once);
}

/* Host part of a URL for messages: never the path or query (tokens). */
static void
url_host(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *end, *at;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	/* Never user:password@ (RFC 3986 userinfo): messages carry this. */
	for (at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	snprintf(out, len, "%.*s", (int)(end - p), p);
}

static void
xfer_options(struct xfer *x, const struct http_request *req)
{
	CURL *e = x->easy;

	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : (long)HTTP_DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hl);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x->hdrs);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "tunneld/" PACKAGE_VERSION);
	if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		/* Not copied: a copy of a password would not be wiped. */
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body
		    : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
	}
}

struct xfer *
xfer_new(const struct http_request *req)
{
	struct xfer *x = xcalloc(1, sizeof *x);
	int i;

	xfer_global_init();
	if (req->url == NULL || (x->easy = curl_easy_init()) == NULL) {
		free(x);
		return NULL;
	}
	x->body.max = req->max_body ? req->max_body : HTTP_DEFAULT_MAX_BODY;
	x->hdrs.max = HTTP_MAX_HEADER_BYTES;
	for (i = 0; i < req->nheaders; i++)
		x->hl = curl_slist_append(x->hl, req->headers[i]);
	url_host(req->url, x->host, sizeof x->host);
	xfer_options(x, req);
	return x;
}

enum provider_error
xfer_finish(struct xfer *x, CURLcode rc, struct http_response *resp,
    struct provider_err *err)
{
	memset(resp, 0, sizeof *resp);
	if (x->body.overflow)
		return provider_fail(err, PROVIDER_MALFORMED, "%s: response "
		    "larger than %zu bytes", x->host, x->body.max);
	if (rc == CURLE_PARTIAL_FILE)
		return provider_fail(err, PROVIDER_MALFORMED, "%s: response cut "
		    "short", x->host);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return provider_fail(err, PROVIDER_TIMEOUT, "%s: no complete "
		    "answer in time", x->host);
	if (rc != CURLE_OK)
		return provider_fail(err, PROVIDER_SERVER_ERROR, "%s: %s",
		    x->host, x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body_len = x->body.buf.len;
	resp->body = buf_take(&x->body.buf);
	resp->headers = buf_take(&x->hdrs.buf);
	err->kind = PROVIDER_OK;
	return PROVIDER_OK;
}

void
xfer_free(struct xfer *x)
{
	struct curl_slist *h;

	if (x == NULL)
		return;
	curl_easy_cleanup(x->easy);
	/* Header lines carry tokens. */
	for (h = x->hl; h != NULL; h = h->next)
		OPENSSL_cleanse(h->data, strlen(h->data));
	curl_slist_free_all(x->hl);
	buf_free(&x->body.buf);
	buf_free(&x->hdrs.buf);
	free(x);
}

enum provider_error
http_perform(const struct http_request *req, struct http_response *resp,
    struct provider_err *err)
{
	CURLcode rc = CURLE_FAILED_INIT;
	enum provider_error kind;
	struct xfer *x;
	CURLMsg *msg;
	CURLM *m;
	int running = 1, left;

	memset(resp, 0, sizeof *resp);
	if ((x = xfer_new(req)) == NULL || (m = curl_multi_init()) == NULL) {
		xfer_free(x);
		return provider_fail(err, PROVIDER_SERVER_ERROR, "libcurl "
		    "initialisation failed");
	}
	curl_multi_add_handle(m, x->easy);
	while (running) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	kind = xfer_finish(x, rc, resp, err);
	curl_multi_remove_handle(m, x->easy);
	curl_multi_cleanup(m);
	xfer_free(x);
	return kind;
}
