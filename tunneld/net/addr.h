/*
 * addr.h: underlay addresses (IPv4 or IPv6, with a port).
 *
 * struct sockaddr_any holds either family with its length, so that it can
 * be handed to sendmsg() as it is.  Pure functions, any thread.
 */
#ifndef ADDR_H
#define ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sockaddr_any {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	};
	socklen_t len; /* 0: no address (a wildcard) */
};

/* Parse a numeric IPv4 or IPv6 address and give it port; 0 or -1. */
int addr_parse(const char *, uint16_t port, struct sockaddr_any *);
/* Format the address (not the port) into buf; "any" if there is none. */
const char *addr_ntop(const struct sockaddr_any *, char *buf, size_t len);
/* Copy an AF_INET or AF_INET6 sockaddr; false for any other family. */
bool addr_from(const struct sockaddr *, struct sockaddr_any *);
/* a's port, in host order (0 for no family). */
uint16_t addr_port(const struct sockaddr_any *a);
/* Whether sa has a's family and address, whatever the ports. */
bool addr_same_host(const struct sockaddr_any *a, const struct sockaddr *sa);
/* Hash of sa's address (never its port), mixed with seed. */
uint32_t addr_hash(const struct sockaddr *sa, uint32_t seed);
/*
 * Why a can be no peer's: "unspecified", "loopback", "multicast",
 * "broadcast" or "link-local" (no scope to send it with); NULL if it is a
 * unicast address another host may have.
 */
const char *addr_not_unicast(const struct sockaddr_any *a);

#endif
