/* control.c: Unix socket server speaking JSON lines. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "xmalloc.h"

struct control_client {
	int fd;
	struct control *ctl;
	char in[CTL_MAX_REQUEST + 1];
	size_t inlen;
	int discarding;		/* inside an oversize line */
	char *out;
	size_t outlen, outcap;
	int subscribed;
	bool held; /* control_hold */
	control_stream id;
	uid_t uid;
	uint64_t last_ms; /* last request bytes received */
};

struct control {
	struct loop *loop;
	int fd;
	char path[108];
	control_handler handler;
	void *arg;
	struct control_client *clients[CONTROL_MAX_CLIENTS];
	struct log_rate log_rate;
	uint32_t generation;
	control_gone gone;
	void *gone_arg;
	gid_t group;			/* control-group, or (gid_t)-1 */
	bool accept_paused; /* out of fds: resumed by control_tick */
};

/* Whether uid is in group, as its primary or a supplementary group. */
static bool
user_in_group(uid_t uid, gid_t group)
{
	struct passwd *pw = getpwuid(uid);
	gid_t groups[64];
	int n = 64, i;

	if (pw == NULL)
		return false;
	if (pw->pw_gid == group)
		return true;
	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) == -1)
		return false;
	for (i = 0; i < n; i++)
		if (groups[i] == group)
			return true;
	return false;
}

/*
 * Only root, the daemon's own user and members of control-group may talk
 * to the daemon.  The socket's mode says the same; this also holds if the
 * socket file's permissions are changed by hand.
 */
static bool
control_peer_allowed(struct control *ctl, int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	uint32_t suppressed;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return false;
	*uid = cred.uid;
	if (cred.uid == 0 || cred.uid == geteuid() ||
	    (ctl->group != (gid_t)-1 && (cred.gid == ctl->group ||
	    user_in_group(cred.uid, ctl->group))))
		return true;
	if (log_rate_allow(&ctl->log_rate, &suppressed))
		log_warnx("control socket: refused pid %d uid %u: not root, "
		    "not tunneld's user, not in the control group", (int)cred.pid,
		    (unsigned)cred.uid);
	return false;
}

static void
client_close(struct control_client *c)
{
	struct control *ctl = c->ctl;
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i] == c)
			ctl->clients[i] = NULL;
	if (c->held && ctl->gone != NULL)
		ctl->gone(c->id, ctl->gone_arg);
	loop_del(ctl->loop, c->fd);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Send what is queued; watch for writability only while something is. */
static int
client_flush(struct control_client *c)
{
	ssize_t n;

	while (c->outlen > 0) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return -1;
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	return loop_mod(c->ctl->loop, c->fd, EPOLLIN |
	    (c->outlen > 0 ? EPOLLOUT : 0));
}

/* Queue a line; -1 if the client stopped reading and must go. */
static int
client_queue(struct control_client *c, const char *line)
{
	size_t n = strlen(line);

	if (c->outlen + n > CONTROL_MAX_QUEUED)
		return -1;
	if (c->outcap - c->outlen < n) {
		while (c->outcap - c->outlen < n)
			c->outcap = c->outcap ? c->outcap * 2 : 4096;
		c->out = xreallocarray(c->out, 1, c->outcap);
	}
	memcpy(c->out + c->outlen, line, n);
	c->outlen += n;
	return client_flush(c);
}

static int
client_request(struct control_client *c, const char *line, size_t len)
{
	struct ctl_request req;
	char *cause = NULL, *reply;
	int rc;

	if (ctl_request_parse(line, len, &req, &cause) != 0) {
		reply = ctl_reply_error("%s", cause);
		free(cause);
	} else {
		if (req.cmd == CTL_SUBSCRIBE) {
			c->subscribed = 1;
			req.cmd = CTL_STATUS;
		}
		reply = c->ctl->handler(&req, c->ctl->arg, c->id);
	}
	rc = client_queue(c, reply);
	free(reply);
	return rc;
}

/* Split the input into lines and answer each; -1 to drop the client. */
static int
client_lines(struct control_client *c)
{
	char *nl, *reply;
	size_t n;

	while ((nl = memchr(c->in, '\n', c->inlen)) != NULL) {
		n = (size_t)(nl - c->in);
		if (!c->discarding && client_request(c, c->in, n) != 0)
			return -1;
		c->discarding = 0;
		memmove(c->in, nl + 1, c->inlen - n - 1);
		c->inlen -= n + 1;
	}
	if (c->inlen == sizeof c->in) {
		/* No newline in a full buffer: refuse, skip to the next one. */
		if (!c->discarding) {
			reply = ctl_reply_error("request too long (limit %d "
			    "bytes)", CTL_MAX_REQUEST);
			if (client_queue(c, reply) != 0) {
				free(reply);
				return -1;
			}
			free(reply);
		}
		c->discarding = 1;
		c->inlen = 0;
	}
	return 0;
}

static void
client_event(int fd, uint32_t events, void *arg)
{
	struct control_client *c = arg;
	ssize_t n;

	if ((events & EPOLLOUT) && client_flush(c) != 0) {
		client_close(c);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0)
		return;
	n = recv(fd, c->in + c->inlen, sizeof c->in - c->inlen, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->inlen += (size_t)n;
	c->last_ms = clock_ms();
	if (client_lines(c) != 0)
		client_close(c);
}

/*
 * A free slot for a client of uid in *slot, or why there is none: the
 * last CONTROL_ROOT_SLOTS are root's, so that root can always get in, and
 * no other uid may hold more than CONTROL_MAX_PER_UID.
 */
static const char *
control_no_slot(const struct control *ctl, uid_t uid, int *slot)
{
	int i, used = 0, mine = 0;

	*slot = -1;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (ctl->clients[i] == NULL) {
			if (*slot < 0)
				*slot = i;
			continue;
		}
		used++;
		mine += ctl->clients[i]->uid == uid;
	}
	if (*slot < 0)
		return "every slot is taken";
	if (uid == 0)
		return NULL;
	if (used >= CONTROL_MAX_CLIENTS - CONTROL_ROOT_SLOTS)
		return "the remaining slots are root's";
	if (mine >= CONTROL_MAX_PER_UID)
		return "this user holds the most connections one user may";
	return NULL;
}

/* Accept one connection; -1 when there is none left to accept. */
static int
control_accept_one(struct control *ctl, int fd)
{
	struct control_client *c;
	uint32_t suppressed;
	const char *why;
	uid_t uid = (uid_t)-1;
	int cfd, i;

	if ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) ==
	    -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    log_rate_allow(&ctl->log_rate, &suppressed))
			log_warn("control socket: accept");
		/* Out of fds: the listener would fire forever; wait a tick. */
		if ((errno == EMFILE || errno == ENFILE) &&
		    loop_mod(ctl->loop, fd, 0) == 0)
			ctl->accept_paused = true;
		return -1;
	}
	if (!control_peer_allowed(ctl, cfd, &uid)) {
		close(cfd);
		return 0;
	}
	if ((why = control_no_slot(ctl, uid, &i)) != NULL) {
		if (log_rate_allow(&ctl->log_rate, &suppressed))
			log_warnx("control socket: refused uid %u: %s",
			    (unsigned)uid, why);
		close(cfd);
		return 0;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = cfd;
	c->ctl = ctl;
	c->uid = uid;
	c->last_ms = clock_ms();
	c->id = (++ctl->generation << 8) | (control_stream)i;
	if (loop_add(ctl->loop, cfd, EPOLLIN, client_event, c) == -1) {
		close(cfd);
		free(c);
		return 0;
	}
	ctl->clients[i] = c;
	return 0;
}

static void
control_accept(int fd, uint32_t events, void *arg)
{
	int n;

	(void)events;
	/* A few per wake-up: the backlog drains without starving the loop. */
	for (n = 0; n < 16; n++)
		if (control_accept_one(arg, fd) == -1)
			break;
}

/* Refuse to start beside a running tunneld; remove a stale socket. */
static int
control_claim_path(const char *path, char **cause)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, rc;

	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (rc == 0) {
		xasprintf(cause, "%s: another tunneld is listening", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The socket's directory: one made here (0755, later given to the daemon's
 * user so that it can remove the socket at exit), or one that exists and
 * that only root or that user may write to, which is left as it is.  A
 * directory others may write to (/tmp, /run itself with a group) is
 * refused: they could swap the socket for a link between bind() and the
 * chown, or replace it later.
 */
static int
control_dir(const char *dir, uid_t owner, bool *created, char **cause)
{
	struct stat st;

	*created = false;
	if (mkdir(dir, 0755) == 0) {
		*created = true;
		return 0;
	}
	if (errno != EEXIST || lstat(dir, &st) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		xasprintf(cause, "%s: not a directory", dir);
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != owner) || (st.st_mode & 022)) {
		xasprintf(cause,
		    "%s: the control socket's directory must be "
		    "writable by root or the daemon user only (it is uid %u, "
		    "mode %04o): give the socket a directory of its own",
		    dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* Give a directory made by control_dir() to the daemon's user. */
static int
control_dir_give(const char *dir, uid_t owner, char **cause)
{
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) ==
		-1 ||
	    fchown(fd, owner, (gid_t)-1) == -1) {
		xasprintf(cause, "%s: %s", dir, strerror(errno));
		rc = -1;
	}
	if (fd != -1)
		close(fd);
	return rc;
}

/* The control group's gid, or (gid_t)-1 for none; -1 if no such group. */
static int
control_group(const char *group, gid_t *gid, char **cause)
{
	struct group *gr;

	*gid = (gid_t)-1;
	if (group[0] == '\0')
		return 0;
	if ((gr = getgrnam(group)) == NULL) {
		xasprintf(cause, "control-group %s: no such group", group);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/*
 * Bind and listen with the final mode already set by the umask (0600, or
 * 0660 with a group), then give the group by path without following a
 * link: nothing is ever chmod-ed or chown-ed through a path that another
 * user could have swapped.
 */
static int
control_bind(int fd, const char *path, gid_t gid, char **cause)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int rc;

	strcpy(sun.sun_path, path);
	old = umask(gid == (gid_t)-1 ? 0177 : 0117);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (rc == -1 || listen(fd, 16) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (gid != (gid_t)-1 &&
	    fchownat(AT_FDCWD, path, 0, gid, AT_SYMLINK_NOFOLLOW) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

struct control *
control_open(struct loop *loop, const char *path, const char *group,
    uid_t owner, control_handler handler, void *arg, char **cause)
{
	struct sockaddr_un sun;
	struct control *ctl;
	char *copy, *dir;
	bool created;
	gid_t gid;
	int fd = -1, rc;

	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", path);
		return NULL;
	}
	if (control_group(group, &gid, cause) != 0)
		return NULL;
	copy = xstrdup(path);
	dir = dirname(copy);
	rc = control_dir(dir, owner, &created, cause);
	if (rc == 0)
		rc = control_claim_path(path, cause);
	if (rc == 0 &&
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		 0)) == -1) {
		xasprintf(cause, "control socket: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0 && (rc = control_bind(fd, path, gid, cause)) != 0)
		close(fd);
	/* Only now, with the socket in place, may the user own the folder. */
	if (rc == 0 && created && owner != 0 &&
	    (rc = control_dir_give(dir, owner, cause)) != 0) {
		close(fd);
		unlink(path);
	}
	free(copy);
	if (rc != 0)
		return NULL;
	ctl = xcalloc(1, sizeof *ctl);
	ctl->loop = loop;
	ctl->fd = fd;
	ctl->handler = handler;
	ctl->arg = arg;
	ctl->group = gid;
	snprintf(ctl->path, sizeof ctl->path, "%s", path);
	if (loop_add(loop, fd, EPOLLIN, control_accept, ctl) == -1)
		fatal("control socket: epoll");
	return ctl;
}

void
control_close(struct control *ctl)
{
	int i;

	if (ctl == NULL)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i] != NULL)
			client_close(ctl->clients[i]);
	loop_del(ctl->loop, ctl->fd);
	close(ctl->fd);
	if (unlink(ctl->path) == -1 && errno != ENOENT)
		log_warn("%s: unlink", ctl->path);
	free(ctl);
}

void
control_tick(struct control *ctl)
{
	uint64_t now = clock_ms();
	struct control_client *c;
	int i;

	if (ctl->accept_paused && loop_mod(ctl->loop, ctl->fd, EPOLLIN) == 0)
		ctl->accept_paused = false;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		c = ctl->clients[i];
		if (c != NULL && !c->subscribed && !c->held && c->outlen == 0 &&
		    now - c->last_ms >= CONTROL_IDLE_MS)
			client_close(c);
	}
}

int
control_has_subscribers(const struct control *ctl)
{
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i] != NULL && ctl->clients[i]->subscribed)
			return 1;
	return 0;
}

void
control_publish(struct control *ctl, const char *line)
{
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = ctl->clients[i];
		if (c != NULL && c->subscribed && client_queue(c, line) != 0)
			client_close(c);
	}
}

static struct control_client *
client_of(const struct control *ctl, control_stream who)
{
	unsigned slot = who & 0xff;

	if (slot >= CONTROL_MAX_CLIENTS || ctl->clients[slot] == NULL ||
	    ctl->clients[slot]->id != who)
		return NULL;
	return ctl->clients[slot];
}

int
control_hold(struct control *ctl, control_stream who, bool hold)
{
	struct control_client *c = client_of(ctl, who);

	if (c == NULL)
		return -1;
	c->held = hold;
	c->last_ms = clock_ms();
	return 0;
}

void
control_on_gone(struct control *ctl, control_gone gone, void *arg)
{
	ctl->gone = gone;
	ctl->gone_arg = arg;
}

int
control_send(struct control *ctl, control_stream who, const char *line)
{
	struct control_client *c = client_of(ctl, who);

	if (c == NULL)
		return -1;
	if (client_queue(c, line) != 0) {
		c->held = false; /* the caller hears -1, not gone() */
		client_close(c);
		return -1;
	}
	return 0;
}
