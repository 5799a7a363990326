/* ini_lines.c: line numbers of INI sections and keys. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ini_lines.h"
#include "xmalloc.h"

enum { INI_LINE_MAX = 1024 };

struct ini_line {
	char *section;
	char *key;		/* NULL for the section header itself */
	int line;
};

struct ini_lines {
	struct ini_line *v;
	size_t n, cap;
};

/* Trim and lower-case s[0..len) into a new string. */
static char *
norm(const char *s, size_t len)
{
	char *out;
	size_t i;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	out = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
	return out;
}

static int
ini_lines_add(struct ini_lines *l, const char *section, char *key, int line,
    char **cause, const char *path)
{
	int prev;

	if ((prev = ini_lines_find(l, section, key)) != 0) {
		xasprintf(cause, "%s:%d: [%s]%s%s: written twice (first at "
		    "line %d)", path, line, section, key ? " " : "",
		    key ? key : "", prev);
		free(key);
		return -1;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n].section = xstrdup(section);
	l->v[l->n].key = key;
	l->v[l->n].line = line;
	l->n++;
	return 0;
}

/* Record one line; returns -1 with *cause on a duplicate. */
static int
ini_lines_line(struct ini_lines *l, char **section, const char *s, int line,
    char **cause, const char *path)
{
	const char *end, *eq;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0' || *s == ';' || *s == '#')
		return 0;
	if (*s == '[' && (end = strchr(s, ']')) == NULL) {
		xasprintf(cause,
		    "%s:%d: syntax error: a section header "
		    "without its ]",
		    path, line);
		return -1;
	}
	if (*s == '[') {
		free(*section);
		*section = norm(s + 1, (size_t)(end - s - 1));
		/* iniparser joins section and key with ':', so it can't be in
		 * a section name: [a:b] would hide or become key b of [a]. */
		if (strchr(*section, ':') != NULL) {
			xasprintf(cause, "%s:%d: [%s]: ':' in a section name",
			    path, line, *section);
			return -1;
		}
		return ini_lines_add(l, *section, NULL, line, cause, path);
	}
	if ((eq = strchr(s, '=')) != NULL && *section == NULL) {
		xasprintf(cause, "%s:%d: a key before any [section]", path,
		    line);
		return -1;
	}
	if (eq == NULL)
		return 0;	/* iniparser reports the syntax error */
	return ini_lines_add(l, *section, norm(s, (size_t)(eq - s)), line,
	    cause, path);
}

struct ini_lines *
ini_lines_scan(const char *path, char **cause)
{
	struct ini_lines *l = xcalloc(1, sizeof *l);
	char buf[INI_LINE_MAX], *section = NULL;
	int line = 0, rc = 0;
	struct stat st;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(l);
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: %s", path,
		    S_ISDIR(st.st_mode)
			? "is a directory, not a configuration file"
			: "not a regular file");
		fclose(f);
		free(l);
		return NULL;
	}
	while (rc == 0 && fgets(buf, sizeof buf, f) != NULL) {
		line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			xasprintf(cause, "%s:%d: line longer than %d bytes",
			    path, line, INI_LINE_MAX - 2);
			rc = -1;
		} else
			rc = ini_lines_line(l, &section, buf, line, cause,
			    path);
	}
	free(section);
	fclose(f);
	if (rc != 0) {
		ini_lines_free(l);
		return NULL;
	}
	return l;
}

void
ini_lines_free(struct ini_lines *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].section);
		free(l->v[i].key);
	}
	free(l->v);
	free(l);
}

int
ini_lines_find(const struct ini_lines *l, const char *section,
    const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].section, section) != 0)
			continue;
		if (key == NULL ? l->v[i].key == NULL
				: l->v[i].key != NULL &&
			strcmp(l->v[i].key, key) == 0)
			return l->v[i].line;
	}
	return 0;
}
