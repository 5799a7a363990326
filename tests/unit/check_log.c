/* check_log.c: what the logger writes: one line, escaped (review, finding 7).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "log.h"

/* Log one message to a pipe standing in for stderr; what was written. */
static const char *
logged(const char *untrusted)
{
	static char out[4096];
	int fds[2], saved;
	ssize_t n;

	ck_assert_int_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	log_init(1, LOG_LEVEL_INFO, "check_log");
	log_warnx("discovery lab: %s", untrusted);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, sizeof out - 1);
	close(fds[0]);
	ck_assert_int_gt(n, 0);
	out[n] = '\0';
	return out;
}

START_TEST(untrusted_text_cannot_forge_lines_or_reach_a_terminal)
{
	const char *s =
	    logged("bad\ntunneld: forged line \x1b]0;owned\x07\x1b[2J");

	ck_assert_ptr_null(strchr(s, '\x1b'));
	ck_assert_ptr_null(strchr(s, '\x07'));
	ck_assert_ptr_eq(strchr(s, '\n'), s + strlen(s) - 1); /* one line */
	ck_assert_ptr_nonnull(strstr(s,
	    "bad\\x0atunneld: forged line "
	    "\\x1b]0;owned\\x07\\x1b[2J"));
}
END_TEST

START_TEST(plain_text_is_unchanged)
{
	ck_assert_str_eq(logged("instance i-0abc at 10.0.0.1"),
	    "discovery lab: instance i-0abc at 10.0.0.1\n");
}
END_TEST

static Suite *
suite_build(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_test(tc,
	    untrusted_text_cannot_forge_lines_or_reach_a_terminal);
	tcase_add_test(tc, plain_text_is_unchanged);
	suite_add_tcase(s, tc);
	return s;
}
