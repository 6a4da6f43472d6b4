/* aev_call(b, "firehose", "UpdateDestination", ...) on the manual clock:
 * an update of the destination's own type merged into its configuration,
 * VersionId counting the updates, settings applied to the batches
 * delivered afterwards (processing too), a destination of another type
 * replacing the current one, and every refusal (stale version, unknown
 * destination, bad settings, unsupported types) changing nothing. */
#define _XOPEN_SOURCE 700
#include <jansson.h>
#include <unistd.h>

#include "aevtest.h"
#include "delivery_support.h"

static aev_broker *b;
static char dir[] = "/tmp/aev-fh-update-XXXXXX";

static void setup(void) {
  b = aev_test_manual_broker(7);
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  aev_broker_destroy(b);
  aev_test_remove_tree(dir);
  strcpy(dir, "/tmp/aev-fh-update-XXXXXX");
}

static json_t *call(const char *action, const char *req, int want) {
  return aev_test_call(b, "firehose", action, req, want);
}

static void ok(const char *action, const char *req) {
  json_decref(call(action, req, AEV_OK));
}

static void fails(const char *req, int status, const char *code, const char *message) {
  aev_test_call_fails(b, "firehose", "UpdateDestination", req, status, code, message);
}

/* UpdateDestination of "d" at version with the update member(s) given. */
static void update(const char *version, const char *members) {
  char req[1024];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"%s\","
           "\"DestinationId\":\"destinationId-000000000001\",%s}",
           version, members);
  ok("UpdateDestination", req);
}

/* DeliveryStreamDescription of "d" without its timestamps, as compact
 * sorted JSON. */
static char *described(void) {
  json_t *j = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\"}", AEV_OK);
  json_t *d = json_object_get(j, "DeliveryStreamDescription");
  json_object_del(d, "CreateTimestamp");
  char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(j);
  return text;
}

/* The destination's description (Destinations[0]) as compact sorted JSON
 * plus the VersionId: "<version> <destination>". */
static void assert_destination(const char *version, const char *want) {
  json_t *j = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\"}", AEV_OK);
  json_t *d = json_object_get(j, "DeliveryStreamDescription");
  ck_assert_str_eq(json_string_value(json_object_get(d, "VersionId")), version);
  char *got = json_dumps(json_array_get(json_object_get(d, "Destinations"), 0),
                         JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(got, want);
  free(got);
  json_decref(j);
}

static void create(const char *extra) {
  char req[1024];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"ExtendedS3DestinationConfiguration\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"LocalDirectory\":\"%s\",\"Prefix\":\"a/\","
           "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}%s}}",
           dir, extra);
  ok("CreateDeliveryStream", req);
}

static void put(const char *base64) {
  char req[256];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"Record\":{\"Data\":\"%s\"}}", base64);
  ok("PutRecord", req);
}

static int has_objects(const char *sub) { return fh_last_file(dir, sub); }

/* The content of the one object under dir/sub (its first bytes). */
static char *object_under(const char *sub) {
  static char text[64];
  ck_assert(has_objects(sub));
  size_t n;
  unsigned char *data = fh_read_file(fh_found, &n);
  snprintf(text, sizeof text, "%s", (const char *)data);
  free(data);
  return text;
}

/* What DescribeDeliveryStream adds to an S3 destination the create left
 * them out of (sorted among the members given). An extended destination
 * is also described as a plain S3 one (S3DestinationDescription). */
#define LOGGING_TO_ENCRYPTION                                            \
  "\"CloudWatchLoggingOptions\":{\"Enabled\":false},\"CompressionFormat\":" \
  "\"UNCOMPRESSED\",\"EncryptionConfiguration\":{\"NoEncryptionConfig\":"  \
  "\"NoEncryption\"},"

/* AWS merges an update of the same type: members given replace, the rest
 * keep their values; VersionId counts the updates. A batch buffered before
 * the update is delivered with the settings of its attempt. */
START_TEST(update_merges_into_the_destination) {
  create("");
  char want[1024];
  snprintf(want, sizeof want,
           "{\"DestinationId\":\"destinationId-000000000001\",\"ExtendedS3DestinationDescription\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"IntervalInSeconds\":60,"
           "\"SizeInMBs\":1}," LOGGING_TO_ENCRYPTION "\"LocalDirectory\":\"%s\",\"Prefix\":\"a/\","
           "\"S3BackupMode\":\"Disabled\"},\"S3DestinationDescription\":{\"BucketARN\":"
           "\"arn:aws:s3:::b\",\"BufferingHints\":{\"IntervalInSeconds\":60,\"SizeInMBs\":1},"
           LOGGING_TO_ENCRYPTION "\"Prefix\":\"a/\"}}",
           dir);
  assert_destination("1", want);
  put("eA==");
  update("1", "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"b/\"}");
  snprintf(want, sizeof want,
           "{\"DestinationId\":\"destinationId-000000000001\",\"ExtendedS3DestinationDescription\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"IntervalInSeconds\":60,"
           "\"SizeInMBs\":1}," LOGGING_TO_ENCRYPTION "\"LocalDirectory\":\"%s\",\"Prefix\":\"b/\","
           "\"S3BackupMode\":\"Disabled\"},\"S3DestinationDescription\":{\"BucketARN\":"
           "\"arn:aws:s3:::b\",\"BufferingHints\":{\"IntervalInSeconds\":60,\"SizeInMBs\":1},"
           LOGGING_TO_ENCRYPTION "\"Prefix\":\"b/\"}}",
           dir);
  assert_destination("2", want);
  aev_broker_advance(b, 60000);
  ck_assert(has_objects("b"));
  /* Object names carry the stream's version (Firehose's guide). */
  ck_assert_msg(strstr(fh_found, "/d-2-2024-"), "%s", fh_found);
  ck_assert(!has_objects("a"));

  /* S3DestinationUpdate updates the same S3 destination; new buffering
   * hints apply to the next buffer. */
  update("2", "\"S3DestinationUpdate\":{\"Prefix\":\"c/\",\"BufferingHints\":"
              "{\"SizeInMBs\":1,\"IntervalInSeconds\":120}}");
  snprintf(want, sizeof want,
           "{\"DestinationId\":\"destinationId-000000000001\",\"ExtendedS3DestinationDescription\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"IntervalInSeconds\":120,"
           "\"SizeInMBs\":1}," LOGGING_TO_ENCRYPTION "\"LocalDirectory\":\"%s\",\"Prefix\":\"c/\","
           "\"S3BackupMode\":\"Disabled\"},\"S3DestinationDescription\":{\"BucketARN\":"
           "\"arn:aws:s3:::b\",\"BufferingHints\":{\"IntervalInSeconds\":120,\"SizeInMBs\":1},"
           LOGGING_TO_ENCRYPTION "\"Prefix\":\"c/\"}}",
           dir);
  assert_destination("3", want);
  /* An update that changes nothing, empty or the same values, keeps the
   * version. */
  update("3", "\"ExtendedS3DestinationUpdate\":{}");
  update("3", "\"S3DestinationUpdate\":{\"Prefix\":\"c/\"}");
  assert_destination("3", want);
  put("eQ==");
  aev_broker_advance(b, 60000);
  ck_assert(!has_objects("c"));
  aev_broker_advance(b, 60000);
  ck_assert(has_objects("c"));
}
END_TEST

/* Another type replaces the destination, and must be complete. */
START_TEST(update_replaces_another_type) {
  create("");
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "out", NULL, &q), AEV_OK);
  fails("{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"1\","
        "\"DestinationId\":\"destinationId-000000000001\",\"SqsDestinationUpdate\":"
        "{\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":5}}}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "SqsDestinationUpdate needs QueueARN.");
  put("eA==");
  char members[256];
  snprintf(members, sizeof members,
           "\"SqsDestinationUpdate\":{\"QueueARN\":\"%s\",\"BufferingHints\":"
           "{\"SizeInMBs\":1,\"IntervalInSeconds\":5}}",
           aev_queue_arn(q));
  update("1", members);
  char want[512];
  snprintf(want, sizeof want,
           "{\"DestinationId\":\"destinationId-000000000001\",\"SqsDestinationDescription\":"
           "{\"BufferingHints\":{\"IntervalInSeconds\":5,\"SizeInMBs\":1},\"QueueARN\":\"%s\"}}",
           aev_queue_arn(q));
  assert_destination("2", want);
  /* The record buffered before goes to the queue, after the running
   * buffer's 60 seconds. */
  aev_broker_advance(b, 60000);
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 1);
  size_t len;
  const void *body = aev_message_body(m[0], &len);
  ck_assert_uint_eq(len, 1);
  ck_assert_mem_eq(body, "x", 1);
  aev_message_free(m[0]);
  ck_assert(!has_objects("a"));
  aev_queue_release(q);
}
END_TEST

/* Each refusal answers AWS's error and leaves the stream as it was. */
START_TEST(refused_updates_change_nothing) {
  create(",\"ErrorOutputPrefix\":\"err/\"");
  update("1", "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"b/\"}");
  char *before = described();
  const char *head = "{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"2\","
                     "\"DestinationId\":\"destinationId-000000000001\",";
  char req[1024];
  fails("{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"1\","
        "\"DestinationId\":\"destinationId-000000000001\","
        "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"c/\"}}",
        AEV_ERR_STATE, "ConcurrentModificationException",
        "Firehose d is at version 2, not 1: another modification has already happened. "
        "Fetch VersionId again and use it to update the destination.");
  fails("{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"2\","
        "\"DestinationId\":\"destinationId-000000000002\","
        "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"c/\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Destination destinationId-000000000002 is not a destination of Firehose d: its "
        "destination is destinationId-000000000001.");
  fails("{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"v2\","
        "\"DestinationId\":\"destinationId-000000000001\","
        "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"c/\"}}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value 'v2' at 'currentDeliveryStreamVersionId' failed "
        "to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+ and "
        "have length between 1 and 50");
  fails("{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"2\","
        "\"DestinationId\":\"dest_1\",\"ExtendedS3DestinationUpdate\":{}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("{\"DeliveryStreamName\":\"d\",\"DestinationId\":\"destinationId-000000000001\","
        "\"ExtendedS3DestinationUpdate\":{}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("{\"DeliveryStreamName\":\"nope\",\"CurrentDeliveryStreamVersionId\":\"2\","
        "\"DestinationId\":\"destinationId-000000000001\",\"ExtendedS3DestinationUpdate\":{}}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  snprintf(req, sizeof req, "%s\"Ignored\":1}", head);
  fails(req, AEV_ERR_INVALID, "InvalidArgumentException",
        "A destination update is required: ExtendedS3DestinationUpdate, S3DestinationUpdate, "
        "SqsDestinationUpdate or SnsDestinationUpdate.");
  snprintf(req, sizeof req, "%s\"RedshiftDestinationUpdate\":{}}", head);
  fails(req, AEV_ERR_INVALID, "InvalidArgumentException",
        "RedshiftDestinationUpdate is not supported: this library updates "
        "ExtendedS3DestinationUpdate, S3DestinationUpdate, SqsDestinationUpdate or "
        "SnsDestinationUpdate destinations.");
  snprintf(req, sizeof req, "%s\"ExtendedS3DestinationUpdate\":{},\"S3DestinationUpdate\":{}}",
           head);
  fails(req, AEV_ERR_INVALID, "InvalidArgumentException",
        "Exactly one destination update must be given.");
  snprintf(req, sizeof req, "%s\"ExtendedS3DestinationUpdate\":\"b/\"}", head);
  fails(req, AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value at 'extendedS3DestinationUpdate' failed to "
        "satisfy constraint: Member must be a structure");
  /* The settings are checked as at creation. */
  snprintf(req, sizeof req,
           "%s\"ExtendedS3DestinationUpdate\":{\"BufferingHints\":{\"SizeInMBs\":0,"
           "\"IntervalInSeconds\":60}}}",
           head);
  fails(req, AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value '0' at 'bufferingHints.sizeInMBs' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1");
  snprintf(req, sizeof req,
           "%s\"ExtendedS3DestinationUpdate\":{\"BufferingHints\":{\"SizeInMBs\":2}}}", head);
  fails(req, AEV_ERR_INVALID, "InvalidArgumentException",
        "BufferingHints must specify both SizeInMBs and IntervalInSeconds, or neither.");
  snprintf(req, sizeof req,
           "%s\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"!{timestamp:yyyy}/\"}}", head);
  fails(req, AEV_ERR_INVALID, "InvalidArgumentException",
        "ErrorOutputPrefix must contain the !{firehose:error-output-type} expression.");
  snprintf(req, sizeof req,
           "%s\"ExtendedS3DestinationUpdate\":{\"ProcessingConfiguration\":{\"Enabled\":true,"
           "\"Processors\":[{\"Type\":\"Lambda\"}]}}}",
           head);
  fails(req, AEV_ERR_INVALID, "InvalidArgumentException",
        "A Lambda processor needs the LambdaArn parameter.");
  snprintf(req, sizeof req, "%s\"ExtendedS3DestinationUpdate\":{\"BucketARN\":\"b\"}}", head);
  fails(req, AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value 'b' at 'extendedS3DestinationUpdate.bucketARN' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "arn:.*:s3:::.+");
  char *after = described();
  ck_assert_str_eq(after, before);
  free(before);
  free(after);
}
END_TEST

/* A ProcessingConfiguration given in an update runs on the batches
 * delivered afterwards; one disabled by a later update no longer does. */
START_TEST(processing_is_updated) {
  int calls = 0;
  ck_assert_int_eq(aev_function_create(b, "upper", NULL, fh_transform, &calls, NULL, NULL), AEV_OK);
  create("");
  update("1", "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"p/\",\"ProcessingConfiguration\":"
              "{\"Enabled\":true,\"Processors\":[{\"Type\":\"Lambda\",\"Parameters\":"
              "[{\"ParameterName\":\"LambdaArn\",\"ParameterValue\":"
              "\"arn:aws:lambda:us-east-1:000000000000:function:upper\"}]}]}}");
  put("YQ==");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(object_under("p"), "A");
  update("2", "\"ExtendedS3DestinationUpdate\":{\"Prefix\":\"q/\",\"ProcessingConfiguration\":"
              "{\"Enabled\":false}}");
  put("YQ==");
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(object_under("q"), "a");
}
END_TEST

/* A delivery stream feeding the application's callback has no destination
 * configuration to update. */
static int on_batch(void *user, const char *key, const void *data, size_t len) {
  (void)user, (void)key, (void)data, (void)len;
  return 0;
}

START_TEST(callback_destination_is_not_updated) {
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_create_with_sink(b, "d", NULL, on_batch, NULL, NULL, &d),
                   AEV_OK);
  fails("{\"DeliveryStreamName\":\"d\",\"CurrentDeliveryStreamVersionId\":\"1\","
        "\"DestinationId\":\"destinationId-000000000001\",\"ExtendedS3DestinationUpdate\":"
        "{\"BucketARN\":\"arn:aws:s3:::b\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException",
        "Firehose d delivers to the application's callback: its destination cannot be "
        "updated.");
  aev_delivery_release(d);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("delivery_update");
  TCase *tc = tcase_create("update");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, update_merges_into_the_destination);
  tcase_add_test(tc, update_replaces_another_type);
  tcase_add_test(tc, refused_updates_change_nothing);
  tcase_add_test(tc, processing_is_updated);
  tcase_add_test(tc, callback_destination_is_not_updated);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
