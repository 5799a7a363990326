/* registry.c: provider types by name, made from [provider] settings. */
#include <string.h>

#include "azure.h"
#include "cloudstack.h"
#include "ec2.h"
#include "gce.h"
#include "openstack.h"
#include "registry.h"
#include "xmalloc.h"

const char *
provider_setting(const struct provider_settings *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, key) == 0)
			return s->v[i].value;
	return NULL;
}

#define SET(k) provider_setting(s, k)

/*
 * Split the list value of key into at most max words of buf; the count,
 * or -1 with *err set when it does not fit (never a silent cut).
 */
static int
split_list(const struct provider_settings *s, const char *key,
    const char *name, char *buf, size_t len, const char **out, size_t max,
    struct provider_err *err)
{
	const char *v = provider_setting(s, key);
	char *tok, *save = NULL;
	size_t n = 0;

	if (v == NULL)
		return 0;
	if (strlen(v) >= len)
		goto toolong;
	strcpy(buf, v);
	for (tok = strtok_r(buf, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (n == max)
			goto toolong;
		out[n++] = tok;
	}
	return (int)n;
toolong:
	provider_fail(err, PROVIDER_BAD_CONFIG, "%s: %s: more than %zu "
	    "entries or %zu bytes", name, key, max, len - 1);
	return -1;
}

static struct provider *
openstack_create(const char *name, const struct provider_settings *s,
    struct provider_err *err)
{
	struct openstack_config c = {
		.auth_url = SET("auth-url"),
		.username = SET("username"),
		.user_domain = SET("user-domain"),
		.password = SET("password"),
		.project = SET("project"),
		.project_domain = SET("project-domain"),
		.app_cred_id = SET("application-credential-id"),
		.app_cred_secret = SET("application-credential-secret"),
		.region = SET("region"),
		.interface = SET("interface"),
		.timeout_ms = s->timeout_ms,
	};

	return provider_openstack_new(name, &c, err);
}

static struct provider *
aws_create(const char *name, const struct provider_settings *s,
    struct provider_err *err)
{
	struct ec2_config c = {
		.region = SET("region"),
		.endpoint = SET("endpoint"),
		.access_key = SET("access-key-id"),
		.secret_key = SET("secret-access-key"),
		.session_token = SET("session-token"),
		.imds_endpoint = SET("imds-endpoint"),
		.timeout_ms = s->timeout_ms,
	};

	return provider_ec2_new(name, &c, err);
}

static struct provider *
cloudstack_create(const char *name, const struct provider_settings *s,
    struct provider_err *err)
{
	struct cloudstack_config c = {
		.endpoint = SET("endpoint"),
		.api_key = SET("api-key"),
		.secret_key = SET("secret-key"),
		.timeout_ms = s->timeout_ms,
	};

	return provider_cloudstack_new(name, &c, err);
}

static struct provider *
gce_create(const char *name, const struct provider_settings *s,
    struct provider_err *err)
{
	const char *zones[64];
	char buf[4096];
	int n = split_list(s, "zones", name, buf, sizeof buf, zones, 64, err);
	struct gce_config c = {
		.key_json = SET("key-file"),
		.project = SET("project"),
		.metadata = SET("metadata-endpoint"),
		.compute_base = SET("compute-endpoint"),
		.zones = zones,
		.timeout_ms = s->timeout_ms,
	};

	if (n < 0)
		return NULL;
	c.nzones = (size_t)n;
	return provider_gce_new(name, &c, err);
}

static struct provider *
azure_create(const char *name, const struct provider_settings *s,
    struct provider_err *err)
{
	struct azure_config c = {
		.tenant = SET("tenant"),
		.client_id = SET("client-id"),
		.client_secret = SET("client-secret"),
		.subscription = SET("subscription"),
		.resource_group = SET("resource-group"),
		.authority = SET("authority"),
		.management = SET("management-endpoint"),
		.imds = SET("imds-endpoint"),
		.timeout_ms = s->timeout_ms,
	};

	return provider_azure_new(name, &c, err);
}

static struct provider *
static_create(const char *name, const struct provider_settings *s,
    struct provider_err *err)
{
	const char *entries[256];
	char buf[8192];
	int i, n = split_list(s, "instances", name, buf, sizeof buf, entries,
	    256, err);

	for (i = 0; i < n; i++) {
		if (strchr(entries[i], '=') == NULL) {
			provider_fail(err, PROVIDER_BAD_CONFIG, "static %s: "
			    "\"%s\" is not NAME=ADDRESS", name, entries[i]);
			return NULL;
		}
	}
	return n < 0 ? NULL : provider_static_new(name, entries, (size_t)n);
}

#undef SET

static const struct provider_key openstack_keys[] = {
	{ "auth-url", 0 }, { "username", 0 }, { "user-domain", 0 },
	{ "password", PROVIDER_KEY_SECRET }, { "project", 0 },
	{ "project-domain", 0 }, { "application-credential-id", 0 },
	{ "application-credential-secret", PROVIDER_KEY_SECRET },
	{ "region", 0 }, { "interface", 0 }, { NULL, 0 },
};

static const struct provider_key aws_keys[] = {
	{ "region", 0 }, { "endpoint", 0 }, { "access-key-id", 0 },
	{ "secret-access-key", PROVIDER_KEY_SECRET },
	{ "session-token", PROVIDER_KEY_SECRET }, { "imds-endpoint", 0 },
	{ NULL, 0 },
};

static const struct provider_key cloudstack_keys[] = {
	{ "endpoint", 0 }, { "api-key", 0 },
	{ "secret-key", PROVIDER_KEY_SECRET }, { NULL, 0 },
};

static const struct provider_key gce_keys[] = {
	{ "key-file", PROVIDER_KEY_SECRET | PROVIDER_KEY_FILE },
	{ "project", 0 }, { "zones", PROVIDER_KEY_LIST },
	{ "metadata-endpoint", 0 }, { "compute-endpoint", 0 }, { NULL, 0 },
};

static const struct provider_key azure_keys[] = {
	{ "tenant", 0 }, { "client-id", 0 },
	{ "client-secret", PROVIDER_KEY_SECRET }, { "subscription", 0 },
	{ "resource-group", 0 }, { "authority", 0 },
	{ "management-endpoint", 0 }, { "imds-endpoint", 0 }, { NULL, 0 },
};

static const struct provider_key static_keys[] = {
	{ "instances", PROVIDER_KEY_LIST }, { NULL, 0 },
};

static const struct provider_type types[] = {
	{ "openstack", openstack_keys, 1, 0, 0, openstack_create },
	{ "aws", aws_keys, 1, 0, 0, aws_create },
	{ "cloudstack", cloudstack_keys, 1, 0, 0, cloudstack_create },
	/* GCE: a VPC network's MTU is 1460 unless it was created otherwise. */
	{ "gce", gce_keys, 1, 1460, 0, gce_create },
	/* Azure: VNets carry TCP, UDP and ICMP only, no GRE. */
	{ "azure", azure_keys, 1, 0, 1, azure_create },
	{ "static", static_keys, 0, 0, 0, static_create },
};

const struct provider_type *
provider_type_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(types[i].type, name) == 0)
			return &types[i];
	return NULL;
}

const struct provider_key *
provider_type_key(const struct provider_type *t, const char *name)
{
	const struct provider_key *k;

	for (k = t->keys; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

const char *
provider_type_names(void)
{
	return "openstack, aws, cloudstack, gce, azure, static";
}

struct provider *
provider_create(const struct provider_type *t, const char *name,
    const struct provider_settings *s, struct provider_err *err)
{
	struct provider *p;

	memset(err, 0, sizeof *err);
	if ((p = t->create(name, s, err)) == NULL && err->kind == PROVIDER_OK)
		provider_fail(err, PROVIDER_BAD_CONFIG, "%s %s: incomplete "
		    "settings", t->type, name);
	return p;
}
