/* list.c: the rules of a listing, and its synchronous driver. */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "listing.h"
#include "provider.h"

/* Whether two requests would fetch the same thing. */
static int
same_request(const struct http_request *a, const struct http_request *b)
{
	return a->url != NULL && b->url != NULL && strcmp(a->url, b->url) == 0 &&
	    strcmp(a->method, b->method) == 0 && a->body_len == b->body_len &&
	    (a->body_len == 0 || memcmp(a->body, b->body, a->body_len) == 0);
}

/* Check the request the provider asked for, or end the listing. */
static enum provider_step
listing_check(struct listing *l, enum provider_step st)
{
	if (st == PROVIDER_STEP_REQUEST && (++l->nrequests >
	    PROVIDER_MAX_REQUESTS || same_request(&l->req, &l->prev))) {
		provider_fail(&l->err, PROVIDER_MALFORMED, "%s %s: pagination "
		    "does not end (request %d repeats or exceeds %d)",
		    l->p->ops->type, l->p->name, l->nrequests,
		    PROVIDER_MAX_REQUESTS);
		st = PROVIDER_STEP_FAILED;
	}
	if (st == PROVIDER_STEP_REQUEST)
		return st;
	http_request_clear(&l->req);
	http_request_clear(&l->prev);
	if (st != PROVIDER_STEP_DONE) {
		instance_list_free(&l->out);
		if (l->err.kind == PROVIDER_OK)
			provider_fail(&l->err, PROVIDER_MALFORMED, "%s %s: "
			    "listing failed", l->p->ops->type, l->p->name);
		return PROVIDER_STEP_FAILED;
	}
	l->err.kind = PROVIDER_OK;
	return st;
}

enum provider_step
listing_begin(struct listing *l, struct provider *p,
    const struct provider_filter *f)
{
	memset(l, 0, sizeof *l);
	l->p = p;
	p->ops->begin(p, f);
	return listing_check(l, p->ops->step(p, NULL, &l->req, &l->out,
	    &l->err));
}

enum provider_step
listing_next(struct listing *l, const struct http_response *resp)
{
	http_request_clear(&l->prev);
	l->prev = l->req;
	memset(&l->req, 0, sizeof l->req);
	return listing_check(l, l->p->ops->step(l->p, resp, &l->req, &l->out,
	    &l->err));
}

enum provider_step
listing_abort(struct listing *l, const struct provider_err *err)
{
	if (err != &l->err)
		l->err = *err;
	return listing_check(l, PROVIDER_STEP_FAILED);
}

void
listing_clear(struct listing *l)
{
	http_request_clear(&l->req);
	http_request_clear(&l->prev);
	instance_list_free(&l->out);
}

enum provider_error
provider_list(struct provider *p, const struct provider_filter *f,
    struct instance_list *out, struct provider_err *err)
{
	struct http_response resp;
	struct listing l;
	enum provider_step st;

	st = listing_begin(&l, p, f);
	while (st == PROVIDER_STEP_REQUEST) {
		if (http_perform(&l.req, &resp, &l.err) != PROVIDER_OK)
			st = listing_abort(&l, &l.err);
		else
			st = listing_next(&l, &resp);
		http_response_clear(&resp);
	}
	*err = l.err;
	if (st == PROVIDER_STEP_DONE)
		instance_list_move(out, &l.out);
	else
		instance_list_free(out);
	listing_clear(&l);
	return err->kind;
}
