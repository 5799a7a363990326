/*
 * config_host.c: what a config names on this host must be there.
 *
 * The loader checks the file; these checks look at the machine, as start-up
 * would: the [daemon] user and control-group exist, each segment's bridge
 * is a Linux bridge, and local-address is an address of this host.  Run on
 * every load but with CONFIG_OFFLINE (tunneld -n --offline, when the file
 * is checked on another host, and the unit tests), so that tunneld -n
 * refuses what the daemon would then refuse at start, with FILE:LINE.
 * Started as root, it also warns of files the [daemon] user cannot read:
 * tunneld reads them at start, and a reload after the drop would fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config_priv.h"

/* Whether name is a Linux bridge (it has a bridge/ folder in sysfs). */
static bool
is_bridge(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof path, "/sys/class/net/%s/bridge", name);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int
user_can_read(const char *user, const char *path)
{
	gid_t groups[64];
	int ngroups = 64, status, fd;
	struct passwd *pw;
	pid_t pid;

	if (geteuid() != 0 || (pw = getpwnam(user)) == NULL || pw->pw_uid == 0)
		return -1;
	if (getgrouplist(user, pw->pw_gid, groups, &ngroups) == -1)
		return -1;
	/* The child makes system calls only: no NSS after fork. */
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		if (setgroups((size_t)ngroups, groups) == -1 ||
		    setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
			_exit(2);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		_exit(fd == -1 ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return -1;
	return WEXITSTATUS(status) == 0;
}

static int
check_daemon(struct loader *ld, const struct cfg_daemon *d)
{
	char addr[64];

	if (d->user[0] != '\0' && getpwnam(d->user) == NULL)
		return load_fail(ld, "daemon", "user", "no such user %s",
		    d->user);
	if (d->control_group[0] != '\0' && getgrnam(d->control_group) == NULL)
		return load_fail(ld, "daemon", "control-group",
		    "no such group %s", d->control_group);
	if (d->local4.len != 0 && !localaddrs_has(ld->local, &d->local4))
		return load_fail(ld, "daemon", "local-address",
		    "%s is not an "
		    "address of this host",
		    addr_ntop(&d->local4, addr, sizeof addr));
	if (d->local6.len != 0 && !localaddrs_has(ld->local, &d->local6))
		return load_fail(ld, "daemon", "local-address",
		    "%s is not an "
		    "address of this host",
		    addr_ntop(&d->local6, addr, sizeof addr));
	return 0;
}

int
load_host_checks(struct loader *ld, const struct config *c)
{
	char sec[CFG_NAME_MAX + 16];
	const struct cfg_segment *s;
	int i;

	if (check_daemon(ld, &c->daemon) != 0)
		return -1;
	if (c->daemon.user[0] != '\0' &&
	    user_can_read(c->daemon.user, ld->path) == 0)
		load_warn(ld, "daemon", "user",
		    "%s: user %s cannot read this "
		    "file, so a reload after start will fail (install -o %s "
		    "-m 600, in a folder it may enter)",
		    ld->path, c->daemon.user, c->daemon.user);
	for (i = 0; i < c->nsegments; i++) {
		s = &c->segments[i];
		if (s->bridge[0] == '\0')
			continue;
		snprintf(sec, sizeof sec, "segment %s", s->name);
		if (if_nametoindex(s->bridge) == 0)
			return load_fail(ld, sec, "bridge", "no such bridge %s",
			    s->bridge);
		if (!is_bridge(s->bridge))
			return load_fail(ld, sec, "bridge",
			    "%s is not a Linux "
			    "bridge",
			    s->bridge);
	}
	return 0;
}
