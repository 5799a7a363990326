/*
 * cloudstack.h: the Apache CloudStack provider (listVirtualMachines).
 *
 * Signs every request as the CloudStack developer guide describes: values
 * URL-encoded (space as %20), the whole command string lower-cased and
 * sorted by field, HMAC-SHA1 with the secret key, Base64.  Lists
 * listVirtualMachines&listall=true&tags[0].key=K&tags[0].value=V page by
 * page (pagesize 500) until `count` instances are in hand, or a short or
 * empty page; a page that repeats the previous one fails the listing.
 * NIC addresses are private, a static-NAT publicip public.
 */
#ifndef CLOUDSTACK_H
#define CLOUDSTACK_H

#include <stddef.h>

#include "provider.h"

struct cloudstack_config {
	const char *endpoint;		/* e.g. https://cloud.example/client/api */
	const char *api_key;
	const char *secret_key;
	long timeout_ms;
};

struct cs_param {
	const char *name;
	const char *value;
};

/* Signature (Base64 of HMAC-SHA1) of a parameter set; caller frees. */
char *cloudstack_sign(const struct cs_param *, size_t n, const char *secret);

struct provider *provider_cloudstack_new(const char *name,
    const struct cloudstack_config *, struct provider_err *);

#endif
