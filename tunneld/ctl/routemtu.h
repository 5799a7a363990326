/*
 * routemtu.h: what the kernel knows of the MTU towards a destination.
 *
 * route_mtu() asks with a UDP socket connected to the destination (nothing
 * is sent): its IP_MTU / IPV6_MTU is the route's MTU, which the kernel
 * lowers when ICMP fragmentation needed / packet too big arrives for any
 * packet to that destination (ours included); and the interface the route
 * leaves by, found by the source address the kernel picks, gives the MTU
 * of the link itself.  Unprivileged; control thread only.
 */
#ifndef ROUTEMTU_H
#define ROUTEMTU_H

#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

struct route_mtu {
	uint16_t path;	 /* the route's MTU, ICMP included (0: unknown) */
	uint16_t device; /* the outgoing interface's MTU (0: unknown) */
};

/*
 * 0, or -1 with errno when there is no route.  The interface's MTU (a
 * getifaddrs() dump) is read only with want_device; else device is 0.
 */
int route_mtu(const struct sockaddr_any *dst, bool want_device,
    struct route_mtu *);

/* The source address the kernel would send to dst from; 0, or -1 (*src
 * zeroed) when there is no route. */
int route_source(const struct sockaddr_any *dst, struct sockaddr_any *src);

#endif
