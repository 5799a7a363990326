/*
 * registry.h: the provider types the daemon can configure, by name.
 *
 * Each type lists the keys its [provider NAME] section may carry and makes
 * a provider from them, so that the config loader and the daemon never
 * switch on a cloud's name.  A key marked PROVIDER_KEY_SECRET is wiped when
 * freed and never shown; one marked PROVIDER_KEY_FILE names a file whose
 * content is passed instead of the path (the GCE service-account key).
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "provider.h"

enum {
	PROVIDER_KEY_SECRET = 1,
	PROVIDER_KEY_FILE = 2,
	PROVIDER_KEY_LIST = 4,		/* comma or space separated */
	PROVIDER_MAX_SETTINGS = 16,
};

struct provider_key {
	const char *name;
	unsigned flags;
};

struct provider_setting {
	const char *key;
	const char *value;
};

struct provider_settings {
	struct provider_setting v[PROVIDER_MAX_SETTINGS];
	size_t n;
	long timeout_ms;
};

struct provider_type {
	const char *type;
	const struct provider_key *keys;	/* ends with a NULL name */
	int needs_tag;		/* a cloud account: list only tagged ones */
	/*
	 * What the cloud allows, by its documentation: the path MTU of its
	 * default network (0: not fixed), and whether it passes IP protocol
	 * 47 (raw GRE) between instances.
	 */
	uint16_t path_mtu;
	int no_ip_gre;
	struct provider *(*create)(const char *name,
	    const struct provider_settings *, struct provider_err *);
};

/* The type called name, NULL if none. */
const struct provider_type *provider_type_find(const char *name);
/* The key of a type called name, NULL if the type has no such key. */
const struct provider_key *provider_type_key(const struct provider_type *,
    const char *name);
/* "openstack, aws, ...": every type, for messages. */
const char *provider_type_names(void);
/* The value of key in settings, NULL if not set. */
const char *provider_setting(const struct provider_settings *,
    const char *key);
/* Make a provider of a type from its settings; NULL with *err set. */
struct provider *provider_create(const struct provider_type *,
    const char *name, const struct provider_settings *,
    struct provider_err *);

#endif
