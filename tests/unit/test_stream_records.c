/* Kinesis streams on the manual clock: creation and hash ranges as AWS
 * divides them, MD5 routing and ExplicitHashKey, sequence numbers, every
 * iterator type and its expiry, GetRecords limits, MillisBehindLatest,
 * PutRecords results, and validation errors. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

static aev_broker *b;

static void setup(void) { b = st_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

START_TEST(create_names_and_hash_ranges) {
  aev_stream *s = st_stream(b, "clicks", 3), *g;
  ck_assert_str_eq(aev_stream_name(s), "clicks");
  ck_assert_str_eq(aev_stream_arn(s),
                   "arn:aws:kinesis:us-east-1:000000000000:stream/clicks");
  ck_assert_int_eq(aev_stream_get(b, aev_stream_arn(s), &g), AEV_OK);
  ck_assert_ptr_eq(g, s);
  aev_stream_release(g);
  char *d;
  ck_assert_int_eq(aev_stream_describe(s, &d), AEV_OK);
  /* AWS's ranges for 3 shards: 2^128 / 3 rounded down as the step. */
  ck_assert_ptr_nonnull(strstr(d, "\"EndingHashKey\":\"113427455640312821154458202477256070484\""));
  ck_assert_ptr_nonnull(strstr(d, "\"StartingHashKey\":\"113427455640312821154458202477256070485\""));
  ck_assert_ptr_nonnull(strstr(d, "\"StartingHashKey\":\"226854911280625642308916404954512140970\""));
  ck_assert_ptr_nonnull(strstr(d, "\"EndingHashKey\":\"340282366920938463463374607431768211455\""));
  ck_assert_ptr_nonnull(strstr(d, "\"StreamStatus\":\"ACTIVE\""));
  ck_assert_ptr_nonnull(strstr(d, "\"ShardId\":\"shardId-000000000002\""));
  aev_free(d);
  aev_stream *two = st_stream(b, "two", 2);
  ck_assert_int_eq(aev_stream_describe(two, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"EndingHashKey\":\"170141183460469231731687303715884105727\""));
  aev_free(d);
  st_assert_error(aev_stream_create(b, "two", 1, &g), AEV_ERR_EXISTS,
                  "ResourceInUseException");
  ck_assert_str_eq(aev_errmsg(),
                   "Stream two under account 000000000000 already exists.");
  st_assert_error(aev_stream_create(b, "bad name", 1, &g), AEV_ERR_INVALID,
                  "ValidationException");
  st_assert_error(aev_stream_create(b, "x", 10001, &g), AEV_ERR_INVALID,
                  "ValidationException");
  st_assert_error(aev_stream_get(b, "nope", &g), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException");
  ck_assert_str_eq(aev_errmsg(),
                   "Stream nope under account 000000000000 not found.");
  aev_stream *od = st_stream(b, "od", AEV_STREAM_ON_DEMAND);
  ck_assert_int_eq(aev_stream_describe_summary(od, &d), AEV_OK);
  ck_assert_ptr_nonnull(strstr(d, "\"StreamMode\":\"ON_DEMAND\""));
  ck_assert_ptr_nonnull(strstr(d, "\"OpenShardCount\":4"));
  aev_free(d);
  aev_stream_release(od);
  aev_stream_release(two);
  aev_stream_release(s);
}
END_TEST

START_TEST(partition_keys_hash_to_their_shard) {
  aev_stream *s = st_stream(b, "s", 4);
  /* MD5("a") = 0x0cc1..., in the first quarter; MD5("b") = 0x92eb... in the
   * third; MD5("c") = 0x4a8a... in the second; MD5("user-1") = 0xd6d7...
   * in the fourth. */
  ck_assert_int_eq(st_put(s, "a", "1", NULL), 0);
  ck_assert_int_eq(st_put(s, "b", "2", NULL), 2);
  ck_assert_int_eq(st_put(s, "c", "3", NULL), 1);
  ck_assert_int_eq(st_put(s, "user-1", "4", NULL), 3);
  /* ExplicitHashKey overrides the key's hash. */
  char shard[AEV_SHARD_ID_SIZE];
  ck_assert_int_eq(aev_stream_put(s, "x", 1, "a",
                                  "340282366920938463463374607431768211455",
                                  NULL, shard, NULL),
                   AEV_OK);
  ck_assert_str_eq(shard, "shardId-000000000003");
  ck_assert_int_eq(aev_stream_put(s, "x", 1, "b", "85070591730234615865843651857942052863", NULL, shard, NULL), AEV_OK);
  ck_assert_str_eq(shard, "shardId-000000000000");
  ck_assert_int_eq(aev_stream_put(s, "x", 1, "b", "85070591730234615865843651857942052864", NULL, shard, NULL), AEV_OK);
  ck_assert_str_eq(shard, "shardId-000000000001");
  /* 2^128 passes the API model's pattern, and the service refuses it. */
  st_assert_error(aev_stream_put(s, "x", 1, "b", "340282366920938463463374607431768211456", NULL, NULL, NULL),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                                 "[0, 2^128-1]. Specified value was "
                                 "340282366920938463463374607431768211456");
  st_assert_error(aev_stream_put(s, "x", 1, "b", "1000000000000000000000000000000000000000", NULL, NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_stream_put(s, "x", 1, "b", "012", NULL, NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_stream_put(s, "x", 1, "", NULL, NULL, NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  char key[258];
  memset(key, 'k', 257);
  key[257] = '\0';
  st_assert_error(aev_stream_put(s, "x", 1, key, NULL, NULL, NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  char want[600];
  snprintf(want, sizeof want,
           "1 validation error detected: Value '%s' at 'partitionKey' failed "
           "to satisfy constraint: Member must have length less than or "
           "equal to 256",
           key);
  ck_assert_str_eq(aev_errmsg(), want);
  /* 256 characters of UTF-8 count as characters, not bytes. */
  char wide[256 * 2 + 1];
  for (int i = 0; i < 256; i++) memcpy(wide + 2 * i, "\xc3\xa9", 2);
  wide[512] = '\0';
  ck_assert_int_eq(aev_stream_put(s, "x", 1, wide, NULL, NULL, NULL, NULL), AEV_OK);
  /* A record of data + key above 1 MiB is refused; at the limit it fits. */
  size_t big = (1u << 20) - 1;
  char *data = calloc(1, big + 1);
  ck_assert_ptr_nonnull(data);
  ck_assert_int_eq(aev_stream_set_throttling(s, 0), AEV_OK);
  ck_assert_int_eq(aev_stream_put(s, data, big, "a", NULL, NULL, NULL, NULL), AEV_OK);
  st_assert_error(aev_stream_put(s, data, big + 1, "a", NULL, NULL, NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  ck_assert_int_eq(aev_stream_set_max_record_size(s, 10u << 20), AEV_OK);
  ck_assert_int_eq(aev_stream_put(s, data, big + 1, "a", NULL, NULL, NULL, NULL), AEV_OK);
  free(data);
  aev_stream_release(s);
}
END_TEST

/* A partition key is Unicode text: one that is not UTF-8 is refused, alone
 * or in PutRecords, and nothing is stored, so GetRecords still hands back
 * the records there are, a 2-, 3- and 4-byte key unchanged. */
START_TEST(partition_keys_are_utf8_text) {
  aev_stream *s = st_stream(b, "s", 1);
  const char *key = "\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80";
  st_put(s, key, "kept", NULL);
  st_assert_error(aev_stream_put(s, "x", 1, "k\xc3", NULL, NULL, NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value at 'partitionKey' failed to "
                                 "satisfy constraint: Member must be UTF-8 text");
  const void *datas[2] = {"x", "y"};
  size_t lens[2] = {1, 1};
  const char *keys[2] = {"a", "\xed\xa0\x80"};
  aev_put_result *res = NULL;
  st_assert_error(aev_stream_put_records(s, 2, datas, lens, keys, NULL, &res), AEV_ERR_INVALID,
                  "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value at "
                                 "'records.2.member.partitionKey' failed to satisfy constraint: "
                                 "Member must be UTF-8 text");
  ck_assert_ptr_null(res);
  char *out = NULL;
  ck_assert_int_eq(aev_call(b, "kinesis", "GetShardIterator",
                            "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                            "\"ShardIteratorType\":\"TRIM_HORIZON\"}", &out), AEV_OK);
  json_t *it = json_loads(out, 0, NULL);
  aev_free(out);
  json_t *req = json_pack("{s:O}", "ShardIterator", json_object_get(it, "ShardIterator"));
  char *text = json_dumps(req, JSON_COMPACT);
  ck_assert_int_eq(aev_call(b, "kinesis", "GetRecords", text, &out), AEV_OK);
  json_t *got = json_loads(out, 0, NULL), *records = json_object_get(got, "Records");
  ck_assert_int_eq(json_array_size(records), 1);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(records, 0), "PartitionKey")), key);
  json_decref(got);
  json_decref(req);
  json_decref(it);
  free(text);
  aev_free(out);
  aev_stream_release(s);
}
END_TEST

START_TEST(sequence_numbers_increase_per_shard) {
  aev_stream *s = st_stream(b, "s", 1);
  char a[AEV_STREAM_SEQUENCE_SIZE], c[AEV_STREAM_SEQUENCE_SIZE];
  st_put(s, "k", "one", a);
  aev_broker_advance(b, 5);
  st_put(s, "k", "two", c);
  ck_assert_uint_eq(strlen(a), 56);
  ck_assert_uint_eq(strspn(a, "0123456789"), 56);
  ck_assert_int_lt(strcmp(a, c), 0);
  /* SequenceNumberForOrdering is accepted when it is a sequence number. */
  char d[AEV_STREAM_SEQUENCE_SIZE];
  ck_assert_int_eq(aev_stream_put(s, "3", 1, "k", NULL, c, NULL, d), AEV_OK);
  ck_assert_int_lt(strcmp(c, d), 0);
  st_assert_error(aev_stream_put(s, "3", 1, "k", NULL, "12x", NULL, NULL),
                  AEV_ERR_INVALID, "ValidationException");
  aev_stream_release(s);
}
END_TEST

/* Each number's index and arrival digits, as PutRecords, PutRecord and
 * GetRecords give them, across index carries (9 to 10, 99 to 100, 999 to
 * 1000) and arrival times that change between and within calls. */
START_TEST(sequence_number_digits) {
  aev_stream *s = st_stream(b, "s", 1);
  ck_assert_int_eq(aev_stream_set_throttling(s, 0), AEV_OK);
  enum { CALLS = 3, PER = 500, SINGLE = 40, N = CALLS * PER + SINGLE };
  char (*seqs)[AEV_STREAM_SEQUENCE_SIZE] = calloc(N, sizeof *seqs);
  int64_t *at = calloc(N, sizeof *at);
  ck_assert_ptr_nonnull(seqs);
  ck_assert_ptr_nonnull(at);
  const void *data[PER];
  const char *keys[PER];
  size_t lens[PER];
  for (size_t i = 0; i < PER; i++) {
    data[i] = "d";
    keys[i] = i % 2 ? "odd" : "even";
    lens[i] = 1;
  }
  size_t n = 0;
  for (int c = 0; c < CALLS; c++) {
    aev_put_result *r;
    ck_assert_int_eq(aev_stream_put_records(s, PER, data, lens, keys, NULL, &r), AEV_OK);
    for (size_t i = 0; i < PER; i++, n++) {
      memcpy(seqs[n], aev_put_result_sequence_number(r, i), sizeof seqs[n]);
      at[n] = aev_broker_now_ms(b);
    }
    aev_put_result_free(r);
    aev_broker_advance(b, 3);
  }
  for (int i = 0; i < SINGLE; i++, n++) {
    st_put(s, "k", "x", seqs[n]);
    at[n] = aev_broker_now_ms(b);
    if (i % 7 == 0) aev_broker_advance(b, 1);
  }
  char *it = st_iter(s, "shardId-000000000000", "TRIM_HORIZON", NULL, 0);
  aev_records *got = st_get(b, it, 10000);
  ck_assert_uint_eq(aev_records_count(got), N);
  for (size_t i = 0; i < N; i++) {
    char tail[40];
    snprintf(tail, sizeof tail, "%020zu%013lld", i, (long long)at[i]);
    ck_assert_str_eq(seqs[i] + 23, tail);
    ck_assert_int_eq(memcmp(seqs[i], seqs[0], 23), 0);
    ck_assert_str_eq(aev_records_sequence_number(got, i), seqs[i]);
  }
  aev_records_free(got);
  aev_free(it);
  free(seqs);
  free(at);
  aev_stream_release(s);
}
END_TEST

START_TEST(every_iterator_type) {
  aev_stream *s = st_stream(b, "s", 1);
  aev_stream_set_throttling(s, 0);
  char seq[4][AEV_STREAM_SEQUENCE_SIZE];
  int64_t t0 = aev_broker_now_ms(b);
  for (int i = 0; i < 4; i++) {
    char body[8];
    snprintf(body, sizeof body, "r%d", i);
    st_put(s, "k", body, seq[i]);
    aev_broker_advance(b, 1000);
  }
  const char *sh = "shardId-000000000000";
  char *it = st_iter(s, sh, "TRIM_HORIZON", NULL, 0);
  aev_records *r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 4);
  ck_assert_str_eq(st_data(r, 0), "r0");
  ck_assert_str_eq(aev_records_sequence_number(r, 3), seq[3]);
  ck_assert_str_eq(aev_records_partition_key(r, 0), "k");
  ck_assert_int_eq(aev_records_arrival_ms(r, 1), t0 + 1000);
  ck_assert_int_eq(aev_records_millis_behind(r), 0);
  ck_assert_ptr_nonnull(aev_records_next_iterator(r));
  ck_assert_ptr_null(aev_records_child_shards(r));
  aev_records_free(r);
  aev_free(it);

  it = st_iter(s, sh, "AT_SEQUENCE_NUMBER", seq[1], 0);
  r = st_get(b, it, 1);
  ck_assert_uint_eq(aev_records_count(r), 1);
  ck_assert_str_eq(st_data(r, 0), "r1");
  /* Behind the tip by the age of the oldest unread record (r2). */
  ck_assert_int_eq(aev_records_millis_behind(r), 2000);
  aev_records *r2 = st_get(b, aev_records_next_iterator(r), 0);
  ck_assert_uint_eq(aev_records_count(r2), 2);
  ck_assert_str_eq(st_data(r2, 0), "r2");
  aev_records_free(r2);
  aev_records_free(r);
  aev_free(it);

  it = st_iter(s, sh, "AFTER_SEQUENCE_NUMBER", seq[1], 0);
  r = st_get(b, it, 0);
  ck_assert_str_eq(st_data(r, 0), "r2");
  aev_records_free(r);
  aev_free(it);

  it = st_iter(s, sh, "AT_TIMESTAMP", NULL, t0 + 1500);
  r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 2);
  ck_assert_str_eq(st_data(r, 0), "r2");
  aev_records_free(r);
  aev_free(it);
  it = st_iter(s, sh, "AT_TIMESTAMP", NULL, t0 - 999999);
  r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 4);
  aev_records_free(r);
  aev_free(it);

  it = st_iter(s, sh, "LATEST", NULL, 0);
  r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 0);
  /* As on AWS, every call answers a new iterator, also at the same
   * position and moment; each reads from where it points. */
  char *again = st_iter(s, sh, "LATEST", NULL, 0);
  ck_assert_str_ne(again, it);
  ck_assert_str_ne(aev_records_next_iterator(r), it);
  aev_records *empty = st_get(b, again, 0);
  ck_assert_uint_eq(aev_records_count(empty), 0);
  aev_records_free(empty);
  aev_free(again);
  st_put(s, "k", "after", NULL);
  r2 = st_get(b, aev_records_next_iterator(r), 0);
  ck_assert_uint_eq(aev_records_count(r2), 1);
  ck_assert_str_eq(st_data(r2, 0), "after");
  aev_records_free(r2);
  aev_records_free(r);
  aev_free(it);

  char *bad = NULL;
  st_assert_error(aev_stream_iterator(s, sh, "AT_SEQUENCE_NUMBER", NULL, 0, &bad),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_stream_iterator(s, sh, "AT_SEQUENCE_NUMBER", "123", 0, &bad),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_stream_iterator(s, sh, "SOMEWHERE", NULL, 0, &bad),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_stream_iterator(s, "shardId-000000000009", "LATEST", NULL, 0, &bad),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  ck_assert_str_eq(aev_errmsg(), "Shard shardId-000000000009 in stream s under "
                                 "account 000000000000 does not exist");
  /* A sequence number of another stream's shard is refused. */
  aev_stream *o = st_stream(b, "other", 1);
  char oseq[AEV_STREAM_SEQUENCE_SIZE];
  st_put(o, "k", "x", oseq);
  st_assert_error(aev_stream_iterator(s, sh, "AT_SEQUENCE_NUMBER", oseq, 0, &bad),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  char want[512];
  snprintf(want, sizeof want,
           "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream s under "
           "account 000000000000 is invalid because it did not come from this stream.",
           oseq, sh);
  ck_assert_str_eq(aev_errmsg(), want);
  /* One of this stream's other shard names that shard. */
  aev_stream *two = st_stream(b, "two", 2);
  char tseq[AEV_STREAM_SEQUENCE_SIZE], tshard[AEV_SHARD_ID_SIZE];
  ck_assert_int_eq(aev_stream_put(two, "x", 1, "k", "340282366920938463463374607431768211455",
                                  NULL, tshard, tseq),
                   AEV_OK);
  ck_assert_str_eq(tshard, "shardId-000000000001");
  st_assert_error(aev_stream_iterator(two, "shardId-000000000000", "AT_SEQUENCE_NUMBER", tseq, 0,
                                      &bad),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "Invalid StartingSequenceNumber. It encodes shardId-000000000001, "
                                 "while it was used in a call to a shard with shardId-000000000000");
  aev_stream_release(two);
  aev_stream_release(o);
  aev_stream_release(s);
}
END_TEST

START_TEST(iterators_expire_after_five_minutes) {
  aev_stream *s = st_stream(b, "s", 1);
  char *it = st_iter(s, "shardId-000000000000", "TRIM_HORIZON", NULL, 0);
  aev_broker_advance(b, 300000);
  aev_records *r = st_get(b, it, 0);
  aev_records_free(r);
  aev_broker_advance(b, 1);
  st_assert_error(aev_stream_get_records(b, it, 0, &r), AEV_ERR_INVALID,
                  "ExpiredIteratorException");
  ck_assert_str_eq(aev_errmsg(),
                   "Iterator expired. The iterator was created at time Mon "
                   "Jan 01 00:00:00 UTC 2024 while right now it is Mon Jan 01 "
                   "00:05:00 UTC 2024 which is further in the future than the "
                   "tolerated delay of 300000 milliseconds.");
  aev_free(it);
  /* Tampered or foreign text is not an iterator. */
  st_assert_error(aev_stream_get_records(b, "AAAA", 0, &r), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  st_assert_error(aev_stream_get_records(b, "not base64!", 0, &r),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  /* In double quotes, as the AWS CLI's --query prints it, it is taken;
   * one quote is not stripped. */
  it = st_iter(s, "shardId-000000000000", "LATEST", NULL, 0);
  char quoted[512];
  snprintf(quoted, sizeof quoted, "\"%s\"", it);
  aev_records_free(st_get(b, quoted, 0));
  snprintf(quoted, sizeof quoted, "\"%s", it);
  st_assert_error(aev_stream_get_records(b, quoted, 0, &r), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  aev_free(it);
  it = st_iter(s, "shardId-000000000000", "LATEST", NULL, 0);
  it[10] = it[10] == 'A' ? 'B' : 'A';
  st_assert_error(aev_stream_get_records(b, it, 0, &r), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  aev_free(it);
  /* A deleted stream's iterators answer ResourceNotFoundException. */
  it = st_iter(s, "shardId-000000000000", "LATEST", NULL, 0);
  ck_assert_int_eq(aev_stream_delete(s, 0), AEV_OK);
  st_assert_error(aev_stream_get_records(b, it, 0, &r), AEV_ERR_NOT_FOUND,
                  "ResourceNotFoundException");
  st_assert_error(aev_stream_put(s, "x", 1, "k", NULL, NULL, NULL, NULL),
                  AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  aev_free(it);
  aev_stream_release(s);
}
END_TEST

START_TEST(get_records_limits) {
  aev_stream *s = st_stream(b, "s", 1);
  aev_stream_set_throttling(s, 0);
  for (int i = 0; i < 25; i++) st_put(s, "k", "x", NULL);
  char *it = st_iter(s, "shardId-000000000000", "TRIM_HORIZON", NULL, 0);
  aev_records *r = st_get(b, it, 10);
  ck_assert_uint_eq(aev_records_count(r), 10);
  aev_records_free(r);
  st_assert_error(aev_stream_get_records(b, it, 10001, &r), AEV_ERR_INVALID,
                  "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value '10001' "
                                 "at 'limit' failed to satisfy constraint: "
                                 "Member must have value less than or equal "
                                 "to 10000");
  aev_free(it);
  /* 10 MiB per call: eleven 1-MiB records come back as ten, then one. */
  aev_stream *big = st_stream(b, "big", 1);
  aev_stream_set_throttling(big, 0);
  size_t len = (1u << 20) - 1;
  char *data = calloc(1, len);
  for (int i = 0; i < 11; i++)
    ck_assert_int_eq(aev_stream_put(big, data, len, "k", NULL, NULL, NULL, NULL), AEV_OK);
  free(data);
  it = st_iter(big, "shardId-000000000000", "TRIM_HORIZON", NULL, 0);
  r = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(r), 10);
  aev_records *r2 = st_get(b, aev_records_next_iterator(r), 0);
  ck_assert_uint_eq(aev_records_count(r2), 1);
  aev_records_free(r2);
  aev_records_free(r);
  aev_free(it);
  aev_stream_release(big);
  aev_stream_release(s);
}
END_TEST

START_TEST(put_records_in_request_order) {
  aev_stream *s = st_stream(b, "s", 4);
  const char *keys[] = {"a", "b", "c", "user-1"};
  const void *data[] = {"1", "2", "3", "4"};
  size_t lens[] = {1, 1, 1, 1};
  aev_put_result *r;
  ck_assert_int_eq(aev_stream_put_records(s, 4, data, lens, keys, NULL, &r), AEV_OK);
  ck_assert_uint_eq(aev_put_result_count(r), 4);
  ck_assert_uint_eq(aev_put_result_failed_count(r), 0);
  ck_assert_str_eq(aev_put_result_shard_id(r, 0), "shardId-000000000000");
  ck_assert_str_eq(aev_put_result_shard_id(r, 1), "shardId-000000000002");
  ck_assert_str_eq(aev_put_result_shard_id(r, 2), "shardId-000000000001");
  ck_assert_str_eq(aev_put_result_shard_id(r, 3), "shardId-000000000003");
  ck_assert_ptr_null(aev_put_result_error_code(r, 0));
  aev_put_result_free(r);
  /* A bad entry fails the whole request; nothing is stored. */
  const char *badkeys[] = {"a", ""};
  st_assert_error(aev_stream_put_records(s, 2, data, lens, badkeys, NULL, &r),
                  AEV_ERR_INVALID, "ValidationException");
  ck_assert_str_eq(aev_errmsg(), "1 validation error detected: Value '' at "
                                 "'records.2.member.partitionKey' failed to "
                                 "satisfy constraint: Member must have length "
                                 "greater than or equal to 1");
  char *it = st_iter(s, "shardId-000000000000", "TRIM_HORIZON", NULL, 0);
  aev_records *got = st_get(b, it, 0);
  ck_assert_uint_eq(aev_records_count(got), 1);
  aev_records_free(got);
  aev_free(it);
  st_assert_error(aev_stream_put_records(s, 501, data, lens, keys, NULL, &r),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_stream_put_records(s, 0, data, lens, keys, NULL, &r),
                  AEV_ERR_INVALID, "ValidationException");
  aev_stream_release(s);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_records");
  TCase *tc = tcase_create("records");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, create_names_and_hash_ranges);
  tcase_add_test(tc, partition_keys_hash_to_their_shard);
  tcase_add_test(tc, sequence_numbers_increase_per_shard);
  tcase_add_test(tc, sequence_number_digits);
  tcase_add_test(tc, every_iterator_type);
  tcase_add_test(tc, iterators_expire_after_five_minutes);
  tcase_add_test(tc, get_records_limits);
  tcase_add_test(tc, put_records_in_request_order);
  tcase_add_test(tc, partition_keys_are_utf8_text);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
