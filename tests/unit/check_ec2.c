/* check_ec2.c: EC2 DescribeInstances and error bodies, real samples. */
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check_main.h"
#include "data.h"
#include "ec2_xml.h"

static const char *
tag(const struct instance *in, const char *key)
{
	size_t i;

	for (i = 0; i < in->ntags; i++)
		if (strcmp(in->tags[i].key, key) == 0)
			return in->tags[i].value;
	return NULL;
}

static const struct instance *
by_id(const struct instance_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}

/* Our parse agrees, field by field, with botocore's own parse. */
START_TEST(botocore_golden)
{
	size_t len, glen, r, i, t;
	char *xml = data_read("aws/botocore-ec2-describe-instances.xml", &len);
	char *golden = data_read("aws/botocore-ec2-describe-instances."
	    "expected-parse.json", &glen), *next;
	struct instance_list l = { 0 };
	struct provider_err err;
	json_t *g = json_loadb(golden, glen, 0, NULL), *res, *inst, *tags, *tg;
	const struct instance *in;
	int seen = 0;

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(ec2_parse_instances(xml, len, &l, &next, &err),
	    PROVIDER_OK);
	ck_assert_ptr_null(next);
	json_array_foreach(json_object_get(g, "Reservations"), r, res) {
		json_array_foreach(json_object_get(res, "Instances"), i, inst) {
			const char *priv = json_string_value(json_object_get(inst,
			    "PrivateIpAddress"));
			const char *pub = json_string_value(json_object_get(inst,
			    "PublicIpAddress"));
			in = by_id(&l, json_string_value(json_object_get(inst,
			    "InstanceId")));
			ck_assert_ptr_nonnull(in);
			ck_assert_str_eq(in->state, json_string_value(
			    json_object_get(json_object_get(inst, "State"),
			    "Name")));
			ck_assert_str_eq(in->zone, json_string_value(
			    json_object_get(json_object_get(inst, "Placement"),
			    "AvailabilityZone")));
			ck_assert_uint_eq(in->nprivate, priv ? 1 : 0);
			if (priv)
				ck_assert_str_eq(in->private_addrs[0], priv);
			ck_assert_uint_eq(in->npublic, pub ? 1 : 0);
			if (pub)
				ck_assert_str_eq(in->public_addrs[0], pub);
			tags = json_object_get(inst, "Tags");
			ck_assert_uint_eq(in->ntags, json_array_size(tags));
			json_array_foreach(tags, t, tg)
				ck_assert_str_eq(tag(in, json_string_value(
				    json_object_get(tg, "Key"))),
				    json_string_value(json_object_get(tg,
				    "Value")));
			seen++;
		}
	}
	ck_assert_int_eq(seen, 2);
	ck_assert_uint_eq(l.n, 2);
	json_decref(g);
	instance_list_free(&l);
	free(xml);
	free(golden);
}
END_TEST

START_TEST(libcloud_vpc)
{
	size_t len;
	char *xml = data_read("aws/libcloud-ec2-describe-instances-vpc.xml",
	    &len), *next;
	struct instance_list l = { 0 };
	struct provider_err err;
	const struct instance *in;

	ck_assert_int_eq(ec2_parse_instances(xml, len, &l, &next, &err),
	    PROVIDER_OK);
	ck_assert_uint_eq(l.n, 2);
	in = by_id(&l, "i-8474834a");
	ck_assert_ptr_nonnull(in);
	ck_assert_str_eq(in->name, "Test Server 2");
	ck_assert_str_eq(in->state, "stopped");
	ck_assert_str_eq(in->zone, "us-east-1d");
	ck_assert_str_eq(tag(in, "Group"), "VPC Test");
	/* Primary address, then the ENI's other private address. */
	ck_assert_uint_eq(in->nprivate, 2);
	ck_assert_str_eq(in->private_addrs[0], "172.16.9.139");
	ck_assert_str_eq(in->private_addrs[1], "172.16.4.139");
	ck_assert_uint_eq(in->npublic, 1);
	ck_assert_str_eq(in->public_addrs[0], "1.2.3.5");
	in = by_id(&l, "i-4382922a");
	ck_assert_str_eq(in->private_addrs[0], "10.211.11.211");
	ck_assert_str_eq(in->public_addrs[0], "1.2.3.4");
	instance_list_free(&l);
	free(xml);
}
END_TEST

START_TEST(next_token)
{
	static const char xml[] = "<DescribeInstancesResponse xmlns=\"x\">"
	    "<reservationSet/><nextToken>abc+/=</nextToken>"
	    "</DescribeInstancesResponse>";
	struct instance_list l = { 0 };
	struct provider_err err;
	char *next;

	ck_assert_int_eq(ec2_parse_instances(xml, sizeof xml - 1, &l, &next,
	    &err), PROVIDER_OK);
	ck_assert_str_eq(next, "abc+/=");
	ck_assert_uint_eq(l.n, 0);
	free(next);
}
END_TEST

static const char *const malformed[] = {
	"",
	"not xml at all",
	"<DescribeInstancesResponse><reservationSet><item>",
	"<Response><Errors/></Response>",
	"{\"Reservations\": []}",
	/* Entities are not expanded: no billion laughs. */
	"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
	"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
	"<DescribeInstancesResponse><nextToken>&c;&c;&c;</nextToken>"
	"</DescribeInstancesResponse>",
};

START_TEST(malformed_bodies)
{
	struct instance_list l = { 0 };
	struct provider_err err;
	enum provider_error e;
	char *next = NULL;

	e = ec2_parse_instances(malformed[_i], strlen(malformed[_i]), &l, &next,
	    &err);
	if (_i == 5) {
		/* Parsed, but the entity reference stayed unexpanded. */
		ck_assert(e == PROVIDER_MALFORMED || next == NULL ||
		    strlen(next) < 100);
	} else {
		ck_assert_int_eq(e, PROVIDER_MALFORMED);
		ck_assert_int_eq(err.kind, PROVIDER_MALFORMED);
	}
	free(next);
	instance_list_free(&l);
}
END_TEST

/* Review, finding 11: libxml2 says nothing on stderr about a bad body. */
START_TEST(parse_errors_stay_off_stderr)
{
	/* EUC-JP that does not convert: libxml2 reports it on its own. */
	static const char body[] = "<?xml version=\"1.0\" encoding=\"EUC-JP\"?>"
				   "<DescribeInstancesResponse>\xff\xfe\xfd\x80"
				   "</DescribeInstancesResponse>";
	struct instance_list l = { 0 };
	struct provider_err err;
	char *next = NULL, out[256];
	int fds[2], saved;
	ssize_t n;

	ck_assert_int_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	ec2_parse_instances(body, strlen(body), &l, &next, &err);
	ec2_parse_error(body, strlen(body), 400, &err);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof out - 1);
	close(fds[0]);
	ck_assert_msg(n == 0, "libxml2 wrote: %.*s", (int)(n > 0 ? n : 0), out);
	free(next);
	instance_list_free(&l);
}
END_TEST

static enum provider_error
perr(const char *body, long status, struct provider_err *err)
{
	return ec2_parse_error(body, strlen(body), status, err);
}

START_TEST(error_body)
{
	size_t len;
	char *xml = data_read("aws/botocore-ec2-describe-instances-error.xml",
	    &len);
	struct provider_err err;

	ck_assert_int_eq(ec2_parse_error(xml, len, 400, &err),
	    PROVIDER_BAD_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.message,
	    "InvalidInstanceID.Malformed: Invalid id"));
	ck_assert_int_eq(perr("<Response><Errors><Error><Code>"
	    "RequestLimitExceeded</Code></Error></Errors></Response>", 503,
	    &err), PROVIDER_THROTTLED);
	ck_assert_int_eq(perr("<Response><Errors><Error><Code>"
	    "AuthFailure</Code><Message>secret-ish</Message></Error></Errors>"
	    "</Response>", 401, &err), PROVIDER_AUTH_FAILED);
	ck_assert_ptr_null(strstr(err.message, "secret-ish"));
	ck_assert_int_eq(perr("garbage", 500, &err), PROVIDER_SERVER_ERROR);
	ck_assert_int_eq(perr("", 403, &err), PROVIDER_FORBIDDEN);
	free(xml);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("ec2");
	TCase *tc = tcase_create("ec2");

	tcase_add_test(tc, botocore_golden);
	tcase_add_test(tc, libcloud_vpc);
	tcase_add_test(tc, next_token);
	tcase_add_loop_test(tc, malformed_bodies, 0,
	    sizeof malformed / sizeof malformed[0]);
	tcase_add_test(tc, error_body);
	tcase_add_test(tc, parse_errors_stay_off_stderr);
	suite_add_tcase(s, tc);
	return s;
}
