/*
 * config_provider.c: [provider NAME] sections.
 *
 * Common keys (type, tag, address, refresh, ...) are in a table; the rest
 * belong to the provider type (registry.h) and are kept as settings.  A
 * credentials file adds settings from "key = value" lines; it and any file
 * a key names are secrets files (config_secret.c).  The provider is made
 * once at load time, so that a bad key file or an incomplete section fails
 * the load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_priv.h"
#include "xmalloc.h"

/* Staging area for common keys that need a second step. */
struct provider_stage {
	char type[32];
	char tag[400];
	char address[16];
	char family[8];
	char credentials[256];
	int encap;
	long long port;
	char segments[1024];
};

#define PS(f) offsetof(struct provider_stage, f), \
	sizeof(((struct provider_stage *)0)->f)
#define PC(f) offsetof(struct cfg_provider, f), \
	sizeof(((struct cfg_provider *)0)->f)

static const struct key_def provider_stage_keys[] = {
	{ "type", parse_str, KEY_REQUIRED, 0, 0, NULL, PS(type) },
	{ "tag", parse_str, 0, 0, 0, NULL, PS(tag) },
	{ "address", parse_str, 0, 0, 0, "private", PS(address) },
	{ "address-family", parse_str, 0, 0, 0, "any", PS(family) },
	{ "credentials", parse_str, 0, 0, 0, NULL, PS(credentials) },
	{ "encap", parse_encap, 0, 0, 0, "vxlan", PS(encap) },
	{ "port", parse_uint, 0, 1, 65535, NULL, PS(port) },
	{ "segments", parse_str, 0, 0, 0, NULL, PS(segments) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

static const struct key_def provider_keys[] = {
	{ "path-mtu", parse_uint, 0, 576, 65535, NULL, PC(path_mtu) },
	{ "refresh", parse_uint, 0, 1, 86400, "60", PC(refresh_s) },
	{ "grace", parse_uint, 0, 0, 86400, "180", PC(grace_s) },
	{ "timeout", parse_uint, 0, 1, 300, "15", PC(timeout_s) },
	{ NULL, NULL, 0, 0, 0, NULL, 0, 0 },
};

void
cfg_provider_clear(struct cfg_provider *p)
{
	const struct provider_key *k;
	size_t i;
	char *v;

	for (i = 0; i < p->settings.n; i++) {
		v = (char *)(uintptr_t)p->settings.v[i].value;
		k = provider_type_key(p->type, p->settings.v[i].key);
		if (k != NULL && (k->flags & PROVIDER_KEY_SECRET))
			OPENSSL_cleanse(v, strlen(v));
		free(v);
	}
	OPENSSL_cleanse(p, sizeof *p);
}

/*
 * Add one type-specific setting: 0, 1 (not a key of the type) or -1.
 * Errors name where the value came from: the key itself in the config,
 * or the credentials line and the file.
 */
static int
add_setting(struct loader *ld, const char *sec, struct cfg_provider *p,
    const char *key, const char *val, const char *from,
    const struct config *c)
{
	const struct provider_key *k = provider_type_key(p->type, key);
	const char *at = from ? "credentials" : key, *why = NULL;
	char *v;

	if (k == NULL)
		return 1;
	if (provider_setting(&p->settings, k->name) != NULL)
		why = "set twice (config and credentials file)";
	else if (p->settings.n == PROVIDER_MAX_SETTINGS)
		why = "too many settings";
	else if (*val == '\0')
		why = "empty value";
	if (why != NULL && from != NULL)
		return load_fail(ld, sec, at, "%s: %s: %s", from, key, why);
	if (why != NULL)
		return load_fail(ld, sec, at, "%s", why);
	if (from == NULL && (k->flags & PROVIDER_KEY_SECRET) &&
	    !(k->flags & PROVIDER_KEY_FILE) && config_file_exposed(ld))
		return load_fail(ld, sec, key,
		    "a secret in %s, which group or "
		    "others may read: chmod 600 it, or move the secret into a "
		    "credentials file",
		    ld->path);
	if (k->flags & PROVIDER_KEY_FILE) {
		if ((v = read_secret(ld, sec, key, val, c)) == NULL)
			return -1;
	} else
		v = xstrdup(val);
	p->settings.v[p->settings.n].key = k->name;
	p->settings.v[p->settings.n++].value = v;
	return 0;
}

struct provider_load {
	struct cfg_provider *p;
	const struct config *c;
};

static int
extra_key(struct loader *ld, const char *sec, const char *key,
    const char *val)
{
	struct provider_load *pl = ld->extra_arg;

	return add_setting(ld, sec, pl->p, key, val, NULL, pl->c);
}

/* "key = value" lines of a credentials file, through iniparser. */
static int
load_credentials(struct loader *ld, const char *sec, struct cfg_provider *p,
    const char *path, const struct config *c)
{
	dictionary *d;
	const char *key, *val;
	int fd, i, rc = 0;

	if ((fd = open_secret(ld, sec, "credentials", path, c)) < 0)
		return -1;
	close(fd);
	if ((d = iniparser_load(path)) == NULL)
		return load_fail(ld, sec, "credentials", "%s: cannot be parsed",
		    path);
	if (iniparser_getnsec(d) != 0)
		rc = load_fail(ld, sec, "credentials", "%s: holds key = value "
		    "lines only, no sections", path);
	for (i = 0; rc == 0 && i < d->size; i++) {
		if ((key = d->key[i]) == NULL || key[0] != ':')
			continue;
		val = d->val[i] != NULL ? d->val[i] : "";
		if ((rc = add_setting(ld, sec, p, key + 1, val, path, c)) > 0)
			rc = load_fail(ld, sec, "credentials", "%s: \"%s\" is "
			    "not a %s key", path, key + 1, p->type->type);
	}
	/* The dictionary held secrets: wipe before freeing. */
	for (i = 0; i < d->size; i++)
		if (d->val[i] != NULL)
			OPENSSL_cleanse(d->val[i], strlen(d->val[i]));
	iniparser_freedict(d);
	return rc;
}

/* tag, address and address-family: checked and stored. */
static int
load_provider_choices(struct loader *ld, const char *sec,
    struct cfg_provider *p, const struct provider_stage *st)
{
	const char *eq = strchr(st->tag, '=');
	size_t klen = eq ? (size_t)(eq - st->tag) : strlen(st->tag);

	if (st->tag[0] == '\0' && !p->type->needs_tag)
		goto address;
	if (st->tag[0] == '\0')
		return load_fail(ld, sec, NULL, "missing required key \"tag\" "
		    "(a hub tunnels only to the instances it is told to)");
	if (klen == 0 || klen >= sizeof p->tag_key ||
	    (eq && strlen(eq + 1) >= sizeof p->tag_value))
		return load_fail(ld, sec, "tag", "must be KEY or KEY=VALUE "
		    "with a non-empty key");
	memcpy(p->tag_key, st->tag, klen);
	if (eq != NULL) {
		strcpy(p->tag_value, eq + 1);
		p->tag_has_value = true;
	}
address:
	if (strcmp(st->address, "public") == 0)
		p->address = CFG_ADDR_PUBLIC;
	else if (st->address[0] != '\0' && strcmp(st->address, "private") != 0)
		return load_fail(ld, sec, "address", "must be private or "
		    "public");
	if (strcmp(st->family, "ipv4") == 0)
		p->family = AF_INET;
	else if (strcmp(st->family, "ipv6") == 0)
		p->family = AF_INET6;
	else if (st->family[0] != '\0' && strcmp(st->family, "any") != 0)
		return load_fail(ld, sec, "address-family", "must be ipv4, "
		    "ipv6 or any");
	return 0;
}

/*
 * Its peers' encryption: as a [peer]'s, but keyed by the control
 * connection only (manual keys would be the same for every instance),
 * and with nothing pinned to one instance.
 */
static int
load_provider_crypto(struct loader *ld, const char *sec, const struct config *c,
    const struct crypto_stage *st, struct cfg_crypto *cr)
{
	if (st->keying[0] != '\0' && strcmp(st->keying, "auto") != 0)
		return load_fail(ld, sec, "keying",
		    "a provider's peers are keyed by the control connection "
		    "(auto): manual keys would be every instance's");
	if (st->tls_name[0] != '\0' || st->tls_pin[0] != '\0')
		return load_fail(ld, sec,
		    st->tls_name[0] ? "tls-name" : "tls-pin",
		    "names no single instance: a provider's peers need a "
		    "certificate from the [crypto] CA, from their listed "
		    "address");
	return load_peer_crypto(ld, sec, c, st, cr);
}

/* Make the provider once, so that the load fails on what it refuses. */
static int
try_provider(struct loader *ld, const char *sec, struct cfg_provider *p)
{
	struct provider_err err;
	struct provider *pv;

	p->settings.timeout_ms = (long)p->timeout_s * 1000;
	if ((pv = provider_create(p->type, p->name, &p->settings, &err)) ==
	    NULL)
		return load_fail(ld, sec, NULL, "%s", err.message);
	provider_free(pv);
	return 0;
}

int
load_provider(struct loader *ld, const char *sec, struct config *c)
{
	struct cfg_provider *p = &c->providers[c->nproviders];
	struct provider_stage st = { .type = "" };
	struct provider_load pl = { p, c };
	struct crypto_stage cst;
	struct key_table tabs[] = { { provider_stage_keys, &st },
		{ provider_keys, p }, { peer_crypto_keys, &cst } };
	const char *name = sec + strlen("provider "), *type;
	char full[300];
	int rc;

	memset(p, 0, sizeof *p);
	if (!valid_name(name))
		return load_fail(ld, sec, NULL, "bad provider name");
	strcpy(p->name, name);
	snprintf(full, sizeof full, "%s:type", sec);
	type = iniparser_getstring(ld->dict, full, NULL);
	if (type == NULL)
		return load_fail(ld, sec, NULL, "missing required key \"type\"");
	if ((p->type = provider_type_find(type)) == NULL)
		return load_fail(ld, sec, "type", "\"%s\" is not one of %s",
		    type, provider_type_names());
	c->nproviders++;	/* from here on, config_free() clears it */
	ld->extra_key = extra_key;
	ld->extra_arg = &pl;
	memset(&cst, 0, sizeof cst);
	rc = load_section(ld, sec, tabs, 3);
	ld->extra_key = NULL;
	if (rc == 0)
		rc = load_provider_crypto(ld, sec, c, &cst, &p->crypto);
	crypto_stage_clear(&cst);
	if (rc != 0 || load_provider_choices(ld, sec, p, &st) != 0 ||
	    load_peer_segments(ld, sec, c, st.segments, &p->segments) != 0 ||
	    load_encap_port(ld, sec, c, (enum encap_type)st.encap, st.port,
	    &p->port) != 0)
		return -1;
	p->encap = (enum encap_type)st.encap;
	if (p->encap == ENCAP_GRE && p->type->no_ip_gre) {
		load_warn(ld, sec, "encap",
		    "%s passes no IP protocol 47: its "
		    "peers get gre-udp instead of gre",
		    p->type->type);
		p->encap = ENCAP_GREUDP;
		if (load_encap_port(ld, sec, c, p->encap, st.port, &p->port) !=
		    0)
			return -1;
	}
	if (st.credentials[0] != '\0' && load_credentials(ld, sec, p,
	    st.credentials, c) != 0)
		return -1;
	return try_provider(ld, sec, p);
}

int
config_provider_by_name(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->nproviders; i++)
		if (strcmp(c->providers[i].name, name) == 0)
			return i;
	return -1;
}

static bool
settings_equal(const struct provider_settings *a,
    const struct provider_settings *b)
{
	const char *v;
	size_t i;

	if (a->n != b->n || a->timeout_ms != b->timeout_ms)
		return false;
	for (i = 0; i < a->n; i++)
		if ((v = provider_setting(b, a->v[i].key)) == NULL ||
		    strcmp(v, a->v[i].value) != 0)
			return false;
	return true;
}

bool
config_provider_same_listing(const struct cfg_provider *a,
    const struct cfg_provider *b)
{
	return strcmp(a->name, b->name) == 0 && a->type == b->type &&
	    settings_equal(&a->settings, &b->settings) &&
	    strcmp(a->tag_key, b->tag_key) == 0 &&
	    strcmp(a->tag_value, b->tag_value) == 0 &&
	    a->tag_has_value == b->tag_has_value && a->address == b->address &&
	    a->family == b->family && a->refresh_s == b->refresh_s &&
	    a->grace_s == b->grace_s && a->timeout_s == b->timeout_s;
}
