/* Retries and dead-letter queues on the manual clock: the exact number of
 * attempts under MaximumRetryAttempts, the MaximumEventAgeInSeconds cut-off,
 * exponential backoff, missing targets skipping retries, and the DLQ
 * message with AWS's attributes. */
#include <check.h>

#include "aevtest.h"
#include "bus_support.h"

static aev_broker *b;
static aev_bus *def;
static aev_queue *dlq;
static int calls, fail_first;
static int64_t call_at[300];

static int flaky(void *user, const char *in, size_t len) {
  (void)in;
  (void)len;
  call_at[calls < 300 ? calls : 299] = aev_broker_now_ms((aev_broker *)user);
  return ++calls <= fail_first ? 7 : 0;
}

static void setup(void) {
  b = bt_broker();
  bt_ok(aev_bus_get(b, "default", &def));
  dlq = bt_queue(b, "dlq", NULL);
  calls = 0;
  bt_ok(aev_bus_put_rule(def, "r", "{\"source\":[\"a\"]}", NULL, 1, NULL));
}

static void teardown(void) {
  aev_queue_release(dlq);
  aev_bus_release(def);
  aev_broker_destroy(b);
}

static void callback_target(const char *retry_policy) {
  char spec[512];
  snprintf(spec, sizeof spec,
           "{\"Id\":\"cb\",\"RetryPolicy\":%s,\"DeadLetterConfig\":{\"Arn\":\"%s\"}}",
           retry_policy, aev_queue_arn(dlq));
  bt_ok(aev_bus_put_callback_target(def, "r", spec, flaky, b, NULL));
}

static const char *attr(json_t *attrs, const char *name) {
  return json_string_value(json_object_get(json_object_get(attrs, name), "StringValue"));
}

/* The DLQ's one message: its attributes (caller frees) and body check. */
static json_t *dead_letter(const char *event_id) {
  aev_message *m[1];
  size_t n;
  bt_ok(aev_queue_receive(dlq, 1, 0, NULL, m, &n));
  ck_assert_int_eq(n, 1);
  ck_assert_ptr_nonnull(strstr(aev_message_body(m[0], NULL), event_id));
  char *a = aev_message_attributes_json(m[0]);
  json_t *attrs = json_loads(a, 0, NULL);
  aev_free(a);
  aev_message_free(m[0]);
  return attrs;
}

START_TEST(retries_then_dead_letter) {
  fail_first = 1000;
  callback_target("{\"MaximumRetryAttempts\":3,\"MaximumEventAgeInSeconds\":3600}");
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", "{}", 2, id));
  aev_broker_advance(b, 3600 * 1000);
  /* The first attempt and exactly three retries. */
  ck_assert_int_eq(calls, 4);
  /* Exponential backoff: each wait at least half of 1 s, 2 s, 4 s. */
  for (int i = 1; i < 4; i++) {
    int64_t wait = call_at[i] - call_at[i - 1], full = 1000LL << (i - 1);
    ck_assert_msg(wait >= full / 2 && wait <= full, "retry %d waited %lld", i,
                  (long long)wait);
  }
  json_t *attrs = dead_letter(id);
  ck_assert_str_eq(attr(attrs, "RULE_ARN"), "arn:aws:events:us-east-1:000000000000:rule/r");
  ck_assert_str_eq(attr(attrs, "TARGET_ARN"), "arn:aws:events:us-east-1:000000000000:callback/cb");
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "CALLBACK_ERROR");
  ck_assert_str_eq(attr(attrs, "ERROR_MESSAGE"), "The callback target returned 7.");
  ck_assert_str_eq(attr(attrs, "EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "3");
  ck_assert_str_eq(json_string_value(json_object_get(json_object_get(attrs, "RETRY_ATTEMPTS"), "DataType")),
                   "Number");
  json_decref(attrs);
}
END_TEST

START_TEST(event_age_limits_retries) {
  fail_first = 1000;
  callback_target("{\"MaximumRetryAttempts\":185,\"MaximumEventAgeInSeconds\":60}");
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", "{}", 2, id));
  aev_broker_advance(b, 3600 * 1000);
  /* 1 + 2 + 4 + 8 + 16 s of full backoff is 31 s; the next (up to 32 s)
   * may pass 60 s: between 6 and 7 attempts, all within the minute. */
  ck_assert_int_ge(calls, 6);
  ck_assert_int_le(calls, 7);
  ck_assert_int_le(call_at[calls - 1] - call_at[0], 60000);
  json_t *attrs = dead_letter(id);
  ck_assert_str_eq(attr(attrs, "EXHAUSTED_RETRY_CONDITION"), "MaximumEventAgeInSeconds");
  char n[16];
  snprintf(n, sizeof n, "%d", calls - 1);
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), n);
  json_decref(attrs);
}
END_TEST

START_TEST(success_after_failures_is_not_dead_lettered) {
  fail_first = 2;
  callback_target("{\"MaximumRetryAttempts\":5}");
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 600 * 1000);
  ck_assert_int_eq(calls, 3);
  ck_assert_ptr_null(bt_take(dlq));
}
END_TEST

START_TEST(zero_retries) {
  fail_first = 1000;
  callback_target("{\"MaximumRetryAttempts\":0}");
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", "{}", 2, id));
  aev_broker_advance(b, 600 * 1000);
  ck_assert_int_eq(calls, 1);
  json_t *attrs = dead_letter(id);
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "0");
  json_decref(attrs);
}
END_TEST

START_TEST(missing_queue_skips_retries) {
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"gone\",\"Arn\":\"arn:aws:sqs:us-east-1:000000000000:missing\","
           "\"DeadLetterConfig\":{\"Arn\":\"%s\"}}]",
           aev_queue_arn(dlq));
  bt_ok(aev_bus_put_targets(def, "r", targets, NULL));
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", "{}", 2, id));
  aev_broker_drain(b);
  json_t *attrs = dead_letter(id);
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "RESOURCE_NOT_FOUND");
  ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "0");
  ck_assert_str_eq(attr(attrs, "TARGET_ARN"), "arn:aws:sqs:us-east-1:000000000000:missing");
  json_decref(attrs);
  /* Nothing is left waiting. */
  int64_t t;
  ck_assert_int_eq(aev_broker_next_deadline(b, &t), AEV_ERR_NOT_FOUND);
}
END_TEST

/* A failure whose message quotes the caller's text (here a partition key of
 * 300 two-byte characters, longer than Kinesis's 256) still reaches the
 * dead-letter queue, its ERROR_MESSAGE cut between characters. */
START_TEST(long_non_ascii_error_message_is_dead_lettered) {
  aev_stream *s;
  bt_ok(aev_stream_create(b, "ks", 1, &s));
  char targets[512];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"k\",\"Arn\":\"%s\",\"KinesisParameters\":{\"PartitionKeyPath\":"
           "\"$.detail.k\"},\"DeadLetterConfig\":{\"Arn\":\"%s\"}}]",
           aev_stream_arn(s), aev_queue_arn(dlq));
  bt_ok(aev_bus_put_targets(def, "r", targets, NULL));
  char detail[700] = "{\"k\":\"";
  for (int i = 0; i < 300; i++) strcat(detail, "\xc3\xa9");
  strcat(detail, "\"}");
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", detail, strlen(detail), id));
  aev_broker_advance(b, 1000);
  json_t *attrs = dead_letter(id);
  ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "SDK_CLIENT_ERROR");
  const char *msg = attr(attrs, "ERROR_MESSAGE");
  ck_assert_ptr_nonnull(strstr(msg, "1 validation error detected: Value '\xc3\xa9\xc3\xa9"));
  ck_assert_int_le(strlen(msg), 255);
  json_decref(attrs);
  aev_stream_release(s);
}
END_TEST

/* PutEvents takes any JSON, but jansson cannot hold an integer beyond 64
 * bits, so a target that picks from the event (InputPath, a Kinesis
 * PartitionKeyPath) cannot be given one: the attempt fails for good, at
 * once, saying why, where it used to blame memory and retry. AWS would
 * deliver such an event; the whole event still goes to a plain target. */
START_TEST(event_beyond_jansson_is_dead_lettered_with_the_reason) {
  aev_queue *q = bt_queue(b, "q", NULL);
  aev_stream *s;
  bt_ok(aev_stream_create(b, "ks", 1, &s));
  char targets[1024];
  snprintf(targets, sizeof targets,
           "[{\"Id\":\"whole\",\"Arn\":\"%s\"},"
           "{\"Id\":\"path\",\"Arn\":\"%s\",\"InputPath\":\"$.detail\","
           "\"DeadLetterConfig\":{\"Arn\":\"%s\"}},"
           "{\"Id\":\"k\",\"Arn\":\"%s\",\"KinesisParameters\":{\"PartitionKeyPath\":"
           "\"$.detail.k\"},\"DeadLetterConfig\":{\"Arn\":\"%s\"}}]",
           aev_queue_arn(q), aev_queue_arn(q), aev_queue_arn(dlq), aev_stream_arn(s),
           aev_queue_arn(dlq));
  bt_ok(aev_bus_put_targets(def, "r", targets, NULL));
  const char *detail = "{\"k\":\"x\",\"n\":12345678901234567890}";
  char id[37];
  bt_ok(aev_bus_put_event(def, "a", "t", detail, strlen(detail), id));
  aev_broker_drain(b);
  for (int i = 0; i < 2; i++) {
    json_t *attrs = dead_letter(id);
    ck_assert_str_eq(attr(attrs, "ERROR_CODE"), "INTERNAL_ERROR");
    ck_assert_ptr_nonnull(strstr(attr(attrs, "ERROR_MESSAGE"), "too big integer"));
    ck_assert_str_eq(attr(attrs, "RETRY_ATTEMPTS"), "0");
    json_decref(attrs);
  }
  char *body = bt_take(q); /* the plain target's copy, untouched */
  ck_assert_ptr_nonnull(strstr(body, "12345678901234567890"));
  free(body);
  ck_assert_ptr_null(bt_take(q));
  aev_stream_release(s);
  aev_queue_release(q);
}
END_TEST

START_TEST(same_seed_same_schedule) {
  fail_first = 1000;
  callback_target("{\"MaximumRetryAttempts\":5}");
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 600 * 1000);
  int64_t first[6];
  memcpy(first, call_at, sizeof first);
  teardown();
  setup();
  callback_target("{\"MaximumRetryAttempts\":5}");
  bt_put(def, "a", "{}");
  aev_broker_advance(b, 600 * 1000);
  ck_assert_int_eq(calls, 6);
  ck_assert_mem_eq(first, call_at, sizeof first);
}
END_TEST

int main(void) {
  Suite *s = suite_create("bus_retry");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, retries_then_dead_letter);
  tcase_add_test(tc, event_age_limits_retries);
  tcase_add_test(tc, success_after_failures_is_not_dead_lettered);
  tcase_add_test(tc, zero_retries);
  tcase_add_test(tc, missing_queue_skips_retries);
  tcase_add_test(tc, same_seed_same_schedule);
  tcase_add_test(tc, long_non_ascii_error_message_is_dead_lettered);
  tcase_add_test(tc, event_beyond_jansson_is_dead_lettered_with_the_reason);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
