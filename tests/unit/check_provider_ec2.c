/*
 * check_provider_ec2.c: the EC2 provider against a local fake EC2 that
 * serves published responses and verifies each request's SigV4 signature
 * with its own implementation.  Errors, pagination and misbehaviour.
 */
#include <string.h>

#include "check_main.h"
#include "ec2.h"
#include "fakecloud.h"
#include "http.h"

#define SECRET "tunneld/test+secret/KEY"
#define TOKEN "session-token-never-logged"

/* List through scenario with the given secret; returns the error kind. */
static enum provider_error
list(const char *scenario, const char *secret, long timeout_ms,
    struct instance_list *l, struct provider_err *err)
{
	char url[128];
	struct ec2_config c = { .region = "us-west-2", .endpoint = url,
		.access_key = "AKIDTEST", .secret_key = secret,
		.timeout_ms = timeout_ms };
	struct provider_filter f = { "tunneld", "pod" };
	struct provider *p;
	enum provider_error e;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/", fc.port, scenario);
	p = provider_ec2_new("test", &c, err);
	ck_assert_ptr_nonnull(p);
	memset(l, 0, sizeof *l);
	e = provider_list(p, &f, l, err);
	/* No error text ever carries a credential. */
	ck_assert_ptr_null(strstr(err->message, secret));
	ck_assert_ptr_null(strstr(err->message, "test+secret"));
	provider_free(p);
	return e;
}

START_TEST(ok_signed_and_parsed)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("ok", SECRET, 0, &l, &err) == PROVIDER_OK, "%s",
	    err.message);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].id, "i-fde9cece");
	ck_assert_str_eq(l.v[1].id, "i-78f1b94a");
	ck_assert_str_eq(l.v[1].state, "running");
	ck_assert_str_eq(l.v[1].public_addrs[0], "54.245.16.142");
	instance_list_free(&l);
}
END_TEST

START_TEST(pagination_followed)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("paged", SECRET, 0, &l, &err) == PROVIDER_OK, "%s",
	    err.message);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(l.v[3].name, "Test Server 2");
	instance_list_free(&l);
}
END_TEST

START_TEST(repeated_token_stops)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_int_eq(list("repeat", SECRET, 0, &l, &err),
	    PROVIDER_MALFORMED);
	ck_assert_ptr_nonnull(strstr(err.message, "pagination"));
	ck_assert_uint_eq(l.n, 0);	/* nothing half-listed survives */
}
END_TEST

static const struct error_case errors[] = {
	{ "401", SECRET, PROVIDER_AUTH_FAILED, "401 AuthFailure" },
	{ "403", SECRET, PROVIDER_FORBIDDEN, "UnauthorizedOperation" },
	{ "429", SECRET, PROVIDER_THROTTLED, "RequestLimitExceeded" },
	{ "500", SECRET, PROVIDER_SERVER_ERROR, "InternalError" },
	{ "ok", "wrong/secret", PROVIDER_AUTH_FAILED, "SignatureDoesNotMatch" },
	{ "hang", SECRET, PROVIDER_TIMEOUT, "no complete answer" },
	{ "truncated", SECRET, PROVIDER_MALFORMED, "cut short" },
	{ "malformed", SECRET, PROVIDER_MALFORMED, "not XML" },
	{ "huge", SECRET, PROVIDER_MALFORMED, "larger than" },
};

START_TEST(error_kinds)
{
	struct instance_list l;
	struct provider_err err;
	enum provider_error e;

	e = list(errors[_i].scenario, errors[_i].secret, 1000, &l, &err);
	error_case_check(&errors[_i], e, &err, &l);
}
END_TEST

START_TEST(unreachable_and_bad_config)
{
	struct ec2_config c = { .region = "eu-west-1",
		.endpoint = "http://127.0.0.1:1/", .access_key = "AK",
		.secret_key = SECRET, .session_token = TOKEN,
		.timeout_ms = 2000 };
	struct instance_list l = { 0 };
	struct provider_err err;
	struct provider *p = provider_ec2_new("t", &c, &err);

	ck_assert_int_eq(provider_list(p, NULL, &l, &err),
	    PROVIDER_SERVER_ERROR);
	ck_assert_ptr_nonnull(strstr(err.message, "127.0.0.1:1"));
	ck_assert_ptr_null(strstr(err.message, TOKEN));
	provider_free(p);
	c.endpoint = "ftp://example/";
	ck_assert_ptr_null(provider_ec2_new("t", &c, &err));
	ck_assert_int_eq(err.kind, PROVIDER_BAD_CONFIG);
	c.endpoint = NULL;
	c.secret_key = NULL;	/* an access key without its secret */
	ck_assert_ptr_null(provider_ec2_new("t", &c, &err));
	ck_assert_int_eq(err.kind, PROVIDER_BAD_CONFIG);
}
END_TEST

/* No keys in the config: the environment's. */
START_TEST(environment_credentials)
{
	char url[128];
	struct ec2_config c = { .region = "us-west-2", .endpoint = url };
	struct provider_filter f = { "tunneld", "pod" };
	struct instance_list l = { 0 };
	struct provider_err err;
	struct provider *p;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/ok/", fc.port);
	setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	p = provider_ec2_new("env", &c, &err);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	ck_assert_int_eq(provider_list(p, &f, &l, &err), PROVIDER_OK);
	ck_assert_uint_eq(l.n, 2);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

/* Neither: the instance role's temporary credentials through IMDSv2. */
START_TEST(instance_role_credentials)
{
	char url[128], imds[128];
	struct ec2_config c = { .region = "us-west-2", .endpoint = url,
		.imds_endpoint = imds, .timeout_ms = 2000 };
	struct provider_filter f = { "tunneld", "pod" };
	struct instance_list l = { 0 };
	struct provider_err err;
	struct provider *p;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/ok/", fc.port);
	snprintf(imds, sizeof imds, "http://127.0.0.1:%d/ok/imds", fc.port);
	p = provider_ec2_new("role", &c, &err);
	ck_assert_msg(provider_list(p, &f, &l, &err) == PROVIDER_OK, "%s",
	    err.message);
	ck_assert_uint_eq(l.n, 2);
	instance_list_free(&l);
	provider_free(p);
	snprintf(imds, sizeof imds, "http://127.0.0.1:%d/norole/imds",
	    fc.port);
	p = provider_ec2_new("role", &c, &err);
	ck_assert_int_eq(provider_list(p, &f, &l, &err), PROVIDER_NOT_FOUND);
	ck_assert_str_eq(err.message, "aws: no instance role attached");
	provider_free(p);
}
END_TEST

START_TEST(secret_never_on_the_wire)
{
	char line[4096];
	FILE *f = fopen(fc.log, "r");

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof line, f) != NULL)
		ck_assert_ptr_null(strstr(line, "test+secret"));
	fclose(f);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("provider_ec2");
	TCase *tc = tcase_create("ec2");

	tcase_add_unchecked_fixture(tc, fakecloud_setup, fakecloud_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ok_signed_and_parsed);
	tcase_add_test(tc, pagination_followed);
	tcase_add_test(tc, repeated_token_stops);
	tcase_add_loop_test(tc, error_kinds, 0, sizeof errors /
	    sizeof errors[0]);
	tcase_add_test(tc, unreachable_and_bad_config);
	tcase_add_test(tc, environment_credentials);
	tcase_add_test(tc, instance_role_credentials);
	tcase_add_test(tc, secret_never_on_the_wire);
	suite_add_tcase(s, tc);
	return s;
}
