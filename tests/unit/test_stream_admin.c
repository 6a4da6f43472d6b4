/* aev_call(b, "kinesis", ...) control-plane settings: UpdateMaxRecordSize,
 * TagResource / UntagResource / ListTagsForResource, resource policies, stream encryption,
 * enhanced monitoring, DescribeLimits and UpdateStreamMode, each with
 * AWS's errors and nothing stored changed when a call fails. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

#define ARN "arn:aws:kinesis:us-east-1:000000000000:stream/"

static aev_broker *b;

static void setup(void) { b = aev_test_manual_broker(7); }
static void teardown(void) { aev_broker_destroy(b); }

/* The service's calls, through the shared checks (aevtest.h). */
static json_t *call(const char *action, const char *req, int want) {
  return aev_test_call(b, "kinesis", action, req, want);
}

static void ok(const char *action, const char *req) {
  json_decref(call(action, req, AEV_OK));
}

static void fails(const char *action, const char *req, int status,
                  const char *code, const char *message) {
  aev_test_call_fails(b, "kinesis", action, req, status, code, message);
}

/* A member of DescribeStreamSummary's StreamDescriptionSummary (summary
 * 1) or DescribeStream's StreamDescription, as compact JSON. */
static char *described(const char *stream, int summary, const char *member) {
  char req[128];
  snprintf(req, sizeof req, "{\"StreamName\":\"%s\"}", stream);
  json_t *d = call(summary ? "DescribeStreamSummary" : "DescribeStream", req, AEV_OK);
  json_t *sd = json_object_get(d, summary ? "StreamDescriptionSummary" : "StreamDescription");
  json_t *m = json_object_get(sd, member);
  char *text = m ? json_dumps(m, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("null");
  json_decref(d);
  return text;
}

static void assert_described(const char *stream, int summary,
                             const char *member, const char *want) {
  char *got = described(stream, summary, member);
  ck_assert_str_eq(got, want);
  free(got);
}

static void assert_tags(const char *action, const char *req, const char *want) {
  json_t *t = call(action, req, AEV_OK);
  char *got = json_dumps(json_object_get(t, "Tags"), JSON_COMPACT);
  ck_assert_str_eq(got, want);
  free(got);
  json_decref(t);
}

START_TEST(update_max_record_size) {
  aev_stream *s = st_stream(b, "s", 1);
  assert_described("s", 1, "MaxRecordSizeInKiB", "1024");
  ok("UpdateMaxRecordSize", "{\"StreamARN\":\"" ARN "s\",\"MaxRecordSizeInKiB\":2048}");
  assert_described("s", 1, "MaxRecordSizeInKiB", "2048");
  /* A record of 1.5 MiB now goes in. */
  size_t len = 3u << 19;
  char *data = calloc(1, len);
  char shard[AEV_SHARD_ID_SIZE], seq[AEV_STREAM_SEQUENCE_SIZE];
  aev_stream_set_throttling(s, 0);
  ck_assert_int_eq(aev_stream_put(s, data, len, "k", NULL, NULL, shard, seq), AEV_OK);
  free(data);
  fails("UpdateMaxRecordSize", "{\"StreamARN\":\"" ARN "s\",\"MaxRecordSizeInKiB\":1023}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value '1023' at 'maxRecordSizeInKiB' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1024");
  fails("UpdateMaxRecordSize", "{\"StreamARN\":\"" ARN "s\",\"MaxRecordSizeInKiB\":10241}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to "
        "satisfy constraint: Member must have value less than or equal to 10240");
  fails("UpdateMaxRecordSize", "{\"StreamARN\":\"" ARN "s\",\"MaxRecordSizeInKiB\":-5}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value '-5' at 'maxRecordSizeInKiB' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1024");
  fails("UpdateMaxRecordSize", "{\"MaxRecordSizeInKiB\":2048}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("UpdateMaxRecordSize", "{\"StreamARN\":\"" ARN "nope\",\"MaxRecordSizeInKiB\":2048}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  assert_described("s", 1, "MaxRecordSizeInKiB", "2048");
  /* The C setter refuses what AWS refuses, in AWS's words. */
  st_assert_error(aev_stream_set_max_record_size(s, 1023u << 10),
                  AEV_ERR_INVALID, "ValidationException");
  ck_assert_str_eq(aev_errmsg(),
                   "1 validation error detected: Value '1023' at "
                   "'maxRecordSizeInKiB' failed to satisfy constraint: Member "
                   "must have value greater than or equal to 1024");
  /* Bytes that are not whole KiB are named as given, never truncated. */
  st_assert_error(aev_stream_set_max_record_size(s, 5), AEV_ERR_INVALID,
                  "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "The maximum record size must be a whole "
                                 "number of KiB; 5 bytes was given.");
  st_assert_error(aev_stream_set_max_record_size(s, (10u << 20) + 1024),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_stream_set_max_record_size(s, (1u << 20) + 1),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  assert_described("s", 1, "MaxRecordSizeInKiB", "2048");
  ck_assert_int_eq(aev_stream_set_max_record_size(s, 10u << 20), AEV_OK);
  assert_described("s", 1, "MaxRecordSizeInKiB", "10240");
  aev_stream_release(s);
}
END_TEST

/* ListTagsForStream pages in key order: Limit tags after
 * ExclusiveStartTagKey, HasMoreTags while some are left. */
START_TEST(tags_for_stream_page) {
  aev_stream_release(st_stream(b, "s", 1));
  ok("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"c\":\"3\",\"a\":\"1\",\"b\":\"2\"}}");
  json_t *t = call("ListTagsForStream", "{\"StreamName\":\"s\",\"Limit\":2}", AEV_OK);
  ck_assert(json_is_true(json_object_get(t, "HasMoreTags")));
  json_decref(t);
  assert_tags("ListTagsForStream", "{\"StreamName\":\"s\",\"Limit\":2}",
              "[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}]");
  t = call("ListTagsForStream", "{\"StreamName\":\"s\",\"Limit\":2,\"ExclusiveStartTagKey\":\"b\"}",
           AEV_OK);
  ck_assert(json_is_false(json_object_get(t, "HasMoreTags")));
  json_decref(t);
  assert_tags("ListTagsForStream", "{\"StreamName\":\"s\",\"ExclusiveStartTagKey\":\"b\"}",
              "[{\"Key\":\"c\",\"Value\":\"3\"}]");
  fails("ListTagsForStream", "{\"StreamName\":\"s\",\"Limit\":0}", AEV_ERR_INVALID,
        "ValidationException", NULL);
}
END_TEST

START_TEST(tags_by_arn_are_the_stream_tags) {
  aev_stream_release(st_stream(b, "s", 1));
  ok("TagResource", "{\"ResourceARN\":\"" ARN "s\",\"Tags\":{\"a\":\"1\"}}");
  ok("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"b\":\"2\"}}");
  assert_tags("ListTagsForResource", "{\"ResourceARN\":\"" ARN "s\"}",
              "[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}]");
  json_t *t = call("ListTagsForResource", "{\"ResourceARN\":\"" ARN "s\"}", AEV_OK);
  ck_assert_ptr_null(json_object_get(t, "HasMoreTags"));
  json_decref(t);
  ok("UntagResource", "{\"ResourceARN\":\"" ARN "s\",\"TagKeys\":[\"b\"]}");
  assert_tags("ListTagsForStream", "{\"StreamName\":\"s\"}",
              "[{\"Key\":\"a\",\"Value\":\"1\"}]");
  ok("RemoveTagsFromStream", "{\"StreamName\":\"s\",\"TagKeys\":[\"a\"]}");
  assert_tags("ListTagsForResource", "{\"ResourceARN\":\"" ARN "s\"}", "[]");

  /* Failures change nothing. */
  ok("TagResource", "{\"ResourceARN\":\"" ARN "s\",\"Tags\":{\"a\":\"1\"}}");
  char req[4096];
  int n = snprintf(req, sizeof req, "{\"ResourceARN\":\"" ARN "s\",\"Tags\":{");
  for (int i = 0; i < 50; i++)
    n += snprintf(req + n, sizeof req - (size_t)n, "%s\"k%d\":\"v\"", i ? "," : "", i);
  snprintf(req + n, sizeof req - (size_t)n, "}}");
  fails("TagResource", req, AEV_ERR_LIMIT, "LimitExceededException", NULL);
  fails("TagResource", "{\"ResourceARN\":\"arn:aws:sqs:us-east-1:000000000000:q\",\"Tags\":{\"x\":\"1\"}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("TagResource", "{\"ResourceARN\":\"" ARN "nope\",\"Tags\":{\"x\":\"1\"}}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("TagResource", "{\"ResourceARN\":\"" ARN "s\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("TagResource", "{\"ResourceARN\":\"" ARN "s\",\"Tags\":{\"\":\"1\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("UntagResource", "{\"ResourceARN\":\"" ARN "s\",\"TagKeys\":[]}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("ListTagsForResource", "{}", AEV_ERR_INVALID, "ValidationException", NULL);
  assert_tags("ListTagsForStream", "{\"StreamName\":\"s\"}",
              "[{\"Key\":\"a\",\"Value\":\"1\"}]");
}
END_TEST

/* Tag keys and values hold Unicode letters, digits, white space and
 * _ . / = + - % @ only (Kinesis API reference, Tag), through every way in;
 * a refused call stores nothing. */
START_TEST(tag_characters) {
  aev_stream_release(st_stream(b, "s", 1));
  ok("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"a b_./=+-%@\\u00e9\\u6f22"
                        "9\":\"x y_./=+-%@\\u00e9\",\"e\":\"\"}}");
  fails("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"a#b\":\"1\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Tag key a#b has a character that is not allowed: tag keys and values "
        "may contain only Unicode letters, digits, white space and _ . / = + - % @.");
  fails("TagResource", "{\"ResourceARN\":\"" ARN "s\",\"Tags\":{\"k\":\"1,2\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Tag value for key k has a character that is not allowed: tag keys and values "
        "may contain only Unicode letters, digits, white space and _ . / = + - % @.");
  const char *refused[] = {"a:b", "a\\tb", "\\u00a9", "\\u2603", "\\ud83d\\ude00", "a*"};
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    char req[160];
    snprintf(req, sizeof req, "{\"StreamName\":\"s\",\"Tags\":{\"ok\":\"1\",\"%s\":\"1\"}}",
             refused[i]);
    fails("AddTagsToStream", req, AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  }
  fails("CreateStream", "{\"StreamName\":\"t\",\"ShardCount\":1,\"Tags\":{\"a#b\":\"1\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("DescribeStreamSummary", "{\"StreamName\":\"t\"}", AEV_ERR_NOT_FOUND,
        "ResourceNotFoundException", NULL);
  assert_tags("ListTagsForStream", "{\"StreamName\":\"s\"}",
              "[{\"Key\":\"a b_./=+-%@\xc3\xa9\xe6\xbc\xa2" "9\",\"Value\":\"x y_./=+-%@\xc3\xa9\"},"
              "{\"Key\":\"e\",\"Value\":\"\"}]");
}
END_TEST

START_TEST(consumers_have_their_own_tags) {
  aev_stream_release(st_stream(b, "s", 1));
  json_decref(call("RegisterStreamConsumer",
                   "{\"StreamARN\":\"" ARN "s\",\"ConsumerName\":\"c\"}", AEV_OK));
  const char *carn = ARN "s/consumer/c:1704067200";
  char req[256];
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\",\"Tags\":{\"team\":\"x\"}}", carn);
  ok("TagResource", req);
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", carn);
  assert_tags("ListTagsForResource", req, "[{\"Key\":\"team\",\"Value\":\"x\"}]");
  assert_tags("ListTagsForResource", "{\"ResourceARN\":\"" ARN "s\"}", "[]");
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\",\"TagKeys\":[\"team\"]}", carn);
  ok("UntagResource", req);
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", carn);
  assert_tags("ListTagsForResource", req, "[]");
  fails("ListTagsForResource", "{\"ResourceARN\":\"" ARN "s/consumer/other:1\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("TagResource", "{\"ResourceARN\":\"" ARN "s/consumer/other:1\",\"Tags\":{\"a\":\"1\"}}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  /* A consumer's tags go with it. */
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\",\"Tags\":{\"team\":\"y\"}}", carn);
  ok("TagResource", req);
  ok("DeregisterStreamConsumer", "{\"StreamARN\":\"" ARN "s\",\"ConsumerName\":\"c\"}");
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", carn);
  fails("ListTagsForResource", req, AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
}
END_TEST

/* GetResourcePolicy's Policy for ResourceARN arn. */
static void assert_policy(const char *arn, const char *want) {
  char req[256];
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", arn);
  json_t *r = call("GetResourcePolicy", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(r, "Policy")), want);
  json_decref(r);
}

/* Streams and consumers each keep a policy, given back as given; "{}"
 * when none is set; failures change nothing; a consumer's goes with it. */
START_TEST(resource_policies) {
  aev_stream_release(st_stream(b, "s", 1));
  json_decref(call("RegisterStreamConsumer",
                   "{\"StreamARN\":\"" ARN "s\",\"ConsumerName\":\"c\"}", AEV_OK));
  const char *carn = ARN "s/consumer/c:1704067200";
  const char *policy = "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}";
  assert_policy(ARN "s", "{}");
  char req[512];
  snprintf(req, sizeof req, "{\"ResourceARN\":\"" ARN "s\",\"Policy\":\"%s\"}", policy);
  ok("PutResourcePolicy", req);
  assert_policy(ARN "s", "{\"Version\":\"2012-10-17\",\"Statement\":[]}");
  assert_policy(carn, "{}");
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\",\"Policy\":\"{}\"}", carn);
  ok("PutResourcePolicy", req);
  assert_policy(carn, "{}");

  fails("PutResourcePolicy", "{\"ResourceARN\":\"" ARN "s\",\"Policy\":\"[1]\"}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Policy is not a valid JSON policy document: it must be a JSON object with the "
        "statements the resource allows.");
  fails("PutResourcePolicy", "{\"ResourceARN\":\"" ARN "s\",\"Policy\":\"{\"}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("PutResourcePolicy", "{\"ResourceARN\":\"" ARN "s\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("PutResourcePolicy", "{\"ResourceARN\":\"" ARN "nope\",\"Policy\":\"{}\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("GetResourcePolicy", "{\"ResourceARN\":\"" ARN "s/consumer/other:1\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("DeleteResourcePolicy", "{\"ResourceARN\":\"arn:aws:sqs:us-east-1:000000000000:q\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  assert_policy(ARN "s", "{\"Version\":\"2012-10-17\",\"Statement\":[]}");

  ok("DeleteResourcePolicy", "{\"ResourceARN\":\"" ARN "s\"}");
  assert_policy(ARN "s", "{}");
  ok("DeleteResourcePolicy", "{\"ResourceARN\":\"" ARN "s\"}");
  ok("DeregisterStreamConsumer", "{\"StreamARN\":\"" ARN "s\",\"ConsumerName\":\"c\"}");
  snprintf(req, sizeof req, "{\"ResourceARN\":\"%s\"}", carn);
  fails("GetResourcePolicy", req, AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
}
END_TEST

/* A record's EncryptionType as GetRecords answers it (from TRIM_HORIZON),
 * "-" where it has none: AWS names it only on encrypted records. */
static void assert_record_types(const char *want) {
  json_t *it = call("GetShardIterator",
                    "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                    "\"ShardIteratorType\":\"TRIM_HORIZON\"}", AEV_OK);
  char req[1024];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}",
           json_string_value(json_object_get(it, "ShardIterator")));
  json_decref(it);
  json_t *r = call("GetRecords", req, AEV_OK);
  char got[256] = "";
  size_t i;
  json_t *rec;
  json_array_foreach(json_object_get(r, "Records"), i, rec) {
    strcat(got, i ? "," : "");
    const char *t = json_string_value(json_object_get(rec, "EncryptionType"));
    strcat(got, t ? t : "-");
  }
  json_decref(r);
  ck_assert_str_eq(got, want);
}

static const char *put_type(void) {
  json_t *p = call("PutRecord", "{\"StreamName\":\"s\",\"Data\":\"eA==\",\"PartitionKey\":\"k\"}",
                   AEV_OK);
  const char *t = strcmp(json_string_value(json_object_get(p, "EncryptionType")), "KMS")
                      ? "NONE" : "KMS";
  json_decref(p);
  return t;
}

START_TEST(stream_encryption) {
  aev_stream_release(st_stream(b, "s", 1));
  ck_assert_str_eq(put_type(), "NONE");
  ok("StartStreamEncryption", "{\"StreamName\":\"s\",\"EncryptionType\":\"KMS\","
                              "\"KeyId\":\"alias/aws/kinesis\"}");
  assert_described("s", 0, "StreamStatus", "\"UPDATING\"");
  assert_described("s", 0, "EncryptionType", "\"KMS\"");
  assert_described("s", 1, "KeyId", "\"alias/aws/kinesis\"");
  /* Records are encrypted once the stream is ACTIVE again. */
  ck_assert_str_eq(put_type(), "NONE");
  /* One change at a time. */
  fails("StartStreamEncryption", "{\"StreamName\":\"s\",\"EncryptionType\":\"KMS\","
                                 "\"KeyId\":\"other\"}",
        AEV_ERR_STATE, "ResourceInUseException", NULL);
  aev_broker_drain(b);
  assert_described("s", 0, "StreamStatus", "\"ACTIVE\"");
  ck_assert_str_eq(put_type(), "KMS");
  json_t *p = call("PutRecords", "{\"StreamARN\":\"" ARN "s\",\"Records\":[{\"Data\":\"eA==\","
                                 "\"PartitionKey\":\"k\"}]}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(p, "EncryptionType")), "KMS");
  json_decref(p);
  assert_record_types("-,-,KMS,KMS");

  /* Refusals leave the key as it was. */
  fails("StartStreamEncryption", "{\"StreamName\":\"s\",\"EncryptionType\":\"NONE\","
                                 "\"KeyId\":\"k2\"}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("StartStreamEncryption", "{\"StreamName\":\"s\",\"EncryptionType\":\"AES\","
                                 "\"KeyId\":\"k2\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("StartStreamEncryption", "{\"StreamName\":\"s\",\"EncryptionType\":\"KMS\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("StartStreamEncryption", "{\"StreamName\":\"s\",\"EncryptionType\":\"KMS\","
                                 "\"KeyId\":\"\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("StartStreamEncryption", "{\"StreamName\":\"nope\",\"EncryptionType\":\"KMS\","
                                 "\"KeyId\":\"k2\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  assert_described("s", 0, "KeyId", "\"alias/aws/kinesis\"");
  assert_described("s", 0, "StreamStatus", "\"ACTIVE\"");

  ok("StopStreamEncryption", "{\"StreamARN\":\"" ARN "s\",\"EncryptionType\":\"KMS\","
                             "\"KeyId\":\"alias/aws/kinesis\"}");
  /* ... and stay so until the stop has run. */
  ck_assert_str_eq(put_type(), "KMS");
  aev_broker_drain(b);
  assert_described("s", 0, "EncryptionType", "\"NONE\"");
  assert_described("s", 0, "KeyId", "null");
  ck_assert_str_eq(put_type(), "NONE");
  assert_record_types("-,-,KMS,KMS,KMS,-");
}
END_TEST

START_TEST(new_keys_are_limited_per_day) {
  aev_stream_release(st_stream(b, "s", 1));
  const char *req = "{\"StreamName\":\"s\",\"EncryptionType\":\"KMS\",\"KeyId\":\"k\"}";
  for (int i = 1; i < 25; i++) {
    ok("StartStreamEncryption", req);
    aev_broker_drain(b);
  }
  ok("StartStreamEncryption",
     "{\"StreamName\":\"s\",\"EncryptionType\":\"KMS\",\"KeyId\":\"last\"}");
  aev_broker_drain(b);
  fails("StartStreamEncryption", req, AEV_ERR_LIMIT, "LimitExceededException", NULL);
  assert_described("s", 0, "KeyId", "\"last\"");
  assert_described("s", 0, "StreamStatus", "\"ACTIVE\"");
  /* Stopping is no new key. */
  ok("StopStreamEncryption", req);
  aev_broker_drain(b);
  aev_broker_advance(b, 24 * 3600 * 1000);
  ok("StartStreamEncryption", req);
}
END_TEST

static void assert_monitoring(const char *action, const char *metrics,
                              const char *current, const char *desired) {
  char req[256];
  snprintf(req, sizeof req, "{\"StreamName\":\"s\",\"ShardLevelMetrics\":%s}", metrics);
  json_t *r = call(action, req, AEV_OK);
  char *c = json_dumps(json_object_get(r, "CurrentShardLevelMetrics"), JSON_COMPACT);
  char *d = json_dumps(json_object_get(r, "DesiredShardLevelMetrics"), JSON_COMPACT);
  ck_assert_str_eq(c, current);
  ck_assert_str_eq(d, desired);
  ck_assert_str_eq(json_string_value(json_object_get(r, "StreamName")), "s");
  ck_assert_str_eq(json_string_value(json_object_get(r, "StreamARN")), ARN "s");
  free(c);
  free(d);
  json_decref(r);
}

START_TEST(enhanced_monitoring) {
  aev_stream *s = st_stream(b, "s", 2);
  assert_described("s", 0, "EnhancedMonitoring", "[{\"ShardLevelMetrics\":[]}]");
  assert_monitoring("EnableEnhancedMonitoring", "[\"IncomingBytes\"]", "[]",
                    "[\"IncomingBytes\"]");
  assert_described("s", 1, "EnhancedMonitoring",
                   "[{\"ShardLevelMetrics\":[\"IncomingBytes\"]}]");
  const char *all = "[\"IncomingBytes\",\"IncomingRecords\",\"OutgoingBytes\","
                    "\"OutgoingRecords\",\"WriteProvisionedThroughputExceeded\","
                    "\"ReadProvisionedThroughputExceeded\",\"IteratorAgeMilliseconds\"]";
  assert_monitoring("EnableEnhancedMonitoring", "[\"ALL\"]", "[\"IncomingBytes\"]", all);
  assert_monitoring("DisableEnhancedMonitoring",
                    "[\"IncomingBytes\",\"IteratorAgeMilliseconds\"]", all,
                    "[\"IncomingRecords\",\"OutgoingBytes\",\"OutgoingRecords\","
                    "\"WriteProvisionedThroughputExceeded\","
                    "\"ReadProvisionedThroughputExceeded\"]");
  assert_monitoring("DisableEnhancedMonitoring", "[\"ALL\"]",
                    "[\"IncomingRecords\",\"OutgoingBytes\",\"OutgoingRecords\","
                    "\"WriteProvisionedThroughputExceeded\","
                    "\"ReadProvisionedThroughputExceeded\"]",
                    "[]");
  assert_monitoring("EnableEnhancedMonitoring", "[\"OutgoingBytes\"]", "[]",
                    "[\"OutgoingBytes\"]");
  /* Refusals change nothing. */
  fails("EnableEnhancedMonitoring",
        "{\"StreamName\":\"s\",\"ShardLevelMetrics\":[\"IncomingBytes\",\"Bogus\"]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("EnableEnhancedMonitoring", "{\"StreamName\":\"s\",\"ShardLevelMetrics\":[]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("DisableEnhancedMonitoring", "{\"StreamName\":\"s\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("EnableEnhancedMonitoring", "{\"ShardLevelMetrics\":[\"ALL\"]}", AEV_ERR_INVALID,
        "InvalidArgumentException", NULL);
  ck_assert_int_eq(aev_stream_update_shard_count(s, 4), AEV_OK);
  fails("EnableEnhancedMonitoring", "{\"StreamName\":\"s\",\"ShardLevelMetrics\":[\"ALL\"]}",
        AEV_ERR_STATE, "ResourceInUseException", NULL);
  aev_broker_drain(b);
  assert_described("s", 0, "EnhancedMonitoring",
                   "[{\"ShardLevelMetrics\":[\"OutgoingBytes\"]}]");
  aev_stream_release(s);
}
END_TEST

START_TEST(describe_limits) {
  json_t *l = call("DescribeLimits", "{}", AEV_OK);
  char *got = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(got, "{\"OnDemandStreamCount\":0,\"OnDemandStreamCountLimit\":50,"
                        "\"OpenShardCount\":0,\"ShardLimit\":20000}");
  free(got);
  json_decref(l);
  aev_stream_release(st_stream(b, "p", 3));
  aev_stream_release(st_stream(b, "od", AEV_STREAM_ON_DEMAND));
  l = call("DescribeLimits", "{}", AEV_OK);
  got = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(got, "{\"OnDemandStreamCount\":1,\"OnDemandStreamCountLimit\":50,"
                        "\"OpenShardCount\":7,\"ShardLimit\":20000}");
  free(got);
  json_decref(l);
}
END_TEST

START_TEST(update_stream_mode) {
  aev_stream_release(st_stream(b, "s", 3));
  const char *to_od = "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}";
  const char *to_pr = "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"}}";
  /* The mode it has: nothing changes, nothing is counted. */
  for (int i = 0; i < 3; i++) ok("UpdateStreamMode", to_pr);
  assert_described("s", 1, "StreamStatus", "\"ACTIVE\"");
  ok("UpdateStreamMode", to_od);
  assert_described("s", 1, "StreamStatus", "\"UPDATING\"");
  assert_described("s", 1, "StreamModeDetails", "{\"StreamMode\":\"ON_DEMAND\"}");
  fails("UpdateStreamMode", to_pr, AEV_ERR_STATE, "ResourceInUseException", NULL);
  aev_broker_drain(b);
  assert_described("s", 1, "StreamStatus", "\"ACTIVE\"");
  /* The shard count stays; resharding is the stream's own now. */
  assert_described("s", 1, "OpenShardCount", "3");
  fails("UpdateShardCount", "{\"StreamName\":\"s\",\"TargetShardCount\":4,"
                            "\"ScalingType\":\"UNIFORM_SCALING\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  ok("UpdateStreamMode", to_pr);
  aev_broker_drain(b);
  ok("UpdateShardCount", "{\"StreamName\":\"s\",\"TargetShardCount\":4,"
                         "\"ScalingType\":\"UNIFORM_SCALING\"}");
  aev_broker_drain(b);
  /* Twice a day at most. */
  fails("UpdateStreamMode", to_od, AEV_ERR_LIMIT, "LimitExceededException", NULL);
  fails("UpdateStreamMode", "{\"StreamARN\":\"" ARN "s\",\"StreamModeDetails\":{\"StreamMode\":\"FAST\"}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("UpdateStreamMode", "{\"StreamARN\":\"" ARN "s\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("UpdateStreamMode", "{\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("UpdateStreamMode", "{\"StreamARN\":\"" ARN "nope\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  assert_described("s", 1, "StreamModeDetails", "{\"StreamMode\":\"PROVISIONED\"}");
  assert_described("s", 1, "OpenShardCount", "4");
  aev_broker_advance(b, 24 * 3600 * 1000);
  ok("UpdateStreamMode", to_od);
}
END_TEST

/* Puts n records under one key (the throttled ones are refused). */
static void put_burst(aev_stream *s, int n) {
  char shard[AEV_SHARD_ID_SIZE], seq[AEV_STREAM_SEQUENCE_SIZE];
  for (int i = 0; i < n; i++) aev_stream_put(s, "x", 1, "hot", NULL, NULL, shard, seq);
}

/* Demand counted before a switch to PROVISIONED and back is not a
 * sustained demand of the on-demand stream: it does not split on the
 * first hot second after the switch, only on the second. */
START_TEST(mode_switch_forgets_the_demand) {
  aev_stream *s = st_stream(b, "od", AEV_STREAM_ON_DEMAND);
  put_burst(s, 1001);
  ck_assert_int_eq(aev_stream_update_mode(s, 0), AEV_OK);
  aev_broker_drain(b);
  ck_assert_int_eq(aev_stream_update_mode(s, 1), AEV_OK);
  aev_broker_drain(b);
  aev_broker_advance(b, 1000);
  put_burst(s, 1001);
  aev_broker_drain(b);
  assert_described("od", 1, "OpenShardCount", "4");
  aev_broker_advance(b, 1000);
  put_burst(s, 1001);
  aev_broker_drain(b);
  assert_described("od", 1, "OpenShardCount", "5");
  aev_stream_release(s);
}
END_TEST

/* A NULL out-pointer or handle is refused as every typed call refuses
 * one (InvalidArgumentException), never dereferenced, and the refused
 * call registers nothing. */
static void missing(int rc) {
  ck_assert_int_eq(rc, AEV_ERR_INVALID);
  ck_assert_str_eq(aev_errcode(), "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "Missing argument.");
}

START_TEST(null_out_pointers_are_refused) {
  aev_stream *s = st_stream(b, "nulls", 1);
  char *json = NULL;
  missing(aev_stream_describe(s, NULL));
  missing(aev_stream_describe_summary(s, NULL));
  missing(aev_stream_register_consumer(s, "c", NULL));
  missing(aev_stream_list_consumers(s, NULL));
  missing(aev_stream_list_tags(s, NULL));
  missing(aev_stream_describe(NULL, &json));
  missing(aev_stream_put(NULL, "x", 1, "k", NULL, NULL, NULL, NULL));
  ck_assert_int_eq(aev_stream_list_consumers(s, &json), AEV_OK);
  ck_assert_str_eq(json, "{\"Consumers\":[]}");
  aev_free(json);
  ck_assert_int_eq(aev_stream_merge_shards(NULL, "a", "b"), AEV_ERR_INVALID);
  ck_assert_int_eq(aev_stream_start_encryption(NULL, "KMS", "alias/aws/kinesis"),
                   AEV_ERR_INVALID);
  ck_assert_int_eq(aev_stream_list_shards(NULL, NULL, &json), AEV_ERR_INVALID);
  aev_stream_release(s);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_admin");
  TCase *tc = tcase_create("admin");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, update_max_record_size);
  tcase_add_test(tc, null_out_pointers_are_refused);
  tcase_add_test(tc, tags_for_stream_page);
  tcase_add_test(tc, tags_by_arn_are_the_stream_tags);
  tcase_add_test(tc, consumers_have_their_own_tags);
  tcase_add_test(tc, tag_characters);
  tcase_add_test(tc, resource_policies);
  tcase_add_test(tc, stream_encryption);
  tcase_add_test(tc, new_keys_are_limited_per_day);
  tcase_add_test(tc, enhanced_monitoring);
  tcase_add_test(tc, describe_limits);
  tcase_add_test(tc, update_stream_mode);
  tcase_add_test(tc, mode_switch_forgets_the_demand);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
