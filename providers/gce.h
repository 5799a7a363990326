/*
 * gce.h: the Google Compute Engine provider.
 *
 * Authenticates as a service account: an RS256-signed JWT (RFC 7523)
 * made from the account's JSON key is exchanged at its token_uri for an
 * OAuth2 access token, kept until five minutes before it expires.  Then
 * lists instances with filter labels.KEY=VALUE (or labels.KEY:*) in each
 * configured zone, or across all zones with aggregatedList, following
 * nextPageToken.  Without a key file, running on GCE, the token comes
 * from the metadata server (the instance's service account) instead.
 * networkIP and IPv6 addresses are private, natIP and
 * external IPv6 public, labels are the tags.  The private key is parsed at
 * creation, and its PEM text wiped.
 */
#ifndef GCE_H
#define GCE_H

#include <stddef.h>
#include <time.h>

#include "provider.h"

struct gce_config {
	const char *key_json;		/* key file text; NULL: metadata server */
	const char *metadata;		/* NULL: http://metadata.google.internal */
	const char *project;		/* NULL: the key's project_id */
	const char *const *zones;	/* NULL or empty: aggregatedList */
	size_t nzones;
	const char *compute_base;	/* NULL: https://compute.googleapis.com/compute/v1 */
	long timeout_ms;
};

struct provider *provider_gce_new(const char *name, const struct gce_config *,
    struct provider_err *);

/* The signed JWT assertion a provider would send at time now (tests). */
char *gce_assertion(struct provider *, time_t now);

#endif
