/* static.c: the provider whose instances are written in the config. */
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "xmalloc.h"

struct static_priv {
	char **names, **addrs;
	size_t n;
};

static void
static_begin(struct provider *p, const struct provider_filter *f)
{
	(void)p;
	(void)f;	/* configured peers are taken as they are */
}

/* One step, no request: the instances are at hand. */
static enum provider_step
static_step(struct provider *p, const struct http_response *resp,
    struct http_request *req, struct instance_list *out,
    struct provider_err *err)
{
	struct static_priv *sp = p->priv;
	struct instance *in;
	size_t i;

	(void)resp;
	(void)req;
	err->kind = PROVIDER_OK;
	for (i = 0; i < sp->n; i++) {
		in = instance_list_add(out);
		in->id = xstrdup(sp->names[i]);
		in->name = xstrdup(sp->names[i]);
		in->state = xstrdup("configured");
		in->zone = xstrdup("static");
		instance_add_address(&in->private_addrs, &in->nprivate,
		    sp->addrs[i]);
	}
	return PROVIDER_STEP_DONE;
}

static void
static_free(struct provider *p)
{
	struct static_priv *sp = p->priv;
	size_t i;

	for (i = 0; i < sp->n; i++) {
		free(sp->names[i]);
		free(sp->addrs[i]);
	}
	free(sp->names);
	free(sp->addrs);
	free(sp);
}

static const struct provider_ops static_ops = {
	.type = "static",
	.begin = static_begin,
	.step = static_step,
	.free = static_free,
};

struct provider *
provider_static_new(const char *name, const char *const *entries, size_t n)
{
	struct provider *p = xcalloc(1, sizeof *p);
	struct static_priv *sp = xcalloc(1, sizeof *sp);
	const char *eq;
	size_t i;

	p->ops = &static_ops;
	p->priv = sp;
	strncpy(p->name, name, sizeof p->name - 1);
	for (i = 0; i < n; i++) {
		if ((eq = strchr(entries[i], '=')) == NULL)
			continue;
		sp->names = xreallocarray(sp->names, sp->n + 1,
		    sizeof *sp->names);
		sp->addrs = xreallocarray(sp->addrs, sp->n + 1,
		    sizeof *sp->addrs);
		sp->names[sp->n] = xmalloc((size_t)(eq - entries[i]) + 1);
		memcpy(sp->names[sp->n], entries[i], (size_t)(eq - entries[i]));
		sp->names[sp->n][eq - entries[i]] = '\0';
		sp->addrs[sp->n] = xstrdup(eq + 1);
		sp->n++;
	}
	return p;
}

void
provider_free(struct provider *p)
{
	if (p == NULL)
		return;
	p->ops->free(p);
	free(p);
}
