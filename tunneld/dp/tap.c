/* tap.c: multi-queue TAP devices and their bridge membership. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"
#include "xmalloc.h"

static int
tap_fail(char **cause, const char *name, const char *what)
{
	int saved = errno;

	xasprintf(cause, "TAP %s: %s: %s", name, what, strerror(saved));
	errno = saved;
	return -1;
}

/* Offloads a queue asks for: checksums and TCP segmentation left to us. */
#define TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)

static int
tap_open_queues(const char *name, int nqueues, int *fds, bool vnet,
    char **cause)
{
	struct ifreq ifr;
	int i, fd;

	for (i = 0; i < nqueues; i++) {
		if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK |
		    O_CLOEXEC)) == -1) {
			tap_fail(cause, name, "open /dev/net/tun");
			goto fail;
		}
		memset(&ifr, 0, sizeof ifr);
		snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE |
		    (vnet ? IFF_VNET_HDR : 0);
		if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
			tap_fail(cause, name, "TUNSETIFF");
			close(fd);
			goto fail;
		}
		if (vnet && ioctl(fd, TUNSETOFFLOAD, TAP_OFFLOADS) == -1) {
			tap_fail(cause, name, "TUNSETOFFLOAD");
			close(fd);
			goto fail;
		}
		fds[i] = fd;
	}
	return 0;
fail:
	while (i-- > 0)
		close(fds[i]);
	return -1;
}

int
tap_open(const char *name, int nqueues, int *fds, bool *vnet, char **cause)
{
	char *why = NULL;

	if (*vnet && tap_open_queues(name, nqueues, fds, true, &why) == 0)
		return 0;
	if (*vnet) {
		*vnet = false;
		log_warnx("%s; TAP %s without offloads", why, name);
		free(why);
	}
	return tap_open_queues(name, nqueues, fds, false, cause);
}

/* An AF_INET datagram socket for interface ioctls. */
static int
ifreq_socket(const char *name, struct ifreq *ifr, char **cause)
{
	int s;

	memset(ifr, 0, sizeof *ifr);
	snprintf(ifr->ifr_name, sizeof ifr->ifr_name, "%s", name);
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		tap_fail(cause, name, "socket");
	return s;
}

int
tap_configure(const char *name, int mtu, char **cause)
{
	struct ifreq ifr;
	int s, rc = -1;

	if ((s = ifreq_socket(name, &ifr, cause)) == -1)
		return -1;
	ifr.ifr_mtu = mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) == -1)
		tap_fail(cause, name, "set MTU");
	else if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		tap_fail(cause, name, "get flags");
	else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
			tap_fail(cause, name, "set up");
		else
			rc = 0;
	}
	close(s);
	return rc;
}

static int
tap_bridge_ioctl(const char *name, const char *bridge, unsigned long req,
    char **cause)
{
	struct ifreq ifr;
	unsigned int idx;
	int s, rc = 0;

	if (bridge[0] == '\0')
		return 0;
	if ((idx = if_nametoindex(name)) == 0)
		return tap_fail(cause, name, "no such device");
	if ((s = ifreq_socket(bridge, &ifr, cause)) == -1)
		return -1;
	ifr.ifr_ifindex = (int)idx;
	if (ioctl(s, req, &ifr) == -1) {
		xasprintf(cause, "TAP %s: %s bridge %s: %s", name,
		    req == SIOCBRADDIF ? "attach to" : "detach from", bridge,
		    strerror(errno));
		rc = -1;
	}
	close(s);
	return rc;
}

int
tap_attach_bridge(const char *name, const char *bridge, char **cause)
{
	return tap_bridge_ioctl(name, bridge, SIOCBRADDIF, cause);
}

int
tap_detach_bridge(const char *name, const char *bridge, char **cause)
{
	return tap_bridge_ioctl(name, bridge, SIOCBRDELIF, cause);
}
