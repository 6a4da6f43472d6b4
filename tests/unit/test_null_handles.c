/* A NULL handle or out pointer given to a public call: accessors answer
 * NULL, 0 or -1 and calls that return a status refuse it with an error
 * code, instead of crashing the caller's process (DESIGN: bad input gets a
 * clear error). */
#include <check.h>
#include <string.h>

#include "aevtest.h"
#include "awsevents/awsevents.h"

START_TEST(accessors_of_null_handles_answer_null) {
  ck_assert_ptr_null(aev_broker_region(NULL));
  ck_assert_ptr_null(aev_broker_account(NULL));
  ck_assert_int_eq(aev_broker_clock_mode(NULL), -1);
  ck_assert_int_eq(aev_broker_now_ms(NULL), 0);
  ck_assert_ptr_null(aev_stream_name(NULL));
  ck_assert_ptr_null(aev_stream_arn(NULL));
  ck_assert_ptr_null(aev_delivery_name(NULL));
  ck_assert_ptr_null(aev_delivery_arn(NULL));
  ck_assert_ptr_null(aev_function_name(NULL));
  ck_assert_ptr_null(aev_function_arn(NULL));
  size_t len = 7;
  ck_assert_ptr_null(aev_message_id(NULL));
  ck_assert_ptr_null(aev_message_receipt_handle(NULL));
  ck_assert_ptr_null(aev_message_body(NULL, &len));
  ck_assert_uint_eq(len, 0);
  ck_assert_ptr_null(aev_message_md5_of_body(NULL));
  ck_assert_ptr_null(aev_message_md5_of_attributes(NULL));
  ck_assert_ptr_null(aev_message_attributes_json(NULL));
  ck_assert_str_eq(aev_errcode(), "InvalidParameterValue");
  len = 7;
  ck_assert_ptr_null(aev_http_request_method(NULL));
  ck_assert_ptr_null(aev_http_request_url(NULL));
  ck_assert_ptr_null(aev_http_request_headers(NULL));
  ck_assert_ptr_null(aev_http_request_body(NULL, &len));
  ck_assert_uint_eq(len, 0);
}
END_TEST

START_TEST(invocation_context_of_null_answers_null) {
  ck_assert_ptr_null(aev_invocation_request_id(NULL));
  ck_assert_ptr_null(aev_invocation_function_name(NULL));
  ck_assert_ptr_null(aev_invocation_function_version(NULL));
  ck_assert_ptr_null(aev_invocation_function_arn(NULL));
  ck_assert_int_eq(aev_invocation_memory_mb(NULL), 0);
  ck_assert_ptr_null(aev_invocation_log_group(NULL));
  ck_assert_ptr_null(aev_invocation_log_stream(NULL));
  ck_assert_int_eq(aev_invocation_remaining_ms(NULL), 0);
  ck_assert_ptr_null(aev_invocation_env(NULL, "HOME"));
}
END_TEST

static void assert_refused(int rc, const char *code) {
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), code);
  ck_assert_int_gt((int)strlen(aev_errmsg()), 0);
}

START_TEST(publish_option_setters_refuse_null_options) {
  assert_refused(aev_publish_options_set_subject(NULL, "s"), "InvalidParameter");
  assert_refused(aev_publish_options_set_attributes(NULL, "{}"), "InvalidParameter");
  assert_refused(aev_publish_options_set_structure_json(NULL, 1), "InvalidParameter");
  assert_refused(aev_publish_options_set_group_id(NULL, "g"), "InvalidParameter");
  assert_refused(aev_publish_options_set_deduplication_id(NULL, "d"), "InvalidParameter");
}
END_TEST

START_TEST(null_out_pointers_and_brokers_are_refused) {
  assert_refused(aev_jsonata_compile("1", 1, NULL), "InvalidParameterValue");
  aev_jsonata *x;
  ck_assert_int_eq(aev_jsonata_compile("1", 1, &x), AEV_OK);
  assert_refused(aev_jsonata_evaluate(x, "{}", NULL, NULL), "InvalidParameterValue");
  aev_jsonata_free(x);
  char *out = NULL;
  assert_refused(aev_scheduler_list_schedules(NULL, NULL, &out), "ValidationException");
  assert_refused(aev_scheduler_list_groups(NULL, NULL, &out), "ValidationException");
  ck_assert_ptr_null(out);
  aev_broker *b = aev_test_manual_broker(1);
  assert_refused(aev_bus_list_archives_page(b, NULL, 0, NULL, NULL), "ValidationException");
  assert_refused(aev_bus_list_replays_page(b, NULL, 0, NULL, NULL), "ValidationException");
  aev_broker_destroy(b);
}
END_TEST

int main(void) {
  Suite *s = suite_create("null_handles");
  TCase *tc = tcase_create("null_handles");
  tcase_add_test(tc, accessors_of_null_handles_answer_null);
  tcase_add_test(tc, invocation_context_of_null_answers_null);
  tcase_add_test(tc, publish_option_setters_refuse_null_options);
  tcase_add_test(tc, null_out_pointers_and_brokers_are_refused);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
