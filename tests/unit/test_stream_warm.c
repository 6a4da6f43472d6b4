/* Kinesis's account settings through aev_call(b, "kinesis", ...) and the
 * typed calls: DescribeAccountSettings / UpdateAccountSettings (the
 * minimum throughput billing commitment, its 24-hour minimum and
 * scheduled disable), each refusal with AWS's error and nothing stored. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

#define DAY_MS (24 * 3600 * 1000LL)
/* The manual clock's start, 2024-01-01T00:00:00Z, in epoch seconds. */
#define T0 1704067200

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(7); }
static void teardown(void) { aev_broker_destroy(b); }

static json_t *call(const char *action, const char *req, int want) {
  return aev_test_call(b, "kinesis", action, req, want);
}

static void ok(const char *action, const char *req) { json_decref(call(action, req, AEV_OK)); }

static void fails(const char *action, const char *req, int status, const char *code,
                  const char *message) {
  aev_test_call_fails(b, "kinesis", action, req, status, code, message);
}

/* A call's answer (or a member of it), as compact JSON with sorted keys. */
static void assert_answer(const char *action, const char *req, const char *member,
                          const char *want) {
  json_t *r = call(action, req, AEV_OK);
  json_t *m = member ? json_object_get(r, member) : r;
  char *got = m ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("null");
  ck_assert_str_eq(got, want);
  free(got);
  json_decref(r);
}

static void assert_settings(const char *want) {
  assert_answer("DescribeAccountSettings", "{}", "MinimumThroughputBillingCommitment", want);
}

static void set_commitment(const char *status) {
  char req[128];
  snprintf(req, sizeof req, "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"%s\"}}",
           status);
  ok("UpdateAccountSettings", req);
}

static char *times(const char *status, long long started, long long earliest, long long ended) {
  static char buf[256];
  int n = snprintf(buf, sizeof buf, "{");
  if (earliest) n += snprintf(buf + n, sizeof buf - (size_t)n, "\"EarliestAllowedEndAt\":%lld,", earliest);
  if (ended) n += snprintf(buf + n, sizeof buf - (size_t)n, "\"EndedAt\":%lld,", ended);
  if (started) n += snprintf(buf + n, sizeof buf - (size_t)n, "\"StartedAt\":%lld,", started);
  snprintf(buf + n, sizeof buf - (size_t)n, "\"Status\":\"%s\"}", status);
  return buf;
}

START_TEST(commitment_starts_disabled) {
  assert_answer("DescribeAccountSettings", "{}", NULL,
                "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"DISABLED\"}}");
  /* Disabling what was never enabled changes nothing. */
  assert_answer("UpdateAccountSettings",
                "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"DISABLED\"}}", NULL,
                "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"DISABLED\"}}");
  assert_settings(times("DISABLED", 0, 0, 0));
}
END_TEST

/* AWS's rules: at least 24 hours; a disable before EarliestAllowedEndAt is
 * scheduled for then, and an enable before then cancels it. */
START_TEST(commitment_lasts_a_day_at_least) {
  const long long day = 24 * 3600;
  assert_answer("UpdateAccountSettings",
                "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"ENABLED\"}}",
                "MinimumThroughputBillingCommitment", times("ENABLED", T0, T0 + day, 0));
  /* Enabled again: the same commitment. */
  aev_broker_advance(b, 3600 * 1000);
  set_commitment("ENABLED");
  assert_settings(times("ENABLED", T0, T0 + day, 0));
  assert_answer("UpdateAccountSettings",
                "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"DISABLED\"}}",
                "MinimumThroughputBillingCommitment",
                times("ENABLED_UNTIL_EARLIEST_ALLOWED_END", T0, T0 + day, 0));
  set_commitment("DISABLED");
  assert_settings(times("ENABLED_UNTIL_EARLIEST_ALLOWED_END", T0, T0 + day, 0));
  /* Enabled before the end: the disable is cancelled. */
  set_commitment("ENABLED");
  assert_settings(times("ENABLED", T0, T0 + day, 0));
  set_commitment("DISABLED");
  aev_broker_advance(b, 23 * 3600 * 1000 - 1);
  assert_settings(times("ENABLED_UNTIL_EARLIEST_ALLOWED_END", T0, T0 + day, 0));
  aev_broker_advance(b, 1);
  assert_settings(times("DISABLED", T0, 0, T0 + day));
  set_commitment("DISABLED");
  assert_settings(times("DISABLED", T0, 0, T0 + day));
  /* A new commitment starts now, with its own 24 hours. */
  aev_broker_advance(b, 3600 * 1000);
  long long t1 = T0 + day + 3600;
  set_commitment("ENABLED");
  assert_settings(times("ENABLED", t1, t1 + day, 0));
  /* Past its 24 hours, a disable ends it at once. */
  aev_broker_advance(b, 2 * DAY_MS);
  set_commitment("DISABLED");
  assert_settings(times("DISABLED", t1, 0, t1 + 2 * day));
}
END_TEST

START_TEST(account_settings_refusals) {
  fails("UpdateAccountSettings", "{}", AEV_ERR_INVALID, "ValidationException", NULL);
  fails("UpdateAccountSettings", "{\"MinimumThroughputBillingCommitment\":{}}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("UpdateAccountSettings",
        "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"ENABLED_UNTIL_EARLIEST_ALLOWED_END\"}}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value 'ENABLED_UNTIL_EARLIEST_ALLOWED_END' at "
        "'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must "
        "satisfy enum value set: [ENABLED, DISABLED]");
  fails("UpdateAccountSettings", "{\"MinimumThroughputBillingCommitment\":{\"Status\":1}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  assert_settings(times("DISABLED", 0, 0, 0));
}
END_TEST

START_TEST(typed_calls) {
  char *json = NULL;
  ck_assert_int_eq(aev_stream_describe_account_settings(b, &json), AEV_OK);
  ck_assert_str_eq(json, "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"DISABLED\"}}");
  aev_free(json);
  ck_assert_int_eq(aev_stream_update_account_settings(b, 1, &json), AEV_OK);
  ck_assert_str_eq(json, "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"ENABLED\","
                         "\"StartedAt\":1704067200,\"EarliestAllowedEndAt\":1704153600}}");
  aev_free(json);
  st_assert_error(aev_stream_describe_account_settings(b, NULL), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  st_assert_error(aev_stream_describe_account_settings(NULL, &json), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  st_assert_error(aev_stream_update_account_settings(NULL, 1, NULL), AEV_ERR_INVALID,
                  "InvalidArgumentException");
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_warm");
  TCase *tc = tcase_create("warm");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, commitment_starts_disabled);
  tcase_add_test(tc, commitment_lasts_a_day_at_least);
  tcase_add_test(tc, account_settings_refusals);
  tcase_add_test(tc, typed_calls);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
