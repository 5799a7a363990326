/*
 * config_host.c: what a config names on this host must be there.
 *
 * The loader checks the file; these checks look at the machine, as start-up
 * would: the [daemon] user and control-group exist, each segment's bridge
 * is a Linux bridge, and local-address is an address of this host.  Run on
 * every load but with CONFIG_OFFLINE (tunneld -n --offline, when the file
 * is checked on another host, and the unit tests), so that tunneld -n
 * refuses what the daemon would then refuse at start, with FILE:LINE.
 */
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/stat.h>

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
