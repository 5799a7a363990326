/* sock.c: UDP and raw GRE underlay sockets. */
#include <errno.h>
#include <linux/filter.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sock.h"
#include "net/wire.h"
#include "xmalloc.h"

enum { SOCK_BUF_BYTES = 4 << 20 };

static int
sock_fail(int fd, char **cause, const char *what, int family,
    const struct sockaddr_any *local, uint16_t port)
{
	int saved = errno;
	char addr[INET6_ADDRSTRLEN] = "";

	if (local != NULL && local->len != 0)
		addr_ntop(local, addr, sizeof addr);
	xasprintf(cause, "%s socket%s%s%s%.0u: %s: %s",
	    family == AF_INET6 ? "IPv6" : "IPv4", addr[0] ? " " : "", addr,
	    port ? " port " : "", port, what, strerror(saved));
	if (fd != -1)
		close(fd);
	errno = saved;
	return -1;
}

static int
setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof val);
}

/* Options every underlay socket gets; -1 names the failing one in *what. */
static int
sock_common(int fd, int family, bool raw, const char **what)
{
	/* Larger buffers absorb bursts; FORCE works as root, else best effort. */
	if (setopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, SOCK_BUF_BYTES) == -1)
		(void)setopt(fd, SOL_SOCKET, SO_RCVBUF, SOCK_BUF_BYTES);
	if (setopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, SOCK_BUF_BYTES) == -1)
		(void)setopt(fd, SOL_SOCKET, SO_SNDBUF, SOCK_BUF_BYTES);
	/* Have the kernel report its receive-buffer drops (SO_RXQ_OVFL). */
	*what = "SO_RXQ_OVFL";
	if (setopt(fd, SOL_SOCKET, SO_RXQ_OVFL, 1) == -1)
		return -1;
	*what = "path MTU discovery mode";
	if (family == AF_INET)
		return setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
		    IP_PMTUDISC_PROBE);
	if (setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER,
	    IPV6_PMTUDISC_PROBE) == -1)
		return -1;
	/* A raw socket counts as bound already and takes IPv6 only anyway. */
	*what = "IPV6_V6ONLY";
	return raw ? 0 : setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
}

/* Bind fd to local's address (or the wildcard) and port. */
static int
sock_bind(int fd, int family, const struct sockaddr_any *local, uint16_t port)
{
	struct sockaddr_any a;

	memset(&a, 0, sizeof a);
	if (local->len != 0)
		a = *local;
	a.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET) {
		a.sin.sin_port = htons(port);
		a.len = sizeof a.sin;
	} else {
		a.sin6.sin6_port = htons(port);
		a.len = sizeof a.sin6;
	}
	return bind(fd, &a.sa, a.len);
}

int
sock_udp(int family, const struct sockaddr_any *local, uint16_t port,
    bool reuseport, bool zero_checksum, char **cause)
{
	const char *what = "socket";
	int fd;

	if ((fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return sock_fail(-1, cause, what, family, local, port);
	if (sock_common(fd, family, false, &what) == -1)
		return sock_fail(fd, cause, what, family, local, port);
	if (reuseport && setopt(fd, SOL_SOCKET, SO_REUSEPORT, 1) == -1)
		return sock_fail(fd, cause, "SO_REUSEPORT", family, local,
		    port);
	/* IPv4 only: IPv6 needs the checksum (RFC 8200 section 8.1). */
	if (zero_checksum && family == AF_INET &&
	    setopt(fd, SOL_SOCKET, SO_NO_CHECK, 1) == -1)
		return sock_fail(fd, cause, "SO_NO_CHECK", family, local, port);
	if (sock_bind(fd, family, local, port) == -1)
		return sock_fail(fd, cause, "bind", family, local, port);
	return fd;
}

int
sock_raw(int family, const struct sockaddr_any *local, int proto, char **cause)
{
	const char *what = "socket";
	int fd;

	if ((fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 proto)) == -1)
		return sock_fail(-1, cause, "raw IP socket", family, local, 0);
	if (sock_common(fd, family, true, &what) == -1)
		return sock_fail(fd, cause, what, family, local, 0);
	if (local->len != 0 && sock_bind(fd, family, local, 0) == -1)
		return sock_fail(fd, cause, "bind", family, local, 0);
	return fd;
}

int
sock_allow_path_fragments(int fd)
{
	return setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_INTERFACE);
}

int
sock_send_only(int fd)
{
	struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop_all };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}
