/*
 * check_provider_openstack.c: Keystone v3 + Nova against the fake cloud,
 * which serves the published samples and checks credentials and tokens.
 */
#include <string.h>

#include "check_main.h"
#include "fakecloud.h"
#include "http.h"
#include "openstack.h"

#define PASSWORD "os+secret/pass"
#define APPSECRET "appcred+secret"

static struct provider *
make(const char *scenario, const char *password, int appcred, long timeout)
{
	char url[128];
	struct openstack_config c = { 0 };
	struct provider_err err;
	struct provider *p;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/keystone/v3",
	    fc.port, scenario);
	c.auth_url = url;
	if (appcred) {
		c.app_cred_id = "appcred-id";
		c.app_cred_secret = password;
	} else {
		c.username = "tunneld";
		c.password = password;
		c.project = "pod";
	}
	c.region = "RegionOne";
	c.timeout_ms = timeout;
	p = provider_openstack_new("test", &c, &err);
	ck_assert_msg(p != NULL, "%s", err.message);
	return p;
}

static enum provider_error
run(struct provider *p, struct instance_list *l, struct provider_err *err)
{
	struct provider_filter f = { "tunneld", "pod" };
	enum provider_error e;

	memset(l, 0, sizeof *l);
	e = provider_list(p, &f, l, err);
	ck_assert_ptr_null(strstr(err->message, "secret"));
	ck_assert_ptr_null(strstr(err->message, "tok-"));
	return e;
}

START_TEST(password_ok)
{
	struct provider *p = make("ok", PASSWORD, 0, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].id, "f5dc173b-6804-445a-a6d8-c705dad5b5eb");
	ck_assert_str_eq(l.v[0].name, "new-server-test");
	ck_assert_str_eq(l.v[0].state, "ACTIVE");
	ck_assert_str_eq(l.v[0].zone, "us-west");
	ck_assert_uint_eq(l.v[0].nprivate, 1);
	ck_assert_str_eq(l.v[0].private_addrs[0], "192.168.1.30");
	ck_assert_uint_eq(l.v[0].npublic, 0);
	ck_assert_uint_eq(l.v[0].ntags, 2);
	ck_assert_str_eq(l.v[0].tags[1].key, "tag2");
	instance_list_free(&l);
	/* Second listing reuses the token: still fine. */
	ck_assert_int_eq(run(p, &l, &err), PROVIDER_OK);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(appcred_paged)
{
	struct provider *p = make("paged", APPSECRET, 1, 0);
	struct instance_list l;
	struct provider_err err;
	const struct instance *in;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 3);
	in = &l.v[1];
	ck_assert_str_eq(in->id, "12065");	/* an integer id, as text */
	ck_assert_str_eq(in->state, "BUILD");
	/* Floating addresses are public, fixed and untyped ones private. */
	ck_assert_uint_eq(in->npublic, 3);
	ck_assert_uint_eq(in->nprivate, 7);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(revoked_token_reauthenticates)
{
	struct provider *p = make("revoked", PASSWORD, 0, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 1);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(down_cell_partial_record)
{
	struct provider *p = make("downcell", PASSWORD, 0, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].name, l.v[0].id);	/* no name: the id */
	ck_assert_str_eq(l.v[0].state, "UNKNOWN");
	ck_assert_uint_eq(l.v[0].nprivate, 0);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

static const struct error_case errors[] = {
	{ "ok", "wrong", PROVIDER_AUTH_FAILED, "keystone: HTTP 401" },
	{ "403", PASSWORD, PROVIDER_FORBIDDEN, "HTTP 403" },
	{ "429", PASSWORD, PROVIDER_THROTTLED, "HTTP 429" },
	{ "500", PASSWORD, PROVIDER_SERVER_ERROR, "HTTP 500" },
	{ "repeat", PASSWORD, PROVIDER_MALFORMED, "pagination" },
	{ "evil", PASSWORD, PROVIDER_MALFORMED, "leaves the compute endpoint" },
	{ "hang", PASSWORD, PROVIDER_TIMEOUT, "no complete answer" },
	{ "truncated", PASSWORD, PROVIDER_MALFORMED, "cut short" },
	{ "malformed", PASSWORD, PROVIDER_MALFORMED, "without a token" },
	{ "huge", PASSWORD, PROVIDER_MALFORMED, "larger than" },
};

START_TEST(error_kinds)
{
	struct provider *p = make(errors[_i].scenario, errors[_i].secret, 0,
	    1000);
	struct instance_list l;
	struct provider_err err;
	enum provider_error e = run(p, &l, &err);

	error_case_check(&errors[_i], e, &err, &l);
	provider_free(p);
}
END_TEST

START_TEST(bad_config)
{
	struct openstack_config c = { 0 };
	struct provider_err err;

	c.auth_url = "keystone:5000";
	c.username = "u";
	c.password = "p";
	c.project = "x";
	ck_assert_ptr_null(provider_openstack_new("t", &c, &err));
	ck_assert_int_eq(err.kind, PROVIDER_BAD_CONFIG);
	c.auth_url = "https://keystone:5000/v3";
	c.password = NULL;
	ck_assert_ptr_null(provider_openstack_new("t", &c, &err));
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("provider_openstack");
	TCase *tc = tcase_create("openstack");

	tcase_add_unchecked_fixture(tc, fakecloud_setup, fakecloud_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, password_ok);
	tcase_add_test(tc, appcred_paged);
	tcase_add_test(tc, revoked_token_reauthenticates);
	tcase_add_test(tc, down_cell_partial_record);
	tcase_add_loop_test(tc, error_kinds, 0, sizeof errors /
	    sizeof errors[0]);
	tcase_add_test(tc, bad_config);
	suite_add_tcase(s, tc);
	return s;
}
