/*
 * fakecloud.h: start tests/providers/fakecloud.py for a provider test.
 *
 * The server prints its port; it exits when our end of its stdin closes,
 * so it cannot outlive the test.  Its stderr (what it saw) goes to
 * FAKECLOUD_LOG so that the test can grep it.
 */
#ifndef FAKECLOUD_H
#define FAKECLOUD_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct fakecloud {
	pid_t pid;
	int stdin_fd;
	int port;
	char log[64];
};

static inline int
fakecloud_start(struct fakecloud *fc)
{
	const char *data = getenv("TEST_DATA"), *src = getenv("TEST_SRCDIR");
	int in[2], out[2];
	char script[1024], line[32];
	ssize_t n;

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
		execlp("python3", "python3", script, data ? data : "tests/data",
		    (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fc->stdin_fd = in[1];
	n = read(out[0], line, sizeof line - 1);
	close(out[0]);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	fc->port = atoi(line);
	return fc->port > 0 ? 0 : -1;
}

static inline void
fakecloud_stop(struct fakecloud *fc)
{
	close(fc->stdin_fd);
	kill(fc->pid, SIGTERM);
	waitpid(fc->pid, NULL, 0);
}

#endif
