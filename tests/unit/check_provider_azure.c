/*
 * check_provider_azure.c: the Azure provider against the fake cloud, which
 * serves the ARM REST spec examples and checks the client credentials and
 * bearer tokens; and the VM/NIC/public IP join on its own.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "azure.h"
#include "check_main.h"
#include "fakecloud.h"
#include "http.h"

static enum provider_error
list(const char *scenario, const char *secret, const char *tag_value,
    struct instance_list *l, struct provider_err *err)
{
	char login[128], arm[128];
	struct azure_config c = { .tenant = "tenant1", .client_id = "az-client",
		.client_secret = secret, .subscription = "subid",
		.authority = login, .management = arm, .timeout_ms = 1000 };
	struct provider_filter f = { "testTag", tag_value };
	struct provider *p;
	enum provider_error e;

	snprintf(login, sizeof login, "http://127.0.0.1:%d/%s/azure/login",
	    fc.port, scenario);
	snprintf(arm, sizeof arm, "http://127.0.0.1:%d/%s/azure/arm", fc.port,
	    scenario);
	p = provider_azure_new("test", &c, err);
	ck_assert_ptr_nonnull(p);
	memset(l, 0, sizeof *l);
	e = provider_list(p, &f, l, err);
	ck_assert_ptr_null(strstr(err->message, "secret"));
	provider_free(p);
	return e;
}

START_TEST(vms_with_nic_addresses)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("ok", "az+secret", "1", &l, &err) == PROVIDER_OK,
	    "%s", err.message);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].name, "vm1");
	ck_assert_str_eq(l.v[0].state, "Succeeded");
	ck_assert_str_eq(l.v[0].zone, "eastus");
	ck_assert_uint_eq(l.v[0].nprivate, 1);
	ck_assert_str_eq(l.v[0].private_addrs[0], "172.20.2.4");
	ck_assert_uint_eq(l.v[1].nprivate, 0);	/* no NIC claims vm2 */
	ck_assert_uint_eq(l.v[0].ntags, 2);
	instance_list_free(&l);
	/* ARM cannot filter by tag: the provider does. */
	ck_assert_int_eq(list("ok", "az+secret", "2", &l, &err), PROVIDER_OK);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

/* Review, finding 8: a new token on 401, and the listing goes on. */
START_TEST(revoked_token_reauthenticates)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("revoked", "az+secret", "1", &l, &err) ==
		PROVIDER_OK,
	    "%s", err.message);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.v[0].nprivate, 1); /* the NICs were joined */
	instance_list_free(&l);
}
END_TEST

START_TEST(next_link_followed)
{
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(list("paged", "az+secret", "1", &l, &err) == PROVIDER_OK,
	    "%s", err.message);
	ck_assert_uint_eq(l.n, 2);
	instance_list_free(&l);
}
END_TEST

static const struct error_case errors[] = {
	{ "ok", "wrong", PROVIDER_AUTH_FAILED, "token: HTTP 401" },
	{ "403", "az+secret", PROVIDER_FORBIDDEN, "HTTP 403" },
	{ "429", "az+secret", PROVIDER_THROTTLED, "HTTP 429" },
	{ "500", "az+secret", PROVIDER_SERVER_ERROR, "HTTP 500" },
	{ "evil", "az+secret", PROVIDER_MALFORMED, "leaves the management" },
	{ "hang", "az+secret", PROVIDER_TIMEOUT, "no complete answer" },
	{ "huge", "az+secret", PROVIDER_MALFORMED, "larger than" },
};

START_TEST(error_kinds)
{
	struct instance_list l;
	struct provider_err err;
	enum provider_error e = list(errors[_i].scenario, errors[_i].secret,
	    "1", &l, &err);

	error_case_check(&errors[_i], e, &err, &l);
}
END_TEST

/* No secret: the managed identity's token from the metadata service. */
START_TEST(managed_identity)
{
	char arm[128], imds[128];
	struct azure_config c = { .subscription = "subid", .management = arm,
		.imds = imds, .timeout_ms = 1000 };
	struct provider_filter f = { "testTag", "1" };
	struct instance_list l = { 0 };
	struct provider_err err;
	struct provider *p;

	snprintf(arm, sizeof arm, "http://127.0.0.1:%d/ok/azure/arm", fc.port);
	snprintf(imds, sizeof imds, "http://127.0.0.1:%d/ok/azure/imds",
	    fc.port);
	p = provider_azure_new("mi", &c, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(provider_list(p, &f, &l, &err) == PROVIDER_OK, "%s",
	    err.message);
	ck_assert_uint_eq(l.n, 2);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(join_public_ip)
{
	json_t *vms = json_loads("[{\"id\": \"/S/rg/VM/A\", \"name\": \"a\", "
	    "\"location\": \"westeurope\", \"zones\": [\"2\"], \"tags\": "
	    "{\"k\": \"v\"}}]", 0, NULL);
	json_t *nics = json_loads("[{\"properties\": {\"virtualMachine\": "
	    "{\"id\": \"/s/RG/vm/a\"}, \"ipConfigurations\": [{\"properties\": "
	    "{\"privateIPAddress\": \"10.0.0.4\", \"publicIPAddress\": {\"id\": "
	    "\"/s/rg/pip/P\"}}}]}}]", 0, NULL);
	json_t *pips = json_loads("[{\"id\": \"/S/RG/PIP/p\", \"properties\": "
	    "{\"ipAddress\": \"20.1.2.3\"}}]", 0, NULL);
	struct instance_list l = { 0 };
	struct provider_filter f = { "k", NULL };

	azure_join(vms, nics, pips, &f, &l);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].zone, "westeurope-2");
	ck_assert_str_eq(l.v[0].private_addrs[0], "10.0.0.4");
	ck_assert_str_eq(l.v[0].public_addrs[0], "20.1.2.3");
	instance_list_free(&l);
	json_decref(vms);
	json_decref(nics);
	json_decref(pips);
}
END_TEST

/* Review, finding 11: the join indexes NICs and IPs; 5,000 of each. */
START_TEST(join_at_scale)
{
	json_t *vms = json_array(), *nics = json_array(), *pips = json_array();
	struct instance_list l = { 0 };
	char vm[64], pip[64], ip[32];
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(vm, sizeof vm, "/s/rg/vm/v%d", i);
		snprintf(pip, sizeof pip, "/s/rg/pip/p%d", i);
		snprintf(ip, sizeof ip, "10.%d.%d.1", i / 256, i % 256);
		json_array_append_new(vms, json_pack("{s:s}", "id", vm));
		/* The NIC names its VM in capitals: ARM ids ignore case. */
		for (char *c = vm; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		json_array_append_new(nics,
		    json_pack("{s:{s:{s:s},s:[{s:{s:s,"
			      "s:{s:s}}}]}}",
			"properties", "virtualMachine", "id", vm,
			"ipConfigurations", "properties", "privateIPAddress",
			ip, "publicIPAddress", "id", pip));
		json_array_append_new(pips,
		    json_pack("{s:s,s:{s:s}}", "id", pip, "properties",
			"ipAddress", ip));
	}
	azure_join(vms, nics, pips, NULL, &l);
	ck_assert_uint_eq(l.n, 5000);
	ck_assert_uint_eq(l.v[4999].nprivate, 1);
	ck_assert_str_eq(l.v[4999].private_addrs[0], "10.19.135.1");
	ck_assert_uint_eq(l.v[4999].npublic, 1);
	instance_list_free(&l);
	json_decref(vms);
	json_decref(nics);
	json_decref(pips);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("provider_azure");
	TCase *tc = tcase_create("azure");

	tcase_add_unchecked_fixture(tc, fakecloud_setup, fakecloud_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, vms_with_nic_addresses);
	tcase_add_test(tc, next_link_followed);
	tcase_add_test(tc, revoked_token_reauthenticates);
	tcase_add_loop_test(tc, error_kinds, 0, sizeof errors /
	    sizeof errors[0]);
	tcase_add_test(tc, managed_identity);
	tcase_add_test(tc, join_public_ip);
	tcase_add_test(tc, join_at_scale);
	suite_add_tcase(s, tc);
	return s;
}
