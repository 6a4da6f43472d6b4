/* Kinesis retention and throughput on the manual clock: the trim horizon
 * moving with the broker clock, retention changes and their errors, and
 * the per-shard write and read limits (records/s, bytes/s, calls/s, the
 * pause after a 10 MiB read, GetShardIterator's 5 calls/s) with
 * PutRecords' per-record failures. */
#include "aevtest.h"
#include "stream_support.h"

#define HOUR (3600 * 1000LL)
#define SHARD0 "shardId-000000000000"

static aev_broker *b;

static void setup(void) { b = st_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

static size_t count_from(aev_stream *s, const char *type, const char *seq) {
  char *it = st_iter(s, SHARD0, type, seq, 0);
  aev_records *r = st_get(b, it, 0);
  size_t n = aev_records_count(r);
  aev_records_free(r);
  aev_free(it);
  return n;
}

START_TEST(retention_moves_the_trim_horizon) {
  aev_stream *s = st_stream(b, "s", 1);
  aev_stream_set_throttling(s, 0);
  char first[AEV_STREAM_SEQUENCE_SIZE];
  st_put(s, "k", "old", first);
  aev_broker_advance(b, 23 * HOUR);
  st_put(s, "k", "new", NULL);
  ck_assert_uint_eq(count_from(s, "TRIM_HORIZON", NULL), 2);
  aev_broker_advance(b, HOUR + 1);
  char *it = st_iter(s, SHARD0, "TRIM_HORIZON", NULL, 0);
  aev_records *r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 1);
  ck_assert_str_eq(st_data(r, 0), "new");
  aev_records_free(r);
  aev_free(it);
  /* An iterator at a trimmed record starts at the trim horizon. */
  ck_assert_uint_eq(count_from(s, "AT_SEQUENCE_NUMBER", first), 1);
  /* A longer period does not bring trimmed records back. */
  ck_assert_int_eq(aev_stream_increase_retention(s, 48), AEV_OK);
  ck_assert_uint_eq(count_from(s, "TRIM_HORIZON", NULL), 1);
  aev_broker_advance(b, 30 * HOUR);
  ck_assert_uint_eq(count_from(s, "TRIM_HORIZON", NULL), 1);
  ck_assert_int_eq(aev_stream_decrease_retention(s, 24), AEV_OK);
  ck_assert_uint_eq(count_from(s, "TRIM_HORIZON", NULL), 0);
  char *d;
  ck_assert_int_eq(aev_stream_describe_summary(s, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"RetentionPeriodHours\":24"));
  aev_free(d);
  aev_stream_release(s);
}
END_TEST

/* RetentionPeriodHours has no range in the API model: the service refuses
 * one outside 24..8760 as InvalidArgumentException, in AWS's words. */
START_TEST(retention_errors) {
  aev_stream *s = st_stream(b, "s", 1);
  static const struct {
    int increase, hours;
    const char *message;
  } refused[] = {
      {1, 8761, "Maximum allowed retention period is 8760 hours. Requested retention period "
                "(8761 hours) is too long."},
      {0, 23, "Minimum allowed retention period is 24 hours. Requested retention period (23 "
              "hours) is too short."},
      {1, 100, "Requested retention period (100 hours) for stream s can not be shorter than "
               "existing retention period (8760 hours). Use DecreaseRetentionPeriod API."},
      {0, 9000, "Maximum allowed retention period is 8760 hours. Requested retention period "
                "(9000 hours) is too long."},
  };
  ck_assert_int_eq(aev_stream_increase_retention(s, 8760), AEV_OK);
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    int rc = refused[i].increase ? aev_stream_increase_retention(s, refused[i].hours)
                                 : aev_stream_decrease_retention(s, refused[i].hours);
    st_assert_error(rc, AEV_ERR_INVALID, "InvalidArgumentException");
    ck_assert_str_eq(aev_errmsg(), refused[i].message);
  }
  ck_assert_int_eq(aev_stream_decrease_retention(s, 100), AEV_OK);
  st_assert_error(aev_stream_decrease_retention(s, 200), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(),
                   "Requested retention period (200 hours) for stream s can "
                   "not be longer than existing retention period (100 "
                   "hours). Use IncreaseRetentionPeriod API.");
  aev_stream_release(s);
}
END_TEST

START_TEST(write_limits_per_shard) {
  aev_stream *s = st_stream(b, "s", 1);
  for (int i = 0; i < 1000; i++) st_put(s, "k", "x", NULL);
  st_assert_error(aev_stream_put(s, "x", 1, "k", NULL, NULL, NULL, NULL),
                  AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException");
  ck_assert_str_eq(aev_errmsg(), "Rate exceeded for shard shardId-000000000000 "
                                 "in stream s under account 000000000000.");
  /* One millisecond refills one record's worth. */
  aev_broker_advance(b, 1);
  st_put(s, "k", "x", NULL);
  st_assert_error(aev_stream_put(s, "x", 1, "k", NULL, NULL, NULL, NULL),
                  AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException");
  /* Bytes: 1 MiB per second. */
  aev_broker_advance(b, 1000);
  size_t len = (1u << 20) - 1;
  char *data = calloc(1, len);
  ck_assert_int_eq(aev_stream_put(s, data, len, "k", NULL, NULL, NULL, NULL), AEV_OK);
  st_assert_error(aev_stream_put(s, data, 1000, "k", NULL, NULL, NULL, NULL),
                  AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException");
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(aev_stream_put(s, data, 1000, "k", NULL, NULL, NULL, NULL), AEV_OK);
  free(data);
  /* Switched off, the limits are gone. */
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(aev_stream_set_throttling(s, 0), AEV_OK);
  for (int i = 0; i < 5000; i++) st_put(s, "k", "x", NULL);
  aev_stream_release(s);
}
END_TEST

START_TEST(put_records_fail_one_by_one) {
  aev_stream *s = st_stream(b, "s", 2);
  /* Fill shard 0 ("a" hashes there) to 999 records this second. */
  for (int i = 0; i < 999; i++) st_put(s, "a", "x", NULL);
  const char *keys[] = {"a", "a", "b", "a"};
  const void *data[] = {"1", "2", "3", "4"};
  size_t lens[] = {1, 1, 1, 1};
  aev_put_result *r;
  ck_assert_int_eq(aev_stream_put_records(s, 4, data, lens, keys, NULL, &r), AEV_OK);
  ck_assert_uint_eq(aev_put_result_failed_count(r), 2);
  ck_assert_ptr_nonnull(aev_put_result_sequence_number(r, 0));
  ck_assert_ptr_null(aev_put_result_sequence_number(r, 1));
  ck_assert_str_eq(aev_put_result_error_code(r, 1), "ProvisionedThroughputExceededException");
  ck_assert_str_eq(aev_put_result_error_message(r, 1),
                   "Rate exceeded for shard shardId-000000000000 in stream s "
                   "under account 000000000000.");
  ck_assert_str_eq(aev_put_result_shard_id(r, 2), "shardId-000000000001");
  ck_assert_ptr_null(aev_put_result_shard_id(r, 3));
  aev_put_result_free(r);
  aev_stream_release(s);
}
END_TEST

/* PutRecords takes up to 10 MiB in all, partition keys included (AWS's
 * PutRecords reference since records of up to 10 MiB: "up to a limit of
 * 10 MiB for the entire request"), whatever the stream's largest record;
 * one byte more fails the whole request. */
START_TEST(put_records_take_10_mib_in_all) {
  aev_stream *s = st_stream(b, "s", 1);
  aev_stream_set_throttling(s, 0);
  size_t mib = 1u << 20;
  char *blob = calloc(1, 10 * mib);
  ck_assert_ptr_nonnull(blob);
  const void *data[11];
  size_t lens[11];
  const char *keys[11];
  for (int i = 0; i < 11; i++) {
    data[i] = blob;
    lens[i] = mib - 1; /* with its one-byte key, a 1 MiB record */
    keys[i] = "k";
  }
  aev_put_result *r = NULL;
  ck_assert_int_eq(aev_stream_put_records(s, 10, data, lens, keys, NULL, &r), AEV_OK);
  ck_assert_uint_eq(aev_put_result_failed_count(r), 0);
  aev_put_result_free(r);
  r = NULL;
  st_assert_error(aev_stream_put_records(s, 11, data, lens, keys, NULL, &r), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "Records size exceeds 10 MB limit");
  ck_assert_ptr_null(r);
  /* A stream taking 10 MiB records takes one in a request, and no more. */
  ck_assert_int_eq(aev_stream_set_max_record_size(s, 10 * mib), AEV_OK);
  lens[0] = 10 * mib - 1;
  ck_assert_int_eq(aev_stream_put_records(s, 1, data, lens, keys, NULL, &r), AEV_OK);
  ck_assert_uint_eq(aev_put_result_failed_count(r), 0);
  aev_put_result_free(r);
  r = NULL;
  lens[1] = 0;
  st_assert_error(aev_stream_put_records(s, 2, data, lens, keys, NULL, &r), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  free(blob);
  aev_stream_release(s);
}
END_TEST

START_TEST(read_limits_per_shard) {
  aev_stream *s = st_stream(b, "s", 1);
  st_put(s, "k", "x", NULL);
  char *it = st_iter(s, SHARD0, "TRIM_HORIZON", NULL, 0);
  aev_records *r;
  for (int i = 0; i < 5; i++) {
    r = st_get(b, it, 0);
    aev_records_free(r);
  }
  st_assert_error(aev_stream_get_records(b, it, 0, &r), AEV_ERR_THROTTLED,
                  "ProvisionedThroughputExceededException");
  aev_broker_advance(b, 200);
  r = st_get(b, it, 0);
  aev_records_free(r);
  aev_free(it);
  /* A 10 MiB answer overdraws the 2 MiB/s bucket: reads pause ~4 s. */
  aev_stream *big = st_stream(b, "big", 1);
  aev_stream_set_throttling(big, 0);
  size_t len = (1u << 20) - 1;
  char *data = calloc(1, len);
  for (int i = 0; i < 10; i++)
    ck_assert_int_eq(aev_stream_put(big, data, len, "k", NULL, NULL, NULL, NULL), AEV_OK);
  free(data);
  aev_stream_set_throttling(big, 1);
  it = st_iter(big, SHARD0, "TRIM_HORIZON", NULL, 0);
  r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 10);
  aev_records_free(r);
  aev_broker_advance(b, 3990);
  st_assert_error(aev_stream_get_records(b, it, 0, &r), AEV_ERR_THROTTLED,
                  "ProvisionedThroughputExceededException");
  aev_broker_advance(b, 20);
  r = st_get(b, it, 0);
  aev_records_free(r);
  aev_free(it);
  aev_stream_release(big);
  aev_stream_release(s);
}
END_TEST

/* GetShardIterator: 5 calls per second per shard, refilled on the broker
 * clock; another shard has its own allowance; the switch turns it off. */
START_TEST(get_shard_iterator_limit) {
  aev_stream *s = st_stream(b, "s", 2);
  char *it;
  for (int i = 0; i < 5; i++) aev_free(st_iter(s, SHARD0, "LATEST", NULL, 0));
  st_assert_error(aev_stream_iterator(s, SHARD0, "LATEST", NULL, 0, &it),
                  AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException");
  ck_assert_str_eq(aev_errmsg(), "Rate exceeded for shard shardId-000000000000 "
                                 "in stream s under account 000000000000.");
  aev_free(st_iter(s, "shardId-000000000001", "LATEST", NULL, 0));
  aev_broker_advance(b, 199);
  st_assert_error(aev_stream_iterator(s, SHARD0, "LATEST", NULL, 0, &it),
                  AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException");
  aev_broker_advance(b, 1);
  aev_free(st_iter(s, SHARD0, "LATEST", NULL, 0));
  st_assert_error(aev_stream_iterator(s, SHARD0, "LATEST", NULL, 0, &it),
                  AEV_ERR_THROTTLED, "ProvisionedThroughputExceededException");
  aev_stream_set_throttling(s, 0);
  for (int i = 0; i < 20; i++) aev_free(st_iter(s, SHARD0, "LATEST", NULL, 0));
  aev_stream_release(s);
}
END_TEST

/* A broker in a region whose default shard quota is 1,000 shards per
 * account (KDS quotas page: 20,000 only in us-east-1, us-west-2 and
 * eu-west-1). */
static aev_broker *small_quota_broker(void) {
  aev_broker_options *o;
  aev_broker *qb;
  ck_assert_int_eq(aev_broker_options_new(&o), AEV_OK);
  aev_broker_options_set_clock(o, AEV_CLOCK_MANUAL);
  aev_broker_options_set_workers(o, 0);
  ck_assert_int_eq(aev_broker_options_set_region(o, "eu-central-1"), AEV_OK);
  ck_assert_int_eq(aev_broker_new(o, &qb), AEV_OK);
  aev_broker_options_free(o);
  return qb;
}

static void assert_over_shard_quota(int rc, int open, int adding) {
  char msg[512];
  snprintf(msg, sizeof msg,
           "This request would exceed the shard limit for the account 000000000000 in "
           "eu-central-1. Current shard count for the account: %d. Limit: 1000. Number of "
           "additional shards that would have resulted from this request: %d. Refer to the "
           "AWS Service Limits page "
           "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
           "current limits and how to request higher limits.",
           open, adding);
  ck_assert_int_eq(rc, AEV_ERR_LIMIT);
  ck_assert_str_eq(aev_errcode(), "LimitExceededException");
  ck_assert_str_eq(aev_errmsg(), msg);
}

static json_int_t open_shards(aev_broker *qb) {
  json_t *j = aev_test_call(qb, "kinesis", "DescribeLimits", "{}", AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "ShardLimit")), 1000);
  json_int_t n = json_integer_value(json_object_get(j, "OpenShardCount"));
  json_decref(j);
  return n;
}

/* CreateStream, SplitShard and UpdateShardCount that would open more
 * shards than the account's quota fail and change nothing; up to the
 * quota they succeed. */
START_TEST(account_shard_quota) {
  aev_broker *qb = small_quota_broker();
  aev_stream *big = st_stream(qb, "big", 998), *more = NULL;
  assert_over_shard_quota(aev_stream_create(qb, "more", 3, &more), 998, 3);
  ck_assert_ptr_null(more);
  aev_test_call_fails(qb, "kinesis", "CreateStream", "{\"StreamName\":\"more\",\"ShardCount\":3}",
                      AEV_ERR_LIMIT, "LimitExceededException", NULL);
  st_assert_error(aev_stream_get(qb, "more", &more), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException");
  /* A name in use is answered first, as kinesalite (tested against AWS)
   * answers it. */
  aev_test_call_fails(qb, "kinesis", "CreateStream", "{\"StreamName\":\"big\",\"ShardCount\":3}",
                      AEV_ERR_EXISTS, "ResourceInUseException", NULL);
  aev_stream *two = st_stream(qb, "two", 2);
  ck_assert_int_eq(open_shards(qb), 1000);
  assert_over_shard_quota(aev_stream_split_shard(two, "shardId-000000000000", "1000"), 1000, 1);
  assert_over_shard_quota(aev_stream_update_shard_count(two, 3), 1000, 1);
  ck_assert_int_eq(aev_broker_drain(qb), AEV_OK);
  ck_assert_int_eq(open_shards(qb), 1000);
  /* Fewer shards make room again. */
  ck_assert_int_eq(aev_stream_update_shard_count(two, 1), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(qb), AEV_OK);
  ck_assert_int_eq(open_shards(qb), 999);
  ck_assert_int_eq(aev_stream_split_shard(two, "shardId-000000000002", "1000"), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(qb), AEV_OK);
  ck_assert_int_eq(open_shards(qb), 1000);
  aev_stream_release(two);
  aev_stream_release(big);
  aev_broker_destroy(qb);
}
END_TEST

/* A reshard asked for counts against the quota from the request on, not
 * from when the broker runs it: two UpdateShardCounts that each fit the
 * quota alone, asked before either ran, must not open more than it
 * together. (Nothing runs until the drain: this broker has no workers.)
 * DescribeLimits counts the shards open now. */
START_TEST(pending_reshards_count_against_the_quota) {
  aev_broker *qb = small_quota_broker();
  aev_stream *a = st_stream(qb, "a", 300), *c = st_stream(qb, "c", 300), *d = NULL;
  ck_assert_int_eq(aev_stream_update_shard_count(a, 600), AEV_OK);
  ck_assert_int_eq(open_shards(qb), 600);
  assert_over_shard_quota(aev_stream_update_shard_count(c, 600), 900, 300);
  /* Asked of a stream whose change is pending, the new target is counted
   * from the pending one: the stream is busy, not over the quota. */
  st_assert_error(aev_stream_update_shard_count(a, 700), AEV_ERR_STATE,
                  "ResourceInUseException");
  ck_assert_int_eq(aev_broker_drain(qb), AEV_OK);
  ck_assert_int_eq(open_shards(qb), 900);
  ck_assert_int_eq(aev_stream_split_shard(c, "shardId-000000000000", "1000"), AEV_OK);
  assert_over_shard_quota(aev_stream_create(qb, "d", 100, &d), 901, 100);
  ck_assert_ptr_null(d);
  aev_test_call_fails(qb, "kinesis", "UpdateShardCount",
                      "{\"StreamName\":\"a\",\"TargetShardCount\":700,"
                      "\"ScalingType\":\"UNIFORM_SCALING\"}",
                      AEV_ERR_LIMIT, "LimitExceededException", NULL);
  d = st_stream(qb, "d", 99);
  ck_assert_int_eq(aev_broker_drain(qb), AEV_OK);
  ck_assert_int_eq(open_shards(qb), 1000);
  aev_stream_release(d);
  aev_stream_release(c);
  aev_stream_release(a);
  aev_broker_destroy(qb);
}
END_TEST

static const char *const ON_DEMAND_FULL =
    "This request would exceed the limit of 50 data streams in the on-demand capacity mode "
    "for the account 000000000000 in us-east-1.";

/* The 51st on-demand stream, made or switched to, fails; a stream
 * already on demand does not count against itself. */
START_TEST(account_on_demand_stream_quota) {
  aev_stream *od[50], *extra = NULL;
  for (int i = 0; i < 50; i++) {
    char name[8];
    snprintf(name, sizeof name, "od%d", i);
    od[i] = st_stream(b, name, AEV_STREAM_ON_DEMAND);
  }
  st_assert_error(aev_stream_create(b, "od50", AEV_STREAM_ON_DEMAND, &extra), AEV_ERR_LIMIT,
                  "LimitExceededException");
  ck_assert_str_eq(aev_errmsg(), ON_DEMAND_FULL);
  ck_assert_ptr_null(extra);
  aev_stream *p = st_stream(b, "p", 1);
  st_assert_error(aev_stream_update_mode(p, 1), AEV_ERR_LIMIT, "LimitExceededException");
  ck_assert_str_eq(aev_errmsg(), ON_DEMAND_FULL);
  json_t *j = aev_test_call(b, "kinesis", "DescribeLimits", "{}", AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "OnDemandStreamCount")), 50);
  json_decref(j);
  ck_assert_int_eq(aev_stream_update_mode(od[0], 1), AEV_OK);
  /* One switched back makes room for another. */
  ck_assert_int_eq(aev_stream_update_mode(od[0], 0), AEV_OK);
  ck_assert_int_eq(aev_broker_drain(b), AEV_OK);
  ck_assert_int_eq(aev_stream_update_mode(p, 1), AEV_OK);
  aev_stream_release(p);
  for (int i = 0; i < 50; i++) aev_stream_release(od[i]);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_limits");
  TCase *tc = tcase_create("limits");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, retention_moves_the_trim_horizon);
  tcase_add_test(tc, retention_errors);
  tcase_add_test(tc, write_limits_per_shard);
  tcase_add_test(tc, put_records_fail_one_by_one);
  tcase_add_test(tc, put_records_take_10_mib_in_all);
  tcase_add_test(tc, read_limits_per_shard);
  tcase_add_test(tc, get_shard_iterator_limit);
  tcase_add_test(tc, account_shard_quota);
  tcase_add_test(tc, pending_reshards_count_against_the_quota);
  tcase_add_test(tc, account_on_demand_stream_quota);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
