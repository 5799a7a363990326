/* routemtu.c: the route's and the interface's MTU towards a peer. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "routemtu.h"

/* The MTU of the interface that holds address a; 0 if none does. */
static uint16_t
device_mtu(int fd, const struct sockaddr_any *a)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr;
	uint16_t mtu = 0;

	if (getifaddrs(&ifa) == -1)
		return 0;
	for (i = ifa; i != NULL && mtu == 0; i = i->ifa_next) {
		if (i->ifa_addr == NULL || !addr_same_host(a, i->ifa_addr))
			continue;
		memset(&ifr, 0, sizeof ifr);
		strncpy(ifr.ifr_name, i->ifa_name, IFNAMSIZ - 1);
		if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0 &&
		    ifr.ifr_mtu <= 65535)
			mtu = (uint16_t)ifr.ifr_mtu;
	}
	freeifaddrs(ifa);
	return mtu;
}

/* A UDP socket connected to dst (nothing is sent); fd, or -1 with errno. */
static int
route_socket(const struct sockaddr_any *dst)
{
	int family = dst->sa.sa_family, fd, saved;
	struct sockaddr_any to = *dst;

	if ((fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* Any port will do: connect only picks the route. */
	if (family == AF_INET && to.sin.sin_port == 0)
		to.sin.sin_port = htons(9);
	if (family == AF_INET6 && to.sin6.sin6_port == 0)
		to.sin6.sin6_port = htons(9);
	if (connect(fd, &to.sa, to.len) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* The source address the kernel picked for fd's route. */
static bool
route_src(int fd, struct sockaddr_any *src)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	return getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_from((struct sockaddr *)&ss, src);
}

int
route_mtu(const struct sockaddr_any *dst, bool want_device, struct route_mtu *r)
{
	int family = dst->sa.sa_family, fd, mtu = 0;
	socklen_t len = sizeof mtu;
	struct sockaddr_any src;

	memset(r, 0, sizeof *r);
	if ((fd = route_socket(dst)) == -1)
		return -1;
	if (getsockopt(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		family == AF_INET6 ? IPV6_MTU : IP_MTU, &mtu, &len) == 0 &&
	    mtu > 0 && mtu <= 65535)
		r->path = (uint16_t)mtu;
	if (want_device && route_src(fd, &src))
		r->device = device_mtu(fd, &src);
	close(fd);
	return 0;
}

int
route_source(const struct sockaddr_any *dst, struct sockaddr_any *src)
{
	int fd = route_socket(dst);
	bool ok = fd != -1 && route_src(fd, src);

	if (fd != -1)
		close(fd);
	if (!ok)
		memset(src, 0, sizeof *src);
	return ok ? 0 : -1;
}
