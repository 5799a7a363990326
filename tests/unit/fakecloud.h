/*
 * fakecloud.h: start tests/providers/fakecloud.py for a provider test.
 *
 * The server prints its port; it exits when our end of its stdin closes,
 * so it cannot outlive the test.  Its stderr (what it saw) goes to
 * FAKECLOUD_LOG so that the test can grep it.
 */
#ifndef FAKECLOUD_H
#define FAKECLOUD_H

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "provider.h"

struct fakecloud {
	pid_t pid;
	int stdin_fd;
	int port;
	char log[64];
};

/* Debian's python3 when present: the helper needs only its stdlib. */
static inline const char *
fakecloud_python(void)
{
	return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3"
						     : "python3";
}

static inline int
fakecloud_start(struct fakecloud *fc)
{
	const char *data = getenv("TEST_DATA"), *src = getenv("TEST_SRCDIR");
	const char *py = fakecloud_python();
	int in[2], out[2];
	char script[1024], line[32];
	ssize_t n, got = 0;

	if (fc->pid > 0)
		return 0;	/* already running for this test binary */

	snprintf(script, sizeof script, "%s/tests/providers/fakecloud.py",
	    src ? src : ".");
	snprintf(fc->log, sizeof fc->log, "/tmp/fakecloud.%d.log", getpid());
	if (pipe(in) == -1 || pipe(out) == -1)
		return -1;
	if ((fc->pid = fork()) == 0) {
		FILE *log = freopen(fc->log, "w", stderr);
		(void)log;
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp(py, py, script, data ? data : "tests/data", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fc->stdin_fd = in[1];
	/* Read the whole first line, across interrupted or short reads. */
	while (got < (ssize_t)sizeof line - 1) {
		n = read(out[0], line + got, sizeof line - 1 - (size_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
		if (memchr(line, '\n', (size_t)got) != NULL)
			break;
	}
	close(out[0]);
	if (got <= 0)
		return -1;
	line[got] = '\0';
	fc->port = atoi(line);
	return fc->port > 0 ? 0 : -1;
}

static inline void
fakecloud_stop(struct fakecloud *fc)
{
	if (fc->pid <= 0)
		return;
	close(fc->stdin_fd);
	kill(fc->pid, SIGTERM);
	waitpid(fc->pid, NULL, 0);
	fc->pid = 0;
}

/*
 * One fake cloud per test binary, started before its test case and
 * stopped after (Check's unchecked fixture); include after check.h.
 */
static struct fakecloud fc;

static inline void
fakecloud_setup(void)
{
	ck_assert_int_eq(fakecloud_start(&fc), 0);
}

static inline void
fakecloud_teardown(void)
{
	fakecloud_stop(&fc);
}

/* A misbehaving fake cloud, and what the provider must make of it. */
struct error_case {
	const char *scenario;
	const char *secret;	/* credential to use (a wrong one: auth) */
	enum provider_error want;
	const char *text;	/* must appear in the error message */
};

/*
 * The listing failed with the case's kind and text, kept nothing, and
 * passed on Retry-After (the fake cloud asks for 7 s with every 429).
 */
static inline void
error_case_check(const struct error_case *c, enum provider_error got,
    const struct provider_err *err, const struct instance_list *l)
{
	ck_assert_msg(got == c->want, "%s: got %s (%s)", c->scenario,
	    provider_error_name(got), err->message);
	ck_assert_msg(strstr(err->message, c->text) != NULL, "%s: \"%s\"",
	    c->scenario, err->message);
	ck_assert_uint_eq(l->n, 0);
	if (got == PROVIDER_THROTTLED)
		ck_assert_uint_eq(err->retry_after_s, 7);
}

#endif
