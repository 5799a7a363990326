/* localaddr.c: this host's addresses, from getifaddrs(). */
#include <ifaddrs.h>
#include <stdlib.h>

#include "localaddr.h"
#include "log.h"
#include "xmalloc.h"

struct localaddrs {
	struct sockaddr_any *v;
	size_t n;
};

struct localaddrs *
localaddrs_new(void)
{
	struct localaddrs *l = xcalloc(1, sizeof *l);
	struct ifaddrs *ifa, *i;
	size_t cap = 0;

	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs: cannot tell this host's addresses");
		return l;
	}
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 16;
			l->v = xreallocarray(l->v, cap, sizeof *l->v);
		}
		if (addr_from(i->ifa_addr, &l->v[l->n]))
			l->n++;
	}
	freeifaddrs(ifa);
	return l;
}

void
localaddrs_free(struct localaddrs *l)
{
	if (l == NULL)
		return;
	free(l->v);
	free(l);
}

bool
localaddrs_has(const struct localaddrs *l, const struct sockaddr_any *a)
{
	size_t i;

	for (i = 0; l != NULL && i < l->n; i++)
		if (addr_same_host(&l->v[i], &a->sa))
			return true;
	return false;
}

const char *
localaddrs_refuse(const struct localaddrs *l, const struct sockaddr_any *a)
{
	const char *why = addr_not_unicast(a);

	if (why != NULL)
		return why;
	return localaddrs_has(l, a) ? "an address of this host" : NULL;
}
