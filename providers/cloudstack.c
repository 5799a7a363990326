/* cloudstack.c: signed listVirtualMachines, page by page. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "common.h"
#include "cloudstack.h"
#include "http.h"
#include "xmalloc.h"

enum { CS_PAGESIZE = 500 };

/* URL-encode as Java's URLEncoder does, with space as %20. */
static char *
cs_encode(const char *s)
{
	struct buf b = { 0 };

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_')
			buf_addc(&b, (char)c);
		else
			buf_addf(&b, "%%%02X", c);
	}
	return buf_take(&b);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
cloudstack_sign(const struct cs_param *p, size_t n, const char *secret)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = sizeof md;
	char **pairs = xcalloc(n ? n : 1, sizeof *pairs), *v, *c, *out;
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		v = cs_encode(p[i].value);
		xasprintf(&pairs[i], "%s=%s", p[i].name, v);
		free(v);
		for (c = pairs[i]; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	qsort(pairs, n, sizeof *pairs, cmp_str);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s%s", i ? "&" : "", pairs[i]);
		free(pairs[i]);
	}
	free(pairs);
	HMAC(EVP_sha1(), secret, (int)strlen(secret), (unsigned char *)
	    (b.p ? b.p : ""), b.len, md, &mdlen);
	buf_free(&b);
	out = xmalloc(4 * ((mdlen + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	OPENSSL_cleanse(md, sizeof md);
	return out;
}

struct cloudstack {
	char *endpoint, *api_key, *secret_key;
	long timeout_ms;
	char *tag_key, *tag_value;
	int page;
	size_t collected;
	char *last_first_id;		/* first id of the previous page */
};

/* The signed URL of the current page. */
static void
cs_request(struct cloudstack *cs, struct http_request *req)
{
	char page[16], size[16], *sig, *v;
	struct cs_param p[9];
	struct buf url = { 0 };
	size_t n = 0, i;

	snprintf(page, sizeof page, "%d", cs->page);
	snprintf(size, sizeof size, "%d", CS_PAGESIZE);
	p[n++] = (struct cs_param){ "command", "listVirtualMachines" };
	p[n++] = (struct cs_param){ "response", "json" };
	p[n++] = (struct cs_param){ "listall", "true" };
	p[n++] = (struct cs_param){ "page", page };
	p[n++] = (struct cs_param){ "pagesize", size };
	if (cs->tag_key != NULL) {
		p[n++] = (struct cs_param){ "tags[0].key", cs->tag_key };
		if (cs->tag_value != NULL)
			p[n++] = (struct cs_param){ "tags[0].value",
			    cs->tag_value };
	}
	p[n++] = (struct cs_param){ "apikey", cs->api_key };
	sig = cloudstack_sign(p, n, cs->secret_key);
	buf_addf(&url, "%s?", cs->endpoint);
	for (i = 0; i < n; i++) {
		char *name = cs_encode(p[i].name);
		v = cs_encode(p[i].value);
		buf_addf(&url, "%s%s=%s", i ? "&" : "", name, v);
		free(name);
		free(v);
	}
	v = cs_encode(sig);
	buf_addf(&url, "&signature=%s", v);
	free(v);
	free(sig);
	strcpy(req->method, "GET");
	req->url = buf_take(&url);
	req->timeout_ms = cs->timeout_ms;
	http_request_header(req, "Accept: application/json");
}

static void
cs_vm(json_t *vm, struct instance_list *out)
{
	struct instance *in;
	json_t *nic, *t;
	char *id = json_text(vm, "id"), *a;
	size_t i;

	if (id == NULL)
		return;
	in = instance_list_add(out);
	in->id = id;
	if ((in->name = json_text(vm, "name")) == NULL)
		in->name = xstrdup(id);
	in->state = json_text(vm, "state");
	in->zone = json_text(vm, "zonename");
	json_array_foreach(json_object_get(vm, "nic"), i, nic) {
		if ((a = json_text(nic, "ipaddress")) != NULL)
			instance_add_address(&in->private_addrs, &in->nprivate,
			    a);
		free(a);
		if ((a = json_text(nic, "ip6address")) != NULL)
			instance_add_address(&in->private_addrs, &in->nprivate,
			    a);
		free(a);
	}
	if ((a = json_text(vm, "publicip")) != NULL)
		instance_add_address(&in->public_addrs, &in->npublic, a);
	free(a);
	json_array_foreach(json_object_get(vm, "tags"), i, t)
		if (json_is_string(json_object_get(t, "key")))
			instance_add_tag(in, json_string_value(json_object_get(t,
			    "key")), json_string_value(json_object_get(t,
			    "value")));
}

static enum provider_step
cs_error(struct provider *p, const struct http_response *resp, json_t *j,
    struct provider_err *err)
{
	json_t *r = json_object_get(j, "listvirtualmachinesresponse");
	const char *text = json_string_value(json_object_get(r ? r :
	    json_object_get(j, "errorresponse"), "errortext"));
	enum provider_error kind = http_status_kind(resp->status);

	/* CloudStack answers 432 for a bad signature or key. */
	if (resp->status == 432)
		kind = PROVIDER_AUTH_FAILED;
	if (kind == PROVIDER_AUTH_FAILED || text == NULL)
		provider_fail(err, kind, "cloudstack %s: HTTP %ld", p->name,
		    resp->status);
	else
		provider_fail(err, kind, "cloudstack %s: HTTP %ld: %.160s",
		    p->name, resp->status, text);
	err->retry_after_s = http_retry_after(resp);
	return PROVIDER_STEP_FAILED;
}

/* One page: add its VMs; decide whether another page is due. */
static enum provider_step
cs_page(struct provider *p, const struct http_response *resp,
    struct instance_list *out, struct provider_err *err)
{
	struct cloudstack *cs = p->priv;
	json_t *j = json_loadb(resp->body, resp->body_len, 0, NULL), *r, *vms;
	enum provider_step st = PROVIDER_STEP_REQUEST;
	json_int_t count;
	size_t n;
	char *first;

	if (resp->status != 200) {
		st = cs_error(p, resp, j, err);
		json_decref(j);
		return st;
	}
	r = json_object_get(j, "listvirtualmachinesresponse");
	vms = json_object_get(r, "virtualmachine");
	if (!json_is_object(r) || (vms != NULL && !json_is_array(vms))) {
		json_decref(j);
		provider_fail(err, PROVIDER_MALFORMED, "cloudstack %s: answer is "
		    "not a listVirtualMachines response", p->name);
		return PROVIDER_STEP_FAILED;
	}
	n = json_array_size(vms);
	first = n ? json_text(json_array_get(vms, 0), "id") : NULL;
	if (first != NULL && cs->last_first_id != NULL &&
	    strcmp(first, cs->last_first_id) == 0) {
		free(first);
		json_decref(j);
		provider_fail(err, PROVIDER_MALFORMED, "cloudstack %s: page %d "
		    "repeats the one before: pagination does not end", p->name,
		    cs->page);
		return PROVIDER_STEP_FAILED;
	}
	free(cs->last_first_id);
	cs->last_first_id = first;
	for (size_t i = 0; i < n; i++)
		cs_vm(json_array_get(vms, i), out);
	cs->collected += n;
	count = json_integer_value(json_object_get(r, "count"));
	if (n == 0 || (count > 0 && cs->collected >= (size_t)count) ||
	    (count <= 0 && n < CS_PAGESIZE))
		st = PROVIDER_STEP_DONE;
	json_decref(j);
	cs->page++;
	return st;
}

static void
cs_begin(struct provider *p, const struct provider_filter *f)
{
	struct cloudstack *cs = p->priv;

	free(cs->tag_key);
	free(cs->tag_value);
	free(cs->last_first_id);
	cs->last_first_id = NULL;
	cs->tag_key = f && f->tag_key ? xstrdup(f->tag_key) : NULL;
	cs->tag_value = f && f->tag_value ? xstrdup(f->tag_value) : NULL;
	cs->page = 1;
	cs->collected = 0;
}

static enum provider_step
cs_step(struct provider *p, const struct http_response *resp,
    struct http_request *req, struct instance_list *out,
    struct provider_err *err)
{
	enum provider_step st = PROVIDER_STEP_REQUEST;

	if (resp != NULL)
		st = cs_page(p, resp, out, err);
	if (st == PROVIDER_STEP_REQUEST)
		cs_request(p->priv, req);
	return st;
}

static void
cs_free(struct provider *p)
{
	struct cloudstack *cs = p->priv;

	free(cs->endpoint);
	free(cs->api_key);
	secret_free(cs->secret_key);
	free(cs->tag_key);
	free(cs->tag_value);
	free(cs->last_first_id);
	free(cs);
}

static const struct provider_ops cloudstack_ops = {
	.type = "cloudstack",
	.begin = cs_begin,
	.step = cs_step,
	.free = cs_free,
};

struct provider *
provider_cloudstack_new(const char *name, const struct cloudstack_config *c,
    struct provider_err *err)
{
	struct cloudstack *cs;
	struct provider *p;

	if (c->endpoint == NULL || c->api_key == NULL || c->secret_key == NULL ||
	    (strncmp(c->endpoint, "https://", 8) != 0 &&
	    strncmp(c->endpoint, "http://", 7) != 0) ||
	    strchr(c->endpoint, '?') != NULL) {
		provider_fail(err, PROVIDER_BAD_CONFIG, "cloudstack %s: needs an "
		    "http(s) endpoint without query, an API key and a secret "
		    "key", name);
		return NULL;
	}
	cs = xcalloc(1, sizeof *cs);
	cs->endpoint = xstrdup(c->endpoint);
	cs->api_key = xstrdup(c->api_key);
	cs->secret_key = xstrdup(c->secret_key);
	cs->timeout_ms = c->timeout_ms;
	p = xcalloc(1, sizeof *p);
	p->ops = &cloudstack_ops;
	p->priv = cs;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}
