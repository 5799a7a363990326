/* list.c: the synchronous driver of provider listings. */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "provider.h"

/* Whether two requests would fetch the same thing. */
static int
same_request(const struct http_request *a, const struct http_request *b)
{
	return a->url != NULL && b->url != NULL && strcmp(a->url, b->url) == 0 &&
	    strcmp(a->method, b->method) == 0 && a->body_len == b->body_len &&
	    (a->body_len == 0 || memcmp(a->body, b->body, a->body_len) == 0);
}

enum provider_error
provider_list(struct provider *p, const struct provider_filter *f,
    struct instance_list *out, struct provider_err *err)
{
	struct http_request req = { .method = "" }, prev = { .method = "" };
	struct http_response resp = { 0 };
	enum provider_step st;
	int n = 0;

	p->ops->begin(p, f);
	st = p->ops->step(p, NULL, &req, out, err);
	while (st == PROVIDER_STEP_REQUEST) {
		if (++n > PROVIDER_MAX_REQUESTS || same_request(&req, &prev)) {
			provider_fail(err, PROVIDER_MALFORMED, "%s %s: pagination"
			    " does not end (request %d repeats or exceeds %d)",
			    p->ops->type, p->name, n, PROVIDER_MAX_REQUESTS);
			st = PROVIDER_STEP_FAILED;
			break;
		}
		if (http_perform(&req, &resp, err) != PROVIDER_OK) {
			st = PROVIDER_STEP_FAILED;
			break;
		}
		http_request_clear(&prev);
		prev = req;
		memset(&req, 0, sizeof req);
		st = p->ops->step(p, &resp, &req, out, err);
		http_response_clear(&resp);
	}
	http_request_clear(&req);
	http_request_clear(&prev);
	http_response_clear(&resp);
	if (st != PROVIDER_STEP_DONE) {
		instance_list_free(out);
		return err->kind != PROVIDER_OK ? err->kind : PROVIDER_MALFORMED;
	}
	err->kind = PROVIDER_OK;
	return PROVIDER_OK;
}
