/* common.c: helpers shared by the cloud providers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common.h"
#include "sigv4.h"
#include "xmalloc.h"

enum provider_step
provider_http_fail(struct provider *p, const struct http_response *resp,
    const char *what, struct provider_err *err)
{
	provider_fail(err, http_status_kind(resp->status), "%s %s: %s: HTTP %ld",
	    p->ops->type, p->name, what, resp->status);
	err->retry_after_s = http_retry_after(resp);
	return PROVIDER_STEP_FAILED;
}

/*
 * How long a token answer says the token lasts, clamped to 0 ..
 * TOKEN_TTL_MAX: a cloud (or a man in the middle) that claims more, or
 * sends a number no time_t can add, only makes us ask again sooner.
 */
static time_t
token_ttl(json_t *ttl)
{
	long long v = 0;
	const char *s;
	char *end;

	if (json_is_integer(ttl))
		v = (long long)json_integer_value(ttl);
	else if ((s = json_string_value(ttl)) != NULL) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno != 0 || end == s || *end != '\0')
			v = 0;
	}
	if (v < 0)
		v = 0;
	return (time_t)(v < TOKEN_TTL_MAX ? v : TOKEN_TTL_MAX);
}

enum provider_step
provider_bearer_token(struct provider *p, const struct http_response *resp,
    char **token, time_t *until, struct provider_err *err)
{
	json_t *j, *ttl;
	const char *tok;
	time_t secs;

	if (resp->status != 200)
		return provider_http_fail(p, resp, "token", err);
	j = json_loadb(resp->body, resp->body_len, 0, NULL);
	tok = json_string_value(json_object_get(j, "access_token"));
	ttl = json_object_get(j, "expires_in");
	if (tok == NULL) {
		json_decref(j);
		provider_fail(err, PROVIDER_MALFORMED, "%s %s: token answer "
		    "without access_token", p->ops->type, p->name);
		return PROVIDER_STEP_FAILED;
	}
	secs = token_ttl(ttl);
	secret_free(*token);
	*token = xstrdup(tok);
	*until = time(NULL) + (secs > 300 ? secs - 300 : 0);
	json_decref(j);
	return PROVIDER_STEP_REQUEST;
}

char *
json_text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	char *s;

	if (json_is_string(v) && json_string_length(v) > 0)
		return xstrdup(json_string_value(v));
	if (json_is_integer(v)) {
		xasprintf(&s, "%lld", (long long)json_integer_value(v));
		return s;
	}
	return NULL;
}

char *
uri_encode(const char *s)
{
	return sigv4_uri_encode(s, strlen(s), 0);
}

void
secret_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}
