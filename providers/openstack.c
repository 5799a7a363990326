/* openstack.c: Keystone v3 authentication and Nova server listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common.h"
#include "http.h"
#include "openstack.h"
#include "xmalloc.h"

enum os_state { OS_AUTH, OS_LIST };

struct openstack {
	char *auth_url, *username, *user_domain, *password, *project;
	char *project_domain, *app_cred_id, *app_cred_secret;
	char *region, *interface;
	long timeout_ms;
	char *token;			/* X-Subject-Token */
	time_t token_until;		/* reuse while now < this */
	char *compute;			/* endpoint from the catalog */
	char *tag;
	enum os_state state;
	int reauthed;
	char *next;			/* next page URL */
};

static char *
dup_or(const char *s, const char *def)
{
	return s ? xstrdup(s) : def ? xstrdup(def) : NULL;
}

/* The JSON body of POST /auth/tokens (holds the secret: wiped later). */
static char *
auth_body(const struct openstack *o)
{
	json_t *id, *j;
	char *s;

	if (o->app_cred_id != NULL)
		id = json_pack("{s:[s],s:{s:s,s:s}}", "methods",
		    "application_credential", "application_credential", "id",
		    o->app_cred_id, "secret", o->app_cred_secret);
	else
		id = json_pack("{s:[s],s:{s:{s:s,s:{s:s},s:s}}}", "methods",
		    "password", "password", "user", "name", o->username,
		    "domain", "name", o->user_domain, "password", o->password);
	j = json_pack("{s:{s:o}}", "auth", "identity", id);
	if (o->app_cred_id == NULL)
		json_object_set_new(json_object_get(j, "auth"), "scope",
		    json_pack("{s:{s:s,s:{s:s}}}", "project", "name", o->project,
		    "domain", "name", o->project_domain));
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

static void
auth_request(struct openstack *o, struct http_request *req)
{
	strcpy(req->method, "POST");
	xasprintf(&req->url, "%s/auth/tokens", o->auth_url);
	req->body = auth_body(o);
	req->body_len = strlen(req->body);
	req->timeout_ms = o->timeout_ms;
	http_request_header(req, "Content-Type: application/json");
	http_request_header(req, "Accept: application/json");
}

static void
list_request(struct openstack *o, struct http_request *req)
{
	char *tag;

	strcpy(req->method, "GET");
	if (o->next != NULL)
		req->url = xstrdup(o->next);
	else if (o->tag != NULL) {
		tag = uri_encode(o->tag);
		xasprintf(&req->url, "%s/servers/detail?tags=%s", o->compute,
		    tag);
		free(tag);
	} else
		xasprintf(&req->url, "%s/servers/detail", o->compute);
	req->timeout_ms = o->timeout_ms;
	http_request_header(req, "X-Auth-Token: %s", o->token);
	http_request_header(req, "Accept: application/json");
	http_request_header(req, "OpenStack-API-Version: compute 2.26");
	http_request_header(req, "X-OpenStack-Nova-API-Version: 2.26");
}

/* Compute endpoint of the configured interface and region, or NULL. */
static char *
catalog_compute(json_t *catalog, const char *interface, const char *region)
{
	json_t *svc, *ep;
	size_t i, j;
	const char *url, *r, *rid;
	char *out;

	json_array_foreach(catalog, i, svc) {
		if (!json_is_string(json_object_get(svc, "type")) ||
		    strcmp(json_string_value(json_object_get(svc, "type")),
		    "compute") != 0)
			continue;
		json_array_foreach(json_object_get(svc, "endpoints"), j, ep) {
			const char *ifc = json_string_value(json_object_get(ep,
			    "interface"));
			url = json_string_value(json_object_get(ep, "url"));
			r = json_string_value(json_object_get(ep, "region"));
			rid = json_string_value(json_object_get(ep,
			    "region_id"));
			if (url == NULL || ifc == NULL ||
			    strcmp(ifc, interface) != 0)
				continue;
			if (region != NULL && !(r && strcmp(r, region) == 0) &&
			    !(rid && strcmp(rid, region) == 0))
				continue;
			out = xstrdup(url);
			while (*out && out[strlen(out) - 1] == '/')
				out[strlen(out) - 1] = '\0';
			return out;
		}
	}
	return NULL;
}

static time_t
parse_expiry(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

/* Take the token and the compute endpoint from a Keystone 201. */
static enum provider_step
auth_done(struct provider *p, const struct http_response *resp,
    struct provider_err *err)
{
	struct openstack *o = p->priv;
	json_t *j, *tok;

	if (resp->status < 200 || resp->status > 299)
		return provider_http_fail(p, resp, "keystone", err);
	secret_free(o->token);
	o->token = http_response_header(resp, "X-Subject-Token");
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	tok = json_object_get(j, "token");
	free(o->compute);
	o->compute = catalog_compute(json_object_get(tok, "catalog"),
	    o->interface, o->region);
	o->token_until = parse_expiry(json_string_value(json_object_get(tok,
	    "expires_at"))) - 300;
	json_decref(j);
	if (o->token == NULL || tok == NULL)
		return provider_fail(err, PROVIDER_MALFORMED, "openstack %s: "
		    "keystone answer without a token", p->name),
		    PROVIDER_STEP_FAILED;
	if (o->compute == NULL)
		return provider_fail(err, PROVIDER_NOT_FOUND, "openstack %s: no "
		    "%s compute endpoint%s%s in the catalog", p->name,
		    o->interface, o->region ? " in region " : "",
		    o->region ? o->region : ""), PROVIDER_STEP_FAILED;
	o->state = OS_LIST;
	return PROVIDER_STEP_REQUEST;
}

static void
server_addresses(json_t *addrs, struct instance *in)
{
	const char *net, *type;
	json_t *list, *a;
	size_t i;

	json_object_foreach(addrs, net, list) {
		json_array_foreach(list, i, a) {
			if (!json_is_string(json_object_get(a, "addr")))
				continue;
			type = json_string_value(json_object_get(a,
			    "OS-EXT-IPS:type"));
			if (type != NULL && strcmp(type, "floating") == 0)
				instance_add_address(&in->public_addrs,
				    &in->npublic, json_string_value(
				    json_object_get(a, "addr")));
			else
				instance_add_address(&in->private_addrs,
				    &in->nprivate, json_string_value(
				    json_object_get(a, "addr")));
		}
	}
}

static void
server_tags(json_t *tags, struct instance *in)
{
	const char *t, *eq;
	json_t *v;
	size_t i;
	char *k;

	json_array_foreach(tags, i, v) {
		if ((t = json_string_value(v)) == NULL)
			continue;
		if ((eq = strchr(t, '=')) == NULL) {
			instance_add_tag(in, t, "");
			continue;
		}
		k = strndup(t, (size_t)(eq - t));
		instance_add_tag(in, k, eq + 1);
		free(k);
	}
}

static void
parse_server(json_t *s, struct instance_list *out)
{
	struct instance *in;
	char *id = json_text(s, "id");

	if (id == NULL)
		return;
	in = instance_list_add(out);
	in->id = id;
	in->name = json_text(s, "name");
	if (in->name == NULL)
		in->name = xstrdup(id);
	in->state = json_text(s, "status");
	in->zone = json_text(s, "OS-EXT-AZ:availability_zone");
	server_addresses(json_object_get(s, "addresses"), in);
	server_tags(json_object_get(s, "tags"), in);
}

/* Length of "scheme://authority" of an http(s) URL, 0 if none. */
static size_t
origin_len(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL || (strncmp(url, "http", 4) != 0))
		return 0;
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

/* The next page's URL if servers_links has one on the same origin. */
static int
next_link(struct provider *p, json_t *links, struct provider_err *err)
{
	struct openstack *o = p->priv;
	const char *href, *rel;
	size_t i, n = origin_len(o->compute);
	json_t *l;

	free(o->next);
	o->next = NULL;
	json_array_foreach(links, i, l) {
		rel = json_string_value(json_object_get(l, "rel"));
		href = json_string_value(json_object_get(l, "href"));
		if (rel == NULL || href == NULL || strcmp(rel, "next") != 0)
			continue;
		if (n == 0 || origin_len(href) != n ||
		    strncmp(href, o->compute, n) != 0) {
			provider_fail(err, PROVIDER_MALFORMED, "openstack %s: "
			    "next page link leaves the compute endpoint",
			    p->name);
			return -1;
		}
		o->next = xstrdup(href);
	}
	return 0;
}

static enum provider_step
list_done(struct provider *p, const struct http_response *resp,
    struct instance_list *out, struct provider_err *err)
{
	struct openstack *o = p->priv;
	json_t *j, *servers, *s;
	size_t i;

	if (resp->status == 401 && !o->reauthed) {
		/* The cached token was revoked or expired early: once more. */
		o->reauthed = 1;
		o->state = OS_AUTH;
		return PROVIDER_STEP_REQUEST;
	}
	if (resp->status != 200)
		return provider_http_fail(p, resp, "nova", err);
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	servers = json_object_get(j, "servers");
	if (!json_is_array(servers)) {
		json_decref(j);
		provider_fail(err, PROVIDER_MALFORMED, "openstack %s: nova answer"
		    " has no servers list", p->name);
		return PROVIDER_STEP_FAILED;
	}
	json_array_foreach(servers, i, s)
		parse_server(s, out);
	if (next_link(p, json_object_get(j, "servers_links"), err) != 0) {
		json_decref(j);
		return PROVIDER_STEP_FAILED;
	}
	json_decref(j);
	return o->next ? PROVIDER_STEP_REQUEST : PROVIDER_STEP_DONE;
}

static void
openstack_begin(struct provider *p, const struct provider_filter *f)
{
	struct openstack *o = p->priv;

	free(o->tag);
	o->tag = NULL;
	if (f != NULL && f->tag_key != NULL) {
		if (f->tag_value != NULL)
			xasprintf(&o->tag, "%s=%s", f->tag_key, f->tag_value);
		else
			o->tag = xstrdup(f->tag_key);
	}
	free(o->next);
	o->next = NULL;
	o->reauthed = 0;
	o->state = o->token && o->compute && time(NULL) < o->token_until ?
	    OS_LIST : OS_AUTH;
}

static enum provider_step
openstack_step(struct provider *p, const struct http_response *resp,
    struct http_request *req, struct instance_list *out,
    struct provider_err *err)
{
	struct openstack *o = p->priv;
	enum provider_step st = PROVIDER_STEP_REQUEST;

	if (resp != NULL)
		st = o->state == OS_AUTH ? auth_done(p, resp, err)
					 : list_done(p, resp, out, err);
	if (st != PROVIDER_STEP_REQUEST)
		return st;
	if (o->state == OS_AUTH)
		auth_request(o, req);
	else
		list_request(o, req);
	return PROVIDER_STEP_REQUEST;
}

static void
openstack_free(struct provider *p)
{
	struct openstack *o = p->priv;

	free(o->auth_url);
	free(o->username);
	free(o->user_domain);
	secret_free(o->password);
	free(o->project);
	free(o->project_domain);
	free(o->app_cred_id);
	secret_free(o->app_cred_secret);
	free(o->region);
	free(o->interface);
	secret_free(o->token);
	free(o->compute);
	free(o->tag);
	free(o->next);
	free(o);
}

static const struct provider_ops openstack_ops = {
	.type = "openstack",
	.begin = openstack_begin,
	.step = openstack_step,
	.free = openstack_free,
};

struct provider *
provider_openstack_new(const char *name, const struct openstack_config *c,
    struct provider_err *err)
{
	struct provider *p;
	struct openstack *o;
	int appcred = c->app_cred_id != NULL && c->app_cred_secret != NULL;

	if (c->auth_url == NULL || origin_len(c->auth_url) == 0 || (!appcred &&
	    (c->username == NULL || c->password == NULL ||
	    c->project == NULL))) {
		provider_fail(err, PROVIDER_BAD_CONFIG, "openstack %s: needs an "
		    "http(s) auth URL and a username, password and project, or "
		    "an application credential id and secret", name);
		return NULL;
	}
	o = xcalloc(1, sizeof *o);
	o->auth_url = xstrdup(c->auth_url);
	while (o->auth_url[strlen(o->auth_url) - 1] == '/')
		o->auth_url[strlen(o->auth_url) - 1] = '\0';
	o->username = dup_or(c->username, NULL);
	o->user_domain = dup_or(c->user_domain, "Default");
	o->password = dup_or(c->password, NULL);
	o->project = dup_or(c->project, NULL);
	o->project_domain = dup_or(c->project_domain, "Default");
	o->app_cred_id = appcred ? xstrdup(c->app_cred_id) : NULL;
	o->app_cred_secret = appcred ? xstrdup(c->app_cred_secret) : NULL;
	o->region = dup_or(c->region, NULL);
	o->interface = dup_or(c->interface, "public");
	o->timeout_ms = c->timeout_ms;
	p = xcalloc(1, sizeof *p);
	p->ops = &openstack_ops;
	p->priv = o;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}
