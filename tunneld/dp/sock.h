/*
 * sock.h: underlay sockets.
 *
 * UDP sockets for VXLAN and GRE-in-UDP (one per data thread, joined with
 * SO_REUSEPORT so the kernel spreads flows over threads), unbound UDP send
 * sockets whose varying source ports carry the flow entropy, and raw
 * IP sockets for the encapsulations over IP (GRE).  All are non-blocking and
 * close-on-exec, set DF without following the kernel's path MTU
 * (IP_PMTUDISC_PROBE: the tunnel endpoint never fragments, RFC 7348
 * section 4.3; an oversize send fails and is counted).  0/fd on success, -1
 * with *cause (caller frees).
 */
#ifndef SOCK_H
#define SOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "net/addr.h"

/* UDP socket bound to local (family only if wildcard) and port. */
int sock_udp(int family, const struct sockaddr_any *local, uint16_t port,
    bool reuseport, bool zero_checksum, char **cause);
/* Raw socket of IP protocol proto, bound to local if it has an address. */
int sock_raw(int family, const struct sockaddr_any *local, int proto,
    char **cause);
/*
 * df = unset / inherit: an IPv4 send socket whose packets go without DF,
 * so routers may fragment them; the kernel still never fragments them
 * itself (IP_PMTUDISC_INTERFACE: a packet over the interface MTU fails).
 * 0 or -1 with errno.
 */
int sock_allow_path_fragments(int fd);
/* A raw socket that only sends: it takes no copies of received packets. */
int sock_send_only(int fd);

#endif
