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

struct sink {
	struct buf buf;
	size_t max;
	int overflow;
};

static size_t
sink_write(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

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

static void
http_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, curl_init_once);
}

/* An easy handle for req writing into body and hdrs; NULL on failure. */
static CURL *
easy_new(const struct http_request *req, struct sink *body, struct sink *hdrs,
    struct curl_slist **hl, char *errbuf)
{
	CURL *e = curl_easy_init();
	int i;

	if (e == NULL)
		return NULL;
	for (i = 0; i < req->nheaders; i++)
		*hl = curl_slist_append(*hl, req->headers[i]);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ?
	    req->timeout_ms : (long)HTTP_DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, *hl);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, hdrs);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "tunneld/" PACKAGE_VERSION);
	if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
	}
	return e;
}

/* Host part of a URL for messages: never the path or query (tokens). */
static void
url_host(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *end;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	snprintf(out, len, "%.*s", (int)(end - p), p);
}

static enum provider_error
transport_error(CURLcode rc, const struct sink *body, const char *url,
    const char *errbuf, struct provider_err *err)
{
	char host[128];

	url_host(url, host, sizeof host);
	if (body->overflow)
		return provider_fail(err, PROVIDER_MALFORMED, "%s: response "
		    "larger than %zu bytes", host, body->max);
	if (rc == CURLE_PARTIAL_FILE)
		return provider_fail(err, PROVIDER_MALFORMED, "%s: response cut "
		    "short", host);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return provider_fail(err, PROVIDER_TIMEOUT, "%s: no complete "
		    "answer in time", host);
	return provider_fail(err, PROVIDER_SERVER_ERROR, "%s: %s", host,
	    errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

enum provider_error
http_perform(const struct http_request *req, struct http_response *resp,
    struct provider_err *err)
{
	struct sink body = { .max = req->max_body ? req->max_body
						  : HTTP_DEFAULT_MAX_BODY };
	struct sink hdrs = { .max = HTTP_MAX_HEADER_BYTES };
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = NULL;
	CURLcode rc = CURLE_FAILED_INIT;
	enum provider_error kind = PROVIDER_OK;
	CURLMsg *msg;
	CURLM *m;
	CURL *e;
	int running = 1, left;

	http_global_init();
	memset(resp, 0, sizeof *resp);
	if ((m = curl_multi_init()) == NULL || (e = easy_new(req, &body,
	    &hdrs, &hl, errbuf)) == NULL) {
		curl_multi_cleanup(m);
		return provider_fail(err, PROVIDER_SERVER_ERROR, "libcurl "
		    "initialisation failed");
	}
	curl_multi_add_handle(m, e);
	while (running) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(m, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			rc = msg->data.result;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
		resp->body_len = body.buf.len;
		resp->body = buf_take(&body.buf);
		resp->headers = buf_take(&hdrs.buf);
		err->kind = PROVIDER_OK;
	} else
		kind = transport_error(rc, &body, req->url, errbuf, err);
	buf_free(&body.buf);
	buf_free(&hdrs.buf);
	curl_multi_remove_handle(m, e);
	curl_easy_cleanup(e);
	curl_multi_cleanup(m);
	curl_slist_free_all(hl);
	return kind;
}
