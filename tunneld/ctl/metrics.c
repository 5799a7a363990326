/* metrics.c: the Prometheus endpoint's HTTP side (metrics.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "xmalloc.h"

struct metrics_client {
	int fd;
	char in[METRICS_MAX_REQUEST + 1];
	size_t inlen;
	char *out;
	size_t outlen, sent;
	uint64_t since_ms;
};

struct metrics {
	struct loop *loop;
	int fd;
	metrics_source source;
	void *arg;
	struct metrics_client *c[METRICS_MAX_CLIENTS];
	struct metrics_stats st;
};

static void client_event(int fd, uint32_t events, void *arg);

static void
client_close(struct metrics *m, int i)
{
	struct metrics_client *c = m->c[i];

	loop_del(m->loop, c->fd);
	close(c->fd);
	free(c->out);
	free(c);
	m->c[i] = NULL;
}

static int
client_index(struct metrics *m, int fd)
{
	int i;

	for (i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->c[i] != NULL && m->c[i]->fd == fd)
			return i;
	return -1;
}

static void
respond(struct metrics_client *c, const char *status, const char *type,
    const char *body)
{
	size_t n = strlen(body);

	free(c->out);
	xasprintf(&c->out,
	    "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n%s",
	    status, type, n, body);
	c->outlen = strlen(c->out);
	c->sent = 0;
}

/* A whole request line and headers arrived: answer it. */
static void
answer(struct metrics *m, struct metrics_client *c)
{
	char method[8], path[256], *page;

	if (sscanf(c->in, "%7s %255s HTTP/", method, path) != 2) {
		m->st.bad_requests++;
		respond(c, "400 Bad Request", "text/plain", "bad request\n");
	} else if (strcmp(method, "GET") != 0) {
		respond(c, "405 Method Not Allowed", "text/plain",
		    "only GET\n");
	} else if (strcmp(path, "/metrics") != 0) {
		respond(c, "404 Not Found", "text/plain", "see /metrics\n");
	} else {
		m->st.scrapes++;
		page = m->source(m->arg);
		respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8",
		    page);
		free(page);
	}
	loop_mod(m->loop, c->fd, EPOLLOUT);
}

static void
client_read(struct metrics *m, int i)
{
	struct metrics_client *c = m->c[i];
	ssize_t n =
	    read(c->fd, c->in + c->inlen, METRICS_MAX_REQUEST - c->inlen);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		client_close(m, i);
		return;
	}
	if (n < 0)
		return;
	c->inlen += (size_t)n;
	c->in[c->inlen] = '\0';
	if (memchr(c->in, '\0', c->inlen) != NULL) {
		m->st.bad_requests++;
		respond(c, "400 Bad Request", "text/plain", "bad request\n");
		loop_mod(m->loop, c->fd, EPOLLOUT);
	} else if (strstr(c->in, "\r\n\r\n") != NULL ||
	    strstr(c->in, "\n\n") != NULL)
		answer(m, c);
	else if (c->inlen == METRICS_MAX_REQUEST) {
		m->st.bad_requests++;
		respond(c, "400 Bad Request", "text/plain",
		    "request too large\n");
		loop_mod(m->loop, c->fd, EPOLLOUT);
	}
}

static void
client_write(struct metrics *m, int i)
{
	struct metrics_client *c = m->c[i];
	ssize_t n = send(c->fd, c->out + c->sent, c->outlen - c->sent,
	    MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->sent += (size_t)n;
	if (n < 0 || c->sent == c->outlen)
		client_close(m, i);
}

static void
client_event(int fd, uint32_t events, void *arg)
{
	struct metrics *m = arg;
	int i = client_index(m, fd);

	if (i < 0)
		return;
	if (m->c[i]->out != NULL)
		client_write(m, i);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(m, i);
}

static void
accept_event(int fd, uint32_t events, void *arg)
{
	struct metrics *m = arg;
	struct metrics_client *c;
	int cfd, i;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) !=
	    -1) {
		for (i = 0; i < METRICS_MAX_CLIENTS && m->c[i] != NULL; i++)
			;
		if (i == METRICS_MAX_CLIENTS) {
			m->st.refused++;
			close(cfd);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->fd = cfd;
		c->since_ms = clock_ms();
		if (loop_add(m->loop, cfd, EPOLLIN, client_event, m) == -1) {
			close(cfd);
			free(c);
			continue;
		}
		m->c[i] = c;
	}
}

struct metrics *
metrics_open(struct loop *loop, const struct sockaddr_any *addr,
    metrics_source source, void *arg, char **cause)
{
	struct metrics *m;
	char a[64];
	int fd;

	addr_ntop(addr, a, sizeof a);
	if ((fd = socket(addr->sa.sa_family,
		 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 },
		sizeof(int)) == -1 ||
	    bind(fd, &addr->sa, addr->len) == -1 || listen(fd, 16) == -1) {
		xasprintf(cause, "metrics %s port %u: %s", a,
		    ntohs(addr->sin.sin_port), strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->loop = loop;
	m->fd = fd;
	m->source = source;
	m->arg = arg;
	if (loop_add(loop, fd, EPOLLIN, accept_event, m) == -1) {
		xasprintf(cause, "metrics: epoll: %s", strerror(errno));
		close(fd);
		free(m);
		return NULL;
	}
	log_info("metrics on http://%s%s%s:%u/metrics",
	    addr->sa.sa_family == AF_INET6 ? "[" : "", a,
	    addr->sa.sa_family == AF_INET6 ? "]" : "",
	    ntohs(addr->sin.sin_port));
	return m;
}

void
metrics_tick(struct metrics *m)
{
	uint64_t now = clock_ms();
	int i;

	for (i = 0; m != NULL && i < METRICS_MAX_CLIENTS; i++)
		if (m->c[i] != NULL &&
		    now - m->c[i]->since_ms > METRICS_TIMEOUT_MS)
			client_close(m, i);
}

void
metrics_close(struct metrics *m)
{
	int i;

	if (m == NULL)
		return;
	for (i = 0; i < METRICS_MAX_CLIENTS; i++)
		if (m->c[i] != NULL)
			client_close(m, i);
	loop_del(m->loop, m->fd);
	close(m->fd);
	free(m);
}

void
metrics_get_stats(const struct metrics *m, struct metrics_stats *st)
{
	if (m == NULL)
		memset(st, 0, sizeof *st);
	else
		*st = m->st;
}

int
metrics_parse_addr(const char *s, struct sockaddr_any *a, const char **why)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long port;
	size_t n;

	*why = "must be ADDRESS:PORT, [IPV6]:PORT for IPv6";
	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - s - 1);
		s++;
		colon++;
	} else {
		/* An IPv6 address needs its brackets: "::1:9108" is ambiguous.
		 */
		if ((colon = strchr(s, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof host)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port == 0 ||
	    port > 65535)
		return -1;
	if (addr_parse(host, (uint16_t)port, a) != 0) {
		*why = "not a numeric IPv4 or IPv6 address";
		return -1;
	}
	return 0;
}
