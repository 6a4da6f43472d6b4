/* aev_call(b, "kinesis", ...): AWS's request and response shapes for
 * streams, records, iterators, shards, tags and consumers, base64 Data,
 * epoch-second timestamps, and the error shapes. */
#include <jansson.h>

#include "aevtest.h"
#include "stream_support.h"

static aev_broker *b;

static void setup(void) { b = st_broker(); }
static void teardown(void) { aev_broker_destroy(b); }

/* Calls a kinesis action; the parsed response (or error object). */
static json_t *call(const char *action, const char *req, int want) {
  char *out = NULL;
  int rc = aev_call(b, "kinesis", action, req, &out);
  ck_assert_msg(rc == want, "%s: %d %s", action, rc, out ? out : "");
  json_t *j = json_loads(out, 0, NULL);
  ck_assert_ptr_nonnull(j);
  aev_free(out);
  return j;
}

static const char *str(json_t *j, const char *path) {
  return json_string_value(json_object_get(j, path));
}

/* Calls action, which must fail with status, its __type type and its
 * message message (NULL: not checked). */
static void refused(const char *action, const char *req, int status, const char *type,
                    const char *message) {
  json_t *e = call(action, req, status);
  ck_assert_str_eq(str(e, "__type"), type);
  if (message) ck_assert_str_eq(str(e, "message"), message);
  json_decref(e);
}

START_TEST(stream_lifecycle) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":2,\"Tags\":{\"team\":\"a\"}}", AEV_OK));
  json_t *d = call("DescribeStream", "{\"StreamName\":\"s\"}", AEV_OK);
  json_t *sd = json_object_get(d, "StreamDescription");
  ck_assert_str_eq(str(sd, "StreamStatus"), "ACTIVE");
  ck_assert_uint_eq(json_array_size(json_object_get(sd, "Shards")), 2);
  ck_assert_int_eq(json_integer_value(json_object_get(sd, "StreamCreationTimestamp")), 1704067200);
  json_decref(d);
  d = call("ListStreams", "{\"Limit\":1}", AEV_OK);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(d, "StreamNames"), 0)), "s");
  ck_assert(json_is_false(json_object_get(d, "HasMoreStreams")));
  json_decref(d);
  d = call("ListTagsForStream", "{\"StreamName\":\"s\"}", AEV_OK);
  ck_assert_str_eq(str(json_array_get(json_object_get(d, "Tags"), 0), "Value"), "a");
  json_decref(d);
  d = call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":2}", AEV_ERR_EXISTS);
  ck_assert_str_eq(str(d, "__type"), "ResourceInUseException");
  json_decref(d);
  /* No ShardCount and no StreamModeDetails: AWS answers with an on-demand
   * stream of 4 shards; a provisioned one still needs its count. */
  json_decref(call("CreateStream", "{\"StreamName\":\"t\"}", AEV_OK));
  d = call("DescribeStream", "{\"StreamName\":\"t\"}", AEV_OK);
  sd = json_object_get(d, "StreamDescription");
  ck_assert_uint_eq(json_array_size(json_object_get(sd, "Shards")), 4);
  ck_assert_str_eq(str(json_object_get(sd, "StreamModeDetails"), "StreamMode"), "ON_DEMAND");
  json_decref(d);
  refused("CreateStream", "{\"StreamName\":\"p\",\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"}}",
          AEV_ERR_INVALID, "InvalidArgumentException",
          "ShardCount is required for streams in PROVISIONED mode.");
  d = call("CreateStream", "{\"StreamName\":\"t\",\"ShardCount\":0}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(d, "message"), "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
  json_decref(d);
  json_decref(call("CreateStream", "{\"StreamName\":\"od\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}", AEV_OK));
  d = call("DescribeStreamSummary", "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/od\"}", AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(d, "StreamDescriptionSummary"), "OpenShardCount")), 4);
  json_decref(d);
  json_decref(call("DeleteStream", "{\"StreamName\":\"s\"}", AEV_OK));
  d = call("DescribeStream", "{\"StreamName\":\"s\"}", AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(str(d, "__type"), "ResourceNotFoundException");
  ck_assert_str_eq(str(d, "message"), "Stream s under account 000000000000 not found.");
  json_decref(d);
}
END_TEST

START_TEST(records_round_trip) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  json_t *p = call("PutRecord", "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"aGVsbG8=\"}", AEV_OK);
  ck_assert_str_eq(str(p, "ShardId"), "shardId-000000000000");
  ck_assert_uint_eq(strlen(str(p, "SequenceNumber")), 56);
  json_decref(p);
  p = call("PutRecords", "{\"StreamName\":\"s\",\"Records\":[{\"PartitionKey\":\"a\",\"Data\":\"MQ==\"},{\"PartitionKey\":\"b\",\"Data\":\"Mg==\",\"ExplicitHashKey\":\"5\"}]}", AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(p, "FailedRecordCount")), 0);
  ck_assert_uint_eq(json_array_size(json_object_get(p, "Records")), 2);
  json_decref(p);
  json_t *it = call("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":1704067200}", AEV_OK);
  char req[2048];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\",\"Limit\":2}", str(it, "ShardIterator"));
  json_decref(it);
  json_t *g = call("GetRecords", req, AEV_OK);
  json_t *recs = json_object_get(g, "Records");
  ck_assert_uint_eq(json_array_size(recs), 2);
  ck_assert_str_eq(str(json_array_get(recs, 0), "Data"), "aGVsbG8=");
  ck_assert_str_eq(str(json_array_get(recs, 0), "PartitionKey"), "k");
  ck_assert(json_real_value(json_object_get(json_array_get(recs, 0), "ApproximateArrivalTimestamp")) == 1704067200.0);
  ck_assert(json_is_string(json_object_get(g, "NextShardIterator")));
  ck_assert_int_eq(json_integer_value(json_object_get(g, "MillisBehindLatest")), 0);
  json_decref(g);
  g = call("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"AT_TIMESTAMP\"}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(g, "__type"), "InvalidArgumentException");
  json_decref(g);
  g = call("GetRecords", "{\"ShardIterator\":\"bm9wZQ==\"}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(g, "__type"), "InvalidArgumentException");
  json_decref(g);
  g = call("PutRecord", "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"**\"}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(g, "message"), "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must be a base64-encoded string");
  json_decref(g);
  g = call("PutRecord", "{\"StreamName\":\"s\",\"Data\":\"MQ==\"}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(g, "__type"), "ValidationException");
  json_decref(g);
}
END_TEST

/* One record's ExplicitHashKey of 2^128 or more (39 digits pass the API
 * model's pattern) refuses the whole PutRecords, storing none of it. */
START_TEST(put_records_refuses_a_hash_key_past_the_range) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  refused("PutRecords",
          "{\"StreamName\":\"s\",\"Records\":[{\"PartitionKey\":\"a\",\"Data\":\"MQ==\"},"
          "{\"PartitionKey\":\"b\",\"Data\":\"Mg==\",\"ExplicitHashKey\":\"999999999999999999999999999999999999999\"}]}",
          AEV_ERR_INVALID, "InvalidArgumentException",
          "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified "
          "value was 999999999999999999999999999999999999999");
  json_t *it = call("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}", AEV_OK);
  char req[2048];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}", str(it, "ShardIterator"));
  json_decref(it);
  json_t *g = call("GetRecords", req, AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(g, "Records")), 0);
  json_decref(g);
}
END_TEST

/* A record missing a required member is named by its path, counting
 * records from 1. */
START_TEST(put_records_names_a_record_by_its_path) {
  refused("PutRecords",
          "{\"StreamName\":\"s\",\"Records\":[{\"PartitionKey\":\"a\",\"Data\":\"\"},{\"Data\":\"\"}]}",
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to "
          "satisfy constraint: Member must not be null");
  refused("PutRecords", "{\"StreamName\":\"s\",\"Records\":[{\"PartitionKey\":\"a\"}]}",
          AEV_ERR_INVALID, "ValidationException",
          "1 validation error detected: Value null at 'records.1.member.data' failed to satisfy "
          "constraint: Member must not be null");
}
END_TEST

/* GetShardIterator's arguments, refused in AWS's words: a sequence number
 * goes with AT_/AFTER_SEQUENCE_NUMBER only, AT_TIMESTAMP needs a time no
 * later than now. */
static void iterator_refused(const char *req, const char *message) {
  refused("GetShardIterator", req, AEV_ERR_INVALID, "InvalidArgumentException", message);
}

START_TEST(shard_iterator_arguments_go_together) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  json_t *p = call("PutRecord", "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"MQ==\"}", AEV_OK);
  char req[512];
  snprintf(req, sizeof req,
           "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
           "\"TRIM_HORIZON\",\"StartingSequenceNumber\":\"%s\"}",
           str(p, "SequenceNumber"));
  json_decref(p);
  iterator_refused(req, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                        "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                        "StartingSequenceNumber. Request specified TRIM_HORIZON and also a "
                        "StartingSequenceNumber.");
  iterator_refused("{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
                   "\"AFTER_SEQUENCE_NUMBER\"}",
                   "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                   "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                   "StartingSequenceNumber. Request specified AFTER_SEQUENCE_NUMBER and no "
                   "StartingSequenceNumber.");
  iterator_refused("{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
                   "\"AT_TIMESTAMP\"}",
                   "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                   "Current request has no timestamp parameter.");
  /* The broker clock starts at 2024-01-01T00:00:00Z. */
  iterator_refused("{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
                   "\"AT_TIMESTAMP\",\"Timestamp\":1704067201}",
                   "The timestampInMillis parameter cannot be greater than the "
                   "currentTimestampInMillis. timestampInMillis: 1704067201000, "
                   "currentTimestampInMillis: 1704067200000");
  json_t *it = call("GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\","
                    "\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":1704067200}", AEV_OK);
  /* A stream that is not there, or no longer: AWS names the shard. */
  refused("GetShardIterator",
          "{\"StreamName\":\"nope\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"LATEST\"}",
          AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
          "Shard shardId-000000000000 in stream nope under account 000000000000 does not exist");
  json_decref(call("DeleteStream", "{\"StreamName\":\"s\"}", AEV_OK));
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}", str(it, "ShardIterator"));
  json_decref(it);
  refused("GetRecords", req, AEV_ERR_NOT_FOUND, "ResourceNotFoundException",
          "Shard shardId-000000000000 in stream s under account 000000000000 does not exist");
}
END_TEST

/* The shard ids of a DescribeStream answer, joined by spaces, and
 * whether it says there are more. */
static int described(const char *req, char *ids, size_t cap) {
  json_t *d = call("DescribeStream", req, AEV_OK);
  json_t *desc = json_object_get(d, "StreamDescription");
  json_t *shards = json_object_get(desc, "Shards");
  size_t at = 0;
  ids[0] = 0;
  for (size_t i = 0; i < json_array_size(shards) && at < cap; i++)
    at += (size_t)snprintf(ids + at, cap - at, "%s%s", i ? " " : "",
                           str(json_array_get(shards, i), "ShardId") + 15);
  int more = json_is_true(json_object_get(desc, "HasMoreShards"));
  ck_assert(json_is_boolean(json_object_get(desc, "HasMoreShards")));
  json_decref(d);
  return more;
}

/* DescribeStream pages its shards: Limit (1 to 10000, at most 100 a
 * call) and ExclusiveStartShardId, with HasMoreShards. */
START_TEST(describe_stream_pages_its_shards) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":5}", AEV_OK));
  char ids[2048];
  ck_assert(described("{\"StreamName\":\"s\",\"Limit\":2}", ids, sizeof ids));
  ck_assert_str_eq(ids, "00000 00001");
  ck_assert(described("{\"StreamName\":\"s\",\"Limit\":2,\"ExclusiveStartShardId\":"
                      "\"shardId-000000000001\"}", ids, sizeof ids));
  ck_assert_str_eq(ids, "00002 00003");
  ck_assert(!described("{\"StreamName\":\"s\",\"ExclusiveStartShardId\":\"shardId-000000000003\"}",
                       ids, sizeof ids));
  ck_assert_str_eq(ids, "00004");
  ck_assert(!described("{\"StreamName\":\"s\",\"Limit\":5}", ids, sizeof ids));
  json_decref(call("CreateStream", "{\"StreamName\":\"big\",\"ShardCount\":150}", AEV_OK));
  ck_assert(described("{\"StreamName\":\"big\",\"Limit\":10000}", ids, sizeof ids));
  ck_assert_uint_eq(strlen(ids), 100 * 6 - 1);
  ck_assert(described("{\"StreamName\":\"big\"}", ids, sizeof ids));
  ck_assert_uint_eq(strlen(ids), 100 * 6 - 1);
  ck_assert(!described("{\"StreamName\":\"big\",\"ExclusiveStartShardId\":\"shardId-000000000099\"}",
                       ids, sizeof ids));
  ck_assert_uint_eq(strlen(ids), 50 * 6 - 1);
  refused("DescribeStream", "{\"StreamName\":\"s\",\"Limit\":0}", AEV_ERR_INVALID,
          "ValidationException",
          "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
          "must have value greater than or equal to 1");
  refused("DescribeStream", "{\"StreamName\":\"s\",\"Limit\":10001}", AEV_ERR_INVALID,
          "ValidationException", NULL);
}
END_TEST

/* Members of the API model's StreamName and ShardId shapes are checked as
 * stream names are: 1 to 128 of [a-zA-Z0-9_.-]. */
START_TEST(names_and_shard_ids_are_checked_alike) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  const char *pattern = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+";
  struct {
    const char *action, *req, *member, *value;
  } cases[] = {
      {"ListStreams", "{\"ExclusiveStartStreamName\":\"a b\"}", "exclusiveStartStreamName", "a b"},
      {"GetShardIterator", "{\"StreamName\":\"s\",\"ShardId\":\"shard 0\",\"ShardIteratorType\":\"LATEST\"}",
       "shardId", "shard 0"},
      {"ListShards", "{\"StreamName\":\"s\",\"ExclusiveStartShardId\":\"a/b\"}", "exclusiveStartShardId", "a/b"},
      {"DescribeStream", "{\"StreamName\":\"s\",\"ExclusiveStartShardId\":\"a*\"}", "exclusiveStartShardId", "a*"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char want[512];
    snprintf(want, sizeof want,
             "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s",
             cases[i].value, cases[i].member, pattern);
    refused(cases[i].action, cases[i].req, AEV_ERR_INVALID, "ValidationException", want);
  }
  refused("GetShardIterator",
          "{\"StreamName\":\"s\",\"ShardId\":\"\",\"ShardIteratorType\":\"LATEST\"}",
          AEV_ERR_INVALID, "ValidationException",
          "2 validation errors detected: Value '' at 'shardId' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'shardId' "
          "failed to satisfy constraint: Member must have length greater than or equal to 1");
}
END_TEST

/* Other string members against their API model shapes: lengths and
 * patterns, refused before any lookup. */
START_TEST(string_members_keep_their_model_shapes) {
  char big[600];
  memset(big, 'a', 513);
  big[513] = 0;
  char req[700];
  snprintf(req, sizeof req, "{\"ShardIterator\":\"%s\"}", big);
  struct {
    const char *action, *req, *message;
  } cases[] = {
      {"GetRecords", "{\"ShardIterator\":\"\"}",
       "1 validation error detected: Value '' at 'shardIterator' failed to satisfy constraint: "
       "Member must have length greater than or equal to 1"},
      {"ListShards", "{\"NextToken\":\"\"}",
       "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: "
       "Member must have length greater than or equal to 1"},
      {"ListStreams", "{\"NextToken\":\"\"}",
       "1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: "
       "Member must have length greater than or equal to 1"},
      {"GetShardIterator",
       "{\"StreamName\":\"s\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":"
       "\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"0123\"}",
       "1 validation error detected: Value '0123' at 'startingSequenceNumber' failed to satisfy "
       "constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})"},
      {"DescribeStreamSummary", "{\"StreamARN\":\"arn:aws:kinesis:000000000000:stream/s\"}",
       "1 validation error detected: Value 'arn:aws:kinesis:000000000000:stream/s' at 'streamARN' "
       "failed to satisfy constraint: Member must satisfy regular expression pattern: "
       "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"},
      {"PutRecord", "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/a b\","
       "\"PartitionKey\":\"k\",\"Data\":\"\"}",
       "1 validation error detected: Value 'arn:aws:kinesis:us-east-1:000000000000:stream/a b' at "
       "'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: "
       "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    refused(cases[i].action, cases[i].req, AEV_ERR_INVALID, "ValidationException",
            cases[i].message);
  json_t *e = call("GetRecords", req, AEV_ERR_INVALID);
  ck_assert_ptr_nonnull(strstr(str(e, "message"), "Member must have length less than or equal to 512"));
  json_decref(e);
  /* A well-formed ARN of a stream that does not exist is looked up. */
  refused("DescribeStreamSummary", "{\"StreamARN\":\"arn:aws:kinesis::000000000000:stream/s\"}",
          AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
}
END_TEST

START_TEST(list_shards_filters_and_pages) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":3}", AEV_OK));
  json_t *l = call("ListShards", "{\"StreamName\":\"s\",\"MaxResults\":2}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Shards")), 2);
  char req[512];
  snprintf(req, sizeof req, "{\"NextToken\":\"%s\"}", str(l, "NextToken"));
  json_decref(l);
  l = call("ListShards", req, AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Shards")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(l, "Shards"), 0), "ShardId"), "shardId-000000000002");
  ck_assert_ptr_null(json_object_get(l, "NextToken"));
  json_decref(l);
  l = call("ListShards", "{\"StreamName\":\"s\",\"ShardFilter\":{\"Type\":\"AFTER_SHARD_ID\",\"ShardId\":\"shardId-000000000000\"}}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(l, "Shards")), 2);
  json_decref(l);
  l = call("ListShards", "{\"StreamName\":\"s\",\"NextToken\":\"x\"}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(l, "__type"), "InvalidArgumentException");
  json_decref(l);
  l = call("ListShards", "{\"StreamName\":\"s\",\"ShardFilter\":{\"Type\":\"SOON\"}}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(l, "__type"), "ValidationException");
  json_decref(l);
}
END_TEST

START_TEST(retention_tags_and_consumers) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  json_decref(call("IncreaseStreamRetentionPeriod", "{\"StreamName\":\"s\",\"RetentionPeriodHours\":48}", AEV_OK));
  json_t *e = call("DecreaseStreamRetentionPeriod", "{\"StreamName\":\"s\",\"RetentionPeriodHours\":72}", AEV_ERR_INVALID);
  ck_assert_str_eq(str(e, "__type"), "InvalidArgumentException");
  json_decref(e);
  json_decref(call("AddTagsToStream", "{\"StreamName\":\"s\",\"Tags\":{\"a\":\"1\",\"b\":\"2\"}}", AEV_OK));
  json_decref(call("RemoveTagsFromStream", "{\"StreamName\":\"s\",\"TagKeys\":[\"a\"]}", AEV_OK));
  json_t *t = call("ListTagsForStream", "{\"StreamName\":\"s\"}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(t, "Tags")), 1);
  json_decref(t);
  /* Keys of 128 and values of 256 characters, AWS's limits, in two- and
   * three-byte ones; one more character is refused. */
  char key[128 * 2 + 2], value[256 * 3 + 1], treq[1200];
  for (int i = 0; i < 129; i++) memcpy(key + 2 * i, "\xc3\xa9", 2);
  for (int i = 0; i < 256; i++) memcpy(value + 3 * i, "\xe6\xbc\xa2", 3);
  key[128 * 2] = value[256 * 3] = 0;
  snprintf(treq, sizeof treq, "{\"StreamName\":\"s\",\"Tags\":{\"%s\":\"%s\"}}", key, value);
  json_decref(call("AddTagsToStream", treq, AEV_OK));
  key[128 * 2] = '\xc3';
  key[128 * 2 + 1] = '\xa9';
  snprintf(treq, sizeof treq, "{\"StreamName\":\"s\",\"Tags\":{\"%.*s\":\"v\"}}", 129 * 2,
           key);
  json_decref(call("AddTagsToStream", treq, AEV_ERR_INVALID));
  t = call("ListTagsForStream", "{\"StreamName\":\"s\"}", AEV_OK);
  json_t *tags = json_object_get(t, "Tags");
  ck_assert_uint_eq(json_array_size(tags), 2);
  key[128 * 2] = 0;
  int found = 0;
  for (size_t i = 0; i < 2; i++)
    if (!strcmp(str(json_array_get(tags, i), "Key"), key))
      found = !strcmp(str(json_array_get(tags, i), "Value"), value);
  ck_assert(found);
  json_decref(t);
  const char *arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
  char req[256];
  snprintf(req, sizeof req, "{\"StreamARN\":\"%s\",\"ConsumerName\":\"c1\"}", arn);
  json_t *c = call("RegisterStreamConsumer", req, AEV_OK);
  ck_assert_str_eq(str(json_object_get(c, "Consumer"), "ConsumerStatus"), "CREATING");
  ck_assert_str_eq(str(json_object_get(c, "Consumer"), "ConsumerARN"),
                   "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1:1704067200");
  json_decref(c);
  aev_broker_drain(b);
  c = call("DescribeStreamConsumer", "{\"ConsumerARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c1:1704067200\"}", AEV_OK);
  ck_assert_str_eq(str(json_object_get(c, "ConsumerDescription"), "ConsumerStatus"), "ACTIVE");
  json_decref(c);
  snprintf(req, sizeof req, "{\"StreamARN\":\"%s\"}", arn);
  c = call("ListStreamConsumers", req, AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(c, "Consumers")), 1);
  json_decref(c);
  e = call("DeleteStream", "{\"StreamName\":\"s\"}", AEV_ERR_STATE);
  ck_assert_str_eq(str(e, "__type"), "ResourceInUseException");
  json_decref(e);
  snprintf(req, sizeof req, "{\"StreamARN\":\"%s\",\"ConsumerName\":\"c1\"}", arn);
  json_decref(call("DeregisterStreamConsumer", req, AEV_OK));
  e = call("DeregisterStreamConsumer", req, AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(str(e, "__type"), "ResourceNotFoundException");
  json_decref(e);
  json_decref(call("DeleteStream", "{\"StreamName\":\"s\"}", AEV_OK));
}
END_TEST

static void on_push(void *user, const aev_records *ev) { (*(int *)user)++; }
static void on_release(void *user) { *(int *)user = -1; }

/* SubscribeToShard through aev_call: the events available at the call
 * (from StartingPosition to the tip, at least one) as {"EventStream":
 * [{"SubscribeToShardEvent": ...}]}; then the subscription is over.
 * It contends with a live subscription as AWS's 5-second rule says. */
START_TEST(subscribe_to_shard_answers_the_events_so_far) {
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  json_t *c = call("RegisterStreamConsumer", "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\",\"ConsumerName\":\"c\"}", AEV_OK);
  char arn[160];
  snprintf(arn, sizeof arn, "%s", str(json_object_get(c, "Consumer"), "ConsumerARN"));
  json_decref(c);
  aev_broker_drain(b);
  for (int i = 0; i < 3; i++)
    json_decref(call("PutRecord", "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"aGk=\"}", AEV_OK));
  char req[512];
  snprintf(req, sizeof req, "{\"ConsumerARN\":\"%s\",\"ShardId\":\"shardId-000000000000\",\"StartingPosition\":{\"Type\":\"TRIM_HORIZON\"}}", arn);
  json_t *r = call("SubscribeToShard", req, AEV_OK);
  json_t *evs = json_object_get(r, "EventStream");
  ck_assert_uint_eq(json_array_size(evs), 1);
  json_t *ev = json_object_get(json_array_get(evs, 0), "SubscribeToShardEvent");
  json_t *recs = json_object_get(ev, "Records");
  ck_assert_uint_eq(json_array_size(recs), 3);
  ck_assert_str_eq(str(json_array_get(recs, 0), "Data"), "aGk=");
  ck_assert_int_eq(json_integer_value(json_object_get(ev, "MillisBehindLatest")), 0);
  char cont[64];
  snprintf(cont, sizeof cont, "%s", str(ev, "ContinuationSequenceNumber"));
  ck_assert_str_eq(cont, str(json_array_get(recs, 2), "SequenceNumber"));
  json_decref(r);
  /* Resuming after the continuation: only what came since. */
  json_decref(call("PutRecord", "{\"StreamName\":\"s\",\"PartitionKey\":\"k\",\"Data\":\"Ynll\"}", AEV_OK));
  snprintf(req, sizeof req, "{\"ConsumerARN\":\"%s\",\"ShardId\":\"shardId-000000000000\",\"StartingPosition\":{\"Type\":\"AFTER_SEQUENCE_NUMBER\",\"SequenceNumber\":\"%s\"}}", arn, cont);
  r = call("SubscribeToShard", req, AEV_OK);
  ev = json_object_get(json_array_get(json_object_get(r, "EventStream"), 0), "SubscribeToShardEvent");
  ck_assert_uint_eq(json_array_size(json_object_get(ev, "Records")), 1);
  ck_assert_str_eq(str(json_array_get(json_object_get(ev, "Records"), 0), "Data"), "Ynll");
  json_decref(r);
  /* Nothing new: one empty event with the number to resume after. */
  snprintf(req, sizeof req, "{\"ConsumerARN\":\"%s\",\"ShardId\":\"shardId-000000000000\",\"StartingPosition\":{\"Type\":\"LATEST\"}}", arn);
  r = call("SubscribeToShard", req, AEV_OK);
  evs = json_object_get(r, "EventStream");
  ck_assert_uint_eq(json_array_size(evs), 1);
  ev = json_object_get(json_array_get(evs, 0), "SubscribeToShardEvent");
  ck_assert_uint_eq(json_array_size(json_object_get(ev, "Records")), 0);
  ck_assert_ptr_nonnull(str(ev, "ContinuationSequenceNumber"));
  json_decref(r);
  /* A live subscription younger than 5 s wins; an older one is taken over. */
  int pushed = 0;
  aev_subscription *sub;
  ck_assert_int_eq(aev_stream_subscribe(b, arn, "shardId-000000000000", "LATEST", NULL, 0, on_push, &pushed, on_release, &sub), AEV_OK);
  json_t *e = call("SubscribeToShard", req, AEV_ERR_STATE);
  ck_assert_str_eq(str(e, "__type"), "ResourceInUseException");
  json_decref(e);
  aev_broker_advance(b, 5000);
  json_decref(call("SubscribeToShard", req, AEV_OK));
  aev_broker_drain(b);
  ck_assert_int_eq(pushed, -1);
  aev_subscription_free(sub);
  /* At the end of a closed shard: ChildShards, no continuation. */
  json_decref(call("SplitShard", "{\"StreamName\":\"s\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\"1000\"}", AEV_OK));
  aev_broker_drain(b);
  snprintf(req, sizeof req, "{\"ConsumerARN\":\"%s\",\"ShardId\":\"shardId-000000000000\",\"StartingPosition\":{\"Type\":\"TRIM_HORIZON\"}}", arn);
  r = call("SubscribeToShard", req, AEV_OK);
  evs = json_object_get(r, "EventStream");
  ev = json_object_get(json_array_get(evs, json_array_size(evs) - 1), "SubscribeToShardEvent");
  ck_assert_uint_eq(json_array_size(json_object_get(ev, "ChildShards")), 2);
  ck_assert_ptr_null(json_object_get(ev, "ContinuationSequenceNumber"));
  json_decref(r);
  e = call("SubscribeToShard", "{\"ConsumerARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/nope:1\",\"ShardId\":\"shardId-000000000001\",\"StartingPosition\":{\"Type\":\"LATEST\"}}", AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(str(e, "__type"), "ResourceNotFoundException");
  json_decref(e);
  snprintf(req, sizeof req, "{\"ConsumerARN\":\"%s\",\"ShardId\":\"shardId-000000000001\"}", arn);
  e = call("SubscribeToShard", req, AEV_ERR_INVALID);
  ck_assert_str_eq(str(e, "__type"), "ValidationException");
  json_decref(e);
}
END_TEST

/* Actions on a stream check its name as CreateStream does, before any
 * lookup: a name no stream could have is a ValidationException, not a
 * missing stream; so do actions naming a consumer. */
START_TEST(stream_names_are_checked_before_lookup) {
  const char *actions[] = {"DescribeStream", "PutRecord", "ListShards"};
  const char *names[] = {"s\xc3\xa9", "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"
                         "ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"};
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < 2; k++) {
      char req[512], want[512];
      snprintf(req, sizeof req, "{\"StreamName\":\"%s\",\"Data\":\"eA==\",\"PartitionKey\":\"k\"}",
               names[k]);
      /* One clause per constraint the name fails, as AWS words them. */
      snprintf(want, sizeof want,
               "1 validation error detected: Value '%s' at 'streamName' failed to satisfy "
               "constraint: %s",
               names[k], k ? "Member must have length less than or equal to 128"
                           : "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
      json_t *e = call(actions[i], req, AEV_ERR_INVALID);
      ck_assert_str_eq(str(e, "__type"), "ValidationException");
      ck_assert_str_eq(str(e, "message"), want);
      json_decref(e);
    }
  refused("DescribeStream", "{\"StreamName\":\"\"}", AEV_ERR_INVALID, "ValidationException",
          "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: "
          "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at "
          "'streamName' failed to satisfy constraint: Member must have length greater than or "
          "equal to 1");
  /* Consumer names too, when a consumer is looked up by name. */
  json_decref(call("CreateStream", "{\"StreamName\":\"s\",\"ShardCount\":1}", AEV_OK));
  json_t *e = call("DescribeStreamConsumer",
                   "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/s\","
                   "\"ConsumerName\":\"c\xc3\xa9\"}",
                   AEV_ERR_INVALID);
  ck_assert_str_eq(str(e, "message"),
                   "1 validation error detected: Value 'c\xc3\xa9' at 'consumerName' failed to "
                   "satisfy constraint: Member must satisfy regular expression pattern: "
                   "[a-zA-Z0-9_.-]+");
  json_decref(e);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("stream_api");
  TCase *tc = tcase_create("api");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, stream_lifecycle);
  tcase_add_test(tc, records_round_trip);
  tcase_add_test(tc, put_records_refuses_a_hash_key_past_the_range);
  tcase_add_test(tc, put_records_names_a_record_by_its_path);
  tcase_add_test(tc, shard_iterator_arguments_go_together);
  tcase_add_test(tc, describe_stream_pages_its_shards);
  tcase_add_test(tc, names_and_shard_ids_are_checked_alike);
  tcase_add_test(tc, string_members_keep_their_model_shapes);
  tcase_add_test(tc, list_shards_filters_and_pages);
  tcase_add_test(tc, retention_tags_and_consumers);
  tcase_add_test(tc, stream_names_are_checked_before_lookup);
  tcase_add_test(tc, subscribe_to_shard_answers_the_events_so_far);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
