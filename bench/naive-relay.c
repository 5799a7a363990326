/*
 * naive-relay.c: the baseline the benchmark measures against, a TAP <-> UDP
 * relay that moves one frame per system call, no offloads, no batching.
 * Frames travel bare in UDP datagrams (no header).  Benchmark use only.
 *
 * Usage: naive-relay TAP LOCAL-IPV4 REMOTE-IPV4 PORT
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>

#include <err.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
tap_open(const char *name)
{
	struct ifreq	ifr;
	int		fd;

	if ((fd = open("/dev/net/tun", O_RDWR)) == -1)
		err(1, "/dev/net/tun");
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1)
		err(1, "TUNSETIFF %s", name);
	return fd;
}

static struct sockaddr_in
sin_of(const char *addr, const char *port)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		errx(1, "bad address %s", addr);
	return sin;
}

int
main(int argc, char **argv)
{
	static unsigned char	buf[65536];
	struct sockaddr_in	local, remote;
	struct pollfd		pfd[2];
	ssize_t			n;
	int			tap, sock;

	if (argc != 5)
		errx(2, "usage: naive-relay TAP LOCAL REMOTE PORT");
	tap = tap_open(argv[1]);
	local = sin_of(argv[2], argv[4]);
	remote = sin_of(argv[3], argv[4]);
	if ((sock = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	if (bind(sock, (struct sockaddr *)&local, sizeof local) == -1)
		err(1, "bind");
	if (connect(sock, (struct sockaddr *)&remote, sizeof remote) == -1)
		err(1, "connect");
	pfd[0] = (struct pollfd){ .fd = tap, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sock, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) == -1)
			err(1, "poll");
		if (pfd[0].revents & POLLIN &&
		    (n = read(tap, buf, sizeof buf)) > 0)
			(void)send(sock, buf, (size_t)n, 0);
		if (pfd[1].revents & POLLIN &&
		    (n = recv(sock, buf, sizeof buf, 0)) > 0)
			(void)write(tap, buf, (size_t)n);
	}
}
