/* privdrop.c: setresuid with CAP_NET_ADMIN kept. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"
#include "xmalloc.h"

int
priv_lookup(const char *user, uid_t *uid, char **cause)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		xasprintf(cause, "user %s: no such user", user);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

static int
keep_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof data);
	data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	return (int)syscall(SYS_capset, &hdr, data);
}

int
priv_drop(const char *user, char **cause)
{
	struct passwd *pw;
	const char *step;

	if ((pw = getpwnam(user)) == NULL) {
		xasprintf(cause, "user %s: no such user", user);
		return -1;
	}
	step = "PR_SET_KEEPCAPS";
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1)
		goto fail;
	step = "setgroups";
	if (setgroups(1, &pw->pw_gid) == -1)
		goto fail;
	step = "setresgid";
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1)
		goto fail;
	step = "setresuid";
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		goto fail;
	step = "capset";
	if (keep_net_admin() == -1)
		goto fail;
	step = "PR_SET_KEEPCAPS off";
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		goto fail;
	if (pw->pw_uid != 0 && setuid(0) != -1) {
		xasprintf(cause, "user %s: root could be regained", user);
		return -1;
	}
	return 0;
fail:
	xasprintf(cause, "dropping to user %s: %s: %s", user, step,
	    strerror(errno));
	return -1;
}
