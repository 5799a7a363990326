/* imds.c: IMDSv2 session token, role name, role credentials. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "common.h"
#include "imds.h"
#include "xmalloc.h"

enum { IMDS_TOKEN, IMDS_ROLE, IMDS_CREDS };

#define CREDS_PATH "/latest/meta-data/iam/security-credentials/"

void
imds_init(struct imds *m, const char *base, long timeout_ms)
{
	memset(m, 0, sizeof *m);
	m->base = xstrdup(base ? base : IMDS_DEFAULT);
	m->timeout_ms = timeout_ms;
}

void
imds_clear(struct imds *m)
{
	free(m->base);
	secret_free(m->token);
	free(m->role);
	memset(m, 0, sizeof *m);
}

void
aws_creds_clear(struct aws_creds *c)
{
	free(c->access_key);
	secret_free(c->secret_key);
	secret_free(c->session_token);
	memset(c, 0, sizeof *c);
}

void
imds_begin(struct imds *m)
{
	m->state = IMDS_TOKEN;
	free(m->role);
	m->role = NULL;
}

static void
imds_request(struct imds *m, struct http_request *req)
{
	req->timeout_ms = m->timeout_ms;
	if (m->state == IMDS_TOKEN) {
		strcpy(req->method, "PUT");
		xasprintf(&req->url, "%s/latest/api/token", m->base);
		http_request_header(req, "X-aws-ec2-metadata-token-ttl-seconds: "
		    "21600");
		return;
	}
	strcpy(req->method, "GET");
	xasprintf(&req->url, "%s" CREDS_PATH "%s", m->base,
	    m->state == IMDS_CREDS ? m->role : "");
	http_request_header(req, "X-aws-ec2-metadata-token: %s", m->token);
}

static time_t
parse_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

/* Credentials from the role document; -1 if it is not one. */
static int
imds_creds(const struct http_response *resp, struct aws_creds *c)
{
	json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL);
	const char *ak = json_string_value(json_object_get(j, "AccessKeyId"));
	const char *sk = json_string_value(json_object_get(j,
	    "SecretAccessKey"));
	const char *tok = json_string_value(json_object_get(j, "Token"));
	int rc = -1;

	if (ak != NULL && sk != NULL) {
		aws_creds_clear(c);
		c->access_key = xstrdup(ak);
		c->secret_key = xstrdup(sk);
		c->session_token = tok ? xstrdup(tok) : NULL;
		c->until = parse_time(json_string_value(json_object_get(j,
		    "Expiration"))) - 300;
		OPENSSL_cleanse((char *)(uintptr_t)sk, strlen(sk));
		rc = 0;
	}
	json_decref(j);
	return rc;
}

enum provider_step
imds_step(struct imds *m, const struct http_response *resp,
    struct http_request *req, struct aws_creds *c, struct provider_err *err)
{
	static const char *const what[] = { "session token", "role name",
		"role credentials" };
	size_t n;

	if (resp != NULL) {
		if (resp->status != 200) {
			provider_fail(err, http_status_kind(resp->status), "aws: "
			    "instance metadata %s: HTTP %ld", what[m->state],
			    resp->status);
			return PROVIDER_STEP_FAILED;
		}
		switch (m->state) {
		case IMDS_TOKEN:
			secret_free(m->token);
			m->token = strndup(resp->body, strcspn(resp->body,
			    "\r\n"));
			break;
		case IMDS_ROLE:
			n = strcspn(resp->body, "\r\n/?#% ");
			if (n == 0 || n > 128)
				return provider_fail(err, PROVIDER_NOT_FOUND,
				    "aws: no instance role attached"),
				    PROVIDER_STEP_FAILED;
			m->role = strndup(resp->body, n);
			break;
		default:
			if (imds_creds(resp, c) != 0)
				return provider_fail(err, PROVIDER_MALFORMED,
				    "aws: instance role credentials are not "
				    "a credentials document"),
				    PROVIDER_STEP_FAILED;
			return PROVIDER_STEP_DONE;
		}
		m->state++;
	}
	imds_request(m, req);
	return PROVIDER_STEP_REQUEST;
}
