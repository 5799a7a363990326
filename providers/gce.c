/* gce.c: service-account JWT, OAuth2 token, instances by zone or all. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "buf.h"
#include "common.h"
#include "gce.h"
#include "http.h"
#include "xmalloc.h"

#define GCE_SCOPE "https://www.googleapis.com/auth/compute.readonly"
#define GCE_COMPUTE "https://compute.googleapis.com/compute/v1"
#define GCE_METADATA "http://metadata.google.internal"

enum gce_state { GCE_TOKEN, GCE_LIST };

struct gce {
	char *metadata;			/* no key: the metadata server */
	EVP_PKEY *key;
	char *email, *key_id, *token_uri, *project, *compute;
	char **zones;
	size_t nzones;
	long timeout_ms;
	char *token;
	time_t token_until;
	int reauthed; /* this listing got a new token on 401 */
	char *filter;
	enum gce_state state;
	size_t zone;			/* index into zones */
	char *page_token;
};

/* Base64url without padding (RFC 7515 section 2). */
static char *
b64url(const unsigned char *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *c;
	int len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);

	while (len > 0 && out[len - 1] == '=')
		out[--len] = '\0';
	for (c = out; *c != '\0'; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return out;
}

static char *
b64url_str(const char *s)
{
	return b64url((const unsigned char *)s, strlen(s));
}

/* Compact JSON text of j (sorted keys); consumes j. */
static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(j);
	return s ? s : xstrdup("{}");
}

char *
gce_assertion(struct provider *p, time_t now)
{
	struct gce *g = p->priv;
	unsigned char sig[1024];
	size_t siglen = sizeof sig;
	char *hdr, *claims, *h64, *c64, *s64, *input, *jwt = NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	hdr = dump(json_pack("{s:s,s:s,s:s}", "alg", "RS256", "typ", "JWT",
	    "kid", g->key_id));
	claims = dump(json_pack("{s:s,s:s,s:s,s:I,s:I}", "iss", g->email,
	    "scope", GCE_SCOPE, "aud", g->token_uri, "iat", (json_int_t)now,
	    "exp", (json_int_t)now + 3600));
	h64 = b64url_str(hdr);
	c64 = b64url_str(claims);
	xasprintf(&input, "%s.%s", h64, c64);
	if (md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    g->key) == 1 && EVP_DigestSign(md, sig, &siglen,
	    (unsigned char *)input, strlen(input)) == 1) {
		s64 = b64url(sig, siglen);
		xasprintf(&jwt, "%s.%s", input, s64);
		free(s64);
	}
	EVP_MD_CTX_free(md);
	free(hdr);
	free(claims);
	free(h64);
	free(c64);
	free(input);
	return jwt;
}

/* On GCE without a key file: the instance's service account token. */
static void
metadata_token_request(struct gce *g, struct http_request *req)
{
	strcpy(req->method, "GET");
	xasprintf(&req->url, "%s/computeMetadata/v1/instance/service-accounts/"
	    "default/token", g->metadata);
	req->timeout_ms = g->timeout_ms;
	http_request_header(req, "Metadata-Flavor: Google");
}

static void
token_request(struct provider *p, struct http_request *req)
{
	struct gce *g = p->priv;
	char *jwt, *enc;

	if (g->metadata != NULL) {
		metadata_token_request(g, req);
		return;
	}
	jwt = gce_assertion(p, time(NULL));

	strcpy(req->method, "POST");
	req->url = xstrdup(g->token_uri);
	enc = uri_encode(jwt ? jwt : "");
	xasprintf(&req->body, "grant_type=urn%%3Aietf%%3Aparams%%3Aoauth%%3A"
	    "grant-type%%3Ajwt-bearer&assertion=%s", enc);
	req->body_len = strlen(req->body);
	req->timeout_ms = g->timeout_ms;
	http_request_header(req, "Content-Type: application/x-www-form-"
	    "urlencoded");
	free(enc);
	free(jwt);
}

static void
list_request(struct gce *g, struct http_request *req)
{
	struct buf url = { 0 };
	char *v;

	if (g->nzones > 0)
		buf_addf(&url, "%s/projects/%s/zones/%s/instances", g->compute,
		    g->project, g->zones[g->zone]);
	else
		buf_addf(&url, "%s/projects/%s/aggregated/instances",
		    g->compute, g->project);
	buf_addc(&url, '?');
	if (g->filter != NULL) {
		v = uri_encode(g->filter);
		buf_addf(&url, "filter=%s&", v);
		free(v);
	}
	buf_adds(&url, "maxResults=500");
	if (g->page_token != NULL) {
		v = uri_encode(g->page_token);
		buf_addf(&url, "&pageToken=%s", v);
		free(v);
	}
	strcpy(req->method, "GET");
	req->url = buf_take(&url);
	req->timeout_ms = g->timeout_ms;
	http_request_header(req, "Authorization: Bearer %s", g->token);
	http_request_header(req, "Accept: application/json");
}

static enum provider_step
token_done(struct provider *p, const struct http_response *resp,
    struct provider_err *err)
{
	struct gce *g = p->priv;

	if (provider_bearer_token(p, resp, &g->token, &g->token_until, err) !=
	    PROVIDER_STEP_REQUEST)
		return PROVIDER_STEP_FAILED;
	g->state = GCE_LIST;
	return PROVIDER_STEP_REQUEST;
}

/* Last path segment of a resource URL ("…/zones/us-central1-a"). */
static char *
last_segment(const char *url)
{
	const char *s;

	if (url == NULL)
		return NULL;
	s = strrchr(url, '/');
	return xstrdup(s ? s + 1 : url);
}

static void
add_str(char ***v, size_t *n, json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s != NULL && *s != '\0')
		instance_add_address(v, n, s);
}

static void
gce_instance(json_t *vm, struct instance_list *out)
{
	const char *id = json_string_value(json_object_get(vm, "id")), *k;
	struct instance *in;
	json_t *ni, *ac, *v;
	size_t i, j;

	if (id == NULL)
		return;
	in = instance_list_add(out);
	in->id = xstrdup(id);
	in->name = xstrdup(json_is_string(json_object_get(vm, "name")) ?
	    json_string_value(json_object_get(vm, "name")) : id);
	if (json_is_string(json_object_get(vm, "status")))
		in->state = xstrdup(json_string_value(json_object_get(vm,
		    "status")));
	in->zone = last_segment(json_string_value(json_object_get(vm, "zone")));
	json_array_foreach(json_object_get(vm, "networkInterfaces"), i, ni) {
		add_str(&in->private_addrs, &in->nprivate, ni, "networkIP");
		add_str(&in->private_addrs, &in->nprivate, ni, "ipv6Address");
		json_array_foreach(json_object_get(ni, "accessConfigs"), j, ac)
			add_str(&in->public_addrs, &in->npublic, ac, "natIP");
		json_array_foreach(json_object_get(ni, "ipv6AccessConfigs"), j,
		    ac)
			add_str(&in->public_addrs, &in->npublic, ac,
			    "externalIpv6");
	}
	json_object_foreach(json_object_get(vm, "labels"), k, v)
		if (json_is_string(v))
			instance_add_tag(in, k, json_string_value(v));
}

static void
gce_items(json_t *items, struct instance_list *out)
{
	const char *scope;
	json_t *v, *vm;
	size_t i;

	if (json_is_array(items)) {
		json_array_foreach(items, i, vm)
			gce_instance(vm, out);
		return;
	}
	/* aggregatedList: {"zones/ZONE": {"instances": [...]}, ...} */
	json_object_foreach(items, scope, v)
		json_array_foreach(json_object_get(v, "instances"), i, vm)
			gce_instance(vm, out);
}

static enum provider_step
list_done(struct provider *p, const struct http_response *resp,
    struct instance_list *out, struct provider_err *err)
{
	struct gce *g = p->priv;
	const char *next;
	json_t *j;

	if (resp->status == 401 && !g->reauthed) {
		/* The cached token was revoked or expired early: once more. */
		g->reauthed = 1;
		g->state = GCE_TOKEN;
		return PROVIDER_STEP_REQUEST;
	}
	if (resp->status != 200)
		return provider_http_fail(p, resp, "instances", err);
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	if (!json_is_object(j) || (json_object_get(j, "items") != NULL &&
	    !json_is_array(json_object_get(j, "items")) &&
	    !json_is_object(json_object_get(j, "items")))) {
		json_decref(j);
		return provider_fail(err, PROVIDER_MALFORMED, "gce %s: answer is "
		    "not an instance list", p->name), PROVIDER_STEP_FAILED;
	}
	gce_items(json_object_get(j, "items"), out);
	next = json_string_value(json_object_get(j, "nextPageToken"));
	free(g->page_token);
	g->page_token = next && *next ? xstrdup(next) : NULL;
	json_decref(j);
	if (g->page_token != NULL)
		return PROVIDER_STEP_REQUEST;
	if (g->nzones > 0 && ++g->zone < g->nzones)
		return PROVIDER_STEP_REQUEST;
	return PROVIDER_STEP_DONE;
}

static void
gce_begin(struct provider *p, const struct provider_filter *f)
{
	struct gce *g = p->priv;

	free(g->filter);
	g->filter = NULL;
	if (f != NULL && f->tag_key != NULL) {
		if (f->tag_value != NULL)
			xasprintf(&g->filter, "labels.%s=%s", f->tag_key,
			    f->tag_value);
		else
			xasprintf(&g->filter, "labels.%s:*", f->tag_key);
	}
	free(g->page_token);
	g->page_token = NULL;
	g->zone = 0;
	g->reauthed = 0;
	g->state = g->token && time(NULL) < g->token_until ? GCE_LIST
							   : GCE_TOKEN;
}

static enum provider_step
gce_step(struct provider *p, const struct http_response *resp,
    struct http_request *req, struct instance_list *out,
    struct provider_err *err)
{
	struct gce *g = p->priv;
	enum provider_step st = PROVIDER_STEP_REQUEST;

	if (resp != NULL)
		st = g->state == GCE_TOKEN ? token_done(p, resp, err)
					   : list_done(p, resp, out, err);
	if (st != PROVIDER_STEP_REQUEST)
		return st;
	if (g->state == GCE_TOKEN)
		token_request(p, req);
	else
		list_request(g, req);
	return PROVIDER_STEP_REQUEST;
}

static void
gce_free(struct provider *p)
{
	struct gce *g = p->priv;
	size_t i;

	EVP_PKEY_free(g->key);
	free(g->metadata);
	free(g->email);
	free(g->key_id);
	free(g->token_uri);
	free(g->project);
	free(g->compute);
	for (i = 0; i < g->nzones; i++)
		free(g->zones[i]);
	free(g->zones);
	secret_free(g->token);
	free(g->filter);
	free(g->page_token);
	free(g);
}

static const struct provider_ops gce_ops = {
	.type = "gce",
	.begin = gce_begin,
	.step = gce_step,
	.free = gce_free,
};

/* The private key from the key file's PEM text, which is then wiped. */
static EVP_PKEY *
load_key(json_t *j)
{
	json_t *pk = json_object_get(j, "private_key");
	const char *pem = json_string_value(pk);
	EVP_PKEY *key = NULL;
	BIO *bio;

	if (pem == NULL)
		return NULL;
	if ((bio = BIO_new_mem_buf(pem, -1)) != NULL) {
		key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	OPENSSL_cleanse((char *)(uintptr_t)pem, strlen(pem));
	return key;
}

static void gce_finish(struct gce *, const struct gce_config *);

/* No key file: tokens from the metadata server of the instance we run on. */
static struct provider *
gce_metadata_new(const char *name, const struct gce_config *c, struct gce *g,
    struct provider_err *err)
{
	struct provider *p;

	if (c->project == NULL) {
		free(g);
		provider_fail(err, PROVIDER_BAD_CONFIG, "gce %s: without a key "
		    "file the project must be configured", name);
		return NULL;
	}
	g->metadata = xstrdup(c->metadata ? c->metadata : GCE_METADATA);
	g->project = xstrdup(c->project);
	gce_finish(g, c);
	p = xcalloc(1, sizeof *p);
	p->ops = &gce_ops;
	p->priv = g;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}

/* Settings common to both ways of authenticating. */
static void
gce_finish(struct gce *g, const struct gce_config *c)
{
	size_t i;

	g->compute = xstrdup(c->compute_base ? c->compute_base : GCE_COMPUTE);
	g->timeout_ms = c->timeout_ms;
	if (c->nzones > 0) {
		g->zones = xcalloc(c->nzones, sizeof *g->zones);
		for (i = 0; i < c->nzones; i++)
			g->zones[i] = xstrdup(c->zones[i]);
		g->nzones = c->nzones;
	}
}

struct provider *
provider_gce_new(const char *name, const struct gce_config *c,
    struct provider_err *err)
{
	json_t *j = c->key_json ? json_loads(c->key_json, 0, NULL) : NULL;
	struct gce *g = xcalloc(1, sizeof *g);
	struct provider *p;

	if (c->key_json == NULL)
		return gce_metadata_new(name, c, g, err);
	g->key = load_key(j);
	g->email = json_text(j, "client_email");
	g->key_id = json_text(j, "private_key_id");
	g->token_uri = json_text(j, "token_uri");
	g->project = c->project ? xstrdup(c->project) : json_text(j, "project_id");
	json_decref(j);
	p = xcalloc(1, sizeof *p);
	p->ops = &gce_ops;
	p->priv = g;
	snprintf(p->name, sizeof p->name, "%s", name);
	if (g->key == NULL || g->email == NULL || g->token_uri == NULL ||
	    g->project == NULL) {
		provider_fail(err, PROVIDER_BAD_CONFIG, "gce %s: the service "
		    "account key needs client_email, private_key (PEM), "
		    "token_uri and a project", name);
		provider_free(p);
		return NULL;
	}
	if (g->key_id == NULL)
		g->key_id = xstrdup("");
	gce_finish(g, c);
	return p;
}
