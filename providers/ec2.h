/*
 * ec2.h: the AWS EC2 provider (Query API DescribeInstances, SigV4).
 *
 * Lists instances carrying the filter's tag (tag:KEY=VALUE, or tag-key=KEY
 * when no value is given), following NextToken to the end.  Requests are
 * POSTed form-encoded to the regional endpoint (or the configured one) and
 * signed with Signature Version 4 for service "ec2".  Credentials come
 * from the config, else the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), else the instance role via
 * IMDSv2 (imds.h), refreshed five minutes before they expire.  Secrets are
 * copied in and wiped on free; they never appear in an error.
 */
#ifndef EC2_H
#define EC2_H

#include "provider.h"

struct ec2_config {
	const char *region;		/* e.g. eu-west-1 */
	const char *endpoint;		/* NULL: https://ec2.REGION.amazonaws.com/ */
	const char *access_key;
	const char *secret_key;
	const char *session_token;	/* NULL unless temporary credentials */
	long timeout_ms;
	const char *imds_endpoint;	/* NULL: http://169.254.169.254 */
};

/* NULL with *err set when the config is incomplete. */
struct provider *provider_ec2_new(const char *name, const struct ec2_config *,
    struct provider_err *);

#endif
