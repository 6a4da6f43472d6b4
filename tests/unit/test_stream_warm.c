/* Kinesis's account settings and warm throughput through aev_call(b,
 * "kinesis", ...) and the typed calls: DescribeAccountSettings /
 * UpdateAccountSettings (the minimum throughput billing commitment, its
 * 24-hour minimum and scheduled disable), UpdateStreamWarmThroughput,
 * CreateStream's WarmThroughputMiBps and MaxRecordSizeInKiB, and
 * UpdateStreamMode's WarmThroughputMiBps, each refusal with AWS's error
 * and nothing stored. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

#define ARN "arn:aws:kinesis:us-east-1:000000000000:stream/"
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

/* A member of the stream's StreamDescriptionSummary ("null": absent). */
static void assert_summary(const char *stream, const char *member, const char *want) {
  char req[160];
  snprintf(req, sizeof req, "{\"StreamName\":\"%s\"}", stream);
  json_t *r = call("DescribeStreamSummary", req, AEV_OK);
  json_t *m = json_object_get(json_object_get(r, "StreamDescriptionSummary"), member);
  char *got = m ? json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup("null");
  ck_assert_str_eq(got, want);
  free(got);
  json_decref(r);
}

static void set_commitment(const char *status) {
  char req[128];
  snprintf(req, sizeof req, "{\"MinimumThroughputBillingCommitment\":{\"Status\":\"%s\"}}",
           status);
  ok("UpdateAccountSettings", req);
}

static void warm(const char *stream, int mibps) {
  char req[160];
  snprintf(req, sizeof req, "{\"StreamName\":\"%s\",\"WarmThroughputMiBps\":%d}", stream, mibps);
  ok("UpdateStreamWarmThroughput", req);
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

START_TEST(warm_throughput_scales_the_stream) {
  set_commitment("ENABLED");
  ok("CreateStream", "{\"StreamName\":\"od\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}");
  /* Shown for on-demand streams while the commitment is enabled. */
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":4}");
  assert_answer("UpdateStreamWarmThroughput",
                "{\"StreamARN\":\"" ARN "od\",\"WarmThroughputMiBps\":12}", NULL,
                "{\"StreamARN\":\"" ARN "od\",\"StreamName\":\"od\","
                "\"WarmThroughput\":{\"CurrentMiBps\":4,\"TargetMiBps\":12}}");
  assert_summary("od", "StreamStatus", "\"UPDATING\"");
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":4,\"TargetMiBps\":12}");
  /* One change at a time. */
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":20}",
        AEV_ERR_STATE, "ResourceInUseException",
        "Stream od under account 000000000000 not ACTIVE, instead in state UPDATING");
  aev_broker_drain(b);
  assert_summary("od", "StreamStatus", "\"ACTIVE\"");
  assert_summary("od", "OpenShardCount", "12");
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":12,\"TargetMiBps\":12}");
  assert_answer("DescribeLimits", "{}", "OpenShardCount", "12");
  /* A lower value releases the capacity above it; never below the 4
   * shards an on-demand stream starts with. */
  warm("od", 6);
  aev_broker_drain(b);
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":6,\"TargetMiBps\":6}");
  warm("od", 0);
  aev_broker_drain(b);
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":4,\"TargetMiBps\":0}");
}
END_TEST

/* The stream as it was: ACTIVE, 4 shards, no target. */
static void assert_unwarmed(const char *stream) {
  assert_summary(stream, "StreamStatus", "\"ACTIVE\"");
  assert_summary(stream, "OpenShardCount", "4");
}

START_TEST(warm_throughput_refusals) {
  ok("CreateStream", "{\"StreamName\":\"od\"}");
  ok("CreateStream", "{\"StreamName\":\"p\",\"ShardCount\":2}");
  /* Without the commitment, no warm throughput, and none shown. */
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":8}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Warm throughput requires the MinimumThroughputBillingCommitment of account "
        "000000000000 to be ENABLED (UpdateAccountSettings); it is DISABLED.");
  assert_summary("od", "WarmThroughput", "null");
  assert_unwarmed("od");
  set_commitment("ENABLED");
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"p\",\"WarmThroughputMiBps\":8}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Warm throughput is not supported for stream p under account 000000000000 in "
        "PROVISIONED mode: only ON_DEMAND streams take it.");
  assert_summary("p", "WarmThroughput", "null");
  assert_summary("p", "OpenShardCount", "2");
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":10241}",
        AEV_ERR_LIMIT, "LimitExceededException",
        "Warm throughput 10241 MiBps for stream od under account 000000000000 exceeds the "
        "limit of 10240 MiBps (10 GiBps) for an on-demand stream.");
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":-1}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":\"8\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("UpdateStreamWarmThroughput", "{\"WarmThroughputMiBps\":8}", AEV_ERR_INVALID,
        "InvalidArgumentException", "Either StreamName or StreamARN should be provided.");
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"nope\",\"WarmThroughputMiBps\":8}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
        "Stream nope under account 000000000000 not found.");
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":4}");
  assert_unwarmed("od");
}
END_TEST

/* Warming counts its shards against the account's shard quota (1,000 in
 * eu-central-1), as a reshard does. */
START_TEST(warm_throughput_within_the_shard_quota) {
  aev_broker_options *o;
  aev_broker *qb;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_options_set_region(o, "eu-central-1"), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &qb), AEV_OK);
  aev_broker_options_free(o);
  aev_stream *s = st_stream(qb, "od", AEV_STREAM_ON_DEMAND);
  aev_stream_release(st_stream(qb, "p", 996));
  ck_assert_int_eq(aev_stream_update_account_settings(qb, 1, NULL), AEV_OK);
  st_assert_error(aev_stream_update_warm_throughput(s, 5), AEV_ERR_LIMIT,
                  "LimitExceededException");
  ck_assert_str_eq(aev_errmsg(),
                   "This request would exceed the shard limit for the account 000000000000 in "
                   "eu-central-1. Current shard count for the account: 1000. Limit: 1000. Number "
                   "of additional shards that would have resulted from this request: 1. Refer to "
                   "the AWS Service Limits page "
                   "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
                   "current limits and how to request higher limits.");
  /* Fewer shards fit. */
  ck_assert_int_eq(aev_stream_update_warm_throughput(s, 4), AEV_OK);
  aev_stream_release(s);
  aev_broker_destroy(qb);
}
END_TEST

/* A warm throughput lasts while its commitment does and the stream stays
 * ON_DEMAND; the shards it made stay until something scales them. */
START_TEST(warm_throughput_ends_with_its_commitment_and_mode) {
  set_commitment("ENABLED");
  ok("CreateStream", "{\"StreamName\":\"od\"}");
  warm("od", 8);
  aev_broker_drain(b);
  ok("UpdateStreamMode", "{\"StreamARN\":\"" ARN "od\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"}}");
  aev_broker_drain(b);
  assert_summary("od", "WarmThroughput", "null");
  ok("UpdateStreamMode", "{\"StreamARN\":\"" ARN "od\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}");
  aev_broker_drain(b);
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":8}");
  warm("od", 10);
  aev_broker_drain(b);
  set_commitment("DISABLED");
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":10,\"TargetMiBps\":10}");
  aev_broker_advance(b, DAY_MS);
  assert_summary("od", "WarmThroughput", "null");
  assert_summary("od", "OpenShardCount", "10");
  fails("UpdateStreamWarmThroughput", "{\"StreamName\":\"od\",\"WarmThroughputMiBps\":4}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  /* A new commitment does not bring the old target back. */
  set_commitment("ENABLED");
  assert_summary("od", "WarmThroughput", "{\"CurrentMiBps\":10}");
}
END_TEST

/* Records put in one second with their hash keys spread over eighths of
 * the key space, per eighth; how many were accepted. */
static int put_spread(aev_stream *s, int per_eighth) {
  static const char *const eighths[] = {
      "0", "42535295865117307932921825928971026432",
      "85070591730234615865843651857942052864", "127605887595351923798765477786913079296",
      "170141183460469231731687303715884105728", "212676479325586539664609129644855132160",
      "255211775190703847597530955573826158592", "297747071055821155530452781502797185024"};
  int accepted = 0;
  for (int e = 0; e < 8; e++)
    for (int i = 0; i < per_eighth; i++)
      accepted += aev_stream_put(s, "x", 1, "k", eighths[e], NULL, NULL, NULL) == AEV_OK;
  return accepted;
}

/* What warming is for: writes up to the warm throughput at once. 4 shards
 * take 1,000 records a second each; warmed to 8 MiB/s, 8 shards do. */
START_TEST(warm_stream_takes_the_writes) {
  set_commitment("ENABLED");
  aev_stream *cold = st_stream(b, "cold", AEV_STREAM_ON_DEMAND);
  aev_stream *hot = st_stream(b, "hot", AEV_STREAM_ON_DEMAND);
  ck_assert_int_eq(aev_stream_update_warm_throughput(hot, 8), AEV_OK);
  aev_broker_drain(b);
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(put_spread(cold, 1000), 4000);
  ck_assert_int_eq(put_spread(hot, 1000), 8000);
  aev_stream_release(cold);
  aev_stream_release(hot);
}
END_TEST

START_TEST(create_stream_members) {
  /* Refused: nothing is created. */
  fails("CreateStream", "{\"StreamName\":\"w\",\"WarmThroughputMiBps\":8}", AEV_ERR_INVALID,
        "InvalidArgumentException",
        "Warm throughput requires the MinimumThroughputBillingCommitment of account "
        "000000000000 to be ENABLED (UpdateAccountSettings); it is DISABLED.");
  set_commitment("ENABLED");
  fails("CreateStream", "{\"StreamName\":\"w\",\"ShardCount\":2,\"WarmThroughputMiBps\":8}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "WarmThroughputMiBps is not supported for streams in PROVISIONED mode.");
  fails("CreateStream", "{\"StreamName\":\"w\",\"WarmThroughputMiBps\":20000}", AEV_ERR_LIMIT,
        "LimitExceededException",
        "Warm throughput 20000 MiBps for stream w under account 000000000000 exceeds the "
        "limit of 10240 MiBps (10 GiBps) for an on-demand stream.");
  fails("CreateStream", "{\"StreamName\":\"w\",\"WarmThroughputMiBps\":-2}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("CreateStream", "{\"StreamName\":\"w\",\"MaxRecordSizeInKiB\":1023}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("CreateStream", "{\"StreamName\":\"w\",\"ShardCount\":1,\"MaxRecordSizeInKiB\":10241}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  assert_answer("ListStreams", "{}", "StreamNames", "[]");
  ok("CreateStream", "{\"StreamName\":\"w\",\"WarmThroughputMiBps\":8,\"MaxRecordSizeInKiB\":2048}");
  /* Warming, as AWS's stream is CREATING. */
  assert_summary("w", "StreamStatus", "\"UPDATING\"");
  aev_broker_drain(b);
  assert_summary("w", "StreamStatus", "\"ACTIVE\"");
  assert_summary("w", "WarmThroughput", "{\"CurrentMiBps\":8,\"TargetMiBps\":8}");
  assert_summary("w", "MaxRecordSizeInKiB", "2048");
  ok("CreateStream", "{\"StreamName\":\"big\",\"ShardCount\":1,\"MaxRecordSizeInKiB\":10240}");
  assert_summary("big", "MaxRecordSizeInKiB", "10240");
}
END_TEST

/* A warm throughput past the shard quota is found once the stream exists:
 * the stream goes with the refusal. */
START_TEST(create_stream_warm_past_the_shard_quota) {
  aev_broker_options *o;
  aev_broker *qb;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_options_set_region(o, "eu-central-1"), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &qb), AEV_OK);
  aev_broker_options_free(o);
  ck_assert_int_eq(aev_stream_update_account_settings(qb, 1, NULL), AEV_OK);
  aev_test_call_fails(qb, "kinesis", "CreateStream",
                      "{\"StreamName\":\"w\",\"WarmThroughputMiBps\":1001}", AEV_ERR_LIMIT,
                      "LimitExceededException", NULL);
  aev_stream *s;
  st_assert_error(aev_stream_get(qb, "w", &s), AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  aev_broker_destroy(qb);
}
END_TEST

START_TEST(update_stream_mode_warms) {
  const char *to_od_warm = "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":"
                           "\"ON_DEMAND\"},\"WarmThroughputMiBps\":6}";
  ok("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":2}");
  fails("UpdateStreamMode", to_od_warm, AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  assert_summary("s", "StreamModeDetails", "{\"StreamMode\":\"PROVISIONED\"}");
  set_commitment("ENABLED");
  fails("UpdateStreamMode",
        "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"},"
        "\"WarmThroughputMiBps\":6}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "WarmThroughputMiBps is only valid when the stream mode of stream s is updated to "
        "ON_DEMAND.");
  fails("UpdateStreamMode",
        "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"},"
        "\"WarmThroughputMiBps\":-6}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  assert_summary("s", "StreamModeDetails", "{\"StreamMode\":\"PROVISIONED\"}");
  ok("UpdateStreamMode", to_od_warm);
  assert_summary("s", "StreamStatus", "\"UPDATING\"");
  assert_summary("s", "StreamModeDetails", "{\"StreamMode\":\"ON_DEMAND\"}");
  aev_broker_drain(b);
  assert_summary("s", "WarmThroughput", "{\"CurrentMiBps\":6,\"TargetMiBps\":6}");
  /* Already ON_DEMAND: warmed, not counted as a switch (two a day). */
  ok("UpdateStreamMode", "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":"
                         "\"ON_DEMAND\"},\"WarmThroughputMiBps\":9}");
  aev_broker_drain(b);
  assert_summary("s", "WarmThroughput", "{\"CurrentMiBps\":9,\"TargetMiBps\":9}");
  ok("UpdateStreamMode", "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":"
                         "\"PROVISIONED\"}}");
  aev_broker_drain(b);
  assert_summary("s", "OpenShardCount", "9");
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
  st_assert_error(aev_stream_update_warm_throughput(NULL, 8), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  aev_stream *p = st_stream(b, "p", 1), *od = st_stream(b, "od", AEV_STREAM_ON_DEMAND);
  st_assert_error(aev_stream_update_warm_throughput(p, 8), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  st_assert_error(aev_stream_update_warm_throughput(od, -1), AEV_ERR_INVALID,
                  "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value '-1' at "
                                 "'warmThroughputMiBps' failed to satisfy constraint: Member "
                                 "must have value greater than or equal to 0");
  ck_assert_int_eq(aev_stream_update_warm_throughput(od, 16), AEV_OK);
  aev_broker_drain(b);
  ck_assert_int_eq(aev_stream_describe_summary(od, &json), AEV_OK);
  ck_assert_ptr_nonnull(strstr(json, "\"WarmThroughput\":{\"CurrentMiBps\":16,\"TargetMiBps\":16}"));
  aev_free(json);
  /* A deleted stream: not found. */
  ck_assert_int_eq(aev_stream_delete(od, 0), AEV_OK);
  st_assert_error(aev_stream_update_warm_throughput(od, 8), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException");
  aev_stream_release(p);
  aev_stream_release(od);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_warm");
  TCase *tc = tcase_create("warm");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, commitment_starts_disabled);
  tcase_add_test(tc, commitment_lasts_a_day_at_least);
  tcase_add_test(tc, account_settings_refusals);
  tcase_add_test(tc, warm_throughput_scales_the_stream);
  tcase_add_test(tc, warm_throughput_refusals);
  tcase_add_test(tc, warm_throughput_within_the_shard_quota);
  tcase_add_test(tc, warm_throughput_ends_with_its_commitment_and_mode);
  tcase_add_test(tc, warm_stream_takes_the_writes);
  tcase_add_test(tc, create_stream_members);
  tcase_add_test(tc, create_stream_warm_past_the_shard_quota);
  tcase_add_test(tc, update_stream_mode_warms);
  tcase_add_test(tc, typed_calls);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
