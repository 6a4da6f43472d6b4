/* Firehose's Decompression and CloudWatchLogProcessing processors on the
 * manual clock: gzip'd CloudWatch Logs records delivered decompressed to
 * an S3 destination, message extraction (CONTROL_MESSAGE dropped), a
 * record that is not GZIP going to the decompression-failed error output
 * while the others arrive, decompression ahead of a Lambda transform,
 * AppendDelimiterToRecord, deaggregation and partitioning, a Kinesis
 * stream as the source, and the processor checks (nothing stored after a
 * refusal). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <jansson.h>
#include <unistd.h>
#include <zlib.h>

#include "aevtest.h"
#include "delivery_support.h"
#include "stream_support.h"

static aev_broker *b;
static char root[64];

static void setup(void) {
  b = st_broker();
  snprintf(root, sizeof root, "/tmp/aev-fhcw-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void) {
  aev_broker_destroy(b);
  aev_test_remove_tree(root);
}

/* text with ' for " (configurations read better so). */
static char *dq(const char *text) {
  static char out[8192];
  snprintf(out, sizeof out, "%s", text);
  for (char *p = out; *p; p++)
    if (*p == '\'') *p = '"';
  return out;
}

#define HINTS "'BufferingHints':{'SizeInMBs':64,'IntervalInSeconds':60}"
#define ERRORS "'ErrorOutputPrefix':'err/!{firehose:error-output-type}/'"
#define GZIP "{'Type':'Decompression','Parameters':[{'ParameterName':'CompressionFormat','ParameterValue':'GZIP'}]}"
#define EXTRACT(v)                                                                          \
  "{'Type':'CloudWatchLogProcessing','Parameters':[{'ParameterName':'DataMessageExtraction'," \
  "'ParameterValue':'" v "'}]}"
#define DELIM "{'Type':'AppendDelimiterToRecord'}"
#define LAMBDA(fn)                                                                         \
  "{'Type':'Lambda','Parameters':[{'ParameterName':'LambdaArn','ParameterValue':"          \
  "'arn:aws:lambda:us-east-1:000000000000:function:" fn "'}]}"
#define PROCESSORS(list) "'ProcessingConfiguration':{'Enabled':true,'Processors':[" list "]}"

/* CreateDeliveryStream of an S3 destination in root with members (' for "). */
static int create(const char *name, const char *members, aev_delivery **d) {
  char cfg[8192];
  snprintf(cfg, sizeof cfg,
           "{'ExtendedS3DestinationConfiguration':{'BucketARN':'arn:aws:s3:::bkt',"
           "'LocalDirectory':'%s',%s}}", root, members);
  return aev_delivery_create(b, name, dq(cfg), d);
}

static aev_delivery *made(const char *name, const char *members) {
  aev_delivery *d;
  int rc = create(name, members, &d);
  ck_assert_msg(rc == AEV_OK, "create: %s %s", aev_errcode(), aev_errmsg());
  return d;
}

/* text gzip'd, as CloudWatch Logs sends it: *n bytes, valid until the
 * next call. */
static unsigned char *gz(const char *text, size_t *n) {
  static unsigned char out[16384];
  z_stream z = {0};
  ck_assert_int_eq(deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = (unsigned char *)text;
  z.avail_in = (uInt)strlen(text);
  z.next_out = out;
  z.avail_out = sizeof out;
  ck_assert_int_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
  *n = z.total_out;
  deflateEnd(&z);
  return out;
}

static void put_bytes(aev_delivery *d, const void *data, size_t n) {
  ck_assert_msg(aev_delivery_put(d, data, n, NULL) == AEV_OK, "put: %s", aev_errmsg());
}

static void put_gz(aev_delivery *d, const char *text) {
  size_t n;
  unsigned char *data = gz(text, &n);
  put_bytes(d, data, n);
}

/* A CloudWatch Logs DATA_MESSAGE of the messages (NULL after the last). */
static char *data_message(const char *const *messages) {
  static char doc[4096];
  json_t *events = json_array();
  for (size_t i = 0; messages[i]; i++)
    json_array_append_new(events, json_pack("{s:s, s:I, s:s}", "id", "3195310660696698337880902507980421114328961542429EXAMPLE",
                                            "timestamp", (json_int_t)1432826855000 + (json_int_t)i, "message", messages[i]));
  json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:o}", "messageType", "DATA_MESSAGE", "owner",
                        "111111111111", "logGroup", "CloudTrail/logs", "logStream",
                        "111111111111_CloudTrail/logs_us-east-1", "subscriptionFilters", "Destination",
                        "logEvents", events);
  char *text = json_dumps(j, JSON_COMPACT);
  snprintf(doc, sizeof doc, "%s", text);
  free(text);
  json_decref(j);
  return doc;
}
#define DATA(...) data_message((const char *const[]){__VA_ARGS__, NULL})

#define CONTROL_MESSAGE                                                                    \
  "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","   \
  "\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":" \
  "1432826855000,\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Firehose.\"}]}"

/* The one object under root/sub, as text (asserting there is one). */
static char *object(const char *sub) {
  static char body[65536];
  ck_assert_msg(fh_last_file(root, sub), "no object under %s", sub);
  size_t len;
  unsigned char *data = fh_read_file(fh_found, &len);
  snprintf(body, sizeof body, "%s", (char *)data);
  free(data);
  return body;
}

static int counted;
static int count_one(const char *p, const struct stat *st, int flag, struct FTW *f) {
  (void)p, (void)st, (void)f;
  counted += flag == FTW_F;
  return 0;
}

static int count_files(const char *sub) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", root, sub);
  counted = 0;
  nftw(path, count_one, 16, FTW_PHYS);
  return counted;
}

static char *metrics(aev_delivery *d) {
  static char text[512];
  char *m;
  ck_assert_int_eq(aev_delivery_metrics(d, &m), AEV_OK);
  snprintf(text, sizeof text, "%s", m);
  aev_free(m);
  return text;
}

START_TEST(records_delivered_decompressed) {
  aev_delivery *d = made("plain", HINTS ",'Prefix':'logs/'," PROCESSORS(GZIP));
  char first[4096];
  snprintf(first, sizeof first, "%s", DATA("one", "two"));
  put_gz(d, first);
  put_gz(d, CONTROL_MESSAGE);
  aev_broker_advance(b, 60000);
  /* Without message extraction each record is its whole document, the
   * CONTROL_MESSAGE too, back to back. */
  char want[8192];
  snprintf(want, sizeof want, "%s%s", first, CONTROL_MESSAGE);
  ck_assert_str_eq(object("logs"), want);
  ck_assert_int_eq(count_files(""), 1);
  ck_assert_msg(strstr(metrics(d), "\"IncomingRecords\":2,\"DeliveredRecords\":2"), "%s", metrics(d));
  aev_delivery_release(d);
  /* No CompressionFormat: GZIP, the default; Enabled false runs nothing. */
  d = made("default", HINTS ",'Prefix':'def/',"
           PROCESSORS("{'Type':'Decompression'}," EXTRACT("true")));
  put_gz(d, DATA("x"));
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("def"), "x");
  aev_delivery_release(d);
  d = made("off", HINTS ",'Prefix':'off/','ProcessingConfiguration':{'Enabled':false,'Processors':[" GZIP "]}");
  put_bytes(d, "raw", 3);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("off"), "raw");
  aev_delivery_release(d);
}
END_TEST

START_TEST(message_extraction) {
  aev_delivery *d = made("msgs", HINTS ",'Prefix':'m/'," PROCESSORS(GZIP "," EXTRACT("true")));
  put_gz(d, DATA("{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root1\"}}",
                 "{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root2\"}}"));
  put_gz(d, CONTROL_MESSAGE);
  put_gz(d, DATA("plain text, \xc3\xa9 and a tab\t"));
  aev_broker_advance(b, 60000);
  /* The messages only, one a line within a record; the records back to
   * back (no delimiter processor); the CONTROL_MESSAGE dropped. */
  ck_assert_str_eq(object("m"),
                   "{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root1\"}}\n"
                   "{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root2\"}}"
                   "plain text, \xc3\xa9 and a tab\t");
  ck_assert_msg(strstr(metrics(d), "\"IncomingRecords\":3,\"DeliveredRecords\":2,\"DeliveredObjects\":1,"
                                   "\"DroppedRecords\":1,\"FailedRecords\":0"), "%s", metrics(d));
  aev_delivery_release(d);
  /* With AppendDelimiterToRecord, a new line between records too (True
   * in any case); False extracts nothing. */
  d = made("delim", HINTS ",'Prefix':'n/'," PROCESSORS(GZIP "," EXTRACT("True") "," DELIM));
  put_gz(d, DATA("a", "b"));
  put_gz(d, DATA("c"));
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("n"), "a\nb\nc");
  aev_delivery_release(d);
  d = made("whole", HINTS ",'Prefix':'w/'," PROCESSORS(GZIP "," EXTRACT("FALSE")));
  put_gz(d, CONTROL_MESSAGE);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("w"), CONTROL_MESSAGE);
  aev_delivery_release(d);
}
END_TEST

/* The error record (one JSON line) in the one object under sub. */
static json_t *error_record(const char *sub) {
  const char *text = object(sub);
  ck_assert_msg(strchr(text, '\n') == text + strlen(text) - 1, "one line: %s", text);
  json_t *j = json_loads(text, 0, NULL);
  ck_assert_ptr_nonnull(j);
  return j;
}

START_TEST(not_gzip_goes_to_the_error_output) {
  aev_delivery *d = made("bad", HINTS ",'Prefix':'ok/'," ERRORS "," PROCESSORS(GZIP "," EXTRACT("true") "," DELIM));
  put_gz(d, DATA("before"));
  put_bytes(d, "not gzip", 8);
  size_t n;
  unsigned char *cut = gz(DATA("lost"), &n);
  put_bytes(d, cut, n - 4); /* the GZIP trailer cut off */
  put_gz(d, "not json");
  put_gz(d, DATA("after"));
  aev_broker_advance(b, 60000);
  /* The others still arrive. */
  ck_assert_str_eq(object("ok"), "before\nafter");
  /* One error object per error output type; the record as it came. */
  ck_assert_int_eq(count_files("err/decompression-failed"), 1);
  const char *text = object("err/decompression-failed");
  /* The default time part follows the prefix, which has no timestamp. */
  ck_assert_msg(strstr(fh_found, "/err/decompression-failed/2024/01/01/00/bad-1-2024-01-01-00-00-00-"), "%s", fh_found);
  json_t *lines[2];
  const char *at = text;
  for (int i = 0; i < 2; i++) {
    const char *nl = strchr(at, '\n');
    ck_assert_ptr_nonnull(nl);
    lines[i] = json_loadb(at, (size_t)(nl - at), 0, NULL);
    ck_assert_ptr_nonnull(lines[i]);
    at = nl + 1;
  }
  ck_assert_str_eq(at, "");
  ck_assert_str_eq(json_string_value(json_object_get(lines[0], "rawData")), "bm90IGd6aXA=");
  ck_assert_str_eq(json_string_value(json_object_get(lines[0], "errorCode")), "Decompression.Failed");
  ck_assert_msg(strstr(json_string_value(json_object_get(lines[0], "errorMessage")),
                       "The record could not be decompressed as GZIP: "), "%s",
                json_string_value(json_object_get(lines[0], "errorMessage")));
  ck_assert_int_eq(json_integer_value(json_object_get(lines[0], "attemptsMade")), 1);
  ck_assert_ptr_null(json_object_get(lines[0], "lambdaArn"));
  ck_assert_str_eq(json_string_value(json_object_get(lines[1], "errorMessage")),
                   "The record could not be decompressed as GZIP: the GZIP stream ends early.");
  for (int i = 0; i < 2; i++) json_decref(lines[i]);
  /* Decompressed, but not CloudWatch Logs JSON: processing-failed. */
  json_t *j = error_record("err/processing-failed");
  ck_assert_str_eq(json_string_value(json_object_get(j, "errorCode")),
                   "CloudWatchLogProcessing.MessageExtractionFailed");
  ck_assert_str_eq(json_string_value(json_object_get(j, "errorMessage")), "The decompressed record is not JSON.");
  /* The gzip as it came ("H4sI": the GZIP magic number in base64), all
   * of it, not the decompressed length of it. */
  size_t gn;
  gz("not json", &gn);
  const char *raw = json_string_value(json_object_get(j, "rawData"));
  ck_assert_msg(!strncmp(raw, "H4sI", 4), "%s", raw);
  ck_assert_uint_eq(strlen(raw), 4 * ((gn + 2) / 3));
  json_decref(j);
  ck_assert_msg(strstr(metrics(d), "\"DeliveredRecords\":2,\"DeliveredObjects\":1,\"DroppedRecords\":0,"
                                   "\"FailedRecords\":3"), "%s", metrics(d));
  aev_delivery_release(d);
  /* Without ErrorOutputPrefix: under the error output type and the
   * default time part. */
  d = made("noprefix", HINTS ",'Prefix':'np/'," PROCESSORS(GZIP));
  put_bytes(d, "x", 1);
  aev_broker_advance(b, 60000);
  ck_assert_msg(fh_last_file(root, "decompression-failed/2024/01/01/00"), "no error object");
  ck_assert_int_eq(count_files("np"), 0);
  aev_delivery_release(d);
}
END_TEST

START_TEST(lambda_sees_decompressed_data) {
  int calls = 0;
  ck_assert_int_eq(aev_function_create(b, "up", NULL, fh_transform, &calls, NULL, NULL), AEV_OK);
  aev_delivery *d = made("lam", HINTS ",'Prefix':'l/'," ERRORS ","
                         PROCESSORS(GZIP "," EXTRACT("true") "," LAMBDA("up") "," DELIM));
  /* fh_transform upper-cases the record "a" and fails "fail": it gets the
   * extracted messages, not the gzip. */
  put_gz(d, DATA("a"));
  put_gz(d, DATA("fail"));
  put_gz(d, CONTROL_MESSAGE);
  put_bytes(d, "not gzip", 8);
  put_gz(d, DATA("b", "c"));
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  ck_assert_str_eq(object("l"), "A\nb\nc");
  json_t *j = error_record("err/processing-failed");
  ck_assert_str_eq(json_string_value(json_object_get(j, "errorCode")), "Lambda.ProcessingFailed");
  ck_assert_ptr_nonnull(json_object_get(j, "lambdaArn"));
  /* A record that fails after decompression goes to the error output in
   * its compressed form ("Troubleshoot decompression"). */
  ck_assert_msg(!strncmp(json_string_value(json_object_get(j, "rawData")), "H4sI", 4), "%s",
                json_string_value(json_object_get(j, "rawData")));
  json_decref(j);
  j = error_record("err/decompression-failed");
  ck_assert_str_eq(json_string_value(json_object_get(j, "rawData")), "bm90IGd6aXA=");
  ck_assert_int_eq(json_integer_value(json_object_get(j, "attemptsMade")), 1);
  json_decref(j);
  aev_delivery_release(d);
  /* A batch with nothing for the function does not invoke it. */
  d = made("none", HINTS ",'Prefix':'x/'," ERRORS "," PROCESSORS(GZIP "," EXTRACT("true") "," LAMBDA("up")));
  put_gz(d, CONTROL_MESSAGE);
  put_bytes(d, "zz", 2);
  aev_broker_advance(b, 60000);
  ck_assert_int_eq(calls, 1);
  ck_assert_int_eq(count_files("x"), 0);
  ck_assert_int_eq(count_files("err/decompression-failed"), 2);
  aev_delivery_release(d);
}
END_TEST

START_TEST(partitioned_after_decompression) {
  /* Decompression, extraction, then deaggregation of the messages and
   * partitioning on their keys. */
  aev_delivery *d = made("part", HINTS ",'DynamicPartitioningConfiguration':{'Enabled':true}," ERRORS ","
                         "'Prefix':'k=!{partitionKeyFromQuery:k}/',"
                         PROCESSORS(GZIP "," EXTRACT("true") ","
                                    "{'Type':'RecordDeAggregation','Parameters':[{'ParameterName':'SubRecordType','ParameterValue':'JSON'}]},"
                                    "{'Type':'MetadataExtraction','Parameters':[{'ParameterName':'MetadataExtractionQuery',"
                                    "'ParameterValue':'{k: .k}'},{'ParameterName':'JsonParsingEngine','ParameterValue':'JQ-1.6'}]},"
                                    DELIM));
  put_gz(d, DATA("{\"k\":\"x\",\"n\":1}", "{\"k\":\"y\"}", "{\"k\":\"x\",\"n\":2}"));
  put_gz(d, CONTROL_MESSAGE);
  put_bytes(d, "not gzip", 8);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("k=x"), "{\"k\":\"x\",\"n\":1}\n{\"k\":\"x\",\"n\":2}");
  ck_assert_str_eq(object("k=y"), "{\"k\":\"y\"}");
  json_t *j = error_record("err/decompression-failed");
  ck_assert_str_eq(json_string_value(json_object_get(j, "errorCode")), "Decompression.Failed");
  json_decref(j);
  ck_assert_msg(strstr(metrics(d), "\"DroppedRecords\":1"), "%s", metrics(d));
  aev_delivery_release(d);
}
END_TEST

START_TEST(from_a_kinesis_stream) {
  aev_stream *s = st_stream(b, "logs", 1);
  char cfg[1024];
  snprintf(cfg, sizeof cfg,
           "{'DeliveryStreamType':'KinesisStreamAsSource','KinesisStreamSourceConfiguration':"
           "{'KinesisStreamARN':'%s','RoleARN':'arn:aws:iam::000000000000:role/r'},"
           "'ExtendedS3DestinationConfiguration':{'BucketARN':'arn:aws:s3:::bkt','LocalDirectory':'%s',"
           HINTS ",'Prefix':'s/'," PROCESSORS(GZIP "," EXTRACT("true")) "}}",
           aev_stream_arn(s), root);
  aev_delivery *d;
  ck_assert_msg(aev_delivery_create(b, "fromstream", dq(cfg), &d) == AEV_OK, "%s", aev_errmsg());
  size_t n;
  unsigned char *data = gz(DATA("from the stream"), &n);
  ck_assert_int_eq(aev_stream_put(s, data, n, "k", NULL, NULL, NULL, NULL), AEV_OK);
  aev_broker_advance(b, 60000);
  ck_assert_str_eq(object("s"), "from the stream");
  aev_delivery_release(d);
  aev_stream_release(s);
}
END_TEST

/* The message of the last refusal. */
static char refused_msg[2048];

/* Creation is refused with code (and message, unless NULL), and nothing
 * is stored. */
static void refuse(const char *members, const char *code, const char *message) {
  aev_delivery *d;
  int rc = create("refused", members, &d);
  ck_assert_msg(rc != AEV_OK, "created with %s", members);
  ck_assert_str_eq(aev_errcode(), code);
  snprintf(refused_msg, sizeof refused_msg, "%s", aev_errmsg());
  if (message) ck_assert_str_eq(refused_msg, message);
  ck_assert_int_eq(aev_delivery_get(b, "refused", &d), AEV_ERR_NOT_FOUND);
}

START_TEST(processor_checks) {
  const char *inv = "InvalidArgumentException";
  refuse(HINTS "," PROCESSORS("{'Type':'Decompression','Parameters':[{'ParameterName':'CompressionFormat',"
                              "'ParameterValue':'ZIP'}]}"),
         inv, "CompressionFormat ZIP is not supported for a Decompression processor: the only format is GZIP.");
  refuse(HINTS "," PROCESSORS("{'Type':'Decompression','Parameters':[{'ParameterName':'CompressionFormat',"
                              "'ParameterValue':'gzip'}]}"),
         inv, "CompressionFormat gzip is not supported for a Decompression processor: the only format is GZIP.");
  refuse(HINTS "," PROCESSORS(EXTRACT("true")), inv,
         "CloudWatchLogProcessingProcessor can only be enabled with DecompressionProcessor");
  refuse(HINTS "," PROCESSORS(GZIP "," EXTRACT("yes")), inv,
         "Invalid parameter value for DataMessageExtraction. Allowed values are True and False.");
  refuse(HINTS "," PROCESSORS(GZIP ",{'Type':'CloudWatchLogProcessing'}"), inv,
         "Invalid parameter value for DataMessageExtraction. Allowed values are True and False.");
  refuse(HINTS "," PROCESSORS("{'Type':'Decompression','Parameters':[{'ParameterName':'DataMessageExtraction',"
                              "'ParameterValue':'true'}]}"),
         inv, "Parameter DataMessageExtraction is not valid for a Decompression processor.");
  refuse(HINTS "," PROCESSORS(GZIP ",{'Type':'CloudWatchLogProcessing','Parameters':[{'ParameterName':"
                              "'CompressionFormat','ParameterValue':'GZIP'}]}"),
         inv, "Parameter CompressionFormat is not valid for a CloudWatchLogProcessing processor.");
  refuse(HINTS "," PROCESSORS(GZIP "," GZIP), inv,
         "ProcessingConfiguration has more than one Decompression processor.");
  refuse(HINTS "," PROCESSORS("{'Type':'Decompression','Parameters':[{'ParameterName':'Format',"
                              "'ParameterValue':'GZIP'}]}"),
         "ValidationException", NULL);
  ck_assert_msg(strstr(refused_msg, "Member must satisfy enum value set: [LambdaArn,"), "%s", refused_msg);
  /* Through the API: the same answer. */
  char *resp = NULL;
  ck_assert_int_ne(aev_call(b, "firehose", "CreateDeliveryStream",
                            dq("{'DeliveryStreamName':'api','ExtendedS3DestinationConfiguration':{"
                               "'BucketARN':'arn:aws:s3:::bkt','RoleARN':'arn:aws:iam::000000000000:role/r',"
                               PROCESSORS(EXTRACT("true")) "}}"),
                            &resp),
                   AEV_OK);
  ck_assert_msg(strstr(resp, "InvalidArgumentException") &&
                    strstr(resp, "CloudWatchLogProcessingProcessor can only be enabled with DecompressionProcessor"),
                "%s", resp);
  aev_free(resp);
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_get(b, "api", &d), AEV_ERR_NOT_FOUND);
}
END_TEST

int main(void) {
  Suite *s = suite_create("delivery_cwlogs");
  TCase *tc = tcase_create("cwlogs");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, records_delivered_decompressed);
  tcase_add_test(tc, message_extraction);
  tcase_add_test(tc, not_gzip_goes_to_the_error_output);
  tcase_add_test(tc, lambda_sees_decompressed_data);
  tcase_add_test(tc, partitioned_after_decompression);
  tcase_add_test(tc, from_a_kinesis_stream);
  tcase_add_test(tc, processor_checks);
  suite_add_tcase(s, tc);
  return aev_test_run(s);
}
