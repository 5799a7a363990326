/*
 * openstack.h: the OpenStack provider (Keystone v3 + Nova).
 *
 * Authenticates with a password (user and project by name and domain) or
 * an application credential, takes the compute endpoint of the configured
 * interface and region from the returned service catalog, and lists
 * GET /servers/detail?tags=TAG (microversion 2.26, which returns tags),
 * following the "next" link of servers_links to the end.  The Nova tag is
 * KEY or, with a value, KEY=VALUE.  Fixed addresses are private, floating
 * ones public.
 *
 * The token is kept until five minutes before it expires; a 401 from Nova
 * re-authenticates once.  A next link that leaves the compute endpoint's
 * origin is refused, so the token is never sent elsewhere.  Secrets are
 * copied in, wiped on free, and never appear in errors.
 */
#ifndef OPENSTACK_H
#define OPENSTACK_H

#include "provider.h"

struct openstack_config {
	const char *auth_url;		/* Keystone v3, e.g. https://h:5000/v3 */
	/* Password authentication ... */
	const char *username;
	const char *user_domain;	/* name; NULL: "Default" */
	const char *password;
	const char *project;
	const char *project_domain;	/* name; NULL: "Default" */
	/* ... or an application credential. */
	const char *app_cred_id;
	const char *app_cred_secret;
	const char *region;		/* NULL: the first compute endpoint */
	const char *interface;		/* NULL: "public" */
	long timeout_ms;
};

struct provider *provider_openstack_new(const char *name,
    const struct openstack_config *, struct provider_err *);

#endif
