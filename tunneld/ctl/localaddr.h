/*
 * localaddr.h: the addresses of this host (its network namespace).
 *
 * A peer at one of them is this daemon itself: every frame it floods would
 * come straight back (a hub whose own VM carries the discovery tag does
 * this by itself).  The config loader and discovery ask before they make a
 * peer.  The set is read with getifaddrs() when made and not kept up to
 * date: make one per load or listing.  Control thread only.
 */
#ifndef LOCALADDR_H
#define LOCALADDR_H

#include <stdbool.h>

#include "net/addr.h"

struct localaddrs;

/* This host's addresses now; never NULL (empty if they cannot be read). */
struct localaddrs *localaddrs_new(void);
void localaddrs_free(struct localaddrs *);
/* Whether a (its address, not its port) is one of them; l may be NULL. */
bool localaddrs_has(const struct localaddrs *, const struct sockaddr_any *a);
/*
 * Why a can be no peer's (addr_not_unicast(), or "an address of this
 * host"), NULL if it can.
 */
const char *localaddrs_refuse(const struct localaddrs *,
    const struct sockaddr_any *a);

#endif
