/* Event (asynchronous) invocations on the manual clock: the exact retry
 * times (1 min, then 2 min), MaximumRetryAttempts and
 * MaximumEventAgeInSeconds, throttle backoff, OnSuccess / OnFailure
 * destination records in queues and functions, the DLQ with its
 * attributes, and PutFunctionEventInvokeConfig's validation. */
#include "aevtest.h"
#include "function_support.h"

static aev_broker *b;
static int64_t t0;

static void setup(void) {
  b = qt_broker();
  t0 = aev_broker_now_ms(b);
}
static void teardown(void) { aev_broker_destroy(b); }

static char *recv_body(aev_queue *q) {
  aev_message *m = qt_recv1(q);
  if (!m) return NULL;
  char *s = strdup(qt_body(m));
  aev_message_free(m);
  return s;
}

START_TEST(function_errors_retry_after_one_then_two_minutes) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "retry", NULL, &s);
  aev_queue *fail = qt_queue(b, "failures", NULL);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":"
      "\"arn:aws:sqs:us-east-1:000000000000:failures\"}}}"), AEV_OK);
  char rid[37];
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"n\":1}", 7, rid), AEV_OK);
  ck_assert_uint_eq(strlen(rid), 36);
  ck_assert_int_eq(s.calls, 0);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(aev_broker_advance(b, 59999), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  ck_assert_int_eq(aev_broker_advance(b, 120000), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  ck_assert_int_eq(s.call_ms[0] - t0, 0);
  ck_assert_int_eq(s.call_ms[1] - t0, 60000);
  ck_assert_int_eq(s.call_ms[2] - t0, 180000);
  ck_assert_int_eq(aev_broker_advance(b, 3600000), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  char *rec = recv_body(fail);
  ck_assert_ptr_nonnull(rec);
  char want[1024];
  snprintf(want, sizeof want,
           "{\"version\":\"1.0\",\"timestamp\":\"2024-01-01T00:03:00.000Z\","
           "\"requestContext\":{\"requestId\":\"%s\",\"functionArn\":"
           "\"arn:aws:lambda:us-east-1:000000000000:function:retry:$LATEST\","
           "\"condition\":\"RetriesExhausted\",\"approximateInvokeCount\":3},"
           "\"requestPayload\":{\"n\":1},\"responseContext\":{\"statusCode\":200,"
           "\"executedVersion\":\"$LATEST\",\"functionError\":\"Unhandled\"},"
           "\"responsePayload\":{\"errorMessage\":\"it broke\",\"errorType\":\"Boom\"}}",
           rid);
  ck_assert_str_eq(rec, want);
  free(rec);
  aev_queue_release(fail);
  aev_function_release(f);
}
END_TEST

START_TEST(success_destination_and_no_retry) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "ok", NULL, &s);
  aev_queue *ok = qt_queue(b, "ok-q", NULL);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"MaximumRetryAttempts\":0,\"DestinationConfig\":{\"OnSuccess\":"
      "{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:ok-q\"}}}"), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "[1,2]", 5, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  char *rec = recv_body(ok);
  ck_assert_ptr_nonnull(rec);
  ck_assert_ptr_nonnull(strstr(rec, "\"condition\":\"Success\",\"approximateInvokeCount\":1"));
  ck_assert_ptr_nonnull(strstr(rec, "\"requestPayload\":[1,2]"));
  ck_assert_ptr_nonnull(strstr(rec, "\"responseContext\":{\"statusCode\":200,\"executedVersion\":\"$LATEST\"}"));
  ck_assert_ptr_nonnull(strstr(rec, "\"responsePayload\":[1,2]"));
  free(rec);
  /* MaximumRetryAttempts 0: one attempt, then given up (no destination). */
  s.mode = FT_FAIL;
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 3600000), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  ck_assert_int_eq(ft_metric(f, "AsyncEventsDropped"), 1);
  aev_queue_release(ok);
  aev_function_release(f);
}
END_TEST

/* Fails with an empty errorMessage, as a process that exits without a
 * word does. */
static void fails_silently(void *user, aev_invocation *ctx, const char *event, size_t len) {
  (void)event, (void)len;
  (*(int *)user)++;
  aev_invocation_fail(ctx, "Runtime.ExitError", "");
}

/* SQS refuses a message attribute with an empty value: the dead-letter
 * message goes without ErrorMessage rather than not at all. */
START_TEST(dead_letter_without_an_error_message) {
  int calls = 0;
  aev_function *f;
  ck_assert_int_eq(aev_function_create(b, "mute", NULL, fails_silently, &calls, NULL, &f),
                   AEV_OK);
  aev_queue *dlq = qt_queue(b, "mute-dlq", NULL);
  ck_assert_int_eq(aev_function_set_dead_letter_target(f, aev_queue_arn(dlq)), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 180000), AEV_OK);
  ck_assert_int_eq(calls, 3);
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  char *attrs = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(attrs, "\"ErrorCode\":{\"DataType\":\"Number\",\"StringValue\":\"200\"}"));
  ck_assert_ptr_null(strstr(attrs, "ErrorMessage"));
  aev_free(attrs);
  aev_message_free(m);
  ck_assert_int_eq(ft_metric(f, "AsyncEventsDropped"), 0);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

START_TEST(dead_letter_queue_gets_the_event_and_attributes) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "dlq", NULL, &s);
  aev_queue *dlq = qt_queue(b, "dlq-q", NULL);
  ck_assert_int_eq(aev_function_set_dead_letter_target(f, aev_queue_arn(dlq)), AEV_OK);
  char rid[37];
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"x\":\"y\"}", 9, rid), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 180000), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "{\"x\":\"y\"}");
  char *attrs = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(attrs, rid));
  ck_assert_ptr_nonnull(strstr(attrs, "\"ErrorCode\":{\"DataType\":\"Number\",\"StringValue\":\"200\"}"));
  ck_assert_ptr_nonnull(strstr(attrs, "\"ErrorMessage\":{\"DataType\":\"String\",\"StringValue\":\"it broke\"}"));
  aev_free(attrs);
  aev_message_free(m);
  char *c;
  ck_assert_int_eq(aev_function_configuration(f, &c), AEV_OK);
  ck_assert_ptr_nonnull(strstr(c, "\"DeadLetterConfig\":{\"TargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq-q\"}"));
  aev_free(c);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

START_TEST(event_age_ends_retries) {
  ft_state s = {.mode = FT_FAIL};
  aev_function *f = ft_function(b, "age", NULL, &s);
  aev_queue *fail = qt_queue(b, "age-f", NULL);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"MaximumEventAgeInSeconds\":90,\"DestinationConfig\":{\"OnFailure\":"
      "{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:age-f\"}}}"), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_advance(b, 3600000), AEV_OK);
  /* The retry at 60 s runs; the one at 180 s would be past 90 s. */
  ck_assert_int_eq(s.calls, 2);
  char *rec = recv_body(fail);
  ck_assert_ptr_nonnull(strstr(rec, "\"condition\":\"EventAgeExceeded\",\"approximateInvokeCount\":2"));
  free(rec);
  /* Recorded (test_maxeventage): with 60 s, the first retry (60 s after a
   * failure) is not made; the event fails at once. */
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"MaximumEventAgeInSeconds\":60,\"DestinationConfig\":{\"OnFailure\":"
      "{\"Destination\":\"arn:aws:sqs:us-east-1:000000000000:age-f\"}}}"), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  rec = recv_body(fail);
  ck_assert_ptr_nonnull(strstr(rec, "\"condition\":\"EventAgeExceeded\",\"approximateInvokeCount\":1"));
  free(rec);
  ck_assert_int_eq(aev_broker_advance(b, 3600000), AEV_OK);
  ck_assert_int_eq(s.calls, 3);
  aev_queue_release(fail);
  aev_function_release(f);
}
END_TEST

START_TEST(throttled_events_back_off_and_run_later) {
  ft_state s = {.mode = FT_HOLD};
  aev_function *f = ft_function(b, "busy", "{\"Timeout\":60}", &s);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 1), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"first\":1}", 11, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"second\":2}", 12, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "Throttles"), 1);
  /* Backoff 1 s, 2 s, 4 s: throttled again at t0+1 s and t0+3 s. */
  ck_assert_int_eq(aev_broker_advance(b, 1000), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "Throttles"), 2);
  ck_assert_int_eq(aev_broker_advance(b, 1999), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "Throttles"), 2);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(ft_metric(f, "Throttles"), 3);
  aev_invocation_succeed(s.held[0], "1", 1);
  ck_assert_int_eq(aev_broker_advance(b, 3999), AEV_OK);
  ck_assert_int_eq(s.calls, 1);
  ck_assert_int_eq(aev_broker_advance(b, 1), AEV_OK);
  ck_assert_int_eq(s.calls, 2);
  ck_assert_int_eq(s.call_ms[1] - t0, 7000);
  ck_assert_str_eq(s.last_event, "{\"second\":2}");
  aev_invocation_succeed(s.held[1], "1", 1);
  aev_function_release(f);
}
END_TEST

START_TEST(reserved_zero_goes_straight_to_failure) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "zero", NULL, &s);
  aev_queue *dlq = qt_queue(b, "zero-dlq", NULL);
  ck_assert_int_eq(aev_function_set_dead_letter_target(f, aev_queue_arn(dlq)), AEV_OK);
  ck_assert_int_eq(aev_function_set_reserved_concurrency(f, 0), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"z\":0}", 7, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 0);
  aev_message *m = qt_recv1(dlq);
  ck_assert_ptr_nonnull(m);
  ck_assert_str_eq(qt_body(m), "{\"z\":0}");
  char *attrs = aev_message_attributes_json(m);
  ck_assert_ptr_nonnull(strstr(attrs, "\"StringValue\":\"429\""));
  aev_free(attrs);
  aev_message_free(m);
  /* Recorded (test_reserved_concurrency): an OnFailure destination gets
   * the record with condition ZeroReservedConcurrency, never invoked. */
  aev_queue *dest = qt_queue(b, "zero-dest", NULL);
  char conf[200];
  snprintf(conf, sizeof conf, "{\"MaximumRetryAttempts\":0,\"DestinationConfig\":{\"OnFailure\":"
           "{\"Destination\":\"%s\"}}}", aev_queue_arn(dest));
  ck_assert_int_eq(aev_function_put_event_invoke_config(f, conf), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{}", 2, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(s.calls, 0);
  m = qt_recv1(dest);
  ck_assert_ptr_nonnull(m);
  ck_assert_ptr_nonnull(strstr(qt_body(m), "\"condition\":\"ZeroReservedConcurrency\","
                                           "\"approximateInvokeCount\":0}"));
  ck_assert_ptr_nonnull(strstr(qt_body(m), "\"requestPayload\":{}"));
  aev_message_free(m);
  aev_queue_release(dest);
  aev_queue_release(dlq);
  aev_function_release(f);
}
END_TEST

START_TEST(function_destination_gets_the_record) {
  ft_state s = {0}, t = {0};
  aev_function *f = ft_function(b, "src", NULL, &s);
  aev_function *g = ft_function(b, "sink", NULL, &t);
  ck_assert_int_eq(aev_function_put_event_invoke_config(f,
      "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":"
      "\"arn:aws:lambda:us-east-1:000000000000:function:sink\"}}}"), AEV_OK);
  ck_assert_int_eq(aev_function_invoke_event(f, "{\"v\":3}", 7, NULL), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(t.calls, 1);
  ck_assert_ptr_nonnull(strstr(t.last_event, "\"requestPayload\":{\"v\":3}"));
  ck_assert_ptr_nonnull(strstr(t.last_event, "\"condition\":\"Success\""));
  aev_function_release(g);
  aev_function_release(f);
}
END_TEST

START_TEST(event_invoke_config_validation) {
  ft_state s = {0};
  aev_function *f = ft_function(b, "cfg", NULL, &s);
  char *j;
  ft_assert_error(aev_function_event_invoke_config(f, &j), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException", "doesn't have an EventInvokeConfig");
  ft_assert_error(aev_function_put_event_invoke_config(f, "{\"MaximumRetryAttempts\":3}"),
                  AEV_ERR_INVALID, "ValidationException",
                  "Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: "
                  "Member must have value less than or equal to 2");
  ft_assert_error(aev_function_put_event_invoke_config(f, "{\"MaximumEventAgeInSeconds\":59}"),
                  AEV_ERR_INVALID, "ValidationException", "greater than or equal to 60");
  ft_assert_error(aev_function_put_event_invoke_config(f,
                  "{\"DestinationConfig\":{\"OnSuccess\":{\"Destination\":\"nope\"}}}"),
                  AEV_ERR_INVALID, "ValidationException", "Value 'nope' at 'destinationConfig.onSuccess.destination'");
  ck_assert_int_eq(aev_function_put_event_invoke_config(f, "{\"MaximumRetryAttempts\":1}"), AEV_OK);
  ck_assert_int_eq(aev_function_event_invoke_config(f, &j), AEV_OK);
  ck_assert_ptr_nonnull(strstr(j, "\"MaximumRetryAttempts\":1"));
  /* Only what was given is reported (recorded:
   * test_lambda_eventinvokeconfig_exceptions, put_post_overwrite). */
  ck_assert_msg(!strstr(j, "MaximumEventAgeInSeconds"), "%s", j);
  ck_assert_ptr_nonnull(strstr(j, "\"FunctionArn\":\"arn:aws:lambda:us-east-1:000000000000:function:cfg:$LATEST\""));
  aev_free(j);
  /* A Put replaces the whole configuration: the retries given before go. */
  ck_assert_int_eq(aev_function_put_event_invoke_config(f, "{\"MaximumEventAgeInSeconds\":60}"), AEV_OK);
  ck_assert_int_eq(aev_function_event_invoke_config(f, &j), AEV_OK);
  ck_assert_msg(strstr(j, "\"MaximumEventAgeInSeconds\":60") && !strstr(j, "MaximumRetryAttempts"), "%s", j);
  aev_free(j);
  aev_function_release(f);
}
END_TEST

static Suite *suite(void) {
  Suite *su = suite_create("function_async");
  TCase *tc = tcase_create("async");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, function_errors_retry_after_one_then_two_minutes);
  tcase_add_test(tc, success_destination_and_no_retry);
  tcase_add_test(tc, dead_letter_queue_gets_the_event_and_attributes);
  tcase_add_test(tc, dead_letter_without_an_error_message);
  tcase_add_test(tc, event_age_ends_retries);
  tcase_add_test(tc, throttled_events_back_off_and_run_later);
  tcase_add_test(tc, reserved_zero_goes_straight_to_failure);
  tcase_add_test(tc, function_destination_gets_the_record);
  tcase_add_test(tc, event_invoke_config_validation);
  suite_add_tcase(su, tc);
  return su;
}

int main(void) { return aev_test_run(suite()); }
