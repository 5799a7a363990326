/*
 * check_provider_gce.c: the GCE provider against the fake cloud.  The test
 * makes an RSA key pair, gives the fake cloud only the public half, and
 * the fake cloud verifies each JWT assertion's RS256 signature and claims
 * with its own implementation before it hands out a token.
 */
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "check_main.h"
#include "fakecloud.h"
#include "gce.h"
#include "http.h"

static char *pem;
static char pubfile[64];

/* A fresh RSA key: PEM private key in pem, n and e in pubfile. */
static void
make_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIGNUM *n = NULL, *e = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *nh, *eh;
	long len;
	FILE *f;

	ck_assert_ptr_nonnull(k);
	PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	len = BIO_get_mem_data(bio, &data);
	pem = strndup(data, (size_t)len);
	BIO_free(bio);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n);
	EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e);
	nh = BN_bn2hex(n);
	eh = BN_bn2hex(e);
	snprintf(pubfile, sizeof pubfile, "/tmp/fakecloud-gce.%d.pub", getpid());
	f = fopen(pubfile, "w");
	fprintf(f, "%s\n%s\n", nh, eh);
	fclose(f);
	OPENSSL_free(nh);
	OPENSSL_free(eh);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(k);
	setenv("FAKECLOUD_GCE_PUBKEY", pubfile, 1);
}

static void
start(void)
{
	make_key();
	fakecloud_setup();
}

static void
stop(void)
{
	fakecloud_teardown();
	unlink(pubfile);
	free(pem);
}

static struct provider *
make(const char *scenario, const char *const *zones, size_t nzones)
{
	char base[128], compute[160], *key;
	struct gce_config c = { 0 };
	struct provider_err err;
	struct provider *p;
	json_t *j;

	snprintf(base, sizeof base, "http://127.0.0.1:%d/%s/gce", fc.port,
	    scenario);
	snprintf(compute, sizeof compute, "%s/compute/v1", base);
	j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type", "service_account",
	    "project_id", "test-project", "private_key_id", "k1",
	    "private_key", pem, "client_email",
	    "tunneld@test-project.iam.gserviceaccount.com", "token_uri", "");
	json_object_set_new(j, "token_uri", json_sprintf("%s/token", base));
	key = json_dumps(j, 0);
	json_decref(j);
	c.key_json = key;
	c.zones = zones;
	c.nzones = nzones;
	c.compute_base = compute;
	c.timeout_ms = 1000;
	p = provider_gce_new("test", &c, &err);
	ck_assert_msg(p != NULL, "%s", err.message);
	free(key);
	return p;
}

static enum provider_error
run(struct provider *p, struct instance_list *l, struct provider_err *err)
{
	struct provider_filter f = { "tunneld", "pod" };

	memset(l, 0, sizeof *l);
	return provider_list(p, &f, l, err);
}

START_TEST(zone_list)
{
	static const char *const zones[] = { "us-central1-a", "us-central1-b" };
	struct provider *p = make("ok", zones, 2);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0].id, "4006034190819017667");
	ck_assert_str_eq(l.v[0].name, "node-name");
	ck_assert_str_eq(l.v[0].state, "RUNNING");
	ck_assert_str_eq(l.v[0].zone, "us-central1-a");
	ck_assert_str_eq(l.v[0].private_addrs[0], "10.240.72.75");
	ck_assert_str_eq(l.v[0].public_addrs[0], "23.236.58.15");
	instance_list_free(&l);
	/* The cached token serves a second listing. */
	ck_assert_int_eq(run(p, &l, &err), PROVIDER_OK);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(aggregated_and_paged)
{
	struct provider *p = make("paged", NULL, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	/* Page one: the zone list (1); page two: aggregated (3 + 1 + 4). */
	ck_assert_uint_eq(l.n, 9);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(repeated_page_token)
{
	struct provider *p = make("repeat", NULL, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_int_eq(run(p, &l, &err), PROVIDER_MALFORMED);
	ck_assert_ptr_nonnull(strstr(err.message, "pagination"));
	provider_free(p);
}
END_TEST

/* Review, finding 8: GCE gets a new token on 401, as OpenStack does. */
START_TEST(revoked_token_reauthenticates)
{
	struct provider *p = make("revoked", NULL, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 8); /* aggregated: 3 + 1 + 4 */
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

/* Review, finding 8: expires_in = INT64_MAX neither overflows nor lasts. */
START_TEST(token_lifetime_clamped)
{
	struct provider *p = make("forever", NULL, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	instance_list_free(&l);
	provider_free(p);
}
END_TEST

START_TEST(token_errors)
{
	static const char *const scen[] = { "403", "429", "500", "hang" };
	static const enum provider_error want[] = { PROVIDER_FORBIDDEN,
		PROVIDER_THROTTLED, PROVIDER_SERVER_ERROR, PROVIDER_TIMEOUT };
	struct provider *p = make(scen[_i], NULL, 0);
	struct instance_list l;
	struct provider_err err;

	ck_assert_int_eq(run(p, &l, &err), want[_i]);
	ck_assert_ptr_null(strstr(err.message, "PRIVATE"));
	ck_assert_uint_eq(l.n, 0);
	provider_free(p);
}
END_TEST

/* Without a key file: the instance's token from the metadata server. */
START_TEST(metadata_server_token)
{
	static const char *const zones[] = { "us-central1-a" };
	char md[128], compute[160];
	struct gce_config c = { .metadata = md, .project = "test-project",
		.zones = zones, .nzones = 1, .compute_base = compute,
		.timeout_ms = 1000 };
	struct instance_list l;
	struct provider_err err;
	struct provider *p;

	snprintf(md, sizeof md, "http://127.0.0.1:%d/ok/gce/metadata", fc.port);
	snprintf(compute, sizeof compute, "http://127.0.0.1:%d/ok/gce/compute/v1",
	    fc.port);
	p = provider_gce_new("md", &c, &err);
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(run(p, &l, &err) == PROVIDER_OK, "%s", err.message);
	ck_assert_uint_eq(l.n, 1);
	instance_list_free(&l);
	provider_free(p);
	c.project = NULL;
	ck_assert_ptr_null(provider_gce_new("md", &c, &err));
	ck_assert_int_eq(err.kind, PROVIDER_BAD_CONFIG);
}
END_TEST

START_TEST(bad_key)
{
	struct gce_config c = { .key_json = "{\"client_email\": \"x\"}" };
	struct provider_err err;

	ck_assert_ptr_null(provider_gce_new("t", &c, &err));
	ck_assert_int_eq(err.kind, PROVIDER_BAD_CONFIG);
	c.key_json = "not json";
	ck_assert_ptr_null(provider_gce_new("t", &c, &err));
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("provider_gce");
	TCase *tc = tcase_create("gce");

	tcase_add_unchecked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, zone_list);
	tcase_add_test(tc, revoked_token_reauthenticates);
	tcase_add_test(tc, token_lifetime_clamped);
	tcase_add_test(tc, aggregated_and_paged);
	tcase_add_test(tc, repeated_page_token);
	tcase_add_loop_test(tc, token_errors, 0, 4);
	tcase_add_test(tc, metadata_server_token);
	tcase_add_test(tc, bad_key);
	suite_add_tcase(s, tc);
	return s;
}
