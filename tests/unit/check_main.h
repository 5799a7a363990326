/* check_main.h: one main() for every Check suite: define SUITE_BUILD. */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static Suite *suite_build(void);

int
main(void)
{
	SRunner *sr = srunner_create(suite_build());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
