/* Status categories, the thread-local error code/message, version. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "awsevents/common.h"
#include "core/status.h"
#include "aevtest.h"

START_TEST(fail_records_code_and_message) {
  ck_assert_str_eq(aev_errcode(), "");
  int rc = aev__fail(AEV_ERR_INVALID, "InvalidParameterValue",
                     "Value %d for parameter DelaySeconds is invalid. Reason: "
                     "Must be between 0 and 900.",
                     901);
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  ck_assert_str_eq(aev_errmsg(),
                   "Value 901 for parameter DelaySeconds is invalid. Reason: "
                   "Must be between 0 and 900.");
}
END_TEST

static void *fail_elsewhere(void *arg) {
  (void)arg;
  aev__fail(AEV_ERR_NOT_FOUND, "QueueDoesNotExist", "other thread");
  return NULL;
}

START_TEST(errors_are_per_thread) {
  aev__fail(AEV_ERR_LIMIT, "OverLimit", "mine");
  pthread_t t;
  pthread_create(&t, NULL, fail_elsewhere, NULL);
  pthread_join(t, NULL);
  ck_assert_str_eq(aev_errcode(), "OverLimit");
  ck_assert_str_eq(aev_errmsg(), "mine");
}
END_TEST

START_TEST(nomem_and_strerror) {
  ck_assert_int_eq(aev__nomem(), AEV_ERR_NOMEM);
  ck_assert_str_eq(aev_strerror(AEV_ERR_NOMEM), "out of memory");
  ck_assert_str_eq(aev_strerror(AEV_OK), "success");
  ck_assert_str_eq(aev_strerror(AEV_ERR_CLOSED), "broker closed");
  ck_assert_str_eq(aev_strerror(999), "unknown status");
  ck_assert_str_eq(aev_strerror(-1), "unknown status");
}
END_TEST

START_TEST(long_messages_are_truncated_not_overflowed) {
  char big[8192];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  aev__fail(AEV_ERR_INVALID, big, "%s", big);
  ck_assert_uint_lt(strlen(aev_errcode()), 64);
  ck_assert_uint_eq(strlen(aev_errmsg()), 4095);
}
END_TEST

/* A message quoting 256 four-byte characters, as AWS's do for a name at
 * its longest, fits whole. */
START_TEST(messages_quote_the_longest_names_whole) {
  char name[1025] = "";
  for (int i = 0; i < 256; i++) strcat(name, "\xf0\x9f\x98\x80");
  aev__fail(AEV_ERR_INVALID, "ValidationException",
            "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: "
            "Member must have length less than or equal to 255",
            name);
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), name));
  ck_assert_ptr_nonnull(strstr(aev_errmsg(), "less than or equal to 255"));
}
END_TEST

START_TEST(messages_are_always_valid_utf8) {
  /* A cut sequence (as in jansson's "invalid escape near" text), a lone
   * continuation byte, an overlong form and a surrogate become '?';
   * well-formed two-, three- and four-byte characters stay. */
  aev__fail(AEV_ERR_INVALID, "SerializationException", "%s",
            "near 'F\xd6' \x98 \xc0\xaf \xed\xa0\x80 "
            "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  ck_assert_str_eq(aev_errmsg(), "near 'F?' ? ?? ??? "
                                 "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  /* A character the buffer cuts is dropped whole, not turned into '?'. */
  char big[4200];
  memset(big, 'x', sizeof big);
  strcpy(big + 4093, "\xe2\x82\xac"); /* cut before its last byte */
  aev__fail(AEV_ERR_INVALID, "X", "%s", big);
  ck_assert_uint_eq(strlen(aev_errmsg()), 4093);
  ck_assert_int_eq(aev_errmsg()[4092], 'x');
  strcpy(big + 4093, "\xc3\xa9"); /* fits whole, to the last byte */
  aev__fail(AEV_ERR_INVALID, "X", "%s", big);
  ck_assert_str_eq(aev_errmsg() + 4092, "x\xc3\xa9");
}
END_TEST

START_TEST(version_matches_header) {
  ck_assert_int_eq(aev_version_number(), AEV_VERSION_NUMBER);
  ck_assert_str_eq(aev_version_string(), "0.1.0");
  aev_free(NULL);
  aev_free(malloc(16));
}
END_TEST

int main(void) {
  Suite *s = suite_create("status");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, fail_records_code_and_message);
  tcase_add_test(tc, errors_are_per_thread);
  tcase_add_test(tc, nomem_and_strerror);
  tcase_add_test(tc, long_messages_are_truncated_not_overflowed);
  tcase_add_test(tc, messages_quote_the_longest_names_whole);
  tcase_add_test(tc, messages_are_always_valid_utf8);
  tcase_add_test(tc, version_matches_header);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
