/* check_events.c: the daemon's ring of events, as "events" shows it. */
#include <string.h>

#include "check_main.h"
#include "ctl/events.h"

static json_int_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

START_TEST(numbered_from_one_and_read_since)
{
	struct events *ev = events_new();
	json_t *j, *e;

	ck_assert_uint_eq(events_next(ev), 1);
	events_add(ev, EV_STATE, LOG_LEVEL_WARN, "aws/i-1", "down: %s",
	    "no probe answered for 5000 ms");
	events_add(ev, EV_RELOAD, LOG_LEVEL_INFO, NULL, "reload of %s", "x");
	j = events_json(ev, 0);
	ck_assert_int_eq(num(j, "next"), 3);
	ck_assert_int_eq(num(j, "lost"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 2);
	e = json_array_get(json_object_get(j, "events"), 0);
	ck_assert_int_eq(num(e, "seq"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "kind")),
	    "state");
	ck_assert_str_eq(json_string_value(json_object_get(e, "level")),
	    "warn");
	ck_assert_str_eq(json_string_value(json_object_get(e, "peer")),
	    "aws/i-1");
	ck_assert_str_eq(json_string_value(json_object_get(e, "text")),
	    "down: no probe answered for 5000 ms");
	ck_assert_int_gt(num(e, "time"), 1600000000);
	ck_assert(json_is_null(json_object_get(e, "from")));
	e = json_array_get(json_object_get(j, "events"), 1);
	ck_assert(json_is_null(json_object_get(e, "peer")));
	json_decref(j);
	/* Only what is newer than the reader has seen; nothing at the end. */
	j = events_json(ev, 2);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 1);
	json_decref(j);
	j = events_json(ev, 3);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 0);
	json_decref(j);
	j = events_json(ev, 1000);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "events")), 0);
	json_decref(j);
	/* A change carries its figures, so no reader parses the text. */
	events_add_change(ev, EV_PMTU, LOG_LEVEL_INFO, "aws/i-1", 1500, 1400,
	    "path MTU %d -> %d (probe)", 1500, 1400);
	j = events_json(ev, 3);
	e = json_array_get(json_object_get(j, "events"), 0);
	ck_assert_int_eq(num(e, "from"), 1500);
	ck_assert_int_eq(num(e, "to"), 1400);
	json_decref(j);
	events_free(ev);
}
END_TEST

START_TEST(ring_keeps_the_newest_and_counts_the_lost)
{
	struct events *ev = events_new();
	json_t *j, *a;
	int i;

	for (i = 0; i < EVENTS_KEEP + 10; i++)
		events_add(ev, EV_PMTU, LOG_LEVEL_INFO, "p", "path MTU %d", i);
	j = events_json(ev, 1);
	a = json_object_get(j, "events");
	ck_assert_int_eq(num(j, "lost"), 10);
	ck_assert_uint_eq(json_array_size(a), EVENTS_KEEP);
	ck_assert_int_eq(num(json_array_get(a, 0), "seq"), 11);
	ck_assert_str_eq(json_string_value(
			     json_object_get(json_array_get(a, EVENTS_KEEP - 1),
				 "text")),
	    "path MTU 521");
	json_decref(j);
	events_free(ev);
}
END_TEST

START_TEST(untrusted_text_is_escaped)
{
	struct events *ev = events_new();
	json_t *j, *e;

	/* A name or an API's message with a terminal escape and bad UTF-8. */
	events_add(ev, EV_DISCOVERY, LOG_LEVEL_WARN, "x\033[2Jy", "error: %s",
	    "\xff\x1b]0;pwned\x07");
	j = events_json(ev, 0);
	ck_assert_ptr_nonnull(j);
	e = json_array_get(json_object_get(j, "events"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "peer")),
	    "x\\x1b[2Jy");
	ck_assert_str_eq(json_string_value(json_object_get(e, "text")),
	    "error: \\xff\\x1b]0;pwned\\x07");
	json_decref(j);
	events_free(ev);
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, numbered_from_one_and_read_since);
	tcase_add_test(tc, ring_keeps_the_newest_and_counts_the_lost);
	tcase_add_test(tc, untrusted_text_is_escaped);
	suite_add_tcase(s, tc);
	return s;
}
