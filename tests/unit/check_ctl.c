/* check_ctl.c: control protocol requests and replies, good and bad. */
#include <string.h>

#include "check_main.h"
#include "ctl_proto.h"

static int
parse(const char *line, struct ctl_request *r, char **cause)
{
	*cause = NULL;
	return ctl_request_parse(line, strlen(line), r, cause);
}

START_TEST(good_requests)
{
	struct ctl_request r;
	char *cause, *line;

	ck_assert_int_eq(parse("{\"cmd\":\"status\"}", &r, &cause), 0);
	ck_assert_int_eq(r.cmd, CTL_STATUS);
	ck_assert_int_eq(parse(" {\"cmd\" : \"fdb\", \"segment\": \"pod\"} ",
	    &r, &cause), 0);
	ck_assert_int_eq(r.cmd, CTL_FDB);
	ck_assert_str_eq(r.segment, "pod");
	/* Encoding and parsing agree. */
	line = ctl_request_encode(&r);
	ck_assert(line[strlen(line) - 1] == '\n');
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(parse(line, &r, &cause), 0);
	ck_assert_str_eq(r.segment, "pod");
	free(line);
	ck_assert_int_eq(parse("{\"cmd\":\"events\",\"since\":42}", &r, &cause),
	    0);
	ck_assert_int_eq(r.cmd, CTL_EVENTS);
	ck_assert_uint_eq(r.since, 42);
	ck_assert_int_eq(parse("{\"cmd\":\"pmtu-probe\",\"peer\":\"aws/i-1\"}",
			     &r, &cause),
	    0);
	ck_assert_int_eq(r.cmd, CTL_PMTU_PROBE);
	ck_assert_str_eq(r.peer, "aws/i-1");
	line = ctl_request_encode(&r);
	memset(&r, 0, sizeof r);
	ck_assert_int_eq(parse(line, &r, &cause), 0);
	ck_assert_str_eq(r.peer, "aws/i-1");
	free(line);
}
END_TEST

static const struct {
	const char *line;
	const char *want;
} bad[] = {
	{ "", "not valid JSON" },
	{ "{", "not valid JSON" },
	{ "[1,2]", "not a JSON object" },
	{ "{}", "no \"cmd\" string" },
	{ "{\"cmd\":5}", "no \"cmd\" string" },
	{ "{\"cmd\":\"shutdown\"}", "unknown command" },
	{ "{\"cmd\":\"status\",\"x\":1}", "unknown key" },
	{ "{\"cmd\":\"status\",\"segment\":\"a\"}", "unknown key" },
	{ "{\"cmd\":\"fdb\",\"segment\":7}", "bad \"segment\"" },
	{ "{\"cmd\":\"fdb\",\"segment\":"
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	    "bad \"segment\"" },
	{ "{\"cmd\":\"fdb\",\"segment\":\"a\\u0000b\"}", "not valid JSON" },
	{ "{\"cmd\":\"status\",\"cmd\":\"peers\"}", "not valid JSON" },
	{ "{\"cmd\":\"events\",\"since\":-1}", "bad \"since\"" },
	{ "{\"cmd\":\"events\",\"since\":\"5\"}", "bad \"since\"" },
	{ "{\"cmd\":\"events\",\"peer\":\"a\"}", "unknown key" },
	{ "{\"cmd\":\"pmtu-probe\"}", "needs a \"peer\"" },
	{ "{\"cmd\":\"pmtu-probe\",\"peer\":\"\"}", "bad \"peer\"" },
	{ "{\"cmd\":\"pmtu-probe\",\"peer\":3}", "bad \"peer\"" },
	{ "{\"cmd\":\"status\",\"since\":1}", "unknown key" },
};

START_TEST(bad_requests)
{
	struct ctl_request r;
	char *cause;

	ck_assert_int_eq(parse(bad[_i].line, &r, &cause), -1);
	ck_assert_msg(strstr(cause, bad[_i].want) != NULL, "case %d: %s", _i,
	    cause);
	free(cause);
}
END_TEST

START_TEST(too_long)
{
	char *line = malloc(CTL_MAX_REQUEST + 2), *cause = NULL;
	struct ctl_request r;

	memset(line, ' ', CTL_MAX_REQUEST + 1);
	line[CTL_MAX_REQUEST + 1] = '\0';
	ck_assert_int_eq(parse(line, &r, &cause), -1);
	ck_assert_str_eq(cause, "request too long");
	free(cause);
	free(line);
}
END_TEST

START_TEST(replies)
{
	char *ok = ctl_reply_ok(CTL_PEERS, json_pack("{s:i}", "n", 3));
	char *err = ctl_reply_error("no segment named %s", "x");
	char *cause = NULL;
	json_t *data;

	ck_assert_int_eq(ctl_reply_parse(ok, strlen(ok) - 1, &data, &cause), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(data, "n")), 3);
	json_decref(data);
	ck_assert_int_eq(ctl_reply_parse(err, strlen(err) - 1, &data, &cause),
	    CTL_ERR_REPLY);
	ck_assert_str_eq(cause, "no segment named x");
	free(cause);
	ck_assert_int_eq(ctl_reply_parse("{\"ok\":1}", 8, &data, &cause),
	    CTL_ERR_TRANSPORT);
	free(cause);
	ck_assert_int_eq(ctl_reply_parse("garbage", 7, &data, &cause),
	    CTL_ERR_TRANSPORT);
	free(cause);
	free(ok);
	free(err);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("ctl");

	tcase_add_test(tc, good_requests);
	tcase_add_loop_test(tc, bad_requests, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, too_long);
	tcase_add_test(tc, replies);
	suite_add_tcase(s, tc);
	return s;
}
