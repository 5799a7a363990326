/*
 * check_provider_cloudstack.c: CloudStack signing (the developer guide's
 * worked example) and listVirtualMachines against the fake cloud, which
 * verifies every signature with its own implementation.
 */
#include <string.h>

#include "check_main.h"
#include "cloudstack.h"
#include "fakecloud.h"
#include "http.h"

#define SECRET "cs+secret/key"

START_TEST(developer_guide_vector)
{
	/* apache/cloudstack-documentation developersguide/dev.rst. */
	static const struct cs_param p[] = {
		{ "apikey", "plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-"
		    "kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg" },
		{ "command", "listUsers" },
		{ "response", "json" },
	};
	char *sig = cloudstack_sign(p, 3, "VDaACYb0LV9eNjTetIOElcVQkvJck_J_"
	    "QljX_FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ");

	ck_assert_str_eq(sig, "TTpdDq/7j/J58XCRHomKoQXEQds=");
	free(sig);
}
END_TEST

static enum provider_error
list(const char *scenario, const char *secret, struct instance_list *l,
    struct provider_err *err)
{
	char url[128];
	struct cloudstack_config c = { url, "csapikey", secret, 1000 };
	struct provider_filter f = { "tunneld", "pod" };
	struct provider *p;
	enum provider_error e;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/client/api", fc.port,
	    scenario);
	p = provider_cloudstack_new("test", &c, err);
	ck_assert_ptr_nonnull(p);
	memset(l, 0, sizeof *l);
	e = provider_list(p, &f, l, err);
	ck_assert_ptr_null(strstr(err->message, "secret"));
	provider_free(p);
	return e;
}

START_TEST(ok_parsed)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("ok", SECRET, &l, &err) == PROVIDER_OK, "%s",
	    err.message);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].id, "2600");
	ck_assert_str_eq(l.v[0].name, "test");
	ck_assert_str_eq(l.v[0].state, "Running");
	ck_assert_str_eq(l.v[0].zone, "Sydney");
	ck_assert_str_eq(l.v[0].private_addrs[0], "1.1.1.116");
	ck_assert_uint_eq(l.v[0].ntags, 2);
	ck_assert_str_eq(l.v[0].tags[1].key, "foo");
	ck_assert_str_eq(l.v[0].tags[1].value, "bar");
	instance_list_free(&l);
}
END_TEST

START_TEST(paged_to_count)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("paged", SECRET, &l, &err) == PROVIDER_OK, "%s",
	    err.message);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.v[2].id, "915653c4-298b-4d74-bdee-4ced282114f1");
	ck_assert_str_eq(l.v[2].private_addrs[0], "10.1.1.62");
	instance_list_free(&l);
}
END_TEST

static const struct error_case errors[] = {
	{ "ok", "wrong", PROVIDER_AUTH_FAILED, "HTTP 432" },
	{ "403", SECRET, PROVIDER_FORBIDDEN, "fake error 403" },
	{ "429", SECRET, PROVIDER_THROTTLED, "HTTP 429" },
	{ "500", SECRET, PROVIDER_SERVER_ERROR, "HTTP 500" },
	{ "repeat", SECRET, PROVIDER_MALFORMED, "pagination does not end" },
	{ "hang", SECRET, PROVIDER_TIMEOUT, "no complete answer" },
	{ "malformed", SECRET, PROVIDER_MALFORMED, "not a listVirtualMachines" },
	{ "huge", SECRET, PROVIDER_MALFORMED, "larger than" },
};

START_TEST(error_kinds)
{
	struct instance_list l;
	struct provider_err err;
	enum provider_error e = list(errors[_i].scenario, errors[_i].secret, &l,
	    &err);

	error_case_check(&errors[_i], e, &err, &l);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("provider_cloudstack");
	TCase *tc = tcase_create("cloudstack");

	tcase_add_unchecked_fixture(tc, fakecloud_setup, fakecloud_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, developer_guide_vector);
	tcase_add_test(tc, ok_parsed);
	tcase_add_test(tc, paged_to_count);
	tcase_add_loop_test(tc, error_kinds, 0, sizeof errors /
	    sizeof errors[0]);
	suite_add_tcase(s, tc);
	return s;
}
