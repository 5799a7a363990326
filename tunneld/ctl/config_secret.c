/*
 * config_secret.c: files that hold secrets (config_priv.h).
 *
 * A secrets file (a provider's credentials or key, a node's TLS key, a
 * PSK) must be a regular file owned by root, the [daemon] user or the user
 * tunneld runs as, with no access for group or others; a config file that
 * itself holds keys must not be readable by group or others.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_priv.h"
#include "xmalloc.h"

/* The uid besides root that may own secrets: the [daemon] user's. */
static uid_t
secret_owner(const struct config *c)
{
	struct passwd *pw;

	if (c->daemon.user[0] != '\0' &&
	    (pw = getpwnam(c->daemon.user)) != NULL)
		return pw->pw_uid;
	return 0;
}

/*
 * Started as root, tunneld reads a file the [daemon] user cannot (root's,
 * mode 600, or in a folder closed to it) now, but the next reload would
 * fail.  Said as a warning, so that tunneld -n and the start log name it.
 */
static void
warn_unreadable_later(struct loader *ld, const char *sec, const char *key,
    const char *path, const struct config *c)
{
	if (ld->offline || c->daemon.user[0] == '\0' ||
	    user_can_read(c->daemon.user, path) != 0)
		return;
	load_warn(ld, sec, key,
	    "%s: user %s cannot read it, so a reload "
	    "after start will fail (chown %s %s, in a folder it may enter)",
	    path, c->daemon.user, c->daemon.user, path);
}

/* Open a secrets file after checking its owner and mode; fd or -1. */
int
open_secret(struct loader *ld, const char *sec, const char *key,
    const char *path, const struct config *c)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1 &&
	    errno == EACCES && geteuid() != 0)
		return load_fail(ld, sec, key,
		    "%s: %s (tunneld runs as uid %u "
		    "now: to reload it, give the file to that user, mode 600)",
		    path, strerror(errno), (unsigned)geteuid());
	if (fd == -1)
		return load_fail(ld, sec, key, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return load_fail(ld, sec, key, "%s: not a regular file", path);
	}
	if ((st.st_mode & 077) != 0 ||
	    (st.st_uid != 0 && st.st_uid != geteuid() &&
		st.st_uid != secret_owner(c))) {
		close(fd);
		return load_fail(ld, sec, key,
		    "%s: must be owned by root or "
		    "the daemon user and not readable by group or others "
		    "(chmod 600)",
		    path);
	}
	warn_unreadable_later(ld, sec, key, path, c);
	return fd;
}

/* The whole content of a secrets file, NUL-terminated; NULL on error. */
char *
read_secret(struct loader *ld, const char *sec, const char *key,
    const char *path, const struct config *c)
{
	char *text = xmalloc(SECRET_FILE_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open_secret(ld, sec, key, path, c)) < 0) {
		free(text);
		return NULL;
	}
	while (len < SECRET_FILE_MAX &&
	    (n = read(fd, text + len, SECRET_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	if (len == SECRET_FILE_MAX || memchr(text, '\0', len) != NULL) {
		OPENSSL_cleanse(text, len);
		free(text);
		load_fail(ld, sec, key, "%s: not a text file under %d bytes",
		    path, SECRET_FILE_MAX);
		return NULL;
	}
	return text;
}

bool
config_file_exposed(const struct loader *ld)
{
	struct stat st;

	return stat(ld->path, &st) == 0 && (st.st_mode & 077) != 0;
}
