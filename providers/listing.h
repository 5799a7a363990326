/*
 * listing.h: one provider listing in progress, whoever performs its HTTP.
 *
 * The rules every driver needs live here once: a request identical to the
 * one before (a page token that repeats) or more than
 * PROVIDER_MAX_REQUESTS requests fail the listing, and a failed listing
 * leaves no instances.  A driver calls listing_begin(), then, while the
 * answer is PROVIDER_STEP_REQUEST, performs l->req and hands the response
 * to listing_next() (or a transport error to listing_abort()).  l->req
 * stays valid until then.  On DONE, l->out holds the instances (the
 * caller takes them); on FAILED, l->err says why.
 */
#ifndef LISTING_H
#define LISTING_H

#include "http.h"
#include "provider.h"

struct listing {
	struct provider *p;
	struct http_request req, prev;
	int nrequests;
	struct instance_list out;
	struct provider_err err;
};

enum provider_step listing_begin(struct listing *, struct provider *,
    const struct provider_filter *);
enum provider_step listing_next(struct listing *, const struct http_response *);
/* The request failed in transport; err says how. */
enum provider_step listing_abort(struct listing *, const struct provider_err *);
/* Free what the listing holds (instances not taken included). */
void listing_clear(struct listing *);

#endif
