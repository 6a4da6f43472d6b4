/* Firehose delivery streams on the manual clock: buffering by size and by
 * time, S3-style keys and prefix expressions in a directory, each
 * transform outcome (Ok, Dropped, ProcessingFailed) and the retries of a
 * failing transform with AWS's error records, the callback sink with its
 * delivery retries and release, a queue destination, a stream as source,
 * and the firehose service of aev_call. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <unistd.h>

#include "aevtest.h"
#include "delivery_support.h"
#include "stream_support.h"

static aev_broker *b;
static char root[64];

static void setup(void) {
  b = st_broker();
  snprintf(root, sizeof root, "/tmp/aev-delivery-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(root));
}

static void teardown(void) {
  aev_broker_destroy(b);
  aev_test_remove_tree(root);
}

/* Every file under dir (relative paths, sorted, '\n'-separated). */
static int collect(const char *p, const struct stat *st, int flag, struct FTW *f);
static char listing[8192];
static size_t root_len;
static int collect(const char *p, const struct stat *st, int flag, struct FTW *f) {
  if (flag == FTW_F) {
    strcat(listing, p + root_len + 1);
    strcat(listing, "\n");
  }
  return 0;
}

static const char *files_under(const char *dir) {
  listing[0] = '\0';
  root_len = strlen(dir);
  nftw(dir, collect, 16, FTW_PHYS);
  return listing;
}

static int count_files(const char *dir) {
  int n = 0;
  for (const char *p = files_under(dir); *p; p++) n += *p == '\n';
  return n;
}

static char *slurp(const char *dir, const char *rel) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, rel);
  FILE *f = fopen(path, "rb");
  ck_assert_ptr_nonnull(f);
  static char buf[65536];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static aev_delivery *s3_delivery(const char *name, const char *extra) {
  char cfg[1024];
  snprintf(cfg, sizeof cfg,
           "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:"
           "s3:::bkt\",\"LocalDirectory\":\"%s\"%s}}",
           root, extra ? extra : "");
  aev_delivery *d;
  int rc = aev_delivery_create(b, name, cfg, &d);
  ck_assert_msg(rc == AEV_OK, "create: %s %s", aev_errcode(), aev_errmsg());
  return d;
}

static void put(aev_delivery *d, const char *text) {
  ck_assert_int_eq(aev_delivery_put(d, text, strlen(text), NULL), AEV_OK);
}

START_TEST(buffers_by_time_with_default_keys) {
  aev_delivery *d = s3_delivery("clicks", ",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}");
  char id[AEV_RECORD_ID_SIZE];
  ck_assert_int_eq(aev_delivery_put(d, "a\n", 2, id), AEV_OK);
  ck_assert_uint_eq(strlen(id), 96);
  aev_broker_advance(b, 30000);
  put(d, "b\n");
  aev_broker_advance(b, 29999);
  ck_assert_str_eq(files_under(root), "");
  aev_broker_advance(b, 1);
  const char *f = files_under(root);
  /* YYYY/MM/dd/HH/ of the oldest record, then Stream-1-YYYY-MM-dd-HH-MM-SS-random. */
  ck_assert_msg(!strncmp(f, "2024/01/01/00/clicks-1-2024-01-01-00-00-00-", 43), "%s", f);
  char rel[256];
  snprintf(rel, sizeof rel, "%.*s", (int)(strchr(f, '\n') - f), f);
  ck_assert_str_eq(slurp(root, rel), "a\nb\n");
  char *m;
  ck_assert_int_eq(aev_delivery_metrics(d, &m), AEV_OK);
  ck_assert_ptr_nonnull(strstr(m, "\"DeliveredRecords\":2"));
  ck_assert_ptr_nonnull(strstr(m, "\"DeliveredObjects\":1"));
  aev_free(m);
  aev_delivery_release(d);
}
END_TEST

/* AppendDelimiterToRecord puts a new line between an object's records,
 * not after the last. */
START_TEST(append_delimiter_to_record) {
  aev_delivery *d = s3_delivery(
      "lines", ",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60},"
               "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":"
               "[{\"Type\":\"AppendDelimiterToRecord\"}]}");
  put(d, "{\"a\":1}");
  put(d, "{\"a\":2}");
  put(d, "{\"a\":3}");
  aev_broker_advance(b, 60000);
  const char *f = files_under(root);
  char rel[256];
  snprintf(rel, sizeof rel, "%.*s", (int)(strchr(f, '\n') - f), f);
  ck_assert_str_eq(slurp(root, rel), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}");
  aev_delivery_release(d);
}
END_TEST

START_TEST(buffers_by_size) {
  aev_delivery *d = s3_delivery("big", ",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":900}");
  size_t len = 1000 * 1024;
  char *data = malloc(len);
  memset(data, 'x', len);
  ck_assert_int_eq(aev_delivery_put(d, data, len, NULL), AEV_OK);
  aev_broker_drain(b);
  ck_assert_str_eq(files_under(root), "");
  ck_assert_int_eq(aev_delivery_put(d, data, 100 * 1024, NULL), AEV_OK);
  aev_broker_drain(b);
  ck_assert_int_eq(count_files(root), 1);
  st_assert_error(aev_delivery_put(d, data, len + 1, NULL), AEV_ERR_INVALID, "ValidationException");
  free(data);
  aev_delivery_release(d);
}
END_TEST

START_TEST(prefix_expressions_and_rules) {
  aev_delivery *d = s3_delivery("p", ",\"Prefix\":\"logs/!{timestamp:yyyy-MM}/r=!{firehose:random-string}/\","
                                "\"ErrorOutputPrefix\":\"err/!{firehose:error-output-type}/\","
                                "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":0}");
  put(d, "x");
  aev_broker_advance(b, 0);
  const char *f = files_under(root);
  ck_assert_msg(!strncmp(f, "logs/2024-01/r=", 15), "%s", f);
  ck_assert_msg(f[26] == '/' && !strncmp(f + 27, "p-1-2024-01-01-00-00-00-", 24), "%s", f);
  aev_delivery_release(d);
  aev_delivery *bad;
  const char *no_err = "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\",\"Prefix\":\"!{timestamp:yyyy}/\"}}";
  st_assert_error(aev_delivery_create(b, "bad", no_err, &bad), AEV_ERR_INVALID, "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.");
  const char *unknown = "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\",\"Prefix\":\"!{partitionKeyFromQuery:x}/\",\"ErrorOutputPrefix\":\"e/!{firehose:error-output-type}\"}}";
  st_assert_error(aev_delivery_create(b, "bad", unknown, &bad), AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_delivery_create(b, "bad", "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"SizeInMBs\":129,\"IntervalInSeconds\":1}}}", &bad),
                  AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_delivery_create(b, "bad", "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":{\"SizeInMBs\":1}}}", &bad),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  st_assert_error(aev_delivery_create(b, "bad", "{}", &bad), AEV_ERR_INVALID, "InvalidArgumentException");
  /* Prefix is at most 1024 characters: 1024 two-byte ones pass, one more
   * does not. */
  char cfg[4096] = "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\",\"Prefix\":\"";
  for (int i = 0; i < 1024; i++) strcat(cfg, "\xc3\xa9");
  strcat(cfg, "\"}}");
  ck_assert_int_eq(aev_delivery_create(b, "wide", cfg, &bad), AEV_OK);
  aev_delivery_release(bad);
  strcpy(strstr(cfg, "\"}}"), "\xc3\xa9\"}}");
  st_assert_error(aev_delivery_create(b, "wider", cfg, &bad), AEV_ERR_INVALID, "ValidationException");
  st_assert_error(aev_delivery_create(b, "p", "{\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\"}}", &bad),
                  AEV_ERR_EXISTS, "ResourceInUseException");
}
END_TEST

static void failing(void *user, aev_invocation *ctx, const char *event, size_t len) {
  int *calls = user;
  (*calls)++;
  aev_invocation_fail(ctx, "Boom", "always");
}

#define PROCESSING(fn_name, retries)                                         \
  ",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":0},"           \
  "\"ProcessingConfiguration\":{\"Enabled\":true,\"Processors\":[{\"Type\":" \
  "\"Lambda\",\"Parameters\":[{\"ParameterName\":\"LambdaArn\","             \
  "\"ParameterValue\":\"arn:aws:lambda:us-east-1:000000000000:function:"     \
  fn_name "\"},{\"ParameterName\":\"NumberOfRetries\",\"ParameterValue\":\"" \
  retries "\"}]}]}"

START_TEST(transform_outcomes) {
  int calls = 0;
  ck_assert_int_eq(aev_function_create(b, "shout", NULL, fh_transform, &calls, NULL, NULL), AEV_OK);
  aev_delivery *d = s3_delivery("t", PROCESSING("shout", "1"));
  put(d, "a");
  put(d, "drop");
  put(d, "fail");
  put(d, "b");
  aev_broker_advance(b, 0);
  ck_assert_int_eq(calls, 1);
  const char *f = files_under(root);
  char ok[256] = "", err[256] = "";
  for (const char *line = f; *line; line = strchr(line, '\n') + 1) {
    char *dst = !strncmp(line, "processing-failed/", 18) ? err : ok;
    snprintf(dst, 256, "%.*s", (int)(strchr(line, '\n') - line), line);
  }
  ck_assert_str_eq(slurp(root, ok), "Ab");
  ck_assert_msg(!strncmp(err, "processing-failed/2024/01/01/00/t-1-", 36), "%s", err);
  json_t *rec = json_loads(slurp(root, err), JSON_DISABLE_EOF_CHECK, NULL);
  ck_assert_str_eq(json_string_value(json_object_get(rec, "rawData")), "ZmFpbA==");
  ck_assert_str_eq(json_string_value(json_object_get(rec, "errorCode")), "Lambda.ProcessingFailed");
  ck_assert_int_eq(json_integer_value(json_object_get(rec, "attemptsMade")), 1);
  ck_assert_str_eq(json_string_value(json_object_get(rec, "lambdaArn")), "arn:aws:lambda:us-east-1:000000000000:function:shout");
  json_decref(rec);
  char *m;
  aev_delivery_metrics(d, &m);
  ck_assert_ptr_nonnull(strstr(m, "\"DroppedRecords\":1"));
  ck_assert_ptr_nonnull(strstr(m, "\"FailedRecords\":1"));
  ck_assert_ptr_nonnull(strstr(m, "\"DeliveredRecords\":2"));
  aev_free(m);
  aev_delivery_release(d);
}
END_TEST

START_TEST(failing_transform_is_retried_then_errors) {
  int calls = 0;
  ck_assert_int_eq(aev_function_create(b, "boom", NULL, failing, &calls, NULL, NULL), AEV_OK);
  aev_delivery *d = s3_delivery("t", PROCESSING("boom", "2"));
  put(d, "a");
  put(d, "b");
  aev_broker_advance(b, 0);
  ck_assert_int_eq(calls, 3);
  const char *f = files_under(root);
  ck_assert_msg(!strncmp(f, "processing-failed/", 18) && !strchr(strchr(f, '\n') + 1, '\n'), "%s", f);
  char rel[256];
  snprintf(rel, sizeof rel, "%.*s", (int)(strchr(f, '\n') - f), f);
  const char *body = slurp(root, rel);
  ck_assert_ptr_nonnull(strstr(body, "\"errorCode\":\"Lambda.FunctionError\""));
  ck_assert_ptr_nonnull(strstr(body, "\"attemptsMade\":3"));
  ck_assert_ptr_nonnull(strchr(strchr(body, '\n') + 1, '\n'));
  aev_delivery_release(d);
}
END_TEST

typedef struct sink {
  int calls, fail_first, released;
  char last[256], key[256];
} sink;

static int on_batch(void *user, const char *key, const void *data, size_t len) {
  sink *k = user;
  k->calls++;
  if (k->fail_first-- > 0) return -1;
  snprintf(k->last, sizeof k->last, "%.*s", (int)len, (const char *)data);
  snprintf(k->key, sizeof k->key, "%s", key);
  return 0;
}

static void on_release(void *user) { ((sink *)user)->released++; }

START_TEST(callback_sink_with_retries) {
  sink k = {.fail_first = 2};
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_create_with_sink(b, "cb", "{\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":10}}",
                                                 on_batch, &k, on_release, &d), AEV_OK);
  put(d, "1");
  put(d, "2");
  aev_broker_advance(b, 10000);
  ck_assert_int_eq(k.calls, 1);
  aev_broker_advance(b, 1000);
  ck_assert_int_eq(k.calls, 2);
  ck_assert_str_eq(k.last, "");
  aev_broker_advance(b, 2000);
  ck_assert_int_eq(k.calls, 3);
  ck_assert_str_eq(k.last, "12");
  ck_assert_msg(!strncmp(k.key, "2024/01/01/00/cb-1-2024-01-01-00-00-00-", 39), "%s", k.key);
  /* Flush delivers what is buffered at once. */
  put(d, "3");
  ck_assert_int_eq(aev_delivery_flush(d), AEV_OK);
  aev_broker_drain(b);
  ck_assert_str_eq(k.last, "3");
  ck_assert_int_eq(aev_delivery_delete(d), AEV_OK);
  aev_broker_drain(b);
  ck_assert_int_eq(k.released, 1);
  st_assert_error(aev_delivery_put(d, "x", 1, NULL), AEV_ERR_NOT_FOUND, "ResourceNotFoundException");
  aev_delivery_release(d);
  ck_assert_int_eq(k.released, 1);
}
END_TEST

START_TEST(queue_destination_and_stream_source) {
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "out", NULL, &q), AEV_OK);
  aev_stream *s = st_stream(b, "src", 2);
  char cfg[512];
  snprintf(cfg, sizeof cfg,
           "{\"DeliveryStreamType\":\"KinesisStreamAsSource\",\"KinesisStreamSourceConfiguration\":{\"KinesisStreamARN\":\"%s\","
           "\"RoleARN\":\"arn:aws:iam::000000000000:role/fh\"},"
           "\"SqsDestinationConfiguration\":{\"QueueARN\":\"%s\",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":5}}}",
           aev_stream_arn(s), aev_queue_arn(q));
  aev_delivery *d;
  ck_assert_int_eq(aev_delivery_create(b, "fwd", cfg, &d), AEV_OK);
  st_assert_error(aev_delivery_put(d, "x", 1, NULL), AEV_ERR_INVALID, "InvalidArgumentException");
  ck_assert_str_eq(aev_errmsg(), "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
  st_put(s, "a", "one", NULL);
  const char *keys[] = {"b", "c"};
  const void *data[] = {"two", "three"};
  size_t lens[] = {3, 5};
  aev_put_result *r;
  ck_assert_int_eq(aev_stream_put_records(s, 2, data, lens, keys, NULL, &r), AEV_OK);
  aev_put_result_free(r);
  aev_broker_advance(b, 5000);
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
  char *desc;
  ck_assert_int_eq(aev_delivery_describe(d, &desc), AEV_OK);
  ck_assert_ptr_nonnull(strstr(desc, "\"DeliveryStreamType\":\"KinesisStreamAsSource\""));
  ck_assert_ptr_nonnull(strstr(desc, "\"SqsDestinationDescription\""));
  /* The source is described with its role, as AWS echoes it. */
  ck_assert_ptr_nonnull(strstr(desc, "\"RoleARN\":\"arn:aws:iam::000000000000:role/fh\""));
  aev_free(desc);
  /* Deleting the delivery stream stops the tap. */
  ck_assert_int_eq(aev_delivery_delete(d), AEV_OK);
  st_put(s, "a", "four", NULL);
  aev_broker_advance(b, 10000);
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  aev_delivery_release(d);
  aev_stream_release(s);
  aev_queue_release(q);
}
END_TEST

/* A topic destination publishes each Ok record (this library's
 * SnsDestinationConfiguration); a FIFO topic keeps the records' order in
 * one group named after the delivery stream; a missing topic is a failed
 * attempt, retried until RetryOptions' duration has passed. */
START_TEST(topic_destination) {
  aev_queue *q, *fq;
  aev_topic *t, *ft;
  ck_assert_int_eq(aev_queue_create(b, "plain", NULL, &q), AEV_OK);
  ck_assert_int_eq(aev_queue_create(b, "ordered.fifo", "{\"FifoQueue\":\"true\"}", &fq), AEV_OK);
  ck_assert_int_eq(aev_topic_create(b, "news", NULL, &t), AEV_OK);
  ck_assert_int_eq(aev_topic_create(b, "ordered.fifo", "{\"FifoTopic\":\"true\"}", &ft), AEV_OK);
  char *arn;
  ck_assert_int_eq(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), "{\"RawMessageDelivery\":\"true\"}", &arn), AEV_OK);
  aev_free(arn);
  ck_assert_int_eq(aev_topic_subscribe(ft, "sqs", aev_queue_arn(fq), "{\"RawMessageDelivery\":\"true\"}", &arn), AEV_OK);
  aev_free(arn);
  char cfg[512];
  aev_delivery *d, *fd, *gone;
  snprintf(cfg, sizeof cfg,
           "{\"SnsDestinationConfiguration\":{\"TopicARN\":\"%s\",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}}",
           aev_topic_arn(t));
  ck_assert_int_eq(aev_delivery_create(b, "to-news", cfg, &d), AEV_OK);
  snprintf(cfg, sizeof cfg,
           "{\"SnsDestinationConfiguration\":{\"TopicARN\":\"%s\",\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}}",
           aev_topic_arn(ft));
  ck_assert_int_eq(aev_delivery_create(b, "to-ordered", cfg, &fd), AEV_OK);
  ck_assert_int_eq(aev_delivery_create(b, "to-nowhere",
                                       "{\"SnsDestinationConfiguration\":{\"TopicARN\":\"arn:aws:sns:us-east-1:000000000000:none\","
                                       "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60},\"RetryOptions\":{\"DurationInSeconds\":10}}}", &gone), AEV_OK);
  const char *words[] = {"one", "two", "three"};
  for (int i = 0; i < 3; i++) {
    ck_assert_int_eq(aev_delivery_put(d, words[i], strlen(words[i]), NULL), AEV_OK);
    ck_assert_int_eq(aev_delivery_put(fd, words[i], strlen(words[i]), NULL), AEV_OK);
  }
  ck_assert_int_eq(aev_delivery_put(gone, "lost", 4, NULL), AEV_OK);
  aev_broker_advance(b, 59999);
  aev_message *m[10];
  size_t n;
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 0);
  aev_broker_advance(b, 1);
  ck_assert_int_eq(aev_queue_receive(q, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++) aev_message_free(m[i]);
  ck_assert_int_eq(aev_queue_receive(fq, 10, 0, NULL, m, &n), AEV_OK);
  ck_assert_uint_eq(n, 3);
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *body = aev_message_body(m[i], &len);
    ck_assert_uint_eq(len, strlen(words[i]));
    ck_assert_int_eq(memcmp(body, words[i], len), 0);
    aev_message_free(m[i]);
  }
  char *desc;
  ck_assert_int_eq(aev_delivery_describe(d, &desc), AEV_OK);
  ck_assert_ptr_nonnull(strstr(desc, "\"SnsDestinationDescription\""));
  aev_free(desc);
  /* The missing topic: attempts at 60 s, 61 s, 63 s, 67 s, 75 s > 70 s. */
  aev_broker_advance(b, 20000);
  ck_assert_int_eq(aev_delivery_metrics(gone, &desc), AEV_OK);
  ck_assert_ptr_nonnull(strstr(desc, "\"DeliveredRecords\":0"));
  ck_assert_ptr_nonnull(strstr(desc, "\"FailedRecords\":1"));
  ck_assert_ptr_nonnull(strstr(desc, "\"DeliveryAttempts\":5"));
  aev_free(desc);
  st_assert_error(aev_delivery_create(b, "bad", "{\"SnsDestinationConfiguration\":{}}", &gone),
                  AEV_ERR_INVALID, "InvalidArgumentException");
  aev_delivery_release(gone);
  aev_delivery_release(fd);
  aev_delivery_release(d);
  aev_topic_release(ft);
  aev_topic_release(t);
  aev_queue_release(fq);
  aev_queue_release(q);
}
END_TEST

static char sns_got[8192];

static int on_sns_batch(void *user, const char *key, const void *data, size_t len) {
  size_t have = strlen(sns_got);
  snprintf(sns_got + have, sizeof sns_got - have, "%.*s|", (int)len, (const char *)data);
  return 0;
}

/* SNS subscriptions with protocol firehose: each message becomes a record
 * of the delivery stream, raw or in SNS's JSON envelope. */
START_TEST(topic_subscription_with_protocol_firehose) {
  sns_got[0] = '\0';
  aev_delivery *raw, *env;
  const char *hints = "{\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}";
  ck_assert_int_eq(aev_delivery_create_with_sink(b, "raw", hints, on_sns_batch, NULL, NULL, &raw), AEV_OK);
  ck_assert_int_eq(aev_delivery_create_with_sink(b, "env", hints, on_sns_batch, NULL, NULL, &env), AEV_OK);
  aev_topic *t;
  ck_assert_int_eq(aev_topic_create(b, "news", NULL, &t), AEV_OK);
  char *arn;
  /* A firehose subscription needs the IAM role SNS would assume, on
   * subscribing and after any change of attributes. */
  st_assert_error(aev_topic_subscribe(t, "firehose", aev_delivery_arn(raw),
                                      "{\"RawMessageDelivery\":\"true\"}", &arn),
                  AEV_ERR_INVALID, "InvalidParameter");
  ck_assert_str_eq(aev_errmsg(), "Invalid parameter: Attributes Reason: SubscriptionRoleArn is "
                                 "required for Firehose delivery stream subscriptions");
  st_assert_error(aev_topic_subscribe(t, "firehose", aev_delivery_arn(raw), NULL, &arn),
                  AEV_ERR_INVALID, "InvalidParameter");
  ck_assert_int_eq(aev_topic_subscribe(t, "firehose", aev_delivery_arn(raw),
                                       "{\"RawMessageDelivery\":\"true\",\"SubscriptionRoleArn\":"
                                       "\"arn:aws:iam::000000000000:role/sns-firehose\"}", &arn),
                   AEV_OK);
  aev_free(arn);
  /* The role is kept and shown; other protocols have none. */
  const char *role = "{\"SubscriptionRoleArn\":\"arn:aws:iam::000000000000:role/sns-firehose\"}";
  ck_assert_int_eq(aev_topic_subscribe(t, "firehose", aev_delivery_arn(env), role, &arn), AEV_OK);
  st_assert_error(aev_subscription_set_attribute(b, arn, "SubscriptionRoleArn", ""),
                  AEV_ERR_INVALID, "InvalidParameter");
  ck_assert_str_eq(aev_errmsg(), "Invalid parameter: SubscriptionRoleArn is required for Firehose "
                                 "delivery stream subscriptions");
  char *attrs = NULL;
  ck_assert_int_eq(aev_subscription_get_attributes(b, arn, &attrs), AEV_OK);
  ck_assert_ptr_nonnull(strstr(attrs, "\"SubscriptionRoleArn\":\"arn:aws:iam::000000000000:role/sns-firehose\""));
  aev_free(attrs);
  aev_free(arn);
  aev_queue *q;
  ck_assert_int_eq(aev_queue_create(b, "q", NULL, &q), AEV_OK);
  st_assert_error(aev_topic_subscribe(t, "sqs", aev_queue_arn(q), role, &arn), AEV_ERR_INVALID,
                  "InvalidParameter");
  ck_assert_str_eq(aev_errmsg(), "Invalid parameter: Attributes Reason: Delivery protocol [sqs] does not "
                                 "support SubscriptionRoleArn");
  aev_queue_release(q);
  st_assert_error(aev_topic_subscribe(t, "firehose", "arn:aws:sqs:us-east-1:000000000000:q", NULL, &arn),
                  AEV_ERR_INVALID, "InvalidParameter");
  ck_assert_int_eq(aev_topic_publish(t, "hello", 5, NULL, NULL, NULL), AEV_OK);
  ck_assert_int_eq(aev_topic_publish(t, "world", 5, NULL, NULL, NULL), AEV_OK);
  aev_broker_advance(b, 60000);
  /* raw first (created first), then the envelopes of both messages */
  ck_assert_ptr_nonnull(strstr(sns_got, "helloworld|"));
  char *e = strstr(sns_got, "|") + 1;
  json_error_t err;
  json_t *one = json_loadb(e, strlen(e) - 1, JSON_DISABLE_EOF_CHECK, &err);
  ck_assert_ptr_nonnull(one);
  ck_assert_str_eq(json_string_value(json_object_get(one, "Type")), "Notification");
  ck_assert_str_eq(json_string_value(json_object_get(one, "Message")), "hello");
  ck_assert_str_eq(json_string_value(json_object_get(one, "TopicArn")), aev_topic_arn(t));
  json_decref(one);
  aev_topic_release(t);
  aev_delivery_release(env);
  aev_delivery_release(raw);
}
END_TEST

static json_t *call(const char *action, const char *req, int want) {
  char *out = NULL;
  int rc = aev_call(b, "firehose", action, req, &out);
  ck_assert_msg(rc == want, "%s: %d %s", action, rc, out ? out : "");
  json_t *j = json_loads(out, 0, NULL);
  aev_free(out);
  return j;
}

START_TEST(firehose_api) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"api\",\"ExtendedS3DestinationConfiguration\":{\"BucketARN\":\"arn:aws:s3:::b\",\"LocalDirectory\":\"%s\","
           "\"BufferingHints\":{\"SizeInMBs\":1,\"IntervalInSeconds\":60}}}", root);
  json_t *j = call("CreateDeliveryStream", req, AEV_OK);
  ck_assert_str_eq(json_string_value(json_object_get(j, "DeliveryStreamARN")),
                   "arn:aws:firehose:us-east-1:000000000000:deliverystream/api");
  json_decref(j);
  j = call("PutRecordBatch", "{\"DeliveryStreamName\":\"api\",\"Records\":[{\"Data\":\"eA==\"},{\"Data\":\"eQ==\"}]}", AEV_OK);
  ck_assert_int_eq(json_integer_value(json_object_get(j, "FailedPutCount")), 0);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "RequestResponses")), 2);
  json_decref(j);
  j = call("PutRecord", "{\"DeliveryStreamName\":\"api\",\"Record\":{\"Data\":\"eg==\"}}", AEV_OK);
  ck_assert_uint_eq(strlen(json_string_value(json_object_get(j, "RecordId"))), 96);
  json_decref(j);
  aev_broker_advance(b, 60000);
  const char *f = files_under(root);
  char rel[256];
  snprintf(rel, sizeof rel, "%.*s", (int)(strchr(f, '\n') - f), f);
  ck_assert_str_eq(slurp(root, rel), "xyz");
  j = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"api\"}", AEV_OK);
  json_t *dd = json_object_get(j, "DeliveryStreamDescription");
  ck_assert_str_eq(json_string_value(json_object_get(dd, "DeliveryStreamStatus")), "ACTIVE");
  json_decref(j);
  j = call("ListDeliveryStreams", "{}", AEV_OK);
  ck_assert_uint_eq(json_array_size(json_object_get(j, "DeliveryStreamNames")), 1);
  json_decref(j);
  j = call("PutRecordBatch", "{\"DeliveryStreamName\":\"api\",\"Records\":[]}", AEV_ERR_INVALID);
  ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), "ValidationException");
  json_decref(j);
  json_decref(call("DeleteDeliveryStream", "{\"DeliveryStreamName\":\"api\"}", AEV_OK));
  j = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"api\"}", AEV_ERR_NOT_FOUND);
  ck_assert_str_eq(json_string_value(json_object_get(j, "message")), "Firehose api under account 000000000000 not found.");
  json_decref(j);
  /* A malformed name is refused before any lookup, as AWS's model checks
   * it: never "not found". */
  const char *bad[] = {"{\"DeliveryStreamName\":\"\xc3\xa9\"}",
                       "{\"DeliveryStreamName\":\"a b\"}",
                       "{\"DeliveryStreamName\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    j = call("DescribeDeliveryStream", bad[i], AEV_ERR_INVALID);
    ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), "ValidationException");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "message")),
                                 "at 'deliveryStreamName' failed to satisfy constraint"));
    json_decref(j);
  }
  j = call("PutRecord", "{\"DeliveryStreamName\":\"a/b\",\"Record\":{\"Data\":\"eg==\"}}",
           AEV_ERR_INVALID);
  ck_assert_str_eq(json_string_value(json_object_get(j, "__type")), "ValidationException");
  json_decref(j);
}
END_TEST

/* AWS describes an S3 destination with the defaults of what the create
 * left out: 5 MiB / 300 s buffering, no compression, no encryption,
 * logging off and, extended, no S3 backup. */
START_TEST(described_with_aws_defaults) {
  char req[512];
  snprintf(req, sizeof req,
           "{\"DeliveryStreamName\":\"d\",\"ExtendedS3DestinationConfiguration\":"
           "{\"BucketARN\":\"arn:aws:s3:::b\",\"LocalDirectory\":\"%s\","
           "\"CompressionFormat\":\"UNCOMPRESSED\"}}", root);
  json_decref(call("CreateDeliveryStream", req, AEV_OK));
  json_t *j = call("DescribeDeliveryStream", "{\"DeliveryStreamName\":\"d\"}", AEV_OK);
  json_t *e = json_object_get(
      json_array_get(json_object_get(json_object_get(j, "DeliveryStreamDescription"),
                                     "Destinations"), 0),
      "ExtendedS3DestinationDescription");
  json_object_del(e, "LocalDirectory");
  char *got = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
  ck_assert_str_eq(got, "{\"BucketARN\":\"arn:aws:s3:::b\",\"BufferingHints\":"
                        "{\"IntervalInSeconds\":300,\"SizeInMBs\":5},"
                        "\"CloudWatchLoggingOptions\":{\"Enabled\":false},"
                        "\"CompressionFormat\":\"UNCOMPRESSED\",\"EncryptionConfiguration\":"
                        "{\"NoEncryptionConfig\":\"NoEncryption\"},\"S3BackupMode\":\"Disabled\"}");
  free(got);
  json_decref(j);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("delivery");
  TCase *tc = tcase_create("delivery");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, buffers_by_time_with_default_keys);
  tcase_add_test(tc, append_delimiter_to_record);
  tcase_add_test(tc, buffers_by_size);
  tcase_add_test(tc, prefix_expressions_and_rules);
  tcase_add_test(tc, transform_outcomes);
  tcase_add_test(tc, failing_transform_is_retried_then_errors);
  tcase_add_test(tc, callback_sink_with_retries);
  tcase_add_test(tc, queue_destination_and_stream_source);
  tcase_add_test(tc, topic_destination);
  tcase_add_test(tc, topic_subscription_with_protocol_firehose);
  tcase_add_test(tc, firehose_api);
  tcase_add_test(tc, described_with_aws_defaults);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return aev_test_run(suite()); }
