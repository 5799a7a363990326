/*
 * common.h: what every cloud provider needs the same way.
 *
 * HTTP failures turned into provider errors, OAuth2 bearer token answers,
 * JSON fields that clouds send as text or as numbers, URL encoding, and
 * wiping secrets.  Control-plane only; no state.
 */
#ifndef PROVIDER_COMMON_H
#define PROVIDER_COMMON_H

#include <time.h>

#include <jansson.h>

#include "http.h"
#include "provider.h"

/* Fail the step: "TYPE NAME: WHAT: HTTP STATUS", with Retry-After. */
enum provider_step provider_http_fail(struct provider *,
    const struct http_response *, const char *what, struct provider_err *);
enum { TOKEN_TTL_MAX = 86400 }; /* seconds a token is ever kept */

/*
 * Take an OAuth2 token answer (access_token, expires_in as a number or a
 * string, at most TOKEN_TTL_MAX believed): replace *token (the old one
 * wiped) and set *until to five minutes before it expires.  REQUEST on
 * success, else FAILED.
 */
enum provider_step provider_bearer_token(struct provider *,
    const struct http_response *, char **token, time_t *until,
    struct provider_err *);
/* A non-empty string field, or an integer one as text; new or NULL. */
char *json_text(json_t *, const char *key);
/* RFC 3986 encoding of everything but unreserved characters; new. */
char *uri_encode(const char *);
/* Wipe a secret string and free it (NULL is fine). */
void secret_free(char *);

#endif
