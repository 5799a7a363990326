/*
 * azure.h: the Azure provider (Microsoft Entra ID + Azure Resource Manager).
 *
 * Takes an OAuth2 client-credentials token (scope management/.default)
 * from the tenant's v2.0 token endpoint, kept until five minutes before it
 * expires (without a secret, running on Azure: the managed identity's
 * token from the instance metadata service); then lists, each following
 * nextLink, the virtual machines, the
 * network interfaces and the public IP addresses of the subscription (or
 * one resource group), and joins them by resource id (case-insensitive, as
 * ARM ids are): a VM's NICs give its private addresses and, through their
 * public IP resources, its public ones.  ARM cannot filter VMs by tag, so
 * the tag filter is applied here.  State is the provisioning state.  A
 * nextLink that leaves the management endpoint is refused.
 */
#ifndef AZURE_H
#define AZURE_H

#include <jansson.h>

#include "provider.h"

struct azure_config {
	const char *tenant;
	const char *client_id;		/* with no secret: user-assigned identity */
	const char *client_secret;	/* NULL: managed identity via IMDS */
	const char *subscription;
	const char *resource_group;	/* NULL: the whole subscription */
	const char *authority;		/* NULL: https://login.microsoftonline.com */
	const char *management;		/* NULL: https://management.azure.com */
	long timeout_ms;
	const char *imds;		/* NULL: http://169.254.169.254 */
};

struct provider *provider_azure_new(const char *name,
    const struct azure_config *, struct provider_err *);

/* Join ARM VM, NIC and public IP values into instances (also for tests). */
void azure_join(json_t *vms, json_t *nics, json_t *pips,
    const struct provider_filter *, struct instance_list *out);

#endif
