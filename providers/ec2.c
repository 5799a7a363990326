/* ec2.c: DescribeInstances as a step machine over signed requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "buf.h"
#include "common.h"
#include "ec2.h"
#include "ec2_xml.h"
#include "http.h"
#include "imds.h"
#include "sigv4.h"
#include "xmalloc.h"

enum ec2_state { EC2_CREDS, EC2_LIST };

struct ec2 {
	char *region, *endpoint, *host, *path;
	struct aws_creds creds;
	int use_imds;			/* no keys given: the instance role */
	struct imds imds;
	enum ec2_state state;
	long timeout_ms;
	char *tag_key, *tag_value;
	char *next_token;
};

/* Form body for one page of DescribeInstances. */
static char *
ec2_body(const struct ec2 *e)
{
	struct buf b = { 0 };
	char *k, *v;

	buf_adds(&b, "Action=DescribeInstances&Version=2016-11-15");
	if (e->tag_key != NULL) {
		if (e->tag_value != NULL) {
			xasprintf(&k, "tag:%s", e->tag_key);
			v = uri_encode(k);
			buf_addf(&b, "&Filter.1.Name=%s", v);
			free(v);
			free(k);
			v = uri_encode(e->tag_value);
		} else {
			buf_adds(&b, "&Filter.1.Name=tag-key");
			v = uri_encode(e->tag_key);
		}
		buf_addf(&b, "&Filter.1.Value.1=%s", v);
		free(v);
	}
	if (e->next_token != NULL) {
		v = uri_encode(e->next_token);
		buf_addf(&b, "&NextToken=%s", v);
		free(v);
	}
	return buf_take(&b);
}

/* Fill req with the signed request for the current page. */
static void
ec2_request(struct ec2 *e, struct http_request *req)
{
	static const char ctype[] = "application/x-www-form-urlencoded; "
	    "charset=utf-8";
	struct sigv4_header h[3];
	struct sigv4_request sr;
	char date[17], *authz;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
	strcpy(req->method, "POST");
	req->url = xstrdup(e->endpoint);
	req->body = ec2_body(e);
	req->body_len = strlen(req->body);
	req->timeout_ms = e->timeout_ms;
	h[0] = (struct sigv4_header){ "Content-Type", ctype };
	h[1] = (struct sigv4_header){ "Host", e->host };
	h[2] = (struct sigv4_header){ "X-Amz-Date", date };
	memset(&sr, 0, sizeof sr);
	sr.method = "POST";
	sr.path = e->path;
	sr.headers = h;
	sr.nheaders = 3;
	sr.body = (const uint8_t *)req->body;
	sr.body_len = req->body_len;
	sr.amz_date = date;
	sr.region = e->region;
	sr.service = "ec2";
	sr.access_key = e->creds.access_key;
	sr.secret_key = e->creds.secret_key;
	sr.session_token = e->creds.session_token;
	authz = sigv4_authorization(&sr);
	http_request_header(req, "Content-Type: %s", ctype);
	http_request_header(req, "Host: %s", e->host);
	http_request_header(req, "X-Amz-Date: %s", date);
	if (e->creds.session_token != NULL)
		http_request_header(req, "X-Amz-Security-Token: %s",
		    e->creds.session_token);
	http_request_header(req, "Authorization: %s", authz);
	free(authz);
}

static void
ec2_begin(struct provider *p, const struct provider_filter *f)
{
	struct ec2 *e = p->priv;

	free(e->tag_key);
	free(e->tag_value);
	free(e->next_token);
	e->next_token = NULL;
	e->tag_key = f && f->tag_key ? xstrdup(f->tag_key) : NULL;
	e->tag_value = f && f->tag_value ? xstrdup(f->tag_value) : NULL;
	e->state = EC2_LIST;
	if (e->use_imds && (e->creds.access_key == NULL ||
	    time(NULL) >= e->creds.until)) {
		e->state = EC2_CREDS;
		imds_begin(&e->imds);
	}
}

static enum provider_step
ec2_step(struct provider *p, const struct http_response *resp,
    struct http_request *req, struct instance_list *out,
    struct provider_err *err)
{
	struct ec2 *e = p->priv;
	enum provider_step st;

	if (e->state == EC2_CREDS) {
		st = imds_step(&e->imds, resp, req, &e->creds, err);
		if (st != PROVIDER_STEP_DONE)
			return st;
		e->state = EC2_LIST;
		resp = NULL;	/* credentials in hand: the first page */
	}
	if (resp != NULL) {
		free(e->next_token);
		e->next_token = NULL;
		if (resp->status != 200) {
			ec2_parse_error(resp->body, resp->body_len, resp->status,
			    err);
			err->retry_after_s = http_retry_after(resp);
			return PROVIDER_STEP_FAILED;
		}
		if (ec2_parse_instances(resp->body, resp->body_len, out,
		    &e->next_token, err) != PROVIDER_OK)
			return PROVIDER_STEP_FAILED;
		if (e->next_token == NULL)
			return PROVIDER_STEP_DONE;
	}
	ec2_request(e, req);
	return PROVIDER_STEP_REQUEST;
}

static void
ec2_free(struct provider *p)
{
	struct ec2 *e = p->priv;

	free(e->region);
	free(e->endpoint);
	free(e->host);
	free(e->path);
	aws_creds_clear(&e->creds);
	imds_clear(&e->imds);
	free(e->tag_key);
	free(e->tag_value);
	free(e->next_token);
	free(e);
}

static const struct provider_ops ec2_ops = {
	.type = "aws",
	.begin = ec2_begin,
	.step = ec2_step,
	.free = ec2_free,
};

/*
 * Keys from the config, else from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
 * and AWS_SESSION_TOKEN, else the instance role through IMDSv2.
 */
static void
ec2_credentials(struct ec2 *e, const struct ec2_config *c)
{
	const char *ak = c->access_key, *sk = c->secret_key;
	const char *tok = c->session_token;

	if (ak == NULL && getenv("AWS_ACCESS_KEY_ID") != NULL &&
	    getenv("AWS_SECRET_ACCESS_KEY") != NULL) {
		ak = getenv("AWS_ACCESS_KEY_ID");
		sk = getenv("AWS_SECRET_ACCESS_KEY");
		tok = getenv("AWS_SESSION_TOKEN");
	}
	if (ak == NULL) {
		e->use_imds = 1;
		imds_init(&e->imds, c->imds_endpoint, c->timeout_ms);
		return;
	}
	e->creds.access_key = xstrdup(ak);
	e->creds.secret_key = xstrdup(sk);
	e->creds.session_token = tok ? xstrdup(tok) : NULL;
}

/* Split an http(s) URL into host[:port] and path; -1 if it is not one. */
static int
split_url(const char *url, char **host, char **path)
{
	const char *p, *slash;

	if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else
		return -1;
	slash = strchr(p, '/');
	if (slash == p || strpbrk(p, "?#@") != NULL)
		return -1;
	*host = slash ? strndup(p, (size_t)(slash - p)) : xstrdup(p);
	*path = xstrdup(slash ? slash : "/");
	return 0;
}

struct provider *
provider_ec2_new(const char *name, const struct ec2_config *c,
    struct provider_err *err)
{
	struct provider *p;
	struct ec2 *e;

	if (c->region == NULL || (c->access_key == NULL) !=
	    (c->secret_key == NULL)) {
		provider_fail(err, PROVIDER_BAD_CONFIG, "aws %s: a region is "
		    "required, and an access key goes with a secret key", name);
		return NULL;
	}
	e = xcalloc(1, sizeof *e);
	e->region = xstrdup(c->region);
	if (c->endpoint != NULL)
		e->endpoint = xstrdup(c->endpoint);
	else
		xasprintf(&e->endpoint, "https://ec2.%s.amazonaws.com/",
		    c->region);
	if (split_url(e->endpoint, &e->host, &e->path) != 0) {
		provider_fail(err, PROVIDER_BAD_CONFIG, "aws %s: endpoint is "
		    "not an http(s) URL without query", name);
		free(e->region);
		free(e->endpoint);
		free(e);
		return NULL;
	}
	ec2_credentials(e, c);
	e->timeout_ms = c->timeout_ms;
	p = xcalloc(1, sizeof *p);
	p->ops = &ec2_ops;
	p->priv = e;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}
