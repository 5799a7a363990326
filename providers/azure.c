/* azure.c: client-credentials token, then VMs, NICs and public IPs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "azure.h"
#include "buf.h"
#include "common.h"
#include "http.h"
#include "xmalloc.h"

#define AZ_AUTHORITY "https://login.microsoftonline.com"
#define AZ_MANAGEMENT "https://management.azure.com"
#define AZ_IMDS "http://169.254.169.254"

enum az_state { AZ_TOKEN, AZ_VMS, AZ_NICS, AZ_PIPS, AZ_STATES };

/* Items one list may bring (held until the join): a hub's bound. */
enum { AZ_MAX_ITEMS = 20000 };

static const struct {
	const char *provider, *type, *api;
} az_lists[AZ_STATES] = {
	[AZ_VMS] = { "Microsoft.Compute", "virtualMachines", "2024-11-01" },
	[AZ_NICS] = { "Microsoft.Network", "networkInterfaces", "2024-05-01" },
	[AZ_PIPS] = { "Microsoft.Network", "publicIPAddresses", "2024-05-01" },
};

struct azure {
	char *imds;			/* no secret: managed identity */
	char *tenant, *client_id, *client_secret, *subscription, *group;
	char *authority, *management;
	long timeout_ms;
	char *token;
	time_t token_until;
	char *tag_key, *tag_value;
	enum az_state state;
	enum az_state resume; /* where a new token goes on */
	int reauthed;	      /* this listing got a new token on 401 */
	char *next;			/* nextLink of the current list */
	json_t *items[AZ_STATES];	/* collected values per list */
};

/* Managed identity: the token from the instance metadata service. */
static void
identity_request(struct azure *a, struct http_request *req)
{
	char *res, *eres, *id = a->client_id ? uri_encode(a->client_id) : NULL;

	xasprintf(&res, "%s/", a->management);
	eres = uri_encode(res);
	strcpy(req->method, "GET");
	xasprintf(&req->url, "%s/metadata/identity/oauth2/token?api-version="
	    "2018-02-01&resource=%s%s%s", a->imds, eres, id ? "&client_id=" :
	    "", id ? id : "");
	req->timeout_ms = a->timeout_ms;
	http_request_header(req, "Metadata: true");
	free(res);
	free(eres);
	free(id);
}

static void
token_request(struct azure *a, struct http_request *req)
{
	char *id, *sec, *scope, *escope;

	if (a->imds != NULL) {
		identity_request(a, req);
		return;
	}
	id = uri_encode(a->client_id);
	sec = uri_encode(a->client_secret);
	xasprintf(&scope, "%s/.default", a->management);
	escope = uri_encode(scope);
	strcpy(req->method, "POST");
	xasprintf(&req->url, "%s/%s/oauth2/v2.0/token", a->authority,
	    a->tenant);
	xasprintf(&req->body, "grant_type=client_credentials&client_id=%s&"
	    "client_secret=%s&scope=%s", id, sec, escope);
	req->body_len = strlen(req->body);
	req->timeout_ms = a->timeout_ms;
	http_request_header(req, "Content-Type: application/x-www-form-"
	    "urlencoded");
	secret_free(sec);
	free(id);
	free(scope);
	free(escope);
}

static void
list_request(struct azure *a, struct http_request *req)
{
	strcpy(req->method, "GET");
	if (a->next != NULL)
		req->url = xstrdup(a->next);
	else if (a->group != NULL)
		xasprintf(&req->url, "%s/subscriptions/%s/resourceGroups/%s/"
		    "providers/%s/%s?api-version=%s", a->management,
		    a->subscription, a->group, az_lists[a->state].provider,
		    az_lists[a->state].type, az_lists[a->state].api);
	else
		xasprintf(&req->url, "%s/subscriptions/%s/providers/%s/%s?"
		    "api-version=%s", a->management, a->subscription,
		    az_lists[a->state].provider, az_lists[a->state].type,
		    az_lists[a->state].api);
	req->timeout_ms = a->timeout_ms;
	http_request_header(req, "Authorization: Bearer %s", a->token);
	http_request_header(req, "Accept: application/json");
}

static enum provider_step
token_done(struct provider *p, const struct http_response *resp,
    struct provider_err *err)
{
	struct azure *a = p->priv;

	if (provider_bearer_token(p, resp, &a->token, &a->token_until, err) !=
	    PROVIDER_STEP_REQUEST)
		return PROVIDER_STEP_FAILED;
	a->state = a->resume;
	return PROVIDER_STEP_REQUEST;
}

/* Whether url stays on the management endpoint (scheme and authority). */
static int
same_origin(const char *url, const char *base)
{
	size_t n = strlen(base);

	return strncmp(url, base, n) == 0 && (url[n] == '/' || url[n] == '?');
}

/* One page of a list: keep its values, move to the next page or list. */
static enum provider_step
page_done(struct provider *p, const struct http_response *resp,
    struct provider_err *err)
{
	struct azure *a = p->priv;
	const char *next;
	json_t *j, *v;

	if (resp->status == 401 && !a->reauthed) {
		/* Revoked or expired early: a new token, then the same page. */
		a->reauthed = 1;
		a->resume = a->state;
		a->state = AZ_TOKEN;
		return PROVIDER_STEP_REQUEST;
	}
	if (resp->status != 200)
		return provider_http_fail(p, resp, az_lists[a->state].type,
		    err);
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	v = json_object_get(j, "value");
	if (!json_is_array(v)) {
		json_decref(j);
		return provider_fail(err, PROVIDER_MALFORMED, "azure %s: %s "
		    "answer has no value list", p->name,
		    az_lists[a->state].type), PROVIDER_STEP_FAILED;
	}
	if (json_array_size(a->items[a->state]) + json_array_size(v) >
	    AZ_MAX_ITEMS) {
		json_decref(j);
		provider_fail(err, PROVIDER_MALFORMED,
		    "azure %s: more than %d %s", p->name, AZ_MAX_ITEMS,
		    az_lists[a->state].type);
		return PROVIDER_STEP_FAILED;
	}
	json_array_extend(a->items[a->state], v);
	next = json_string_value(json_object_get(j, "nextLink"));
	free(a->next);
	a->next = next && *next ? xstrdup(next) : NULL;
	json_decref(j);
	if (a->next != NULL && !same_origin(a->next, a->management))
		return provider_fail(err, PROVIDER_MALFORMED, "azure %s: "
		    "nextLink leaves the management endpoint", p->name),
		    PROVIDER_STEP_FAILED;
	if (a->next == NULL && ++a->state == AZ_STATES)
		return PROVIDER_STEP_DONE;
	return PROVIDER_STEP_REQUEST;
}

static const char *
str_at(json_t *o, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(o, a);

	if (b != NULL)
		v = json_object_get(v, b);
	if (c != NULL)
		v = json_object_get(v, c);
	return json_string_value(v);
}

static int
tags_match(json_t *tags, const struct provider_filter *f)
{
	const char *v;

	if (f == NULL || f->tag_key == NULL)
		return 1;
	v = json_string_value(json_object_get(tags, f->tag_key));
	return v != NULL && (f->tag_value == NULL ||
	    strcmp(v, f->tag_value) == 0);
}

/* An ARM id as an index key: they compare case-insensitively. */
static char *
id_key(const char *id)
{
	char *k = xstrdup(id), *p;

	for (p = k; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return k;
}

/*
 * Index a list by the id at path (a, b, c as str_at): key -> array of the
 * items with it.  jansson objects hash their keys, so the join is linear
 * in the listing, not VMs x NICs x IPs.
 */
static json_t *
index_by(json_t *list, const char *a, const char *b, const char *c)
{
	json_t *idx = json_object(), *item, *bucket;
	const char *id;
	char *key;
	size_t i;

	json_array_foreach(list, i, item)
	{
		if ((id = str_at(item, a, b, c)) == NULL)
			continue;
		key = id_key(id);
		if ((bucket = json_object_get(idx, key)) == NULL) {
			bucket = json_array();
			json_object_set_new(idx, key, bucket);
		}
		json_array_append(bucket, item);
		free(key);
	}
	return idx;
}

/* The items of idx under id, or NULL. */
static json_t *
index_get(json_t *idx, const char *id)
{
	json_t *v;
	char *key;

	if (id == NULL)
		return NULL;
	key = id_key(id);
	v = json_object_get(idx, key);
	free(key);
	return v;
}

/* Addresses of every NIC attached to vm (NIC.virtualMachine.id). */
static void
vm_addresses(const char *vmid, json_t *nic_idx, json_t *pip_idx,
    struct instance *in)
{
	json_t *nic, *cfg, *pip;
	const char *a;
	size_t i, j, k;

	json_array_foreach(index_get(nic_idx, vmid), i, nic)
	{
		json_array_foreach(json_object_get(json_object_get(nic,
		    "properties"), "ipConfigurations"), j, cfg) {
			if ((a = str_at(cfg, "properties", "privateIPAddress",
			    NULL)) != NULL)
				instance_add_address(&in->private_addrs,
				    &in->nprivate, a);
			json_array_foreach(index_get(pip_idx,
					       str_at(cfg, "properties",
						   "publicIPAddress", "id")),
			    k, pip) if ((a = str_at(pip, "properties",
					     "ipAddress", NULL)) != NULL)
			    instance_add_address(&in->public_addrs,
				&in->npublic, a);
		}
	}
}

void
azure_join(json_t *vms, json_t *nics, json_t *pips,
    const struct provider_filter *f, struct instance_list *out)
{
	json_t *nic_idx = index_by(nics, "properties", "virtualMachine", "id");
	json_t *pip_idx = index_by(pips, "id", NULL, NULL);
	const char *id, *k, *zone;
	struct instance *in;
	json_t *vm, *tags, *v;
	size_t i;

	json_array_foreach(vms, i, vm) {
		tags = json_object_get(vm, "tags");
		if ((id = str_at(vm, "id", NULL, NULL)) == NULL ||
		    !tags_match(tags, f))
			continue;
		in = instance_list_add(out);
		in->id = xstrdup(id);
		in->name = xstrdup(str_at(vm, "name", NULL, NULL) ?
		    str_at(vm, "name", NULL, NULL) : id);
		if ((k = str_at(vm, "properties", "provisioningState", NULL)))
			in->state = xstrdup(k);
		zone = json_string_value(json_array_get(json_object_get(vm,
		    "zones"), 0));
		if ((k = str_at(vm, "location", NULL, NULL)) != NULL) {
			if (zone != NULL)
				xasprintf(&in->zone, "%s-%s", k, zone);
			else
				in->zone = xstrdup(k);
		}
		json_object_foreach(tags, k, v)
			if (json_is_string(v))
				instance_add_tag(in, k, json_string_value(v));
		vm_addresses(id, nic_idx, pip_idx, in);
	}
	json_decref(nic_idx);
	json_decref(pip_idx);
}

static void
az_reset(struct azure *a)
{
	int s;

	for (s = 0; s < AZ_STATES; s++) {
		json_decref(a->items[s]);
		a->items[s] = json_array();
	}
	free(a->next);
	a->next = NULL;
}

static void
az_begin(struct provider *p, const struct provider_filter *f)
{
	struct azure *a = p->priv;

	free(a->tag_key);
	free(a->tag_value);
	a->tag_key = f && f->tag_key ? xstrdup(f->tag_key) : NULL;
	a->tag_value = f && f->tag_value ? xstrdup(f->tag_value) : NULL;
	az_reset(a);
	a->reauthed = 0;
	a->resume = AZ_VMS;
	a->state = a->token && time(NULL) < a->token_until ? AZ_VMS : AZ_TOKEN;
}

static enum provider_step
az_step(struct provider *p, const struct http_response *resp,
    struct http_request *req, struct instance_list *out,
    struct provider_err *err)
{
	struct azure *a = p->priv;
	struct provider_filter f = { a->tag_key, a->tag_value };
	enum provider_step st = PROVIDER_STEP_REQUEST;

	if (resp != NULL)
		st = a->state == AZ_TOKEN ? token_done(p, resp, err)
					  : page_done(p, resp, err);
	if (st == PROVIDER_STEP_DONE) {
		azure_join(a->items[AZ_VMS], a->items[AZ_NICS],
		    a->items[AZ_PIPS], &f, out);
		az_reset(a);
	}
	if (st != PROVIDER_STEP_REQUEST)
		return st;
	if (a->state == AZ_TOKEN)
		token_request(a, req);
	else
		list_request(a, req);
	return PROVIDER_STEP_REQUEST;
}

static void
az_free(struct provider *p)
{
	struct azure *a = p->priv;
	int s;

	free(a->imds);
	free(a->tenant);
	free(a->client_id);
	secret_free(a->client_secret);
	free(a->subscription);
	free(a->group);
	free(a->authority);
	free(a->management);
	secret_free(a->token);
	free(a->tag_key);
	free(a->tag_value);
	free(a->next);
	for (s = 0; s < AZ_STATES; s++)
		json_decref(a->items[s]);
	free(a);
}

static const struct provider_ops azure_ops = {
	.type = "azure",
	.begin = az_begin,
	.step = az_step,
	.free = az_free,
};

static char *
base_url(const char *s, const char *def)
{
	char *u = xstrdup(s ? s : def);

	while (*u != '\0' && u[strlen(u) - 1] == '/')
		u[strlen(u) - 1] = '\0';
	return u;
}

struct provider *
provider_azure_new(const char *name, const struct azure_config *c,
    struct provider_err *err)
{
	struct provider *p;
	struct azure *a;

	if (c->subscription == NULL || (c->client_secret != NULL &&
	    (c->tenant == NULL || c->client_id == NULL))) {
		provider_fail(err, PROVIDER_BAD_CONFIG, "azure %s: needs a "
		    "subscription, and with a client secret a tenant and client "
		    "id", name);
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	if (c->client_secret == NULL)
		a->imds = base_url(c->imds, AZ_IMDS);
	a->tenant = c->tenant ? xstrdup(c->tenant) : NULL;
	a->client_id = c->client_id ? xstrdup(c->client_id) : NULL;
	a->client_secret = c->client_secret ? xstrdup(c->client_secret) : NULL;
	a->subscription = xstrdup(c->subscription);
	a->group = c->resource_group ? xstrdup(c->resource_group) : NULL;
	a->authority = base_url(c->authority, AZ_AUTHORITY);
	a->management = base_url(c->management, AZ_MANAGEMENT);
	a->timeout_ms = c->timeout_ms;
	p = xcalloc(1, sizeof *p);
	p->ops = &azure_ops;
	p->priv = a;
	snprintf(p->name, sizeof p->name, "%s", name);
	return p;
}
