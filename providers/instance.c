/* instance.c: instance lists, tags, filters and provider errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider.h"
#include "xmalloc.h"

static const char *const error_names[] = {
	[PROVIDER_OK] = "ok",
	[PROVIDER_AUTH_FAILED] = "auth_failed",
	[PROVIDER_FORBIDDEN] = "forbidden",
	[PROVIDER_THROTTLED] = "throttled",
	[PROVIDER_NOT_FOUND] = "not_found",
	[PROVIDER_SERVER_ERROR] = "server_error",
	[PROVIDER_TIMEOUT] = "timeout",
	[PROVIDER_MALFORMED] = "malformed_response",
	[PROVIDER_BAD_CONFIG] = "bad_config",
};

const char *
provider_error_name(enum provider_error e)
{
	if ((size_t)e >= sizeof error_names / sizeof error_names[0])
		return "unknown";
	return error_names[e];
}

enum provider_error
provider_fail(struct provider_err *err, enum provider_error kind,
    const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	err->retry_after_s = 0;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return kind;
}

struct instance *
instance_list_add(struct instance_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	memset(&l->v[l->n], 0, sizeof l->v[l->n]);
	return &l->v[l->n++];
}

void
instance_add_address(char ***v, size_t *n, const char *addr)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(addr);
}

void
instance_add_tag(struct instance *in, const char *key, const char *value)
{
	in->tags = xreallocarray(in->tags, in->ntags + 1, sizeof *in->tags);
	in->tags[in->ntags].key = xstrdup(key);
	in->tags[in->ntags].value = xstrdup(value ? value : "");
	in->ntags++;
}

int
instance_matches(const struct instance *in, const struct provider_filter *f)
{
	size_t i;

	if (f == NULL || f->tag_key == NULL)
		return 1;
	for (i = 0; i < in->ntags; i++)
		if (strcmp(in->tags[i].key, f->tag_key) == 0 &&
		    (f->tag_value == NULL ||
		    strcmp(in->tags[i].value, f->tag_value) == 0))
			return 1;
	return 0;
}

static void
free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
instance_list_free(struct instance_list *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		struct instance *in = &l->v[i];
		free(in->id);
		free(in->name);
		free(in->state);
		free(in->zone);
		free_strv(in->private_addrs, in->nprivate);
		free_strv(in->public_addrs, in->npublic);
		for (j = 0; j < in->ntags; j++) {
			free(in->tags[j].key);
			free(in->tags[j].value);
		}
		free(in->tags);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

void
instance_list_move(struct instance_list *to, struct instance_list *from)
{
	size_t i;

	if (to->n == 0) {
		free(to->v);
		*to = *from;
	} else {
		for (i = 0; i < from->n; i++)
			*instance_list_add(to) = from->v[i];
		free(from->v);
	}
	memset(from, 0, sizeof *from);
}

/* The words the clouds use for an instance that is up (case ignored). */
static const char *const running_states[] = {
	"running",	/* EC2, CloudStack, GCE (RUNNING) */
	"active",	/* OpenStack Nova */
	"succeeded",	/* Azure provisioning state */
	"configured",	/* static */
};

int
instance_is_running(const struct instance *in)
{
	size_t i;

	for (i = 0; in->state != NULL && i < sizeof running_states /
	    sizeof running_states[0]; i++)
		if (strcasecmp(in->state, running_states[i]) == 0)
			return 1;
	return 0;
}
