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

int
route_mtu(const struct sockaddr_any *dst, bool want_device, struct route_mtu *r)
{
	int family = dst->sa.sa_family, fd, mtu = 0, saved;
	socklen_t len = sizeof mtu;
	struct sockaddr_any src, to = *dst;
	struct sockaddr_storage ss;

	memset(r, 0, sizeof *r);
	if ((fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* Any port will do: connect only picks the route. */
	if (family == AF_INET && to.sin.sin_port == 0)
		to.sin.sin_port = htons(9);
	if (family == AF_INET6 && to.sin6.sin6_port == 0)
		to.sin6.sin6_port = htons(9);
	if (connect(fd, &to.sa, to.len) == -1)
		goto fail;
	if (getsockopt(fd, family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		family == AF_INET6 ? IPV6_MTU : IP_MTU, &mtu, &len) == 0 &&
	    mtu > 0 && mtu <= 65535)
		r->path = (uint16_t)mtu;
	len = sizeof ss;
	if (want_device && getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
	    addr_from((struct sockaddr *)&ss, &src))
		r->device = device_mtu(fd, &src);
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
