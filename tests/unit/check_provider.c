/* check_provider.c: instance lists, filters, the static provider. */
#include <string.h>

#include <time.h>

#include "check_main.h"
#include "common.h"
#include "openstack.h"
#include "provider.h"

START_TEST(static_lists_entries)
{
	const char *entries[] = { "web1=198.51.100.10", "junk", "db1=2001:db8::7" };
	struct provider *p = provider_static_new("static", entries, 3);
	struct instance_list l = { 0 };
	struct provider_err err;

	ck_assert_int_eq(provider_list(p, NULL, &l, &err), PROVIDER_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].name, "web1");
	ck_assert_str_eq(l.v[0].private_addrs[0], "198.51.100.10");
	ck_assert_str_eq(l.v[1].private_addrs[0], "2001:db8::7");
	ck_assert_str_eq(p->ops->type, "static");
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(filter_by_tag)
{
	struct instance_list l = { 0 };
	struct instance *in = instance_list_add(&l);
	struct provider_filter any = { NULL, NULL }, key = { "tunneld", NULL },
	    kv = { "tunneld", "pod1" }, other = { "tunneld", "pod2" };

	instance_add_tag(in, "tunneld", "pod1");
	ck_assert(instance_matches(in, &any));
	ck_assert(instance_matches(in, &key));
	ck_assert(instance_matches(in, &kv));
	ck_assert(!instance_matches(in, &other));
	instance_list_free(&l);
}
END_TEST

START_TEST(errors)
{
	struct provider_err err;

	ck_assert_int_eq(provider_fail(&err, PROVIDER_THROTTLED, "retry in %d s",
	    5), PROVIDER_THROTTLED);
	ck_assert_str_eq(err.message, "retry in 5 s");
	ck_assert_str_eq(provider_error_name(PROVIDER_TIMEOUT), "timeout");
}
END_TEST

/* Review, finding 8: a token's lifetime is believed up to a day, never
 * added past what a time_t holds; a negative or garbled one is zero. */
START_TEST(token_lifetime_clamped)
{
	static const struct {
		const char *body;
		time_t min, max; /* of until - now */
	} cases[] = {
		{ "{\"access_token\":\"t\",\"expires_in\":"
		  "9223372036854775807}",
		    TOKEN_TTL_MAX - 301, TOKEN_TTL_MAX },
		{ "{\"access_token\":\"t\",\"expires_in\":"
		  "\"9223372036854775808\"}",
		    0, 1 },
		{ "{\"access_token\":\"t\",\"expires_in\":-5}", 0, 1 },
		{ "{\"access_token\":\"t\",\"expires_in\":\"3599x\"}", 0, 1 },
		{ "{\"access_token\":\"t\",\"expires_in\":\"3600\"}", 3299,
		    3301 },
	};
	struct provider *p = provider_static_new("s", NULL, 0);
	struct http_response r = { .status = 200 };
	struct provider_err err;
	char *token = NULL;
	time_t until, now;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		r.body = (char *)(uintptr_t)cases[i].body;
		r.body_len = strlen(cases[i].body);
		now = time(NULL);
		ck_assert_int_eq(provider_bearer_token(p, &r, &token, &until,
				     &err),
		    PROVIDER_STEP_REQUEST);
		ck_assert_msg(until - now >= cases[i].min &&
			until - now <= cases[i].max,
		    "case %zu: %lld", i, (long long)(until - now));
	}
	secret_free(token);
	provider_free(p);
}
END_TEST

/* Review, finding 11: user:password@ of an endpoint stays out of errors. */
START_TEST(userinfo_not_in_errors)
{
	struct openstack_config c = { .auth_url =
					  "http://admin:hunter2@127.0.0.1:1/v3",
		.username = "u",
		.password = "p",
		.project = "x",
		.timeout_ms = 1000 };
	struct instance_list l = { 0 };
	struct provider_err err;
	struct provider *p = provider_openstack_new("lab", &c, &err);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_ne(provider_list(p, NULL, &l, &err), PROVIDER_OK);
	ck_assert_msg(strstr(err.message, "127.0.0.1:1") != NULL, "%s",
	    err.message);
	ck_assert_msg(strstr(err.message, "hunter2") == NULL, "%s",
	    err.message);
	ck_assert_msg(strstr(err.message, "admin") == NULL, "%s", err.message);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("provider");
	TCase *tc = tcase_create("provider");

	tcase_add_test(tc, static_lists_entries);
	tcase_add_test(tc, filter_by_tag);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, token_lifetime_clamped);
	tcase_add_test(tc, userinfo_not_in_errors);
	suite_add_tcase(s, tc);
	return s;
}
