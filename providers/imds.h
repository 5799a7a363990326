/*
 * imds.h: temporary AWS credentials of the instance role, over IMDSv2.
 *
 * A small step machine the EC2 provider runs before listing when it has
 * no keys of its own: PUT /latest/api/token (a session token, 6 hours),
 * GET /latest/meta-data/iam/security-credentials/ (the role name), GET
 * .../security-credentials/ROLE (AccessKeyId, SecretAccessKey, Token,
 * Expiration).  Requests carry the session token; IMDSv1 is never used.
 */
#ifndef IMDS_H
#define IMDS_H

#include <time.h>

#include "http.h"
#include "provider.h"

#define IMDS_DEFAULT "http://169.254.169.254"

struct aws_creds {
	char *access_key, *secret_key, *session_token;
	time_t until;			/* refresh after this */
};

struct imds {
	char *base;
	long timeout_ms;
	int state;
	char *token, *role;
};

void imds_init(struct imds *, const char *base, long timeout_ms);
void imds_clear(struct imds *);
/* Start fetching credentials. */
void imds_begin(struct imds *);
/* REQUEST with *req filled, DONE with *creds replaced, or FAILED. */
enum provider_step imds_step(struct imds *, const struct http_response *,
    struct http_request *, struct aws_creds *, struct provider_err *);
/* Wipe and free credentials. */
void aws_creds_clear(struct aws_creds *);

#endif
