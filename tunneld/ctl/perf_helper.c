/*
 * perf_helper.c: the test helper and the set-up of a runner's process
 * (perf_helper.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp/tap.h"
#include "perf_helper.h"
#include "perf_run.h"
#include "xmalloc.h"

/* The helper's answer; the fds ride with it (runner socket, then TAP). */
struct reply {
	int ok;
	pid_t pid;
	int ntap;
	int vnet;
	char why[200];
};

struct helper {
	int fd;
	uid_t uid;
	gid_t gid;
	int nqueues;
	bool vnet;
};

static void
send_reply(int fd, const struct reply *rp, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * (DP_MAX_THREADS + 1))];
	struct iovec iov = { (void *)(uintptr_t)rp, sizeof *rp };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (nfds > 0) {
		memset(cbuf, 0, sizeof cbuf);
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	(void)sendmsg(fd, &m, MSG_NOSIGNAL);
}

/* A runner that could not start: why (what, and errno if err). */
static void
refuse(int fd, const char *what, int err)
{
	struct reply rp = { 0 };

	snprintf(rp.why, sizeof rp.why, "%s%s%s", what, err ? ": " : "",
	    err ? strerror(err) : "");
	send_reply(fd, &rp, NULL, 0);
}

static int
if_up(int s, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static int
if_addr(int s, const char *name, const char *addr, const char *mask)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	if (ioctl(s, SIOCSIFADDR, &ifr) == -1)
		return -1;
	inet_pton(AF_INET, mask, &sin->sin_addr);
	return ioctl(s, SIOCSIFNETMASK, &ifr);
}

/* No IPv6 on the TAP: no DAD, no router solicitations on the test link. */
static void
no_ipv6(const char *name)
{
	char path[96];
	int fd;

	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
	    name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) != -1) {
		(void)!write(fd, "1", 1);
		close(fd);
	}
}

/* In the runner, still root: its namespace, lo and the TAP. */
static int
make_netns(const struct helper *h, const struct perf_spawn *sp, int *tap,
    bool *vnet, char **cause)
{
	int s;

	if (unshare(CLONE_NEWNET) == -1) {
		xasprintf(cause, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return -1;
	}
	*vnet = h->vnet;
	if (tap_open(PERF_TAP, h->nqueues, tap, vnet, cause) != 0)
		return -1;
	no_ipv6(PERF_TAP);
	if (tap_configure(PERF_TAP, sp->mtu, cause) != 0)
		return -1;
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    if_up(s, "lo") == -1 ||
	    if_addr(s, PERF_TAP, sp->requester ? PERF_NET ".1" : PERF_NET ".2",
		"255.255.255.252") == -1) {
		xasprintf(cause, "the test's addresses: %s", strerror(errno));
		return -1;
	}
	close(s);
	return 0;
}

static int
drop_all(const struct helper *h)
{
	if (setgroups(0, NULL) == -1 ||
	    setresgid(h->gid, h->gid, h->gid) == -1 ||
	    setresuid(h->uid, h->uid, h->uid) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return 0;
}

/* The runner's process: set up, hand over the fds, drop, run. */
static void
runner_main(const struct helper *h, const struct perf_spawn *sp)
{
	struct reply rp = { .ok = 1, .pid = getpid() };
	int fds[DP_MAX_THREADS + 1], sv[2], i;
	char *cause = NULL;
	bool vnet = false;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		refuse(h->fd, "socketpair", errno);
		_exit(1);
	}
	fds[0] = sv[1];
	if (sp->tunnel && make_netns(h, sp, fds + 1, &vnet, &cause) != 0) {
		refuse(h->fd, cause, 0);
		_exit(1);
	}
	rp.ntap = sp->tunnel ? h->nqueues : 0;
	rp.vnet = vnet;
	if (drop_all(h) == -1) {
		refuse(h->fd, "dropping privileges", errno);
		_exit(1);
	}
	send_reply(h->fd, &rp, fds, 1 + rp.ntap);
	for (i = 0; i < 1 + rp.ntap; i++)
		close(fds[i]);
	close(h->fd);
	_exit(perf_run(sv[0]));
}

static void
helper_main(struct helper *h)
{
	struct perf_spawn sp;
	ssize_t n;
	pid_t pid;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "tunneld-perf");
	signal(SIGCHLD, SIG_IGN); /* runners are reaped by the kernel */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_IGN);
	while ((n = recv(h->fd, &sp, sizeof sp, 0)) == (ssize_t)sizeof sp) {
		if ((pid = fork()) == -1)
			refuse(h->fd, "fork", errno);
		else if (pid == 0)
			runner_main(h, &sp);
	}
	_exit(0);
}

int
perf_helper_start(const char *user, int nqueues, bool vnet, char **cause)
{
	struct helper h = { .nqueues = nqueues, .vnet = vnet };
	struct passwd *pw;
	int sv[2];
	pid_t pid;

	if ((pw = getpwnam(user != NULL && user[0] ? user : "nobody")) ==
	    NULL) {
		xasprintf(cause, "throughput tests: no user %s",
		    user != NULL && user[0] ? user : "nobody");
		return -1;
	}
	h.uid = pw->pw_uid;
	h.gid = pw->pw_gid;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1 ||
	    (pid = fork()) == -1) {
		xasprintf(cause, "throughput tests' helper: %s",
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Nothing of the daemon's: its TAPs must go when it closes
		 * them. */
		if (dup2(sv[1], 3) == -1)
			_exit(1);
		close_range(4, ~0u, 0);
		h.fd = 3;
		helper_main(&h);
	}
	close(sv[1]);
	return sv[0];
}

/* The reply and its fds, within 5 s. */
static int
recv_reply(int h, struct reply *rp, int *fds, int *nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * (DP_MAX_THREADS + 1))];
	struct iovec iov = { rp, sizeof *rp };
	struct msghdr m = { .msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof cbuf };
	struct pollfd p = { .fd = h, .events = POLLIN };
	struct cmsghdr *cm;

	*nfds = 0;
	if (poll(&p, 1, 5000) != 1 ||
	    recvmsg(h, &m, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof *rp)
		return -1;
	for (cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			*nfds =
			    (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)*nfds);
		}
	rp->why[sizeof rp->why - 1] = '\0';
	return 0;
}

int
perf_helper_spawn(int h, const struct perf_spawn *sp, struct perf_runner *r,
    char **cause)
{
	int fds[DP_MAX_THREADS + 1], nfds, i;
	struct reply rp;

	if (h == -1 || send(h, sp, sizeof *sp, MSG_NOSIGNAL) == -1 ||
	    recv_reply(h, &rp, fds, &nfds) == -1) {
		xasprintf(cause,
		    "the throughput tests' helper does not answer");
		return -1;
	}
	if (!rp.ok || nfds != 1 + rp.ntap) {
		xasprintf(cause, "%s",
		    rp.ok ? "a runner without its fds" : rp.why);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		return -1;
	}
	r->pid = rp.pid;
	r->fd = fds[0];
	r->vnet = rp.vnet != 0;
	memcpy(r->tap, fds + 1, sizeof(int) * (size_t)rp.ntap);
	return 0;
}
