/* Shared by the Check suites: runs a suite and turns its result into the
 * process exit code. */
#ifndef AEV_TEST_SUPPORT_H
#define AEV_TEST_SUPPORT_H

#include <check.h>
#include <stdlib.h>

static inline int aev_test_run(Suite *s) {
  SRunner *r = srunner_create(s);
  srunner_run_all(r, CK_NORMAL);
  int failed = srunner_ntests_failed(r);
  srunner_free(r);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
