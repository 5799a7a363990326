/*
 * fuzz_providers.c: every cloud provider's response parsing.
 *
 * The first byte picks a provider and the HTTP status; the rest is the
 * body of each response the provider asks for, for up to four steps (so
 * token answers and list pages are both fed arbitrary bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "azure.h"
#include "cloudstack.h"
#include "ec2.h"
#include "gce.h"
#include "http.h"
#include "openstack.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *gce_key;

/* A GCE service account key with a fresh RSA key, made once. */
static const char *
gce_key_json(void)
{
	EVP_PKEY *k;
	BIO *bio;
	char *pem;
	json_t *j;

	if (gce_key != NULL)
		return gce_key;
	k = EVP_RSA_gen(1024);
	bio = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
	BIO_write(bio, "", 1);
	BIO_get_mem_data(bio, &pem);
	j = json_pack("{s:s,s:s,s:s,s:s}", "private_key", pem, "client_email",
	    "f@x", "token_uri", "http://127.0.0.1:1/t", "project_id", "p");
	gce_key = json_dumps(j, 0);
	json_decref(j);
	BIO_free(bio);
	EVP_PKEY_free(k);
	return gce_key;
}

static struct provider *
make(int which, struct provider_err *err)
{
	static const char *const zones[] = { "z1", "z2" };
	struct ec2_config ec2 = { .region = "r", .endpoint = "http://127.0.0.1:1/",
		.access_key = "a", .secret_key = "s", .timeout_ms = 1 };
	struct openstack_config os = { .auth_url = "http://127.0.0.1:1/v3",
		.username = "u", .password = "p", .project = "x" };
	struct cloudstack_config cs = { "http://127.0.0.1:1/client/api", "a",
		"s", 1 };
	struct gce_config gce = { .key_json = gce_key_json(), .zones = zones,
		.nzones = 2 };
	struct azure_config az = { .tenant = "t", .client_id = "c",
		.client_secret = "s", .subscription = "sub",
		.management = "http://127.0.0.1:1", .timeout_ms = 1 };

	switch (which) {
	case 0: return provider_ec2_new("f", &ec2, err);
	case 1: return provider_openstack_new("f", &os, err);
	case 2: return provider_cloudstack_new("f", &cs, err);
	case 3: return provider_gce_new("f", &gce, err);
	default: return provider_azure_new("f", &az, err);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 200, 201, 401, 429, 500, 302, 404, 432 };
	struct provider_filter f = { "k", "v" };
	struct http_request req = { .method = "" };
	struct http_response resp = { 0 };
	struct instance_list l = { 0 };
	struct provider_err err;
	struct provider *p;
	enum provider_step st;
	int i;

	if (size < 1 || (p = make(data[0] % 5, &err)) == NULL)
		return 0;
	p->ops->begin(p, &f);
	st = p->ops->step(p, NULL, &req, &l, &err);
	for (i = 0; i < 4 && st == PROVIDER_STEP_REQUEST; i++) {
		http_request_clear(&req);
		resp.status = status[(data[0] >> 3) % 8];
		resp.body = malloc(size);
		memcpy(resp.body, data + 1, size - 1);
		resp.body[size - 1] = '\0';
		resp.body_len = size - 1;
		resp.headers = strdup("X-Subject-Token: t\r\nRetry-After: 3\r\n");
		st = p->ops->step(p, &resp, &req, &l, &err);
		http_response_clear(&resp);
	}
	http_request_clear(&req);
	instance_list_free(&l);
	provider_free(p);
	return 0;
}
