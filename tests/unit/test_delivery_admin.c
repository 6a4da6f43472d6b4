/* aev_call(b, "firehose", ...) tags and server-side encryption:
 * Tag/Untag/ListTagsForDeliveryStream (and CreateDeliveryStream's Tags)
 * with AWS's limits and paging, Start/StopDeliveryStreamEncryption, each
 * with AWS's errors and nothing stored changed when a call fails. */
#include <jansson.h>
#include <unistd.h>

#include "aevtest.h"
#include "stream_support.h"

static aev_broker *b;
static char dir[] = "/tmp/aev-fh-admin-XXXXXX";

static void setup(void) {
  b = aev_test_manual_broker(7);
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  aev_broker_destroy(b);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
  strcpy(dir, "/tmp/aev-fh-admin-XXXXXX");
}

/* The service's calls, through the shared checks (aevtest.h). */
static json_t *call(const char *action, const char *req, int want) {
  return aev_test_call(b, "firehose", action, req, want);
}

static void ok(const char *action, const char *req) {
  json_decref(call(action, req, AEV_OK));
}

static void fails(const char *action, const char *req, int status,
                  const char *code, const char *message) {
  aev_test_call_fails(b, "firehose", action, req, status, code, message);
}

/* Creates delivery stream name with extra members (",..." or ""). */
static void create(const char *name, const char *extra) {
  char req[4096];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"%s\",\"ExtendedS3DestinationConfiguration\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"LocalDirectory\":\"%s\"}%s}",
           name, dir, extra);
  ok("CreateDeliveryStream", req);
}

/* ListTagsForDeliveryStream's page as compact JSON. */
static void assert_page(const char *req, const char *want) {
  json_t *t = call("ListTagsForDeliveryStream", req, AEV_OK);
  char *got = json_dumps(t, JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(got, want);
  free(got);
  json_decref(t);
}

START_TEST(tags_and_their_pages) {
  create("d", ",\"Tags\":[{\"Key\":\"team\",\"Value\":\"a\"},{\"Key\":\"env\"}]");
  assert_page("{\"DeliveryStreamName\":\"d\"}",
              "{\"HasMoreTags\":false,\"Tags\":[{\"Key\":\"env\",\"Value\":\"\"},"
              "{\"Key\":\"team\",\"Value\":\"a\"}]}");
  ok("TagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"cost\","
                          "\"Value\":\"1\"},{\"Key\":\"team\",\"Value\":\"b\"}]}");
  assert_page("{\"DeliveryStreamName\":\"d\",\"Limit\":2}",
              "{\"HasMoreTags\":true,\"Tags\":[{\"Key\":\"cost\",\"Value\":\"1\"},"
              "{\"Key\":\"env\",\"Value\":\"\"}]}");
  assert_page("{\"DeliveryStreamName\":\"d\",\"Limit\":2,\"ExclusiveStartTagKey\":\"env\"}",
              "{\"HasMoreTags\":false,\"Tags\":[{\"Key\":\"team\",\"Value\":\"b\"}]}");
  ok("UntagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"TagKeys\":[\"env\",\"nope\"]}");
  const char *two = "{\"HasMoreTags\":false,\"Tags\":[{\"Key\":\"cost\",\"Value\":\"1\"},"
                    "{\"Key\":\"team\",\"Value\":\"b\"}]}";
  assert_page("{\"DeliveryStreamName\":\"d\"}", two);

  /* Refusals change nothing. */
  char req[4096];
  int n = snprintf(req, sizeof req, "{\"DeliveryStreamName\":\"d\",\"Tags\":[");
  for (int i = 0; i < 49; i++)
    n += snprintf(req + n, sizeof req - (size_t)n, "%s{\"Key\":\"k%d\"}", i ? "," : "", i);
  snprintf(req + n, sizeof req - (size_t)n, "]}");
  fails("TagDeliveryStream", req, AEV_ERR_LIMIT, "LimitExceededException", NULL);
  fails("TagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"aws:x\"}]}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value 'aws:x' at 'tags.1.member.key' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$");
  fails("TagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Tags\":[]}", AEV_ERR_INVALID,
        "ValidationException",
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1");
  fails("TagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"\"}]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("TagDeliveryStream", "{\"DeliveryStreamName\":\"d\"}", AEV_ERR_INVALID,
        "ValidationException", NULL);
  fails("TagDeliveryStream", "{\"DeliveryStreamName\":\"nope\",\"Tags\":[{\"Key\":\"x\"}]}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  fails("UntagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"TagKeys\":[]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("UntagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"TagKeys\":[\"aws:cost\"]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("ListTagsForDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Limit\":51}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("ListTagsForDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Limit\":0}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  /* DescribeDeliveryStream's Limit is 1..10000 too, though one destination
   * is all there is to page. */
  fails("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Limit\":0}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value '0' at 'limit' failed to satisfy "
        "constraint: Member must have value greater than or equal to 1");
  fails("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Limit\":\"one\"}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  json_decref(call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Limit\":1}", AEV_OK));
  assert_page("{\"DeliveryStreamName\":\"d\"}", two);
  /* 48 more make 50. */
  n = snprintf(req, sizeof req, "{\"DeliveryStreamName\":\"d\",\"Tags\":[");
  for (int i = 0; i < 48; i++)
    n += snprintf(req + n, sizeof req - (size_t)n, "%s{\"Key\":\"k%d\"}", i ? "," : "", i);
  snprintf(req + n, sizeof req - (size_t)n, "]}");
  ok("TagDeliveryStream", req);
  json_t *t = call("ListTagsForDeliveryStream", "{\"DeliveryStreamName\":\"d\"}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(t, "Tags")), 50);
  json_decref(t);
}
END_TEST

/* Tag lengths are characters: 128 of them in a key, 256 in a value. */
START_TEST(tag_lengths_are_characters) {
  char key[129 * 2 + 1], value[257 * 3 + 1], req[1400];
  for (int i = 0; i < 129; i++) memcpy(key + 2 * i, "\xc3\xa9", 2);
  for (int i = 0; i < 257; i++) memcpy(value + 3 * i, "\xe6\xbc\xa2", 3);
  snprintf(req, sizeof req, ",\"Tags\":[{\"Key\":\"%.*s\",\"Value\":\"%.*s\"}]", 128 * 2,
           key, 256 * 3, value);
  create("d", req);
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"%.*s\"}]}", 129 * 2, key);
  fails("TagDeliveryStream", req, AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy "
        "constraint: Member must have length less than or equal to 128");
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"k\",\"Value\":\"%.*s\"}]}",
           257 * 3, value);
  fails("TagDeliveryStream", req, AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value at 'tags.1.member.value' failed to satisfy "
        "constraint: Member must have length less than or equal to 256");
  json_t *t = call("ListTagsForDeliveryStream", "{\"DeliveryStreamName\":\"d\"}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(t, "Tags")), 1);
  json_decref(t);
  /* A create with a bad tag creates nothing. */
  fails("CreateDeliveryStream",
        "{\"DeliveryStreamName\":\"e\",\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":"
        "\"arn:aws:s3:::b\"},\"Tags\":[{\"Key\":\"aws:x\"}]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"e\"}", AEV_ERR_NOT_FOUND,
        "ResourceNotFoundException", NULL);
}
END_TEST

/* Tag keys and values match the Tag type's patterns: Unicode letters,
 * digits, white space and _ . : / = + - @ % (Firehose API reference, Tag);
 * a refused call stores nothing. */
START_TEST(tag_characters) {
  create("d", ",\"Tags\":[{\"Key\":\"a b_.:/=+-@%\\u00e9\\u6f229\",\"Value\":\"x:y\"}]");
  fails("TagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"a#b\"}]}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value 'a#b' at 'tags.1.member.key' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$");
  fails("TagDeliveryStream",
        "{\"DeliveryStreamName\":\"d\",\"Tags\":[{\"Key\":\"k\"},{\"Key\":\"v\",\"Value\":\"1,2\"}]}",
        AEV_ERR_INVALID, "ValidationException",
        "1 validation error detected: Value '1,2' at 'tags.2.member.value' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "^[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$");
  fails("UntagDeliveryStream", "{\"DeliveryStreamName\":\"d\",\"TagKeys\":[\"a*\"]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("CreateDeliveryStream",
        "{\"DeliveryStreamName\":\"e\",\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":"
        "\"arn:aws:s3:::b\"},\"Tags\":[{\"Key\":\"k\",\"Value\":\"\\u2603\"}]}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"e\"}", AEV_ERR_NOT_FOUND,
        "ResourceNotFoundException", NULL);
  assert_page("{\"DeliveryStreamName\":\"d\"}",
              "{\"HasMoreTags\":false,\"Tags\":[{\"Key\":\"a b_.:/=+-@%\xc3\xa9\xe6\xbc\xa2" "9\","
              "\"Value\":\"x:y\"}]}");
}
END_TEST

static char *encryption_of(const char *name) {
  char req[128];
  snprintf(req, sizeof req, "{\"DeliveryStreamName\":\"%s\"}", name);
  json_t *d = call("DescribeDeliveryStream", req, AEV_OK);
  char *text = json_dumps(json_object_get(json_object_get(d, "DeliveryStreamDescription"),
                                          "DeliveryStreamEncryptionConfiguration"),
                          JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(d);
  return text;
}

static void assert_encryption(const char *name, const char *want) {
  char *got = encryption_of(name);
  ck_assert_str_eq(got, want);
  free(got);
}

static int put_encrypted(void) {
  json_t *p = call("PutRecord", "{\"DeliveryStreamName\":\"d\",\"Record\":{\"Data\":\"eA==\"}}",
                   AEV_OK);
  int on = json_is_true(json_object_get(p, "Encrypted"));
  json_decref(p);
  p = call("PutRecordBatch", "{\"DeliveryStreamName\":\"d\",\"Records\":[{\"Data\":\"eA==\"}]}",
           AEV_OK);
  ck_assert_int_eq(json_is_true(json_object_get(p, "Encrypted")), on);
  json_decref(p);
  return on;
}

START_TEST(server_side_encryption) {
  create("d", "");
  assert_encryption("d", "{\"Status\":\"DISABLED\"}");
  ck_assert(!put_encrypted());
  ok("StartDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"d\"}");
  assert_encryption("d", "{\"KeyType\":\"AWS_OWNED_CMK\",\"Status\":\"ENABLING\"}");
  ck_assert(!put_encrypted());
  fails("StopDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"d\"}", AEV_ERR_STATE,
        "ResourceInUseException", NULL);
  aev_broker_drain(b);
  assert_encryption("d", "{\"KeyType\":\"AWS_OWNED_CMK\",\"Status\":\"ENABLED\"}");
  ck_assert(put_encrypted());
  const char *key = "arn:aws:kms:us-east-1:000000000000:key/1234";
  char req[512];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamEncryptionConfigurationInput\":"
           "{\"KeyType\":\"CUSTOMER_MANAGED_CMK\",\"KeyARN\":\"%s\"}}", key);
  ok("StartDeliveryStreamEncryption", req);
  aev_broker_drain(b);
  const char *customer = "{\"KeyARN\":\"arn:aws:kms:us-east-1:000000000000:key/1234\","
                         "\"KeyType\":\"CUSTOMER_MANAGED_CMK\",\"Status\":\"ENABLED\"}";
  assert_encryption("d", customer);

  /* Refusals change nothing. */
  fails("StartDeliveryStreamEncryption",
        "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamEncryptionConfigurationInput\":"
        "{\"KeyType\":\"CUSTOMER_MANAGED_CMK\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("StartDeliveryStreamEncryption",
        "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamEncryptionConfigurationInput\":"
        "{\"KeyType\":\"AWS_OWNED_CMK\",\"KeyARN\":\"arn:aws:kms:us-east-1:000000000000:key/9\"}}",
        AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("StartDeliveryStreamEncryption",
        "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamEncryptionConfigurationInput\":"
        "{\"KeyType\":\"MINE\"}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("StartDeliveryStreamEncryption",
        "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamEncryptionConfigurationInput\":{}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("StartDeliveryStreamEncryption",
        "{\"DeliveryStreamName\":\"d\",\"DeliveryStreamEncryptionConfigurationInput\":"
        "{\"KeyType\":\"CUSTOMER_MANAGED_CMK\",\"KeyARN\":\"key-1\"}}",
        AEV_ERR_INVALID, "ValidationException", NULL);
  fails("StartDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"nope\"}",
        AEV_ERR_NOT_FOUND, "ResourceNotFoundException", NULL);
  assert_encryption("d", customer);

  ok("StopDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"d\"}");
  assert_encryption("d", "{\"KeyARN\":\"arn:aws:kms:us-east-1:000000000000:key/1234\","
                         "\"KeyType\":\"CUSTOMER_MANAGED_CMK\",\"Status\":\"DISABLING\"}");
  ck_assert(!put_encrypted());
  aev_broker_drain(b);
  assert_encryption("d", "{\"Status\":\"DISABLED\"}");
}
END_TEST

START_TEST(encryption_calls_are_limited_per_day) {
  create("d", "");
  for (int i = 0; i < 25; i++) {
    ok(i % 2 ? "StopDeliveryStreamEncryption" : "StartDeliveryStreamEncryption",
       "{\"DeliveryStreamName\":\"d\"}");
    aev_broker_drain(b);
  }
  assert_encryption("d", "{\"KeyType\":\"AWS_OWNED_CMK\",\"Status\":\"ENABLED\"}");
  fails("StopDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"d\"}", AEV_ERR_LIMIT,
        "LimitExceededException", NULL);
  assert_encryption("d", "{\"KeyType\":\"AWS_OWNED_CMK\",\"Status\":\"ENABLED\"}");
  aev_broker_advance(b, 24 * 3600 * 1000);
  ok("StopDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"d\"}");
}
END_TEST

/* Only DirectPut streams take server-side encryption; a create may ask
 * for it at once. */
START_TEST(encryption_at_create_and_sources) {
  create("d", ",\"DeliveryStreamEncryptionConfigurationInput\":{\"KeyType\":\"AWS_OWNED_CMK\"}");
  assert_encryption("d", "{\"KeyType\":\"AWS_OWNED_CMK\",\"Status\":\"ENABLED\"}");
  ck_assert(put_encrypted());
  aev_stream_release(st_stream(b, "src", 1));
  const char *src = ",\"DeliveryStreamType\":\"KinesisStreamAsSource\","
                    "\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":"
                    "\"arn:aws:kinesis:us-east-1:000000000000:stream/src\"}";
  create("k", src);
  fails("StartDeliveryStreamEncryption", "{\"DeliveryStreamName\":\"k\"}", AEV_ERR_INVALID,
        "InvalidArgumentException", NULL);
  /* AWS describes a Kinesis-sourced stream with no encryption settings. */
  json_t *k = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"k\"}", AEV_OK);
  ck_assert_ptr_null(json_object_get(json_object_get(k, "DeliveryStreamDescription"),
                                     "DeliveryStreamEncryptionConfiguration"));
  json_decref(k);
  char req[1024];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"k2\",\"ExtendedS3DestinationConfiguration\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"LocalDirectory\":\"%s\"}%s,"
           "\"DeliveryStreamEncryptionConfigurationInput\":{\"KeyType\":\"AWS_OWNED_CMK\"}}",
           dir, src);
  fails("CreateDeliveryStream", req, AEV_ERR_INVALID, "InvalidArgumentException", NULL);
  fails("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"k2\"}", AEV_ERR_NOT_FOUND,
        "ResourceNotFoundException", NULL);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("delivery_admin");
  TCase *tc = tcase_create("admin");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, tags_and_their_pages);
  tcase_add_test(tc, tag_lengths_are_characters);
  tcase_add_test(tc, tag_characters);
  tcase_add_test(tc, server_side_encryption);
  tcase_add_test(tc, encryption_calls_are_limited_per_day);
  tcase_add_test(tc, encryption_at_create_and_sources);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
