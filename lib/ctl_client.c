/* ctl_client.c: blocking JSON-lines client with timeouts. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_client.h"
#include "xmalloc.h"

struct ctl_client {
	int fd;
	int timeout_ms;
	char *buf;
	size_t len, cap;
};

struct ctl_client *
ctl_client_open(const char *path, int timeout_ms, char **cause)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_client *c;
	int fd;

	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			xasprintf(cause, "tunneld is not running (no listener "
			    "on %s)", path);
		else if (e == EACCES || e == EPERM)
			xasprintf(cause, "no permission to use %s (run as root"
			    " or as a member of the control group)", path);
		else
			xasprintf(cause, "%s: %s", path, strerror(e));
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	return c;
}

void
ctl_client_close(struct ctl_client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

static int
write_all(int fd, const char *p, size_t n, char **cause)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			xasprintf(cause, "sending to tunneld: %s",
			    strerror(errno));
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until a full line is buffered; returns its length (no newline). */
static ssize_t
read_line(struct ctl_client *c, char **cause)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char *nl;
	ssize_t r;

	while ((nl = c->len ? memchr(c->buf, '\n', c->len) : NULL) == NULL) {
		if (c->len >= CTL_MAX_REPLY) {
			xasprintf(cause, "reply from tunneld too large");
			return -1;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->cap ? c->cap * 2 : 65536;
			c->buf = xreallocarray(c->buf, 1, c->cap);
		}
		if ((r = poll(&pfd, 1, c->timeout_ms)) == 0) {
			xasprintf(cause, "tunneld did not answer within %d ms",
			    c->timeout_ms);
			return -1;
		}
		if (r > 0)
			r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			xasprintf(cause, "tunneld closed the connection%s%s",
			    r ? ": " : "", r ? strerror(errno) : "");
			return -1;
		}
		c->len += (size_t)r;
	}
	return nl - c->buf;
}

int
ctl_client_next(struct ctl_client *c, json_t **data, char **cause)
{
	ssize_t n = read_line(c, cause);
	int rc;

	if (n < 0)
		return -1;
	rc = ctl_reply_parse(c->buf, (size_t)n, data, cause);
	memmove(c->buf, c->buf + n + 1, c->len - (size_t)n - 1);
	c->len -= (size_t)n + 1;
	return rc;
}

int
ctl_client_send(struct ctl_client *c, const struct ctl_request *r, char **cause)
{
	char *line = ctl_request_encode(r);
	int rc = write_all(c->fd, line, strlen(line), cause);

	free(line);
	return rc;
}

int
ctl_client_call(struct ctl_client *c, const struct ctl_request *r,
    json_t **data, char **cause)
{
	return ctl_client_send(c, r, cause) == 0
	    ? ctl_client_next(c, data, cause)
	    : -1;
}

int
ctl_client_fd(const struct ctl_client *c)
{
	return c->fd;
}

bool
ctl_client_pending(const struct ctl_client *c)
{
	return c->len > 0 && memchr(c->buf, '\n', c->len) != NULL;
}
