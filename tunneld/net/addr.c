/* addr.c: parsing, printing, comparing and hashing underlay addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

int
addr_parse(const char *s, uint16_t port, struct sockaddr_any *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, s, &a->sin.sin_addr) == 1) {
		a->sin.sin_family = AF_INET;
		a->sin.sin_port = htons(port);
		a->len = sizeof a->sin;
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a->sin6.sin6_addr) == 1) {
		a->sin6.sin6_family = AF_INET6;
		a->sin6.sin6_port = htons(port);
		a->len = sizeof a->sin6;
		return 0;
	}
	return -1;
}

const char *
addr_ntop(const struct sockaddr_any *a, char *buf, size_t len)
{
	const void *p = a->sa.sa_family == AF_INET
	    ? (const void *)&a->sin.sin_addr
	    : (const void *)&a->sin6.sin6_addr;

	if (a->sa.sa_family != AF_INET && a->sa.sa_family != AF_INET6)
		snprintf(buf, len, "any");
	else if (inet_ntop(a->sa.sa_family, p, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

bool
addr_from(const struct sockaddr *sa, struct sockaddr_any *a)
{
	memset(a, 0, sizeof *a);
	if (sa->sa_family == AF_INET)
		a->len = sizeof a->sin;
	else if (sa->sa_family == AF_INET6)
		a->len = sizeof a->sin6;
	else
		return false;
	memcpy(&a->sa, sa, a->len);
	return true;
}

/* The address bytes of an AF_INET or AF_INET6 sockaddr, and their count. */
static const uint8_t *
host_bytes(const struct sockaddr *sa, size_t *n)
{
	if (sa->sa_family == AF_INET) {
		*n = 4;
		return (const uint8_t *)&((const struct sockaddr_in *)sa)
		    ->sin_addr;
	}
	*n = 16;
	return (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
}

uint16_t
addr_port(const struct sockaddr_any *a)
{
	if (a->sa.sa_family == AF_INET)
		return ntohs(a->sin.sin_port);
	if (a->sa.sa_family == AF_INET6)
		return ntohs(a->sin6.sin6_port);
	return 0;
}

bool
addr_same_host(const struct sockaddr_any *a, const struct sockaddr *sa)
{
	const uint8_t *x, *y;
	size_t n, m;

	if (a->len == 0 || a->sa.sa_family != sa->sa_family)
		return false;
	x = host_bytes(&a->sa, &n);
	y = host_bytes(sa, &m);
	return memcmp(x, y, n) == 0;
}

uint32_t
addr_hash(const struct sockaddr *sa, uint32_t seed)
{
	uint32_t h = 2166136261u ^ seed;
	size_t n, i;
	const uint8_t *p = host_bytes(sa, &n);

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

static const char *
ip4_not_unicast(const uint8_t *b)
{
	if (b[0] == 0)
		return "unspecified"; /* 0.0.0.0/8, "this network" */
	if (b[0] == 127)
		return "loopback";
	if ((b[0] & 0xf0) == 224)
		return "multicast";
	if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
		return "broadcast";
	if (b[0] == 169 && b[1] == 254)
		return "link-local";
	return NULL;
}

const char *
addr_not_unicast(const struct sockaddr_any *a)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	static const uint8_t zero[16];
	const uint8_t *b;
	size_t n;

	if (a->len == 0)
		return "unspecified";
	b = host_bytes(&a->sa, &n);
	if (n == 4)
		return ip4_not_unicast(b);
	if (memcmp(b, v4mapped, sizeof v4mapped) == 0)
		return ip4_not_unicast(b + 12);
	if (memcmp(b, zero, 16) == 0)
		return "unspecified";
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return "loopback";
	if (b[0] == 0xff)
		return "multicast";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local";
	return NULL;
}
